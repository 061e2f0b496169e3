"""Background work for annual reports: a report's document (DOCX, PDF) or statistical tables (XLSX), built by the
worker with its progress shown, stored through the storage API and served back by ``reports:report_download`` (a
scoped view: the report's readers, the run's own report)."""
from __future__ import annotations

import uuid

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from core.tasks import tracked

KIND = "report_export"
STEPS = 4  # figures, charts, document, saved
FOLDER = "report-exports"
LABELS = {"docx": "Word文档", "pdf": "PDF文档", "xlsx": "Excel统计表"}


def storage_name(fmt: str) -> str:
    """A random storage name (nothing from the report or the user in it)."""
    today = timezone.localdate()
    return "%s/%04d/%02d/%s.%s" % (FOLDER, today.year, today.month, uuid.uuid4().hex, fmt)


@task()
@tracked
def export_report_task(progress, *, user_id: int, report_id: int, fmt: str) -> dict:
    """Build one report's document or tables as ``user_id`` reads it, and store it."""
    from core.scoping import restrict
    from reports import documents
    from reports.models import AnnualReport

    if fmt not in documents.FORMATS:
        raise ValueError("unknown format %r" % fmt)
    user = get_user_model().objects.get(pk=user_id)
    # Read again as the user: the report may have left their scope since they asked.
    try:
        report = restrict(AnnualReport.objects.select_related("city", "county"), user, "view").get(pk=report_id)
    except AnnualReport.DoesNotExist:
        raise PermissionDenied("报告不存在，或您已不能查看该报告。") from None
    progress.update(0, STEPS, "正在汇总统计数据")

    def step(done, message):
        progress.update(done, STEPS, message)

    content = documents.build(report, fmt, progress=step)
    name = default_storage.save(storage_name(fmt), ContentFile(content))
    _drop_earlier(user, report, fmt, keep=progress.run_id)
    progress.update(STEPS, STEPS, "已生成，可以下载")
    return {"report_id": report.pk, "format": fmt, "path": name, "filename": documents.filename_of(report, fmt),
            "size": len(content), "link_label": "下载%s" % LABELS[fmt],
            "url": reverse("reports:report_download", args=[report.pk, progress.run_id])}


def _drop_earlier(user, report, fmt: str, *, keep) -> None:
    """One stored file per user, report and format: the earlier exports' files are deleted (their links then 404;
    exporting again is one click), so the storage does not grow with every click."""
    from core.models import TaskRun

    earlier = (TaskRun.objects.filter(kind=KIND, created_by=user, status=TaskRun.Status.DONE,
                                      result__report_id=report.pk, result__format=fmt).exclude(pk=keep))
    from django.db import transaction

    for run in earlier:
        path = (run.result or {}).get("path") or ""
        TaskRun.objects.filter(pk=run.pk).update(result={**run.result, "path": ""}, result_url="")
        if path.startswith(FOLDER + "/"):
            # Only once the runs no longer point at it: a rolled-back transaction keeps its file.
            transaction.on_commit(lambda path=path: default_storage.delete(path))


def start_export(*, actor, report, fmt: str):
    """Queue the export of ``report`` as ``fmt`` for ``actor``; returns the TaskRun to poll."""
    from core.tasks import start

    return start(export_report_task, user=actor, kind=KIND, label=("%s · %s" % (report, LABELS[fmt]))[-200:],
                 user_id=actor.pk, report_id=report.pk, fmt=fmt)
