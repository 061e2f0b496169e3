"""Scoring and decisions: bad scores refused whole, one submission, hidden scores, the score sheet with an outlier,
weighted totals, completion, and the decision that moves the project (a panel, or a county's single step)."""
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import Notification
from core.workflow import transitions_for
from projects.models import Project
from reviews import selectors, services
from reviews.models import Review, ReviewSeat
from reviews.tests.factories import (accepted_project, expert_user, make_pool, score_all, scores, start_panel)

pytestmark = pytest.mark.django_db


@pytest.fixture
def panel(world):
    """A city project's review open for scoring with a panel of three: (review, seats)."""
    project, _people = accepted_project(world)
    make_pool(world)
    review, seats = start_panel(world, project)
    services.review_open(actor=world["city_st"], review=review)
    return Review.objects.get(pk=review.pk), seats


def fresh(record):
    return type(record).objects.get(pk=record.pk)


# ------------------------------------------------------------------------------------------------ scores
@pytest.mark.parametrize("bad, field, message", [
    ({"score_fit": "85.5"}, "score_fit", "需求契合度应为整数分。"),
    ({"score_feasibility": 101}, "score_feasibility", "技术可行性应在0至100分之间。"),
    ({"score_benefit": -1}, "score_benefit", "预期效益应在0至100分之间。"),
    ({"score_team": "很好"}, "score_team", "团队能力应为整数分。"),
    ({"score_budget": "Infinity"}, "score_budget", "经费合理性应为整数分。"),
])
def test_a_bad_score_is_refused_naming_the_criterion_and_nothing_is_saved(world, panel, bad, field, message):
    review, seats = panel
    seat = seats[0]
    user = expert_user(seat.expert)
    values = {**scores(90, 90, 90, 90, 90), **bad}
    for submit in (False, True):
        with pytest.raises(ValidationError) as error:
            services.seat_score(actor=user, seat=seat, scores=values, comment="意见", submit=submit)
        assert error.value.message_dict[field] == [message]
        stored = fresh(seat)
        assert stored.status == "assigned" and stored.comment == "" and stored.total is None
        assert [getattr(stored, "score_%s" % k) for k in ("fit", "feasibility", "benefit", "team", "budget")] == [None] * 5
    assert fresh(review).status == "scoring"


def test_scores_are_saved_as_a_draft_then_submitted_once(world, panel):
    review, seats = panel
    seat = seats[0]
    user = expert_user(seat.expert)
    services.seat_score(actor=user, seat=seat, scores={"score_fit": "90", "feasibility": 70})
    stored = fresh(seat)
    assert (stored.score_fit, stored.score_feasibility, stored.status, stored.total) == (90, 70, "assigned", None)
    with pytest.raises(ValidationError) as error:
        services.seat_submit(actor=user, seat=seat, scores={"score_benefit": 80})
    assert error.value.message_dict == {"score_team": ["请为“团队能力”评分。"], "score_budget": ["请为“经费合理性”评分。"],
                                        "comment": ["请填写评审意见。"]}
    assert fresh(seat).score_benefit is None  # refused whole: not even the valid score is kept
    services.seat_submit(actor=user, seat=seat, scores={"score_benefit": 80, "score_team": 60, "score_budget": 60},
                         comment="技术路线可行")
    stored = fresh(seat)
    # (25·90 + 25·70 + 20·80 + 15·60 + 15·60) / 100
    assert (stored.status, stored.total, stored.comment) == ("submitted", Decimal("74.00"), "技术路线可行")
    assert stored.submitted_at is not None
    assert [(t.action, t.to_state) for t in transitions_for(stored)][-1] == ("submit", "submitted")
    for again in (lambda: services.seat_submit(actor=user, seat=seat, scores=scores(10, 10, 10, 10, 10), comment="改"),
                  lambda: services.seat_score(actor=user, seat=seat, scores={"score_fit": 10})):
        with pytest.raises(ValidationError) as error:
            again()
        assert error.value.messages == ["评分已提交或已回避，不能再修改。"]
    assert fresh(seat).total == Decimal("74.00")


def test_only_the_assigned_expert_scores_and_only_while_scoring(world):
    project, _people = accepted_project(world)
    make_pool(world)
    review, seats = start_panel(world, project)
    user = expert_user(seats[0].expert)
    with pytest.raises(ValidationError) as error:
        services.seat_score(actor=user, seat=seats[0], scores=scores())
    assert error.value.messages == ["评审尚未开始或已结束，不能评分。"]
    services.review_open(actor=world["city_st"], review=review)
    for intruder in ("city_st", "leader", "expert"):
        with pytest.raises(PermissionDenied):
            services.seat_submit(actor=world[intruder], seat=seats[0], scores=scores(), comment="代评")
    with pytest.raises(PermissionDenied):
        services.seat_submit(actor=expert_user(seats[1].expert), seat=seats[0], scores=scores(), comment="代评")


def test_weighted_totals_use_the_weights_taken_when_the_review_started(world):
    cycle = world.cycle
    cycle.weight_fit, cycle.weight_feasibility, cycle.weight_benefit, cycle.weight_team, cycle.weight_budget = (
        40, 30, 10, 10, 10)
    cycle.save()
    project, _people = accepted_project(world)
    make_pool(world)
    review, seats = start_panel(world, project)
    assert review.weights == {"fit": 40, "feasibility": 30, "benefit": 10, "team": 10, "budget": 10}
    cycle.weight_fit = 100  # a later change of the setting leaves the running review alone
    cycle.save()
    services.review_open(actor=world["city_st"], review=review)
    seat = seats[0]
    services.seat_submit(actor=expert_user(seat.expert), seat=seat, scores=scores(100, 0, 50, 80, 60), comment="意见")
    # (40·100 + 30·0 + 10·50 + 10·80 + 10·60) / 100
    assert fresh(seat).total == Decimal("59.00")
    assert selectors.weighted_total(fresh(seat), {"fit": 1, "feasibility": 1, "benefit": 1, "team": 0,
                                                  "budget": 0}) == Decimal("50.00")


def test_scores_stay_hidden_until_the_whole_panel_has_submitted(world, panel):
    review, seats = panel
    assert not selectors.scores_visible(review)
    score_all(seats[:2], totals=[80, 82])
    review = fresh(review)
    assert review.status == "scoring" and not selectors.scores_visible(review)
    assert selectors.with_progress(Review.objects.filter(pk=review.pk)).values_list("seated", "submitted").get() == (3, 2)
    score_all(seats[2:], totals=[45])
    review = fresh(review)
    assert review.status == "scored" and review.scored_at and selectors.scores_visible(review)
    assert [(t.action, t.to_state, t.actor_id) for t in transitions_for(review)][-1][:2] == ("complete", "scored")
    assert Notification.objects.filter(recipient=world["city_st"], title__startswith="专家评分已完成").exists()


def test_the_score_sheet_flags_the_outlier_with_the_mean_range_and_deviation(world, panel):
    review, seats = panel
    score_all(seats, totals=[80, 82, 45])
    sheet = selectors.score_sheet(fresh(review))
    assert [seat.total for seat in sheet["seats"]] == [Decimal("80.00"), Decimal("82.00"), Decimal("45.00")]
    assert sheet["count"] == 3
    assert sheet["mean"] == Decimal("69.00")
    assert sheet["spread"] == Decimal("37.00")
    assert sheet["median"] == Decimal("80.00")
    assert sheet["stdev"] == Decimal("16.99")  # population deviation of 80, 82, 45
    assert [seat.total for seat in sheet["outliers"]] == [Decimal("45.00")]
    assert [seat.outlier for seat in sheet["seats"]] == [False, False, True]
    assert [(c["label"], c["weight"], c["mean"]) for c in sheet["criteria"]] == [
        ("需求契合度", 25, Decimal("69.0")), ("技术可行性", 25, Decimal("69.0")), ("预期效益", 20, Decimal("69.0")),
        ("团队能力", 15, Decimal("69.0")), ("经费合理性", 15, Decimal("69.0"))]


def test_an_empty_sheet_has_no_figures(world, panel):
    sheet = selectors.score_sheet(panel[0])
    assert (sheet["count"], sheet["mean"], sheet["spread"], sheet["stdev"], sheet["outliers"]) == (0, None, None, None, [])


def test_a_decline_during_scoring_keeps_the_review_open_until_the_substitute_submits(world, panel):
    review, seats = panel
    city = world["city_st"]
    score_all(seats[:2])
    services.seat_decline(actor=expert_user(seats[2].expert), seat=seats[2], comment="与团队成员为同学")
    review = fresh(review)
    assert review.status == "scoring" and not selectors.scores_visible(review)
    with pytest.raises(ValidationError) as error:
        services.review_decide(actor=city, review=review, action="approve", amount="50000", opinion="同意")
    assert error.value.messages == ["当前状态为“专家评分中”，不能执行“论证通过，立项”。"]
    (substitute,) = services.panel_fill(actor=city, review=review)
    assert fresh(review).status == "scoring"
    score_all([substitute], totals=[70])
    review = fresh(review)
    assert review.status == "scored"
    sheet = selectors.score_sheet(review)
    assert sheet["count"] == 3 and sheet["mean"] == Decimal("76.67")


def test_removing_the_last_unscored_expert_does_not_complete_a_short_panel(world, panel):
    review, seats = panel
    score_all(seats[:2])
    services.seat_remove(actor=world["city_st"], seat=seats[2], comment="联系不上")
    assert fresh(review).status == "scoring"  # two of three: still short


# ------------------------------------------------------------------------------------------------ decisions
@pytest.fixture
def scored(world, panel):
    review, seats = panel
    score_all(seats)
    return fresh(review)


def test_a_panel_review_is_not_decided_before_it_is_scored(world):
    project, _people = accepted_project(world)
    make_pool(world)
    review, _seats = start_panel(world, project)
    for action, comment in (("approve", ""), ("approve_changes", "补充"), ("reject", "不足")):
        with pytest.raises(ValidationError) as error:
            services.review_decide(actor=world["city_st"], review=review, action=action, amount="1000",
                                   opinion="意见", comment=comment)
        assert error.value.messages == ["专家组尚未完成评分，不能作出论证决定。"]
    assert fresh(project).status == "accepted"


def test_approval_needs_an_amount_within_the_budget_and_the_panels_opinion(world, scored):
    city = world["city_st"]
    cases = [
        ({"amount": "", "opinion": "同意"}, "approved_amount", "请填写核定资助金额（元）。"),
        ({"amount": "100000.01", "opinion": "同意"}, "approved_amount", "核定资助金额不能超过项目预算总额（100,000.00元）。"),
        ({"amount": "0", "opinion": "同意"}, "approved_amount", "核定资助金额应大于0。"),
        ({"amount": "1000.005", "opinion": "同意"}, "approved_amount", "金额最多保留到分（两位小数）。"),
        ({"amount": "八万", "opinion": "同意"}, "approved_amount", "核定资助金额（元）应为数字（元），如 12000 或 12000.50。"),
        ({"amount": "80000", "opinion": " "}, "panel_opinion", "请填写专家组意见。"),
    ]
    for data, field, message in cases:
        with pytest.raises(ValidationError) as error:
            services.review_decide(actor=city, review=scored, action="approve", **data)
        assert error.value.message_dict[field] == [message], data
    assert fresh(scored).status == "scored" and fresh(scored).approved_amount is None
    for outsider in ("renhua_st", "city_rural", "province", "leader"):
        with pytest.raises(PermissionDenied):
            services.review_decide(actor=world[outsider], review=scored, action="approve", amount="80000",
                                   opinion="同意")
    services.review_decide(actor=city, review=scored, action="approve", amount="100,000.00", opinion="专家组同意立项")
    review = fresh(scored)
    assert (review.status, review.approved_amount, review.panel_opinion) == ("approved", Decimal("100000.00"),
                                                                             "专家组同意立项")
    project = fresh(review.project)
    assert project.status == "approved"
    assert [(t.action, t.to_state) for t in transitions_for(project)][-1] == ("approve", "approved")
    note = Notification.objects.get(recipient=world["leader"], title__startswith="专家论证结果")
    assert "核定资助100,000.00元" in note.body
    with pytest.raises(ValidationError):
        services.review_decide(actor=city, review=review, action="reject", comment="重新考虑", opinion="意见")
    assert fresh(review).status == "approved"


@pytest.mark.parametrize("action, status, project_status, amount", [
    ("approve_changes", "approved_changes", "approved", Decimal("60000.00")),
    ("reject", "rejected", "rejected", None),
])
def test_approval_with_changes_and_rejection_need_a_comment(world, scored, action, status, project_status, amount):
    city = world["city_st"]
    with pytest.raises(ValidationError) as error:
        services.review_decide(actor=city, review=scored, action=action, amount="60000", opinion="意见", comment=" ")
    assert error.value.message_dict["comment"] == ["请填写修改要求或不予通过的理由。"]
    services.review_decide(actor=city, review=scored, action=action, amount="60000", opinion="专家组意见",
                           comment="请压缩培训经费")
    review = fresh(scored)
    assert (review.status, review.approved_amount, review.decision_comment) == (status, amount, "请压缩培训经费")
    assert fresh(review.project).status == project_status
    note = Notification.objects.get(recipient=world["leader"], title__startswith="专家论证结果")
    assert "请压缩培训经费" in note.body


def test_a_county_reviewing_in_a_single_step_decides_without_a_panel(world):
    project, _people = accepted_project(world, town=world.renhua_county_town)
    make_pool(world, actor="renhua_st")
    with pytest.raises(PermissionDenied):
        services.review_rule_set(actor=world["nanxiong_st"], cycle=world.cycle, county=world.renhua, mode="single")
    rule = services.review_rule_set(actor=world["renhua_st"], cycle=world.cycle, county=world.renhua, mode="single")
    assert rule.mode == "single"
    county = world["renhua_st"]
    review = services.review_start(actor=county, project=project)
    assert (review.mode, review.organizer_level) == ("single", "county")
    for step in (lambda: services.panel_fill(actor=county, review=review),
                 lambda: services.seat_add(actor=county, review=review, expert=make_pool(
                     world, actor="renhua_st", rows=[("新专家", "果树", "柑橘", "某所")], prefix="1375555")[0])):
        with pytest.raises(ValidationError) as error:
            step()
        assert "直接审批" in error.value.messages[0]
    with pytest.raises(ValidationError) as error:
        services.review_open(actor=county, review=review)
    assert error.value.messages == ["该项目由科技部门直接审批，无需专家评分。"]
    services.review_decide(actor=county, review=review, action="approve", amount="50000")  # no panel opinion
    review = fresh(review)
    assert (review.status, review.approved_amount) == ("approved", Decimal("50000.00"))
    assert fresh(project).status == "approved"
    assert not ReviewSeat.objects.filter(review=review).exists()


def test_the_city_sets_a_countys_rule_and_other_counties_keep_panels(world):
    services.review_rule_set(actor=world["city_st"], cycle=world.cycle, county=world.nanxiong, mode="single")
    project, _people = accepted_project(world, town=world.renhua_county_town)
    assert services.review_start(actor=world["renhua_st"], project=project).mode == "panel"
    city_project, _people = accepted_project(world, town=world.nanxiong_city_town, team=world.other_team)
    # A county's rule is for its county's teams: the city's own projects in it keep a panel.
    assert services.review_start(actor=world["city_st"], project=city_project).mode == "panel"


def test_the_whole_review_is_recorded_step_by_step(world, scored):
    services.review_decide(actor=world["city_st"], review=scored, action="approve", amount="80000", opinion="同意")
    assert [(t.action, t.to_state) for t in transitions_for(fresh(scored))] == [
        ("start", "forming"), ("open", "scoring"), ("complete", "scored"), ("approve", "approved")]
    assert Project.objects.get(pk=scored.project_id).status == "approved"


@pytest.mark.parametrize("raw", ["1e2", "8_0", "٨٠", "0x50", "八十"])
def test_a_score_is_plain_digits_never_guessed(panel, raw):
    review, seats = panel
    with pytest.raises(ValidationError) as error:
        services.seat_score(actor=expert_user(seats[0].expert), seat=seats[0], scores={"score_fit": raw})
    assert error.value.message_dict["score_fit"] == ["需求契合度应为整数分。"]
    assert ReviewSeat.objects.get(pk=seats[0].pk).score_fit is None


def test_full_width_digits_are_read_as_typed(panel):
    review, seats = panel
    seat = services.seat_score(actor=expert_user(seats[0].expert), seat=seats[0], scores={"score_fit": "８５"})
    assert seat.score_fit == 85


def test_an_amount_in_exponent_notation_is_refused(panel, world):
    review, seats = panel
    score_all(seats)
    with pytest.raises(ValidationError) as error:
        services.review_decide(actor=world["city_st"], review=review, action="approve", amount="1e5",
                               opinion="同意")
    assert error.value.message_dict["approved_amount"] == ["核定资助金额（元）应为数字（元），如 12000 或 12000.50。"]
    assert Review.objects.get(pk=review.pk).status == "scored"


def test_the_pool_page_shows_a_seat_total_only_once_the_panel_has_submitted(panel, world, client):
    review, seats = panel
    services.seat_submit(actor=expert_user(seats[0].expert), seat=seats[0], scores=scores(90, 90, 90, 90, 90),
                         comment="同意")
    client.force_login(world["city_st"])
    html = client.get("/review/experts/%d/" % seats[0].expert_id).content.decode()
    assert "90.00" not in html
    score_all(seats[1:])
    html = client.get("/review/experts/%d/" % seats[0].expert_id).content.decode()
    assert "90.00" in html


def test_a_withdrawn_expert_no_longer_reads_the_seat_by_page_or_api(panel, client):
    review, seats = panel
    user = expert_user(seats[0].expert)
    services.seat_decline(actor=user, seat=seats[0], comment="与团队成员为同门")
    user.must_change_password = False
    user.save(update_fields=["must_change_password"])
    client.force_login(user)
    assert client.get("/review/seats/%d/" % seats[0].pk).status_code == 404
    assert client.get("/api/v1/review-seats/%d/" % seats[0].pk).status_code == 404
    assert client.get("/api/v1/review-seats/").json()["count"] == 0
