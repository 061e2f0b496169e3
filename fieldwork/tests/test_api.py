"""The field work API: activities (with photos by multipart, one record per Idempotency-Key), stays and the stationed
days, confirmations by the work team of the town where the work was done (bulk too), tasks, flags, requests and
working conditions — scoped like the pages (out of scope 404), writes through the services (their Chinese errors on
the field keys, 403 for a wrong role, 409 for a step already taken); the admin keeps the evidence read only."""
import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fieldwork import services
from fieldwork.models import Activity, ActivityPhoto, ConditionRequest, Flag, Stay, Task, WorkingConditions
from fieldwork.tests.factories import activity_values, day, field_pairing, photo, stay_values

pytestmark = pytest.mark.django_db
API = "/api/v1/"


def post(client, url, body=None, **headers):
    return client.post(API + url, data=json.dumps(body or {}), content_type="application/json", headers=headers)


def put(client, url, body):
    return client.put(API + url, data=json.dumps(body), content_type="application/json")


def patch(client, url, body):
    return client.patch(API + url, data=json.dumps(body), content_type="application/json")


def get(client, url, **params):
    return client.get(API + url, params)


def rows(response):
    assert response.status_code == 200, response.content
    data = response.json()
    return data["results"] if isinstance(data, dict) and "results" in data else data


def text(response) -> str:
    return json.dumps(response.json(), ensure_ascii=False)


@pytest.fixture
def login(world):
    """``login("leader")``: a client of its own signed in as that user (several users act in one test)."""

    def sign_in(name):
        client = Client()
        client.force_login(world[name])
        return client

    return sign_in


@pytest.fixture
def field(world):
    """柑橘团队 active in 董塘镇 with its three people (``leader`` and ``member`` are the first two)."""
    _pairing, people = field_pairing(world)
    return people


def logged(world, **overrides):
    return services.activity_save(actor=world["leader"], values=activity_values(world, **overrides))


def form(world, **overrides) -> dict:
    """An activity as a phone's form posts it (multipart)."""
    values = activity_values(world)
    body = {key: str(value) for key, value in values.items()}
    body.update(overrides)
    return body


# ------------------------------------------------------------------------------------------------ activities
def test_a_member_logs_an_activity_with_a_photo_and_a_repeat_is_the_same_record(world, field, login):
    member = login("member")
    taken = timezone.make_aware(dt.datetime.combine(day(), dt.time(9, 30)))
    body = form(world, participants=[field[0].pk, field[1].pk],
                photos=[photo(taken=taken, gps=(24.8, 113.6), size=(2400, 1800))])
    response = member.post(API + "activities/", body, headers={"Idempotency-Key": "offline-draft-0001"})
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["status"] == "submitted" and created["town"] == world.renhua_county_town.pk
    assert not created["cross_town"] and created["service_type_display"] == "技术指导"
    assert {row["id"] for row in created["participants"]} == {field[0].pk, field[1].pk}
    (shown,) = created["photos"]
    assert shown["processed"] and shown["has_exif"] and not shown["taken_early"] and shown["evidence_note"] == ""
    assert shown["latitude"] is not None and max(shown["width"], shown["height"]) <= 1600
    assert shown["photo_url"] == reverse("fieldwork:photo", args=[shown["id"]])
    assert shown["thumbnail_url"] == reverse("fieldwork:photo_thumb", args=[shown["id"]])

    # Back online, the browser sends the draft again: the first record, no second one, no second photo.
    again = form(world, participants=[field[0].pk], photos=[photo(taken=taken)])
    replay = member.post(API + "activities/", again, headers={"Idempotency-Key": "offline-draft-0001"})
    assert replay.status_code == 200 and replay["Idempotent-Replay"] == "true"
    assert replay.json()["id"] == created["id"]
    assert Activity.objects.count() == 1 and ActivityPhoto.objects.count() == 1

    # JSON works too; the leader reads it, the paired town and its county do, another county does not.
    second = post(login("leader"), "activities/", {**{k: str(v) for k, v in activity_values(world).items()},
                                                    "title": "柑橘冬季清园培训", "service_type": "training"})
    assert second.status_code == 201, second.content
    assert {row["title"] for row in rows(get(login("renhua_county_town"), "activities/"))} == {
        "贡柑黄龙病田间诊断", "柑橘冬季清园培训"}
    assert len(rows(get(login("renhua_st"), "activities/"))) == 2
    assert rows(get(login("nanxiong_st"), "activities/")) == []
    assert get(login("nanxiong_county_town"), "activities/%d/" % created["id"]).status_code == 404


def test_bad_activity_input_is_refused_in_chinese_on_its_field_and_nothing_is_saved(world, field, login):
    member = login("member")
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    future = post(member, "activities/", {**form(world), "date": tomorrow.isoformat()})
    assert future.status_code == 400 and "date" in future.json()
    assert "活动日期不能晚于今天" in text(future)

    not_image = member.post(API + "activities/", form(world, photos=[
        SimpleUploadedFile("IMG_0002.jpg", b"%PDF-1.4 not a photo", content_type="image/jpeg")]))
    assert not_image.status_code == 400 and "photos" in not_image.json()
    assert "IMG_0002.jpg" in text(not_image) and "不是可识别的图片" in text(not_image)

    stranger = post(member, "activities/", {**form(world), "participants": [999999]})
    assert stranger.status_code == 400 and "participants" in stranger.json()
    wrong_type = post(member, "activities/", {**form(world), "service_type": "dancing"})
    assert wrong_type.status_code == 400 and "service_type" in wrong_type.json()
    far = post(member, "activities/", {**form(world), "town": world.nanxiong_county_town.pk})
    assert far.status_code == 400 and "本县（市、区）的其他镇" in far.json()["town"][0]
    blank = post(member, "activities/", {"date": day().isoformat()})
    assert blank.status_code == 400 and {"service_type", "title", "description"} <= set(blank.json())
    assert not Activity.objects.exists() and not ActivityPhoto.objects.exists()

    # A photo without EXIF is accepted and marked; one taken weeks before the activity is marked as such.
    plain = member.post(API + "activities/", form(world, photos=[photo(kind="PNG", name="screen.png")]))
    assert plain.status_code == 201, plain.content
    assert plain.json()["photos"][0]["evidence_note"] == "无拍摄信息"
    old = timezone.make_aware(dt.datetime.combine(day() - dt.timedelta(days=40), dt.time(10)))
    early = member.post(API + "activities/", form(world, title="旧照片", photos=[photo(taken=old)]))
    assert early.json()["photos"][0]["taken_early"] is True


def test_the_team_adds_photos_and_reads_their_evidence_others_may_not(world, field, login):
    activity = logged(world)
    member = login("member")
    url = "activities/%d/photos/" % activity.pk
    added = member.post(API + url, {"photos": [photo(taken=timezone.now()), photo(name="b.jpg")]},
                        headers={"Idempotency-Key": "photos-add-000001"})
    assert added.status_code == 201 and len(added.json()) == 2
    replay = member.post(API + url, {"photos": [photo()]}, headers={"Idempotency-Key": "photos-add-000001"})
    assert replay.status_code == 200 and len(replay.json()) == 2
    assert [row["original_name"] for row in rows(get(login("renhua_county_town"), url))] == ["IMG_0001.jpg",
                                                                                             "b.jpg"]
    too_many = member.post(API + url, {"photos": [photo(name="p%d.jpg" % n) for n in range(5)]})
    assert too_many.status_code == 400 and "最多6张" in text(too_many)
    assert ActivityPhoto.objects.filter(activity=activity).count() == 2
    empty = member.post(API + url, {})
    assert empty.status_code == 400 and "photos" in empty.json()
    assert login("renhua_county_town").post(API + url, {"photos": [photo()]}).status_code == 403
    assert get(login("nanxiong_county_town"), url).status_code == 404
    assert login("other_leader").post(API + url, {"photos": [photo()]}).status_code == 404


def test_the_team_edits_a_queried_activity_and_it_goes_back_to_the_town(world, field, login):
    activity = logged(world)
    town = login("renhua_county_town")
    queried = post(town, "activities/%d/act/" % activity.pk, {"action": "query", "comment": "请补充培训签到表。"})
    assert queried.status_code == 200 and queried.json()["status"] == "queried"
    assert queried.json()["query_reason"] == "请补充培训签到表。"
    edited = patch(login("leader"), "activities/%d/" % activity.pk, {"people_trained": 31, "participants": [
        field[0].pk]})
    assert edited.status_code == 200, edited.content
    assert edited.json()["status"] == "submitted" and edited.json()["people_trained"] == 31
    assert patch(town, "activities/%d/" % activity.pk, {"title": "改"}).status_code == 403
    assert patch(login("nanxiong_county_town"), "activities/%d/" % activity.pk, {"title": "改"}).status_code == 404
    steps = [row["action"] for row in rows(get(login("leader"), "activities/%d/transitions/" % activity.pk))]
    assert steps == ["submit", "query", "resubmit"], steps


# ------------------------------------------------------------------------------------------------ confirmations
def test_the_town_confirms_its_towns_activity_another_town_finds_nothing(world, field, login):
    activity = logged(world)
    url = "activities/%d/act/" % activity.pk
    assert post(login("nanxiong_county_town"), url, {"action": "confirm"}).status_code == 404
    assert post(login("renhua_city_town"), url, {"action": "confirm"}).status_code == 404
    assert post(login("leader"), url, {"action": "confirm"}).status_code == 403
    no_reason = post(login("renhua_county_town"), url, {"action": "query"})
    assert no_reason.status_code == 400 and "comment" in no_reason.json()

    town = login("renhua_county_town")
    assert [row["action"] for row in rows(get(town, "activities/%d/actions/" % activity.pk))] == ["confirm", "query"]
    confirmed = post(town, url, {"action": "confirm"})
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "confirmed"
    assert confirmed.json()["confirmed_by"] and confirmed.json()["confirmed_at"]
    assert post(town, url, {"action": "confirm"}).status_code == 409
    assert post(login("leader"), url, {"action": "withdraw", "comment": "填错了"}).status_code in (400, 409)
    activity.refresh_from_db()
    assert activity.status == "confirmed"
    assert [row["to_state"] for row in rows(get(town, "activities/%d/transitions/" % activity.pk))][-1] == "confirmed"


def test_cross_town_work_is_confirmed_by_the_town_where_it_was_done(world, field, login):
    activity = logged(world, town=world.renhua_city_town)
    assert activity.cross_town
    url = "activities/%d/act/" % activity.pk
    assert [row["id"] for row in rows(get(login("renhua_city_town"), "activities/", cross_town="true"))] == [
        activity.pk]
    assert get(login("renhua_county_town"), "activities/%d/" % activity.pk).status_code == 200
    assert post(login("renhua_county_town"), url, {"action": "confirm"}).status_code == 403
    assert post(login("renhua_city_town"), url, {"action": "confirm"}).json()["status"] == "confirmed"


def test_the_town_confirms_many_at_once(world, field, login):
    own = [logged(world, title="活动%d" % n) for n in range(3)]
    elsewhere = logged(world, town=world.renhua_city_town, title="跨镇")
    town = login("renhua_county_town")
    response = post(town, "activities/bulk-confirm/", {"ids": [a.pk for a in own] + [elsewhere.pk]})
    assert response.status_code == 200, response.content
    result = response.json()
    assert result["confirmed"] == 3 and len(result["problems"]) == 1
    assert set(Activity.objects.filter(status="confirmed").values_list("pk", flat=True)) == {a.pk for a in own}
    again = post(town, "activities/bulk-confirm/", {"ids": [own[0].pk]})
    assert again.json()["confirmed"] == 0 and again.json()["problems"]
    assert post(login("leader"), "activities/bulk-confirm/", {"ids": [elsewhere.pk]}).status_code == 403
    assert post(town, "activities/bulk-confirm/", {"ids": []}).status_code == 400

    stay = services.stay_save(actor=world["leader"], values=stay_values(field[1]))
    stays = post(town, "stays/bulk-confirm/", {"ids": [stay.pk]})
    assert stays.json() == {"confirmed": 1, "problems": []}
    assert post(login("nanxiong_county_town"), "stays/bulk-confirm/", {"ids": [stay.pk]}).json()["confirmed"] == 0


def test_activity_filters(world, field, login):
    march = logged(world, title="三月")
    logged(world, title="五月", date=day(5, 10), service_type="training")
    logged(world, title="跨镇", date=day(5, 12), town=world.renhua_city_town)
    services.record_act(actor=world["renhua_county_town"], record=march, action="confirm")
    leader = login("leader")
    titles = lambda **params: sorted(row["title"] for row in rows(get(leader, "activities/", **params)))  # noqa
    assert titles(status="confirmed") == ["三月"]
    assert titles(date_from=day(5, 1).isoformat(), date_to=day(5, 11).isoformat()) == ["五月"]
    assert titles(service_type="training") == ["五月"]
    assert titles(cross_town="true") == ["跨镇"]
    assert titles(town=world.renhua_city_town.pk) == ["跨镇"]
    assert titles(team=world.team.pk) == ["三月", "五月", "跨镇"]
    assert get(leader, "activities/", date_from="not-a-date").status_code == 400


# ------------------------------------------------------------------------------------------------ stays
def test_stays_are_logged_and_bad_ones_refused_on_their_field(world, field, login):
    member = login("member")
    body = {"commissioner": field[1].pk, "start_date": day(3, 1).isoformat(), "end_date": day(3, 7).isoformat(),
            "place": "董塘镇驻镇工作队宿舍", "purpose": "贡柑果园技术指导"}
    created = post(member, "stays/", body, **{"Idempotency-Key": "stay-create-00001"})
    assert created.status_code == 201, created.content
    assert created.json()["days"] == 7 and created.json()["status"] == "submitted"
    assert post(member, "stays/", body, **{"Idempotency-Key": "stay-create-00001"}).status_code == 200
    assert Stay.objects.count() == 1

    overlap = post(member, "stays/", {**body, "start_date": day(3, 5).isoformat(), "end_date": day(3, 10).isoformat()})
    assert overlap.status_code == 400 and "start_date" in overlap.json() and "日期重叠" in text(overlap)

    start = world.cycle.start_date
    end = min(start + dt.timedelta(days=399), timezone.localdate() - dt.timedelta(days=1))
    long = post(login("leader"), "stays/", {**body, "commissioner": field[2].pk, "start_date": start.isoformat(),
                                            "end_date": end.isoformat()})
    assert long.status_code == 400 and "end_date" in long.json() and "超过92天" in text(long)
    future = post(member, "stays/", {**body, "start_date": day(6, 1).isoformat(),
                                     "end_date": (timezone.localdate() + dt.timedelta(days=3)).isoformat()})
    assert future.status_code == 400 and "结束日期不能晚于今天" in text(future)
    someone_else = post(member, "stays/", {**body, "commissioner": field[2].pk, "start_date": day(7, 1).isoformat(),
                                           "end_date": day(7, 2).isoformat()})
    assert someone_else.status_code == 400 and "commissioner" in someone_else.json()
    assert Stay.objects.count() == 1
    assert post(login("renhua_county_town"), "stays/", body).status_code == 403

    stay = Stay.objects.get()
    assert post(login("nanxiong_county_town"), "stays/%d/act/" % stay.pk, {"action": "confirm"}).status_code == 404
    confirmed = post(login("renhua_county_town"), "stays/%d/act/" % stay.pk, {"action": "confirm"})
    assert confirmed.json()["status"] == "confirmed"
    assert [row["id"] for row in rows(get(login("leader"), "stays/", date_from=day(3, 7).isoformat(),
                                          date_to=day(3, 9).isoformat()))] == [stay.pk]
    assert rows(get(login("leader"), "stays/", date_from=day(3, 8).isoformat())) == []


def test_stationed_days_per_team_and_member_count_confirmed_days_once(world, field, login):
    leader = world["leader"]
    town, other_town = world["renhua_county_town"], world["renhua_city_town"]
    first = services.stay_save(actor=leader, values=stay_values(field[0], day(3, 1), day(3, 7)))
    second = services.stay_save(actor=leader, values=stay_values(field[0], day(3, 20), day(3, 24)))
    cross = services.stay_save(actor=leader, values=stay_values(field[1], day(4, 1), day(4, 3),
                                                                town=world.renhua_city_town))
    services.stay_save(actor=leader, values=stay_values(field[1], day(5, 1), day(5, 30)))  # not confirmed
    for stay in (first, second):
        services.record_act(actor=town, record=stay, action="confirm")
    services.record_act(actor=other_town, record=cross, action="confirm")

    response = get(login("leader"), "stationed-days/", cycle=world.cycle.pk)
    (row,) = rows(response)
    assert row["team"] == world.team.pk and row["town"] == world.renhua_county_town.pk
    assert (row["own_days"], row["cross_days"], row["all_days"]) == (12, 3, 15)
    assert row["counted_days"] == 12 and row["required"] == world.cycle.required_stationed_days == 365
    assert row["shortfall"] == 365 - 12
    members = {member["commissioner"]: member for member in row["members"]}
    assert set(members) == {person.pk for person in field}
    assert (members[field[0].pk]["own_days"], members[field[0].pk]["all_days"]) == (12, 12)
    assert (members[field[1].pk]["cross_days"], members[field[1].pk]["counted_days"]) == (3, 0)
    assert members[field[2].pk]["all_days"] == 0

    for name in ("renhua_county_town", "renhua_st", "city_st", "unit"):
        assert [r["counted_days"] for r in rows(get(login(name), "stationed-days/"))] == [12], name
    for name in ("nanxiong_county_town", "nanxiong_st", "other_leader"):
        assert rows(get(login(name), "stationed-days/")) == [], name
    assert get(login("expert"), "stationed-days/").status_code == 403
    assert get(login("leader"), "stationed-days/", cycle="abc").status_code == 400
    assert get(login("leader"), "stationed-days/", cycle=999999).status_code == 400
    assert rows(get(login("city_st"), "stationed-days/", town=world.nanxiong_county_town.pk)) == []


# ------------------------------------------------------------------------------------------------ tasks
def test_the_town_gives_a_task_the_team_reports_and_the_town_accepts(world, field, login):
    town = login("renhua_county_town")
    due = (timezone.localdate() + dt.timedelta(days=14)).isoformat()
    created = post(town, "tasks/", {"title": "冬季清园指导", "description": "组织各村清园。", "due_date": due},
                   **{"Idempotency-Key": "task-create-00001"})
    assert created.status_code == 201, created.content
    task = Task.objects.get()
    assert created.json()["team"] == world.team.pk and created.json()["overdue"] is False
    late = post(town, "tasks/", {"title": "补交", "due_date": (timezone.localdate() - dt.timedelta(days=1)).isoformat()})
    assert late.status_code == 400 and "完成期限不能早于今天" in text(late)
    assert post(login("leader"), "tasks/", {"title": "x", "due_date": due}).status_code == 403
    assert post(login("nanxiong_county_town"), "tasks/", {"title": "x", "due_date": due}).status_code == 400  # no team
    assert patch(town, "tasks/%d/" % task.pk, {"title": "冬季清园和修剪指导"}).json()["title"] == "冬季清园和修剪指导"
    assert patch(login("leader"), "tasks/%d/" % task.pk, {"title": "x"}).status_code == 403

    url = "tasks/%d/act/" % task.pk
    assert post(login("nanxiong_county_town"), url, {"action": "accept"}).status_code == 404
    assert post(town, url, {"action": "report", "comment": "x"}).status_code == 403
    reported = post(login("member"), url, {"action": "report", "comment": "已在三个村组织清园。"})
    assert reported.status_code == 200 and reported.json()["report"] == "已在三个村组织清园。"
    assert post(login("leader"), url, {"action": "accept"}).status_code == 403
    assert post(town, url, {"action": "accept"}).json()["status"] == "done"
    assert post(town, url, {"action": "accept"}).status_code == 409
    assert [row["id"] for row in rows(get(login("leader"), "tasks/", status="done"))] == [task.pk]
    assert rows(get(login("leader"), "tasks/", overdue="true")) == []
    assert rows(get(login("nanxiong_st"), "tasks/")) == []


# ------------------------------------------------------------------------------------------------ flags
def test_the_town_reports_non_cooperation_and_the_organizer_resolves_it(world, field, login):
    town = login("renhua_county_town")
    empty = post(town, "flags/report/", {"detail": " "})
    assert empty.status_code == 400 and "detail" in empty.json()
    reported = post(town, "flags/report/", {"detail": "多次通知未到镇开展工作。"}, **{"Idempotency-Key": "flag-0000001"})
    assert reported.status_code == 201, reported.content
    assert reported.json()["kind"] == "noncooperation" and reported.json()["status"] == "open"
    assert post(town, "flags/report/", {"detail": "多次通知未到镇开展工作。"},
                **{"Idempotency-Key": "flag-0000001"}).status_code == 200
    assert Flag.objects.count() == 1
    assert post(login("leader"), "flags/report/", {"detail": "x"}).status_code == 403
    flag = Flag.objects.get()
    assert [row["id"] for row in rows(get(login("leader"), "flags/"))] == [flag.pk]
    assert rows(get(login("nanxiong_st"), "flags/")) == []

    url = "flags/%d/act/" % flag.pk
    assert post(login("nanxiong_st"), url, {"action": "resolve", "comment": "已处理"}).status_code == 404
    assert post(login("leader"), url, {"action": "resolve", "comment": "已处理"}).status_code == 403
    assert post(login("renhua_st"), url, {"action": "resolve"}).status_code == 400  # a reason is needed
    resolved = post(login("renhua_st"), url, {"action": "resolve", "comment": "已约谈团队负责人。"})
    assert resolved.status_code == 200 and resolved.json()["status"] == "closed"
    assert post(login("renhua_st"), url, {"action": "resolve", "comment": "再次"}).status_code == 409


# ------------------------------------------------------------------------------------------------ requests
def test_the_team_raises_a_request_the_town_answers_and_the_team_closes_it(world, field, login):
    leader = login("leader")
    body = {"category": "lodging", "title": "宿舍漏雨", "description": "雨天宿舍漏雨，需要维修。"}
    created = post(leader, "condition-requests/", body, **{"Idempotency-Key": "request-000001"})
    assert created.status_code == 201 and created.json()["category_display"] == "住宿"
    assert post(leader, "condition-requests/", body, **{"Idempotency-Key": "request-000001"}).status_code == 200
    assert ConditionRequest.objects.count() == 1
    bad = post(leader, "condition-requests/", {**body, "category": "weather"})
    assert bad.status_code == 400 and "category" in bad.json()
    assert post(login("renhua_county_town"), "condition-requests/", body).status_code == 403

    request = ConditionRequest.objects.get()
    url = "condition-requests/%d/act/" % request.pk
    assert post(login("nanxiong_county_town"), url, {"action": "answer", "comment": "x"}).status_code == 404
    assert post(leader, url, {"action": "answer", "comment": "x"}).status_code == 403
    answered = post(login("renhua_rural"), url, {"action": "answer", "comment": "已安排镇里维修。"})
    assert answered.status_code == 200 and answered.json()["status"] == "answered"
    assert answered.json()["answer"] == "已安排镇里维修。"
    assert post(login("member"), url, {"action": "close"}).json()["status"] == "closed"
    assert rows(get(login("nanxiong_rural"), "condition-requests/")) == []


# ------------------------------------------------------------------------------------------------ conditions
def test_the_town_records_its_teams_working_conditions(world, field, login):
    town = login("renhua_county_town")
    first = post(town, "working-conditions/", {"lodging": "partial", "lodging_note": "宿舍两间", "note": "镇内用车"})
    assert first.status_code == 201, first.content
    again = post(town, "working-conditions/", {"meals": "none"})
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert again.json()["lodging"] == "partial" and again.json()["meals_display"] == "未提供"
    assert WorkingConditions.objects.count() == 1
    assert post(town, "working-conditions/", {}).status_code == 400
    url = "working-conditions/%d/" % first.json()["id"]
    assert put(town, url, {"office": "provided", "office_note": "办公室一间"}).json()["office_note"] == "办公室一间"
    bad = put(town, url, {"office": "maybe"})
    assert bad.status_code == 400 and "office" in bad.json()
    assert post(login("leader"), "working-conditions/", {"meals": "none"}).status_code == 403
    assert put(login("leader"), url, {"meals": "none"}).status_code == 403
    assert get(login("leader"), url).json()["meals"] == "none"
    assert get(login("nanxiong_county_town"), url).status_code == 404
    assert put(login("nanxiong_county_town"), url, {"meals": "none"}).status_code == 404


# ------------------------------------------------------------------------------------------------ schema, admin
def test_the_schema_builds_with_these_routes_and_no_warnings(world, login):
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator

    assert login("leader").get("/api/schema/").status_code == 200
    GENERATOR_STATS.reset() if hasattr(GENERATOR_STATS, "reset") else None
    schema = SchemaGenerator().get_schema(request=None, public=True)
    assert {"/api/v1/activities/", "/api/v1/activities/{id}/photos/", "/api/v1/activities/{id}/act/",
            "/api/v1/activities/bulk-confirm/", "/api/v1/stays/bulk-confirm/", "/api/v1/stationed-days/",
            "/api/v1/tasks/{id}/act/", "/api/v1/flags/report/", "/api/v1/condition-requests/{id}/transitions/",
            "/api/v1/working-conditions/{id}/"} <= set(schema["paths"])
    create = schema["paths"]["/api/v1/activities/"]["post"]["requestBody"]["content"]
    assert {"application/json", "multipart/form-data"} <= set(create)
    noise = [message for message in list(GENERATOR_STATS._warn_cache) + list(GENERATOR_STATS._error_cache)
             if any(word in message for word in ("fieldwork", "Activity", "Stay", "Flag", "Condition", "Task"))]
    assert not noise, noise


def test_the_admin_shows_the_evidence_read_only_and_edits_a_task_through_its_service(world, field, admin_client):
    activity = services.activity_save(actor=world["leader"], values=activity_values(world), photos=[photo()])
    picture = activity.photos.get()
    page = admin_client.get(reverse("admin:fieldwork_activityphoto_change", args=[picture.pk]))
    html = page.content.decode()
    assert page.status_code == 200 and "/media/" not in html
    assert reverse("fieldwork:photo", args=[picture.pk]) in html
    page = admin_client.get(reverse("admin:fieldwork_activity_change", args=[activity.pk]))
    assert page.status_code == 200 and 'name="title"' not in page.content.decode()

    task = services.task_save(actor=world["renhua_county_town"], values={
        "title": "冬季清园指导", "due_date": timezone.localdate() + dt.timedelta(days=10)})
    url = reverse("admin:fieldwork_task_change", args=[task.pk])
    response = admin_client.post(url, {"title": "冬季清园指导（修订）", "description": "",
                                       "due_date": task.due_date.isoformat()})
    assert response.status_code == 302, response.content.decode()[:2000]
    task.refresh_from_db()
    assert task.title == "冬季清园指导（修订）" and task.history.first().history_user == world["admin"]
    refused = admin_client.post(url, {"title": "过期", "due_date": (world.cycle.end_date + dt.timedelta(days=30))
                                      .isoformat()})
    assert refused.status_code == 200
    task.refresh_from_db()
    assert task.title == "冬季清园指导（修订）"
