"""The expert pools, reviews, panels and scores, grants and envelopes API: scoped like the pages (out of scope 404),
writes through the services (their Chinese errors on the field keys, 403 for the wrong role, 409 for a step already
taken); an expert reaches only their own seats and reviews; scores stay hidden until the whole panel submitted and
never reach the team, the town or the unit; money exact in Decimal; the schema generates without warnings."""
import json
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from core.models import SensitiveAccess
from projects.models import Project
from reviews import services
from reviews.models import Disbursement, Expert, Grant, Review, ReviewSeat
from reviews.tests.factories import (accepted_project, approved_review, expert_user, grant_values, make_pool,
                                     scores, start_panel, voucher)

pytestmark = pytest.mark.django_db
API = "/api/v1/"


def post(client, url, body=None, **headers):
    return client.post(API + url, data=json.dumps(body or {}), content_type="application/json", headers=headers)


def patch(client, url, body):
    return client.patch(API + url, data=json.dumps(body), content_type="application/json")


def get(client, url, **params):
    return client.get(API + url, params)


def rows(response):
    data = response.json()
    return data["results"] if isinstance(data, dict) and "results" in data else data


@pytest.fixture
def login(world):
    """``login("city_st")`` or ``login(expert)``: a client of its own signed in as that user (or the expert's
    account, past its first-login password change)."""

    def sign_in(who):
        if isinstance(who, Expert):
            user = expert_user(who)
            user.must_change_password = False
            user.save(update_fields=["must_change_password"])
        else:
            user = world[who]
        client = Client()
        client.force_login(user)
        return client

    return sign_in


@pytest.fixture
def pool(world):
    return make_pool(world)


@pytest.fixture
def project(world):
    project, _people = accepted_project(world)
    return project


@pytest.fixture
def scoring(world, project, pool):
    """The review of 黄坑镇's project (city-organized), its panel of three seated and scoring open."""
    review, seats = start_panel(world, project)
    services.review_open(actor=world["city_st"], review=review)
    return Review.objects.get(pk=review.pk), seats


# ------------------------------------------------------------------------------------------------ experts
def test_the_pool_is_read_by_the_organizers_with_contacts_masked_but_for_its_office_and_the_expert(world, pool,
                                                                                                     login):
    city = login("city_st")
    listed = rows(get(city, "experts/"))
    assert sorted(row["name"] for row in listed) == sorted(expert.name for expert in pool)
    assert {row["phone"] for row in listed} == {expert.phone for expert in pool}
    assert SensitiveAccess.objects.filter(user=world["city_st"], field="phone").count() == len(pool)

    province = rows(get(login("province"), "experts/"))
    assert len(province) == len(pool) and all("****" in row["phone"] for row in province)
    assert not rows(get(login("renhua_st"), "experts/"))  # a county does not read the city's pool
    for name in ("leader", "renhua_county_town", "unit"):
        assert not rows(get(login(name), "experts/"))
        assert get(login(name), "experts/%d/" % pool[0].pk).status_code == 404

    own = login(pool[0])
    mine = rows(get(own, "experts/"))
    assert [row["id"] for row in mine] == [pool[0].pk] and mine[0]["phone"] == pool[0].phone
    assert get(own, "experts/%d/" % pool[1].pk).status_code == 404


def test_the_office_adds_and_edits_its_pool_the_expert_their_availability(world, pool, login):
    city = login("city_st")
    body = {"name": "黄农", "field": "水稻栽培", "keywords": "优质稻", "title": "研究员", "unit_name": "韶关学院",
            "phone": "13900001111", "create_account": True}
    response = post(city, "experts/", body, **{"Idempotency-Key": "expert-create-0001"})
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["organizer_level"] == "city" and created["has_account"] and created["temporary_password"]
    replay = post(city, "experts/", body, **{"Idempotency-Key": "expert-create-0001"})
    assert replay.status_code == 200 and replay["Idempotent-Replay"] == "true"
    assert Expert.objects.filter(name="黄农").count() == 1

    bad = post(city, "experts/", {**body, "phone": "12345", "name": "错号"})
    assert bad.status_code == 400 and "phone" in bad.json() and not Expert.objects.filter(name="错号").exists()
    assert "手机" in json.dumps(bad.json(), ensure_ascii=False)
    assert post(login("leader"), "experts/", body).status_code == 403
    assert post(login(pool[0]), "experts/", body).status_code == 403

    assert patch(city, "experts/%d/" % pool[1].pk, {"title": "教授"}).json()["title"] == "教授"
    assert patch(login("renhua_st"), "experts/%d/" % pool[1].pk, {"title": "x"}).status_code == 404
    refused = patch(login(pool[0]), "experts/%d/" % pool[0].pk,
                    {"available": False, "availability_note": "12月出差", "name": "改名"})
    assert refused.status_code == 400 and list(refused.json()) == ["name"]
    own = patch(login(pool[0]), "experts/%d/" % pool[0].pk, {"available": False, "availability_note": "12月出差"})
    assert own.status_code == 200 and own.json()["available"] is False and own.json()["name"] == pool[0].name
    assert patch(login(pool[0]), "experts/%d/" % pool[1].pk, {"available": False}).status_code == 404
    assert patch(city, "experts/%d/" % pool[1].pk, {"phone": "13912345678"}).status_code == 200
    seen = json.dumps(get(login("province"), "experts/%d/history/" % pool[1].pk).json(), ensure_ascii=False)
    assert "13912345678" not in seen and "139****5678" in seen
    # The history never shows contacts in full, not even to the keeper (history_masked_fields, as for commissioners).
    assert "13912345678" not in json.dumps(get(city, "experts/%d/history/" % pool[1].pk).json())


# ------------------------------------------------------------------------------------------------ reviews
def test_the_organizing_office_starts_fills_and_opens_a_review(world, project, pool, login):
    city = login("city_st")
    assert post(login("leader"), "reviews/start/", {"project": project.pk}).status_code == 403
    outside = post(login("nanxiong_st"), "reviews/start/", {"project": project.pk})
    assert outside.status_code == 400 and "不在您的管辖范围内" in outside.json()["project"][0]
    started = post(city, "reviews/start/", {"project": project.pk}, **{"Idempotency-Key": "review-start-0001"})
    assert started.status_code == 201, started.content
    review = started.json()
    assert review["status"] == "forming" and review["mode"] == "panel" and review["panel_size"] == 3
    replay = post(city, "reviews/start/", {"project": project.pk}, **{"Idempotency-Key": "review-start-0001"})
    assert replay.status_code == 200 and Review.objects.count() == 1
    again = post(city, "reviews/start/", {"project": project.pk})
    assert again.status_code == 400 and "已在论证中" in json.dumps(again.json(), ensure_ascii=False)

    url = "reviews/%d/" % review["id"]
    short = post(city, url + "act/", {"action": "open"})
    assert short.status_code == 400 and "专家组人数不足" in json.dumps(short.json(), ensure_ascii=False)
    assert get(login("leader"), url + "candidates/").status_code == 404
    candidates = get(city, url + "candidates/").json()
    assert len(candidates) == len(pool) and sum(c["proposed"] for c in candidates) == 3
    assert post(login("leader"), url + "fill/").status_code == 403
    assert post(login("nanxiong_st"), url + "fill/").status_code == 404
    filled = post(city, url + "fill/")
    assert filled.status_code == 200 and len(filled.json()["seats"]) == 3 and filled.json()["review"]["seated"] == 3

    free = [e for e in pool if not ReviewSeat.objects.filter(expert=e).exists()][0]
    assert post(login("leader"), url + "seat/", {"expert": free.pk}).status_code == 403
    seated = post(city, url + "seat/", {"expert": free.pk})
    assert seated.status_code == 201 and seated.json()["expert_name"] == free.name
    twice = post(city, url + "seat/", {"expert": free.pk})
    assert twice.status_code == 400 and "expert" in twice.json()
    county_expert, _ = services.expert_save(actor=world["renhua_st"], values={
        "name": "县专家", "field": "果树", "unit_name": "仁化县农业局", "phone": "13800009999"}, create_account=True)
    assert post(city, url + "seat/", {"expert": county_expert.pk}).status_code == 400  # not in the city's view

    steps = {step["action"]: step for step in get(city, url + "actions/").json()}
    assert steps["open"]["refusal"] is None and "尚未完成评分" in steps["approve"]["refusal"]
    assert get(login("leader"), url + "actions/").json() == []
    assert post(login("leader"), url + "act/", {"action": "open"}).status_code == 403
    opened = post(city, url + "act/", {"action": "open"})
    assert opened.status_code == 200 and opened.json()["status"] == "scoring"
    assert post(city, url + "act/", {"action": "open"}).status_code == 409
    bad = post(city, url + "act/", {"action": "launch"})
    assert bad.status_code == 400 and "操作应为" in bad.json()["action"][0]
    assert get(city, url + "actions/").json() == []  # while the experts score, nothing for the office to do


def test_a_conflicted_expert_cannot_be_seated(world, project, pool, login):
    from teams.models import Commissioner

    review = services.review_start(actor=world["city_st"], project=project)
    unit_name = Commissioner.objects.filter(memberships__team=project.team).first().unit.name
    same_unit, _ = services.expert_save(actor=world["city_st"], values={
        "name": "同单位", "field": "果树栽培", "unit_name": unit_name, "phone": "13800008888"}, create_account=True)
    refused = post(login("city_st"), "reviews/%d/seat/" % review.pk, {"expert": same_unit.pk})
    assert refused.status_code == 400 and "须回避" in refused.json()["expert"][0]
    candidates = {c["expert"]: c for c in get(login("city_st"), "reviews/%d/candidates/" % review.pk).json()}
    assert "同一单位" in candidates[same_unit.pk]["excluded"] and not candidates[same_unit.pk]["proposed"]


def test_an_expert_reaches_only_their_own_seats_and_reviews(world, scoring, pool, login):
    review, seats = scoring
    first = login(seats[0].expert)
    mine = rows(get(first, "review-seats/"))
    assert [row["id"] for row in mine] == [seats[0].pk]
    assert get(first, "review-seats/%d/" % seats[1].pk).status_code == 404
    assert post(first, "review-seats/%d/score/" % seats[1].pk, scores()).status_code == 404
    assert [row["id"] for row in rows(get(first, "reviews/"))] == [review.pk]
    assert get(first, "projects/%d/" % review.project_id).status_code == 200

    outsider = [e for e in pool if e.pk not in {seat.expert_id for seat in seats}][0]
    other = login(outsider)
    assert not rows(get(other, "review-seats/")) and not rows(get(other, "reviews/"))
    assert get(other, "reviews/%d/" % review.pk).status_code == 404
    assert get(other, "reviews/%d/sheet/" % review.pk).status_code == 404
    assert get(other, "projects/%d/" % review.project_id).status_code == 404

    # A declared conflict: the seat is closed, the review and its project are out of reach from then on.
    declined = post(first, "review-seats/%d/act/" % seats[0].pk, {"action": "decline"})
    assert declined.status_code == 400 and "回避事由" in declined.json()["comment"][0]
    declined = post(first, "review-seats/%d/act/" % seats[0].pk, {"action": "decline", "comment": "与团队负责人是合作关系"})
    assert declined.status_code == 200 and declined.json()["status"] == "declined"
    assert get(first, "reviews/%d/" % review.pk).status_code == 404
    assert get(first, "projects/%d/" % review.project_id).status_code == 404
    # The office takes another off the panel; an expert may not.
    assert post(login(seats[2].expert), "review-seats/%d/act/" % seats[2].pk,
                {"action": "remove", "comment": "x"}).status_code == 403
    removed = post(login("city_st"), "review-seats/%d/act/" % seats[2].pk, {"action": "remove", "comment": "出差"})
    assert removed.status_code == 200 and removed.json()["status"] == "removed"


def test_scores_stay_hidden_until_the_whole_panel_submitted_and_never_reach_the_team(world, scoring, login):
    review, seats = scoring
    city, leader = login("city_st"), login("leader")
    experts = [login(seat.expert) for seat in seats]
    out_of_range = post(experts[0], "review-seats/%d/score/" % seats[0].pk, scores(fit=101))
    assert out_of_range.status_code == 400 and "需求契合度应在0至100分之间" in out_of_range.json()["score_fit"][0]
    not_a_number = post(experts[0], "review-seats/%d/score/" % seats[0].pk, {"score_team": "很好"})
    assert not_a_number.status_code == 400 and "团队能力" in not_a_number.json()["score_team"][0]
    draft = post(experts[0], "review-seats/%d/score/" % seats[0].pk, {**scores(90, 90, 90, 90, 90), "comment": "好"})
    assert draft.status_code == 200 and draft.json()["score_fit"] == 90 and draft.json()["status"] == "assigned"
    assert post(city, "review-seats/%d/score/" % seats[0].pk, scores()).status_code == 403

    # While scoring: the office sees the panel's progress, not the scores; the sheet says it is not visible.
    panel = {row["id"]: row for row in rows(get(city, "review-seats/", review=review.pk))}
    assert set(panel) == {seat.pk for seat in seats}
    assert panel[seats[0].pk]["score_fit"] is None and panel[seats[0].pk]["total"] is None
    assert not panel[seats[0].pk]["scores_shown"]
    history = get(city, "review-seats/%d/history/" % seats[0].pk).json()
    assert not any(change["field"].startswith("score_") for row in history for change in row["changes"])
    assert get(city, "reviews/%d/sheet/" % review.pk).json() == {"visible": False}
    assert get(experts[1], "reviews/%d/sheet/" % review.pk).json() == {"visible": False}
    assert get(leader, "reviews/%d/sheet/" % review.pk).status_code == 404
    incomplete = post(experts[1], "review-seats/%d/act/" % seats[1].pk, {"action": "submit", "comment": "可行"})
    assert incomplete.status_code == 400 and "score_fit" in incomplete.json()

    for client, seat, value in zip(experts, seats, (90, 88, 55)):
        done = post(client, "review-seats/%d/act/" % seat.pk,
                    {"action": "submit", **scores(value, value, value, value, value), "comment": "意见%d" % value})
        assert done.status_code == 200, done.content
        assert done.json()["status"] == "submitted"
    assert post(experts[0], "review-seats/%d/act/" % seats[0].pk, {"action": "submit"}).status_code in (400, 409)
    assert get(city, "reviews/%d/" % review.pk).json()["status"] == "scored"

    sheet = get(city, "reviews/%d/sheet/" % review.pk).json()
    assert sheet["visible"] and sheet["count"] == 3 and Decimal(sheet["mean"]) == Decimal("77.67")
    assert sheet["outliers"] == [seats[2].pk] and [s["outlier"] for s in sheet["seats"]] == [False, False, True]
    assert [c["key"] for c in sheet["criteria"]] == ["fit", "feasibility", "benefit", "team", "budget"]
    assert Decimal(sheet["spread"]) == Decimal("35.00") and sheet["stdev"]
    assert get(experts[2], "reviews/%d/sheet/" % review.pk).json()["count"] == 3
    assert rows(get(city, "review-seats/", review=review.pk))[0]["score_fit"] is not None

    # The team, the town and the unit read the review, never an expert's name or score.
    names = [seat.expert.name for seat in seats]
    for name in ("leader", "renhua_city_town", "unit"):
        client = login(name)
        for url in ("reviews/%d/" % review.pk, "reviews/%d/transitions/" % review.pk,
                    "reviews/%d/history/" % review.pk):
            response = get(client, url)
            assert response.status_code == 200, (name, url)
            text = response.content.decode()
            assert not any(expert in text for expert in names), (name, url)
        assert get(client, "reviews/%d/sheet/" % review.pk).status_code == 404
        assert not rows(get(client, "review-seats/"))


def test_the_decision_takes_the_amount_and_the_opinion_in_chinese(world, scoring, login):
    from reviews.tests.factories import score_all

    review, seats = scoring
    score_all(seats)
    city = login("city_st")
    url = "reviews/%d/act/" % review.pk
    missing = post(city, url, {"action": "approve"})
    assert missing.status_code == 400
    assert "核定资助金额" in missing.json()["amount"][0] and "专家组意见" in missing.json()["opinion"][0]
    above = post(city, url, {"action": "approve", "amount": "100000.01", "opinion": "同意"})
    assert above.status_code == 400 and "不能超过项目预算总额" in above.json()["amount"][0]
    assert post(login("leader"), url, {"action": "approve", "amount": 80000, "opinion": "同意"}).status_code == 403
    assert post(login("nanxiong_st"), url, {"action": "approve", "amount": 80000, "opinion": "同意"}).status_code == 404
    approved = post(city, url, {"action": "approve", "amount": 80000.5, "opinion": "同意立项"})
    assert approved.status_code == 200, approved.content
    assert approved.json()["status"] == "approved" and approved.json()["approved_amount"] == "80000.50"
    assert Project.objects.get(pk=review.project_id).status == "approved"
    assert post(city, url, {"action": "reject", "comment": "x", "opinion": "x"}).status_code in (400, 409)
    transitions = get(city, "reviews/%d/transitions/" % review.pk).json()
    assert [row["action"] for row in transitions][-3:] == ["open", "complete", "approve"]


# ------------------------------------------------------------------------------------------------ funding
def test_envelopes_are_kept_by_their_funder_and_read_up_the_tree(world, login):
    city, renhua = login("city_st"), login("renhua_st")
    made = post(city, "envelopes/", {"fiscal_year": 2026, "budgeted": "1000000", "note": "韶科〔2026〕1号"},
                **{"Idempotency-Key": "envelope-2026-city"})
    assert made.status_code == 201 and made.json()["remaining"] == "1000000.00"
    assert post(city, "envelopes/", {"fiscal_year": 2026, "budgeted": "1000000"},
                **{"Idempotency-Key": "envelope-2026-city"}).status_code == 200
    twice = post(city, "envelopes/", {"fiscal_year": 2026, "budgeted": "5"})
    assert twice.status_code == 400 and "已设置" in twice.json()["fiscal_year"][0]
    assert post(login("leader"), "envelopes/", {"fiscal_year": 2026, "budgeted": "5"}).status_code == 403
    bad = post(renhua, "envelopes/", {"fiscal_year": 2026, "budgeted": "abc"})
    assert bad.status_code == 400 and "年度预算" in bad.json()["budgeted"][0]
    county = post(renhua, "envelopes/", {"fiscal_year": 2026, "budgeted": 300000})
    assert county.status_code == 201 and county.json()["organizer_level"] == "county"
    assert {row["funder_name"] for row in rows(get(city, "envelopes/"))} == {"韶关市科技局", "仁化县科技部门"}
    assert [row["id"] for row in rows(get(renhua, "envelopes/"))] == [county.json()["id"]]
    assert not rows(get(login("nanxiong_st"), "envelopes/")) and not rows(get(login("leader"), "envelopes/"))
    assert patch(renhua, "envelopes/%d/" % made.json()["id"], {"budgeted": 1}).status_code == 404
    assert patch(city, "envelopes/%d/" % county.json()["id"], {"budgeted": 1}).status_code == 403
    assert patch(city, "envelopes/%d/" % made.json()["id"], {"budgeted": "1200000"}).json()["budgeted"] == "1200000.00"


def test_the_funder_funds_and_disburses_within_the_approved_amount_and_what_remains(world, login):
    review, project = approved_review(world, amount="80000")
    services.envelope_save(actor=world["city_st"], values={"fiscal_year": 2026, "budgeted": "1000000"})
    city = login("city_st")
    values = {**grant_values(), "granted_on": timezone.localdate().isoformat(), "review": review.pk}

    above = post(city, "grants/", {**values, "amount": "80000.01"})
    assert above.status_code == 400 and "不能超过论证核定的金额" in above.json()["amount"][0]
    assert post(login("leader"), "grants/", values).status_code == 403
    assert post(login("renhua_st"), "grants/", values).status_code in (400, 403)
    outside = post(login("nanxiong_st"), "grants/", values)
    assert outside.status_code == 400 and "review" in outside.json()
    assert not Grant.objects.exists()
    made = post(city, "grants/", values, **{"Idempotency-Key": "grant-create-0001"})
    assert made.status_code == 201, made.content
    grant = made.json()
    assert grant["amount"] == "80000.00" and grant["disbursed"] == "0.00" and grant["undisbursed"] == "80000.00"
    assert post(city, "grants/", values, **{"Idempotency-Key": "grant-create-0001"}).status_code == 200
    assert Grant.objects.count() == 1

    url = "grants/%d/disburse/" % grant["id"]
    today = timezone.localdate().isoformat()

    def disburse(client, amount, kind="pdf", **headers):
        return client.post(API + url, {"amount": amount, "paid_on": today, "voucher": voucher(kind), "note": "拨付"},
                           headers=headers)

    not_a_voucher = disburse(city, "30000", kind="text")
    assert not_a_voucher.status_code == 400 and "voucher" in not_a_voucher.json()
    assert "拨付凭证" in not_a_voucher.json()["voucher"][0]
    too_much = disburse(city, "80000.01")
    assert too_much.status_code == 400 and "超出尚未拨付" in too_much.json()["amount"][0]
    assert disburse(login("leader"), "100").status_code == 403
    assert disburse(login("nanxiong_st"), "100").status_code == 404
    assert not Disbursement.objects.exists()
    first = disburse(city, "30000", kind="png", **{"Idempotency-Key": "tranche-0001"})
    assert first.status_code == 201 and first.json()["voucher_url"]
    assert disburse(city, "30000", **{"Idempotency-Key": "tranche-0001"}).status_code == 200
    assert disburse(city, "50000").status_code == 201
    assert disburse(city, "0.01").status_code == 400

    shown = get(city, "grants/%d/" % grant["id"]).json()
    assert shown["disbursed"] == "80000.00" and shown["undisbursed"] == "0.00" and len(shown["disbursements"]) == 2
    envelope = rows(get(city, "envelopes/", fiscal_year=2026))[0]
    assert (envelope["committed"], envelope["disbursed"], envelope["remaining"]) == (
        "80000.00", "80000.00", "920000.00")
    assert [row["id"] for row in rows(get(login("leader"), "grants/"))] == [grant["id"]]
    assert [row["id"] for row in rows(get(login("renhua_city_town"), "grants/"))] == [grant["id"]]
    assert not rows(get(login("other_leader"), "grants/")) and not rows(get(login("nanxiong_st"), "grants/"))
    below = patch(city, "grants/%d/" % grant["id"], {"amount": "70000"})
    assert below.status_code == 400 and "不能少于已拨付" in below.json()["amount"][0]
    assert patch(login("leader"), "grants/%d/" % grant["id"], {"note": "x"}).status_code == 403
    assert patch(city, "grants/%d/" % grant["id"], {"note": "第一批"}).json()["note"] == "第一批"


# ------------------------------------------------------------------------------------------------ schema
def test_the_schema_of_these_routes_generates_without_warnings():
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator

    GENERATOR_STATS.reset() if hasattr(GENERATOR_STATS, "reset") else None
    schema = SchemaGenerator().get_schema(request=None, public=True)
    ours = [path for path in schema["paths"] if path.split("/")[3] in {
        "experts", "reviews", "review-seats", "grants", "envelopes"}]
    assert {"/api/v1/reviews/start/", "/api/v1/reviews/{id}/sheet/", "/api/v1/review-seats/{id}/score/",
            "/api/v1/grants/{id}/disburse/", "/api/v1/envelopes/{id}/"} <= set(ours)
    noise = [message for message in list(GENERATOR_STATS._warn_cache) + list(GENERATOR_STATS._error_cache)
             if "reviews" in message.lower() or "Expert" in message or "Grant" in message or "Envelope" in message]
    assert not noise, noise
    disburse = schema["paths"]["/api/v1/grants/{id}/disburse/"]["post"]["requestBody"]["content"]
    assert "multipart/form-data" in disburse


def test_an_expert_asking_to_change_more_than_contacts_is_told_so(world, client):
    from reviews.tests.factories import expert_user, make_pool

    pool = make_pool(world)
    user = expert_user(pool[0])
    user.must_change_password = False
    user.save(update_fields=["must_change_password"])
    client.force_login(user)
    url = "/api/v1/experts/%d/" % pool[0].pk
    response = client.patch(url, {"name": "改名", "available": False}, content_type="application/json")
    assert response.status_code == 400 and "专家本人只能修改联系方式" in response.json()["name"][0]
    assert Expert.objects.get(pk=pool[0].pk).available is True
    assert client.patch(url, {"available": False}, content_type="application/json").status_code == 200
    assert Expert.objects.get(pk=pool[0].pk).available is False
