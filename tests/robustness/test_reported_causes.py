"""The nine causes of server errors the security test found, each answered 4xx in Chinese, and the API's
exception handler (``core.api.exception_handler``) mapping what services and the database raise."""
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from core.api import exception_handler
from core.workflow import Conflict


def _post(client, url, body):
    return client.post(url, data=body if isinstance(body, str) else json.dumps(body), content_type="application/json")


# ------------------------------------------------------------------------------------------------ the handler
@pytest.mark.parametrize("error, status, text", [
    (ValidationError({"title": ["请填写标题。"]}), 400, "请填写标题。"),
    (ValidationError("日期不对。"), 400, "日期不对。"),
    (PermissionDenied("您无权处理该记录。"), 403, "您无权处理该记录。"),
    (Conflict("该记录已被他人处理。"), 409, "该记录已被他人处理。"),
    (IntegrityError("UNIQUE constraint failed"), 409, "与已有记录冲突，请刷新后重试"),
    (ValueError("Field 'id' expected a number but got 'abc'."), 400, "请求数据格式不正确"),
    (TypeError("'<' not supported"), 400, "请求数据格式不正确"),
])
def test_the_handler_answers_service_and_database_errors_in_chinese(error, status, text, rf):
    response = exception_handler(error, {"request": rf.get("/api/v1/x/"), "view": None})
    assert response.status_code == status
    assert text in json.dumps(response.data, ensure_ascii=False)
    assert "UNIQUE" not in json.dumps(response.data)  # the database's words stay in the log


def test_a_protected_delete_names_what_depends_on_the_record(world, rf):
    from needs.models import IndustryCategory

    error = ProtectedError("protected", {world.team, world.other_team, IndustryCategory.objects.first()})
    response = exception_handler(error, {"request": rf.delete("/api/v1/x/1/"), "view": None})
    assert response.status_code == 409
    names = sorted([(str(IndustryCategory._meta.verbose_name), 1), (str(world.team._meta.verbose_name), 2)])
    assert response.data["detail"] == "该记录仍被%s引用，不能删除。" % "、".join("%s（%d条）" % name for name in names)


def test_other_errors_stay_server_errors(rf):
    assert exception_handler(ZeroDivisionError(), {"request": rf.get("/"), "view": None}) is None


# ------------------------------------------------------------------------------------------------ the causes
def test_every_editor_opens_and_saves_a_need(world, login, records):
    need = records["need"]
    for name in ("renhua_county_town", "renhua_st"):
        assert login(name).get(f"/needs/{need.pk}/edit/").status_code == 200, name
    response = login("renhua_county_town").post(f"/needs/{need.pk}/edit/", {
        "title": "茶叶精深加工", "description": need.description, "category": need.category_id,
        "service_types": ["training"], "priority": need.priority})
    assert response.status_code == 302
    need.refresh_from_db()
    assert need.title == "茶叶精深加工" and need.town == world.renhua_county_town


def test_a_task_run_has_an_empty_history(login, records):
    response = login("renhua_st").get(f"/api/v1/task-runs/{records['taskrun'].pk}/history/")
    assert response.status_code == 200 and response.json() == []
    assert login("leader").get(f"/api/v1/task-runs/{records['taskrun'].pk}/history/").status_code == 404


@pytest.mark.parametrize("url", [
    "/api/v1/needs/abc/confirm/", "/api/v1/applications/abc/act/", "/api/v1/registration-submissions/abc/act/",
    "/api/v1/selection-rounds/abc/run/", "/api/v1/selection-rounds/abc/panel/", "/api/v1/selection-rounds/-1/meeting/",
    "/api/v1/selection-rounds/%00/finalize/", "/api/v1/selection-rounds/" + "9" * 300 + "/constraints/",
])
def test_an_id_that_is_not_a_number_is_not_found(login, url):
    assert _post(login("renhua_st"), url, {}).status_code == 404


@pytest.mark.parametrize("body", ["null", "[]", "1", '"x"'])
def test_a_body_that_is_not_an_object_is_refused(login, records, body):
    client = login("renhua_st")
    for url in ["/api/v1/needs/bulk/", f"/api/v1/needs/{records['need'].pk}/confirm/",
                f"/api/v1/applications/{records['application'].pk}/act/",
                f"/api/v1/registration-submissions/{records['submission'].pk}/act/",
                "/api/v1/registration-submissions/", "/api/v1/selection-rounds/",
                f"/api/v1/selection-rounds/{records['round'].pk}/panel/", "/api/v1/notifications/mark_read/"]:
        assert _post(client, url, body).status_code == 400, url


@pytest.mark.parametrize("pairings", [["x"], [{}], "x", [None], [10**30]])
def test_malformed_pairings_of_a_registration_submission(world, login, pairings):
    response = _post(login("renhua_st"), "/api/v1/registration-submissions/",
                     {"cycle": world.cycle.pk, "recipient": "province", "pairings": pairings, "doc_number": "仁科〔2025〕21号"})
    assert response.status_code == 400 and "pairings" in response.json()


@pytest.mark.parametrize("ids", [["x"], [{}], "x", [None], [-1]])
def test_malformed_ids_of_a_bulk_step(login, ids):
    response = _post(login("renhua_st"), "/api/v1/needs/bulk/", {"action": "confirm", "ids": ids})
    assert response.status_code == 400 and "ids" in response.json()


def test_a_bulk_step_takes_the_needs_it_names(login, records):
    response = _post(login("renhua_st"), "/api/v1/needs/bulk/", {"action": "confirm", "ids": [records["need"].pk]})
    assert response.status_code == 200 and response.json() == {"done": [records["need"].pk], "skipped": []}


@pytest.mark.parametrize("field, value", [("town", "abc"), ("team", "abc"), ("town", None), ("score", "很高"),
                                          ("score", 101)])
def test_malformed_panel_scores(world, login, records, field, value):
    body = {"town": world.renhua_county_town.pk, "team": world.team.pk, "score": 80, field: value}
    response = _post(login("renhua_st"), f"/api/v1/selection-rounds/{records['round'].pk}/panel/", body)
    assert response.status_code == 400 and field in response.json()


def test_two_villages_of_one_name_at_once_answer_a_conflict(world, login, monkeypatch):
    """The second of two simultaneous creations passes validation (the first is not saved yet) and hits the
    unique constraint: the API (which writes through the service) and the service answer a field error in Chinese —
    never a 500."""
    from regions import services
    from regions.api import VillageSerializer
    from regions.models import Village

    monkeypatch.setattr(VillageSerializer, "get_validators", lambda self: [])  # both pass the checks
    monkeypatch.setattr(Village, "validate_unique", lambda self, exclude=None: None)
    monkeypatch.setattr(Village, "validate_constraints", lambda self, exclude=None: None)
    services.village_create(actor=world["renhua_county_town"], town=world.renhua_county_town, name="石塘村")
    response = _post(login("renhua_county_town"), "/api/v1/villages/", {"town": world.renhua_county_town.pk,
                                                                        "name": "石塘村"})
    assert response.status_code == 400 and "同名行政村" in response.json()["name"][0]
    with pytest.raises(ValidationError) as error, transaction.atomic():
        services.village_create(actor=world["renhua_county_town"], town=world.renhua_county_town, name="石塘村")
    assert "同名行政村" in str(error.value)
