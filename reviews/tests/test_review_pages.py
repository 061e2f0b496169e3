"""The review pages: the list with the projects awaiting a review, the review page (panel, proposal with the excluded
experts and their reasons, the score sheet once every expert has submitted, the decision), the experts' tasks and
the scoring page, the score sheet PDF; who may open each (out of scope is 404) and what each role reads."""
import sys
import types
from decimal import Decimal

import pytest

from accounts.models import User
from core.roles import Role
from projects.models import Project
from regions.models import City, County
from reviews import selectors, services
from reviews.models import Relation, Review, ReviewSeat
from reviews.tests.factories import accepted_project, expert_user, make_pool, scores

pytestmark = pytest.mark.django_db

# Who reads a review of 黄坑镇 (仁化县, city-organized) besides the administrator (the panel's experts aside).
READERS = ["province", "city_st", "city_rural", "renhua_st", "renhua_rural", "renhua_city_town", "leader", "member",
           "unit"]


def ready():
    """The experts' accounts were created by the office: let them in without the first-login password change."""
    User.objects.filter(role=Role.EXPERT).update(must_change_password=False)


def text(response) -> str:
    return response.content.decode()


def detail(review):
    return "/review/reviews/%d/" % review.pk


def seat_url(seat, action=None):
    return "/review/seats/%d/%s" % (seat.pk, "act/%s/" % action if action else "")


def score_post(fit=80, feasibility=80, benefit=80, team=80, budget=80, comment="技术路线可行，建议加强示范推广。",
               seen="assigned"):
    data = dict(scores(fit, feasibility, benefit, team, budget))
    data.update(comment=comment, seen_status=seen)
    return data


@pytest.fixture
def setup(world):
    project, people = accepted_project(world)
    pool = make_pool(world)
    ready()
    return project, people, pool


def started(world, project):
    return services.review_start(actor=world["city_st"], project=project)


def opened(world, project):
    review = started(world, project)
    seats = services.panel_fill(actor=world["city_st"], review=review)
    services.review_open(actor=world["city_st"], review=review)
    review.refresh_from_db()
    return review, seats


def all_submit(seats, totals=(60, 80, 100)):
    for seat, value in zip(seats, totals):
        services.seat_submit(actor=expert_user(seat.expert), seat=seat, comment="意见%d" % value,
                             scores=scores(value, value, value, value, value))


def other_city_office():
    city = City.objects.create(code="4403", name="深圳市", province_code="44", province_name="广东省")
    County.objects.create(city=city, code="440303", name="罗湖区")
    return User.objects.create(username="sz_st", role=Role.CITY_ST, city=city, must_change_password=False)


# ------------------------------------------------------------------------------------------------ list and start
def test_the_office_starts_a_review_from_the_projects_awaiting_one(world, setup, client):
    project, _people, _pool = setup
    client.force_login(world["city_st"])
    page = text(client.get("/review/reviews/"))
    assert "待论证项目" in page and project.title in page and 'data-testid="start-%d"' % project.pk in page
    response = client.post("/review/reviews/start/%d/" % project.pk)
    review = Review.objects.get(project=project)
    assert response.status_code == 302 and response.url == detail(review)
    again = client.post("/review/reviews/start/%d/" % project.pk, follow=True)
    assert "已被他人处理" in text(again) and Review.objects.count() == 1
    page = text(client.get("/review/reviews/"))
    assert 'data-testid="start-%d"' % project.pk not in page and "已提交 0/3" in page
    # The county office of 仁化县 reads the review but does not start the city's reviews.
    client.force_login(world["renhua_st"])
    assert 'data-testid="start-' not in text(client.get("/review/reviews/"))


def test_only_the_organizing_office_starts_a_review(world, setup, client):
    project, _people, _pool = setup
    for name in ("renhua_st", "leader", "renhua_city_town", "expert"):
        client.force_login(world[name])
        assert client.post("/review/reviews/start/%d/" % project.pk).status_code == 404, name
    client.force_login(other_city_office())
    assert client.post("/review/reviews/start/%d/" % project.pk).status_code == 404
    assert not Review.objects.exists()


# ------------------------------------------------------------------------------------------------ who reads what
def test_the_review_page_is_read_in_scope_and_404_elsewhere(world, setup, client, assert_denied):
    project, _people, pool = setup
    review, seats = opened(world, project)
    assert_denied(detail(review), allowed=READERS)
    client.force_login(other_city_office())
    assert client.get(detail(review)).status_code == 404
    assert client.get("/review/seats/%d/" % seats[0].pk).status_code == 404
    # An expert of the panel reads it; one of the pool who is not on it does not.
    client.force_login(expert_user(seats[0].expert))
    assert client.get(detail(review)).status_code == 200
    outsider = [e for e in pool if e.pk not in {s.expert_id for s in seats}][0]
    client.force_login(expert_user(outsider))
    assert client.get(detail(review)).status_code == 404
    assert client.get(seat_url(seats[0])).status_code == 404
    assert client.get("/review/reviews/").status_code == 200 and project.title not in text(client.get("/review/reviews/"))


def test_the_seat_pages_belong_to_the_expert_and_the_office(world, setup, client, assert_denied):
    project, _people, _pool = setup
    review, seats = opened(world, project)
    assert_denied(seat_url(seats[0]), allowed=["city_st"])
    assert_denied("/review/seats/", allowed=["city_st", "renhua_st", "nanxiong_st", "expert"])
    client.force_login(expert_user(seats[0].expert))
    page = text(client.get("/review/seats/"))
    assert "我的评审任务" in page and project.title in page and seat_url(seats[0]) in page
    assert seat_url(seats[1]) not in page
    assert client.get(seat_url(seats[1])).status_code == 404  # another expert's seat
    client.force_login(world["city_st"])
    page = text(client.get("/review/seats/"))
    assert all(seat_url(seat) in page for seat in seats)


def test_a_withdrawn_expert_loses_the_project(world, setup, client):
    project, _people, _pool = setup
    review, seats = opened(world, project)
    client.force_login(expert_user(seats[0].expert))
    page = text(client.get(seat_url(seats[0])))
    assert "申请回避" in page and project.objectives[:10] in page
    refused = client.post(seat_url(seats[0], "decline"), {"comment": "", "seen_status": "assigned"})
    assert refused.status_code == 200 and "请说明回避事由" in text(refused)
    response = client.post(seat_url(seats[0], "decline"), {"comment": "与团队负责人为合作关系", "seen_status": "assigned"})
    assert response.status_code == 302 and response.url == "/review/seats/"
    assert ReviewSeat.objects.get(pk=seats[0].pk).status == "declined"
    assert client.get(seat_url(seats[0])).status_code == 404
    assert client.get(detail(review)).status_code == 404
    assert client.get("/assistance/projects/%d/" % project.pk).status_code == 404
    # The office sees the panel short, the withdrawal among the excluded and a substitute to seat.
    client.force_login(world["city_st"])
    page = text(client.get(detail(review)))
    assert "已登记回避关系（柑橘团队：与团队负责人为合作关系）" in page
    assert "尚缺 1 人" in page


# ------------------------------------------------------------------------------------------------ panel
def test_the_office_sees_the_proposal_and_why_experts_were_excluded(world, setup, client):
    project, people, pool = setup
    same_unit, _ = services.expert_save(actor=world["city_st"], values={
        "name": "同单位", "field": "果树栽培", "unit_name": "华南农业大学", "phone": "13800000001"}, create_account=True)
    member, _ = services.expert_save(actor=world["city_st"], values={
        "name": "团队成员", "field": "果树栽培", "unit_name": "某研究所", "phone": people[1].phone}, create_account=True)
    related, _ = services.expert_save(actor=world["city_st"], values={
        "name": "有关系", "field": "果树栽培", "unit_name": "某大学", "phone": "13800000003"}, create_account=True)
    services.relation_add(actor=world["city_st"], expert=related, team=world.team, reason="曾与团队负责人合作")
    busy, _ = services.expert_save(actor=world["city_st"], values={
        "name": "出差中", "field": "果树栽培", "unit_name": "某学院", "phone": "13800000004", "available": False,
        "availability_note": "年底出差"}, create_account=True)
    services.expert_save(actor=world["city_st"], values={
        "name": "无账号", "field": "果树栽培", "unit_name": "某中心", "phone": "13800000005"})
    review = started(world, project)
    client.force_login(world["city_st"])
    page = text(client.get(detail(review)))
    assert "平台建议" in page and "按建议组建专家组" in page and "领域契合度" in page and "在审任务" in page
    for reason in ("是该团队成员", "与团队成员同一单位（华南农业大学）", "已登记回避关系", "暂不能参加评审", "尚无可用的平台账号"):
        assert reason in page, reason
    assert "专家组人数不足" in page  # 开始专家评分 is offered disabled with the reason
    # An excluded expert chosen anyway: the reason on the field, nothing seated.
    response = client.post(detail(review) + "seat/", {"expert": related.pk})
    assert response.status_code == 200 and "须回避" in text(response) and "曾与团队负责人合作" in text(response)
    assert not review.seats.exists()
    assert "请选择专家" in text(client.post(detail(review) + "seat/", {"expert": ""}))
    # One expert by hand, then the proposal up to the size.
    assert client.post(detail(review) + "seat/", {"expert": pool[2].pk}).status_code == 302
    assert client.post(detail(review) + "fill/").status_code == 302
    assert review.seats.filter(status="assigned").count() == 3
    assert not review.seats.filter(expert__in=[same_unit, member, related, busy]).exists()


def test_a_panel_below_its_size_cannot_open(world, setup, client):
    project, _people, pool = setup
    review = started(world, project)
    services.seat_add(actor=world["city_st"], review=review, expert=pool[0])
    client.force_login(world["city_st"])
    response = client.post(detail(review) + "act/open/", {"comment": ""}, follow=True)
    assert "专家组人数不足" in text(response)
    review.refresh_from_db()
    assert review.status == "forming"
    # The others may not even ask.
    client.force_login(world["leader"])
    assert client.post(detail(review) + "act/open/").status_code == 404
    assert client.post(detail(review) + "fill/").status_code == 404


def test_the_office_removes_an_expert_with_a_reason(world, setup, client):
    project, _people, _pool = setup
    review = started(world, project)
    seats = services.panel_fill(actor=world["city_st"], review=review)
    client.force_login(world["city_st"])
    response = client.post(seat_url(seats[0], "remove"), {"comment": "", "seen_status": "assigned"}, follow=True)
    assert "调出理由" in text(response) and ReviewSeat.objects.get(pk=seats[0].pk).status == "assigned"
    client.post(seat_url(seats[0], "remove"), {"comment": "工作调动", "seen_status": "assigned"})
    assert ReviewSeat.objects.get(pk=seats[0].pk).status == "removed"
    again = client.post(seat_url(seats[0], "remove"), {"comment": "工作调动", "seen_status": "assigned"}, follow=True)
    assert "已被他人处理" in text(again)
    client.force_login(expert_user(seats[1].expert))
    assert client.post(seat_url(seats[1], "remove"), {"comment": "x"}).status_code == 404


# ------------------------------------------------------------------------------------------------ scoring
def test_a_bad_score_is_named_in_chinese_and_nothing_is_saved(world, setup, client):
    project, _people, _pool = setup
    review, seats = opened(world, project)
    client.force_login(expert_user(seats[0].expert))
    response = client.post(seat_url(seats[0], "submit"), score_post(feasibility=101))
    assert response.status_code == 200 and "技术可行性应在0至100分之间" in text(response)
    response = client.post(seat_url(seats[0], "submit"), score_post(feasibility="abc", budget="-1"))
    assert "技术可行性应为整数分" in text(response) and "经费合理性" in text(response)
    response = client.post(seat_url(seats[0]), score_post(feasibility="abc"))  # the draft too
    assert response.status_code == 200 and "技术可行性应为整数分" in text(response)
    seat = ReviewSeat.objects.get(pk=seats[0].pk)
    assert seat.status == "assigned" and seat.score_fit is None and seat.score_feasibility is None
    assert "评分已提交" not in text(response)


def test_the_expert_saves_a_draft_then_submits_once(world, setup, client):
    project, _people, _pool = setup
    review, seats = opened(world, project)
    client.force_login(expert_user(seats[0].expert))
    page = text(client.get(seat_url(seats[0])))
    for label in ("需求契合度", "技术可行性", "预期效益", "团队能力", "经费合理性", "权重 25", "保存草稿", "提交评分"):
        assert label in page, label
    draft = score_post(fit=70, comment="")
    draft["score_budget"] = ""
    assert client.post(seat_url(seats[0]), draft).status_code == 302
    seat = ReviewSeat.objects.get(pk=seats[0].pk)
    assert seat.status == "assigned" and seat.score_fit == 70 and seat.score_budget is None
    refused = client.post(seat_url(seats[0], "submit"), draft)
    assert "请为“经费合理性”评分" in text(refused) and "请填写评审意见" in text(refused)
    assert client.post(seat_url(seats[0], "submit"), score_post(fit=70)).status_code == 302
    seat.refresh_from_db()
    assert seat.status == "submitted" and seat.total is not None
    page = text(client.get(seat_url(seats[0])))
    assert "不能再修改" in page and 'data-testid="score-form"' not in page and "申请回避" not in page
    again = client.post(seat_url(seats[0], "submit"), score_post(fit=10), follow=True)
    assert "已被他人处理" in text(again)
    seat.refresh_from_db()
    assert seat.score_fit == 70


def test_nobody_sees_the_scores_until_every_expert_has_submitted(world, setup, client):
    project, _people, _pool = setup
    review, seats = opened(world, project)
    first = expert_user(seats[0].expert)
    services.seat_submit(actor=first, seat=seats[0], scores=scores(61, 61, 61, 61, 61), comment="第一位的意见")
    client.force_login(expert_user(seats[1].expert))
    for url in (seat_url(seats[1]), detail(review)):
        page = text(client.get(url))
        assert "第一位的意见" not in page and "61.00" not in page and seats[0].expert.name not in page
    assert client.get(detail(review) + "sheet.pdf").status_code == 404
    client.force_login(world["city_st"])
    page = text(client.get(detail(review)))
    assert "第一位的意见" not in page and "61.00" not in page and "已提交 1/3" in page
    assert "第一位的意见" not in text(client.get(seat_url(seats[0])))
    services.seat_submit(actor=expert_user(seats[1].expert), seat=seats[1], scores=scores(80, 80, 80, 80, 80),
                         comment="第二位的意见")
    services.seat_submit(actor=expert_user(seats[2].expert), seat=seats[2], scores=scores(99, 99, 99, 99, 99),
                         comment="第三位的意见")
    review.refresh_from_db()
    assert review.status == "scored"
    client.force_login(expert_user(seats[1].expert))
    page = text(client.get(seat_url(seats[1])))
    assert "第一位的意见" in page and seats[0].expert.name in page and "评分汇总表" in page
    client.force_login(world["city_st"])
    page = text(client.get(detail(review)))
    sheet = selectors.score_sheet(review)
    for figure in (sheet["mean"], sheet["spread"], sheet["stdev"]):
        assert str(figure) in page
    assert "第三位的意见" in page and "各项平均" in page and "权重 25" in page
    # The team reads the progress and the mean, never a name or an individual score.
    for name in ("leader", "renhua_city_town", "unit", "province"):
        client.force_login(world[name])
        page = text(client.get(detail(review)))
        assert str(sheet["mean"]) in page, name
        assert "第一位的意见" not in page and "61.00" not in page, name
        assert all(seat.expert.name not in page for seat in seats), name
        page = text(client.get(detail(review) + "?tab=flow"))
        assert all(seat.expert.name not in page for seat in seats), name
        page = text(client.get(detail(review) + "?tab=history"))
        assert all(seat.expert.name not in page for seat in seats), name


def test_the_outlier_is_flagged_on_the_sheet(world, setup, client):
    project, _people, _pool = setup
    review, seats = opened(world, project)
    all_submit(seats, totals=(80, 82, 40))
    client.force_login(world["city_st"])
    page = text(client.get(detail(review)))
    assert page.count('data-testid="outlier"') == 1 and "异常" in page


def test_the_score_sheet_pdf_for_the_office_and_the_panel_once_visible(world, setup, client, monkeypatch):
    project, _people, _pool = setup
    review, seats = opened(world, project)
    fake = types.ModuleType("reviews.documents")
    fake.score_sheet_pdf = lambda review, user: b"%PDF-1.7 sheet " + user.username.encode()
    monkeypatch.setitem(sys.modules, "reviews.documents", fake)
    client.force_login(world["city_st"])
    assert client.get(detail(review) + "sheet.pdf").status_code == 404
    all_submit(seats)
    response = client.get(detail(review) + "sheet.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    client.force_login(expert_user(seats[0].expert))
    assert client.get(detail(review) + "sheet.pdf").status_code == 200
    for name in ("leader", "renhua_st", "province", "expert"):
        client.force_login(world[name])
        assert client.get(detail(review) + "sheet.pdf").status_code == 404, name


# ------------------------------------------------------------------------------------------------ decision
def test_the_decision_names_its_fields_and_a_second_click_is_told(world, setup, client):
    project, _people, _pool = setup
    review, seats = opened(world, project)
    client.force_login(world["city_st"])
    assert 'data-testid="decide"' not in text(client.get(detail(review)))  # not before the panel has scored
    all_submit(seats)
    page = text(client.get(detail(review)))
    assert 'data-testid="decide"' in page and "核定资助金额" in page
    response = client.post(detail(review) + "act/approve/", {"approved_amount": "200000", "panel_opinion": "",
                                                             "comment": "", "seen_status": "scored"})
    assert response.status_code == 200
    assert "核定资助金额不能超过项目预算总额" in text(response) and "请填写专家组意见" in text(response)
    response = client.post(detail(review) + "act/reject/", {"approved_amount": "", "panel_opinion": "不可行",
                                                            "comment": "", "seen_status": "scored"})
    assert "请填写修改要求或不予通过的理由" in text(response)
    review.refresh_from_db()
    assert review.status == "scored"
    for name in ("leader", "renhua_st", "expert"):
        client.force_login(world[name])
        assert client.post(detail(review) + "act/approve/", {"approved_amount": "1"}).status_code == 404, name
    client.force_login(world["city_st"])
    response = client.post(detail(review) + "act/approve_changes/", {
        "approved_amount": "90,000", "panel_opinion": "同意立项", "comment": "压缩差旅费", "seen_status": "scored"})
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.status == "approved_changes" and review.approved_amount == Decimal("90000")
    again = client.post(detail(review) + "act/reject/", {"panel_opinion": "x", "comment": "y", "seen_status": "scored"},
                        follow=True)
    assert "已被他人处理" in text(again)
    page = text(client.get(detail(review)))
    assert "修改要求" in page and "压缩差旅费" in page and "90,000.00" in page
    assert "/review/grants/new/%d/" % review.pk in page  # the funder funds it
    client.force_login(world["leader"])
    page = text(client.get(detail(review)))
    assert "压缩差旅费" in page and "同意立项" in page and "/review/grants/new/" not in page


def test_the_whole_path_through_the_pages(world, setup, client):
    project, _people, _pool = setup
    client.force_login(world["city_st"])
    client.post("/review/reviews/start/%d/" % project.pk)
    review = Review.objects.get(project=project)
    client.post(detail(review) + "fill/")
    client.post(detail(review) + "act/open/", {"comment": "请于两周内完成评分", "seen_status": "forming"})
    review.refresh_from_db()
    assert review.status == "scoring"
    for index, seat in enumerate(review.seats.order_by("pk")):
        client.force_login(expert_user(seat.expert))
        assert client.post(seat_url(seat, "submit"), score_post(fit=70 + index * 5)).status_code == 302
    review.refresh_from_db()
    assert review.status == "scored"
    client.force_login(world["city_st"])
    response = client.post(detail(review) + "act/approve/", {
        "approved_amount": "80000", "panel_opinion": "技术路线可行，同意立项。", "comment": "", "seen_status": "scored"})
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.status == "approved" and project.get_status_display() == "已立项"
    page = text(client.get("/review/reviews/"))
    assert "已提交 3/3" in page and "论证通过 · 核定 80,000.00 元" in page


def test_a_county_single_step_shows_only_the_decision(world, client):
    services.review_rule_set(actor=world["renhua_st"], cycle=world.cycle, county=world.renhua, mode="single")
    project, _people = accepted_project(world, town=world.renhua_county_town)
    client.force_login(world["renhua_st"])
    client.post("/review/reviews/start/%d/" % project.pk)
    review = Review.objects.get(project=project)
    assert review.mode == "single"
    page = text(client.get(detail(review)))
    assert "审批决定" in page and "平台建议" not in page and "专家组（" not in page and "开始专家评分" not in page
    client.force_login(world["city_st"])
    assert 'data-testid="decide"' not in text(client.get(detail(review)))  # the city reads, the county decides
    assert client.post(detail(review) + "act/approve/", {"approved_amount": "1"}).status_code == 404
    client.force_login(world["nanxiong_st"])
    assert client.get(detail(review)).status_code == 404
    client.force_login(world["renhua_st"])
    response = client.post(detail(review) + "act/approve/", {"approved_amount": "50000", "panel_opinion": "",
                                                             "comment": "", "seen_status": "forming"})
    assert response.status_code == 302
    assert Project.objects.get(pk=project.pk).status == "approved"
