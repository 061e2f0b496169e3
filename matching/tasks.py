"""Selection runs execute in the background worker, with progress shown to the official.

A run computes with the taxonomy snapshot recorded when it was created (``SelectionRun.taxonomy``); the
engine caches parsed taxonomies by their content version, so an official's edit needs no worker restart.
"""
from django_tasks import task

from core.tasks import tracked


@task()
@tracked
def run_selection_task(progress, *, selection_run_id: int) -> dict:
    from matching.models import SelectionRun
    from matching.services import run_execute

    run = run_execute(SelectionRun.objects.get(pk=selection_run_id), progress=progress)
    if run.status == "failed":
        raise RuntimeError(run.error)
    return {"url": run.get_absolute_url(), "assigned": len(run.result.get("assignments", [])),
            "unassigned": len(run.result.get("unassigned_towns", [])),
            "taxonomy_version": run.taxonomy_version}



def start_run(*, actor, run):
    """Queue a stored run; returns the TaskRun to poll."""
    from core.tasks import start
    from matching.models import SelectionRun

    task_run = start(run_selection_task, user=actor, kind="selection", label="%s · %s" % (run.round, run), selection_run_id=run.pk)
    SelectionRun.objects.filter(pk=run.pk).update(task_run=task_run)
    return task_run
