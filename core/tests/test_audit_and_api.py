"""Every change keeps who, when, before and after; transitions are recorded; the API documents itself."""
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from core.models import TaskRun
from core.tasks import start
from core.workflow import Step, apply_transition, transitions_for
from regions.models import TownClassification


def test_it_keeps_who_changed_a_town_class_and_what_before_and_after(world, login):
    row = TownClassification.objects.get(town=world.renhua_county_town)
    client = login("city_st")
    response = client.patch(f"/api/v1/town-classifications/{row.pk}/", {"town_class": "key"},
                            content_type="application/json")
    assert response.status_code == 200
    history = client.get(f"/api/v1/town-classifications/{row.pk}/history/").json()
    assert history[0]["who"] == "city_st" and history[0]["kind"] == "修改"
    assert history[0]["changes"] == [{"field": "town_class", "label": "镇类别", "old": "巩固提升镇", "new": "重点帮扶镇"}]
    assert login("nanxiong_st").get(f"/api/v1/town-classifications/{row.pk}/history/").status_code == 404


WORKFLOW = {
    "close": Step(sources=("open",), target="closed", roles=frozenset({"city_st"}), label="结束", needs_comment=True),
}


def test_it_records_a_workflow_transition_with_actor_and_comment(world, login):
    cycle = world.cycle
    with pytest.raises(ValidationError):
        apply_transition(workflow=WORKFLOW, obj=cycle, action="close", actor=world["city_st"], comment="")
    with pytest.raises(PermissionDenied):
        apply_transition(workflow=WORKFLOW, obj=cycle, action="close", actor=world["renhua_st"], comment="x")
    apply_transition(workflow=WORKFLOW, obj=cycle, action="close", actor=world["city_st"], comment="周期结束")
    cycle.refresh_from_db()
    assert cycle.status == "closed"
    step = transitions_for(cycle).get()
    assert (step.from_state, step.to_state, step.actor, step.comment) == ("open", "closed", world["city_st"], "周期结束")
    rows = login("renhua_st").get(f"/api/v1/cycles/{cycle.pk}/transitions/").json()
    assert rows[0]["comment"] == "周期结束" and rows[0]["actor"] == "city_st"
    with pytest.raises(ValidationError) as error:
        apply_transition(workflow=WORKFLOW, obj=cycle, action="close", actor=world["city_st"], comment="again")
    assert "当前状态为“已结束”" in error.value.messages[0]


def test_it_serves_the_openapi_schema_and_docs_without_a_cdn(world, login):
    client = login("city_st")
    schema = client.get("/api/schema/")
    assert schema.status_code == 200 and b"/api/v1/towns/" in schema.content
    docs = client.get("/api/docs/").content.decode()
    assert "cdn.jsdelivr" not in docs and "/static/drf_spectacular_sidecar/" in docs


def test_it_issues_api_tokens(world, client):
    from portal.testing import PASSWORD

    token = client.post("/api/v1/auth/token/", {"username": "renhua_st", "password": PASSWORD}).json()["token"]
    response = client.get("/api/v1/towns/", HTTP_AUTHORIZATION=f"Token {token}")
    assert response.json()["count"] == 2


def _count_to(progress, *, n):
    for index in range(n):
        progress.update(index + 1, n)
    return {"counted": n}


def test_it_runs_a_background_task_and_reports_progress(world, login):
    from django_tasks import task

    from core.tasks import tracked

    counting = task()(tracked(_count_to))
    run = start(counting, user=world["city_st"], kind="demo", label="计数", n=3)
    run.refresh_from_db()
    assert (run.status, run.done, run.total, run.percent, run.result) == ("done", 3, 3, 100, {"counted": 3})
    assert login("city_st").get(f"/api/v1/task-runs/{run.pk}/").json()["percent"] == 100
    assert login("renhua_st").get(f"/api/v1/task-runs/{run.pk}/").status_code == 404


def test_the_scheduled_command_is_safe_to_run_any_time(world):
    import datetime as dt

    from django.utils import timezone

    stuck = TaskRun.objects.create(kind="x", label="卡住的任务")
    TaskRun.objects.filter(pk=stuck.pk).update(created_at=timezone.now() - dt.timedelta(days=2))
    call_command("run_scheduled")
    call_command("run_scheduled")
    stuck.refresh_from_db()
    assert stuck.status == "failed"


def test_every_background_task_resolves_by_its_path_in_the_worker():
    """The database worker re-imports a task by its module path: the name must point at the Task itself."""
    from django.utils.module_loading import import_string

    from accounts.tasks import send_notification_mail
    from matching.tasks import run_selection_task
    from needs.tasks import import_needs_task

    for task_object in (import_needs_task, run_selection_task, send_notification_mail):
        assert import_string(task_object.module_path) is task_object


def test_an_api_not_found_answers_in_chinese(world, login):
    response = login("renhua_st").get("/api/v1/needs/999999/")
    assert response.status_code == 404
    assert response.json()["detail"] == "未找到该记录，或该记录不在您的管辖范围内。"
