"""Background work for needs: large imports run in the worker with progress, and build their search index after."""
from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django_tasks import task

from core.tasks import tracked

INDEX_BUILT_NOTICE = "检索索引已建立，新导入的需求可以按关键词检索。"


@task()
@tracked
def import_needs_task(progress, *, user_id: int, cycle_id: int, path: str, filename: str) -> dict:
    from cycles.models import Cycle
    from needs.services import needs_import

    user = get_user_model().objects.get(pk=user_id)
    cycle = Cycle.objects.get(pk=cycle_id)
    try:
        with default_storage.open(path, "rb") as handle:
            report = needs_import(actor=user, cycle=cycle, file=handle, filename=filename, progress=progress)
    finally:
        default_storage.delete(path)
    errors = [str(error) for error in report.errors]
    result = {"saved": report.saved, "errors": errors[:500], "error_count": len(errors), "filename": filename}
    if report.index_run is not None:
        result["index_run"] = str(report.index_run.pk)
    if not errors:
        result["url"] = "/needs/"
    return result


@task()
@tracked
def index_needs_task(progress, *, ranges: list, import_run: str = "") -> dict:
    """The search tokens of a large import's needs (``ranges``: their ids as ``[first, last]`` runs); then the
    import's own run (``import_run``), which said the index was being built, says it is built."""
    from core.models import TaskRun
    from needs.search import reindex_needs

    tokens = reindex_needs(ranges, progress=progress)
    if import_run:
        TaskRun.objects.filter(pk=import_run).update(message=str(INDEX_BUILT_NOTICE))
    return {"tokens": tokens}
