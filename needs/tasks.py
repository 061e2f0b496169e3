"""Background work for needs: large imports run in the worker with progress."""
from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django_tasks import task

from core.tasks import tracked


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
    if not errors:
        result["url"] = "/needs/"
    return result

