"""A report's documents: the 公文 as DOCX or PDF and the statistical tables as XLSX, built by a background task.

``/reports/<pk>/export/<fmt>/``: a reader of the report (``core.scoping``, else 404) confirms on the page (GET writes
nothing) and the POST starts :func:`reports.tasks.export_report_task`, then shows the progress page
(``core:task_progress``), whose result link is ``/reports/<pk>/download/<run>/``: the stored file, served only to
someone who reads the report, for a run made for that report by that user (another report's run, another user's run
or an unfinished one: 404), with a Chinese file name.
"""
from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from core import idempotency
from core.files import CONTENT_TYPES, content_disposition
from core.generic import PageMixin
from core.models import TaskRun
from core.roles import OFFICIAL_ROLES
from core.scoping import VIEW, get_for_user
from reports import documents, tasks
from reports.models import AnnualReport

DESCRIPTIONS = {
    "docx": "按公文格式（GB/T 9704）生成的 Word 文档：发文机关、文号、标题、正文（基本情况、统计图、主要成效、典型案例及配图、"
            "存在问题、下一年度工作计划）、附件统计表、落款和日期（留出盖章位置），可在 Word 中修改后印发。",
    "pdf": "与 Word 文档内容相同的 PDF 文档，可直接打印或报送。",
    "xlsx": "统计表（Excel）：全部统计指标、各团队驻镇天数、按月服务活动；全市报告另有各县（市、区）报送情况和分县数据。",
}


def _report(request, pk) -> AnnualReport:
    return get_for_user(AnnualReport.objects.select_related("city", "county"), request.user, VIEW, pk=pk)


class ReportExportView(PageMixin, TemplateView):
    """Confirm, then build the document in the background and follow its progress."""

    template_name = "reports/export.html"
    roles = OFFICIAL_ROLES

    def dispatch(self, request, *args, **kwargs):
        if kwargs.get("fmt") not in documents.FORMATS:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_title(self):
        return "导出%s" % tasks.LABELS[self.kwargs["fmt"]]

    def get_breadcrumbs(self):
        report = self.report
        return [("年度报告", reverse("reports:report_list")), (str(report), report.get_absolute_url()),
                (self.get_title(), None)]

    def get(self, request, *args, **kwargs):
        self.report = _report(request, kwargs["pk"])
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        fmt = self.kwargs["fmt"]
        context.update({
            "report": self.report, "fmt": fmt, "label": tasks.LABELS[fmt], "description": DESCRIPTIONS[fmt],
            "draft": documents.is_draft(self.report), "filename": documents.filename_of(self.report, fmt),
            "others": [(other, tasks.LABELS[other], reverse("reports:report_export", args=[self.report.pk, other]))
                       for other in documents.FORMATS if other != fmt],
            "idempotency_key": uuid.uuid4().hex,
        })
        return context

    def post(self, request, pk, fmt):
        report = _report(request, pk)
        try:
            # A double click starts one export: the form's key is claimed with the run.
            with transaction.atomic(), idempotency.once(request.user, idempotency.key_from(request)) as claim:
                run = tasks.start_export(actor=request.user, report=report, fmt=fmt)
                url = reverse("core:task_progress", args=[run.pk])
                claim.done(url=url)
        except idempotency.AlreadySubmitted as duplicate:
            messages.info(request, "已在生成中，未重复提交。")
            return redirect(duplicate.earlier.result_url or report.get_absolute_url())
        return redirect(url)


class ReportDownloadView(PageMixin, View):
    """The stored document of a finished export run of this report, started by this user who reads the report."""

    roles = OFFICIAL_ROLES

    def get(self, request, pk, run):
        report = _report(request, pk)
        task_run = get_for_user(TaskRun.objects.all(), request.user, VIEW, pk=run, kind=tasks.KIND,
                                status=TaskRun.Status.DONE)
        result = task_run.result if isinstance(task_run.result, dict) else {}
        path, fmt = str(result.get("path") or ""), result.get("format")
        if result.get("report_id") != report.pk or fmt not in documents.FORMATS \
                or not path.startswith(tasks.FOLDER + "/") or ".." in path or not path.endswith("." + fmt):
            raise Http404
        try:
            handle = default_storage.open(path, "rb")
        except (OSError, ValueError):  # cleaned up since: export again
            raise Http404
        response = FileResponse(handle, content_type=CONTENT_TYPES[fmt])
        response["Content-Disposition"] = content_disposition(documents.filename_of(report, fmt)
                                                              if not result.get("filename") else result["filename"])
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response
