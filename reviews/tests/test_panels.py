"""Panels: starting a review, a decline and its substitute, removal, who sees which review, seat and project."""
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import Notification
from core.scoping import restrict
from core.workflow import transitions_for
from projects.models import Project
from reviews import selectors, services
from reviews.models import Relation, Review, ReviewSeat
from reviews.tests.factories import (accepted_project, expert_user, make_pool, qingyuan, score_all, scores,
                                     start_panel)

pytestmark = pytest.mark.django_db


def test_a_review_starts_only_on_an_accepted_project_by_its_organizer(world):
    project, _people = accepted_project(world)
    for outsider in ("renhua_st", "nanxiong_st", "city_rural", "province", "leader", "expert"):
        with pytest.raises(PermissionDenied):
            services.review_start(actor=world[outsider], project=project)
    review = services.review_start(actor=world["city_st"], project=project)
    assert (review.status, review.mode, review.panel_size, review.organizer_level) == ("forming", "panel", 3, "city")
    assert review.weights == {"fit": 25, "feasibility": 25, "benefit": 20, "team": 15, "budget": 15}
    assert [(t.action, t.to_state) for t in transitions_for(review)] == [("start", "forming")]
    with pytest.raises(ValidationError) as error:
        services.review_start(actor=world["city_st"], project=project)
    assert error.value.messages == ["该项目已在论证中。"]
    draft, _people = accepted_project(world, town=world.nanxiong_city_town, team=world.other_team)
    Project.objects.filter(pk=draft.pk).update(status="submitted")
    with pytest.raises(ValidationError) as error:
        services.review_start(actor=world["city_st"], project=draft)
    assert "受理后方可组织专家论证" in error.value.messages[0]


def test_a_county_team_project_is_reviewed_by_its_county_from_its_pool(world):
    project, _people = accepted_project(world, town=world.renhua_county_town)
    make_pool(world, actor="renhua_st", prefix="1371111")
    make_pool(world, actor="city_st")
    with pytest.raises(PermissionDenied):
        services.review_start(actor=world["city_st"], project=project)
    review, seats = start_panel(world, project, actor="renhua_st")
    assert review.organizer_level == "county" and len(seats) == 3
    assert {seat.expert.county_id for seat in seats} == {world.renhua.pk}


def test_a_decline_records_the_relation_and_the_office_is_offered_a_substitute(world):
    project, _people = accepted_project(world)
    pool = make_pool(world)
    city = world["city_st"]
    review, seats = start_panel(world, project)
    services.review_open(actor=city, review=review)
    leaving = seats[0]
    user = expert_user(leaving.expert)
    with pytest.raises(ValidationError) as error:
        services.seat_decline(actor=user, seat=leaving, comment="  ")
    assert "请说明回避事由" in error.value.message_dict["comment"][0]
    with pytest.raises(PermissionDenied):
        services.seat_decline(actor=expert_user(seats[1].expert), seat=leaving, comment="代为回避")
    services.seat_decline(actor=user, seat=leaving, comment="与团队负责人为师生关系")
    leaving.refresh_from_db()
    assert leaving.status == "declined" and leaving.closed_at
    relation = Relation.objects.get(expert=leaving.expert)
    assert (relation.team_id, relation.reason, relation.declared_by_id) == (world.team.pk, "与团队负责人为师生关系", user.pk)
    proposal = selectors.proposal(review)
    assert len(proposal) == 1 and proposal[0].expert.pk not in {s.expert_id for s in seats}
    note = Notification.objects.filter(recipient=city, title__startswith="专家申请回避").get()
    assert "与团队负责人为师生关系" in note.body and "建议替补专家：%s" % proposal[0].expert.name in note.body
    # The expert is barred from this review and from the team's other projects.
    by_name = {c.expert.pk: c.excluded for c in selectors.candidates(review)}
    assert by_name[leaving.expert_id].startswith("已登记回避关系（柑橘团队：")
    with pytest.raises(ValidationError) as error:
        services.seat_add(actor=city, review=review, expert=leaving.expert)
    assert error.value.message_dict["expert"][0].startswith("%s须回避：已登记回避关系" % leaving.expert.name)
    assert leaving.expert.pk in selectors.conflicts(project, pool)
    # The substitute joins while scoring and is told at once.
    (substitute,) = services.panel_fill(actor=city, review=review)
    assert substitute.expert_id == proposal[0].expert.pk
    assert Notification.objects.filter(recipient=expert_user(substitute.expert),
                                       title__startswith="评审任务").exists()


def test_the_office_removes_an_expert_with_a_reason_while_the_panel_is_open(world):
    project, _people = accepted_project(world)
    make_pool(world)
    city = world["city_st"]
    review, seats = start_panel(world, project)
    with pytest.raises(ValidationError):
        services.seat_remove(actor=city, seat=seats[0], comment="")
    with pytest.raises(PermissionDenied):
        services.seat_remove(actor=world["renhua_st"], seat=seats[0], comment="调整")
    services.seat_remove(actor=city, seat=seats[0], comment="时间冲突")
    assert ReviewSeat.objects.get(pk=seats[0].pk).status == "removed"
    excluded = {c.expert.pk: c.excluded for c in selectors.candidates(review)}
    assert excluded[seats[0].expert_id] == "已调出专家组"
    assert seats[0].expert_id not in {c.expert.pk for c in selectors.proposal(review)}
    services.panel_fill(actor=city, review=review)
    services.review_open(actor=city, review=Review.objects.get(pk=review.pk))
    live = list(ReviewSeat.objects.filter(review=review, status="assigned"))
    score_all(live)
    assert Review.objects.get(pk=review.pk).status == "scored"
    with pytest.raises(ValidationError) as error:
        services.seat_remove(actor=city, seat=live[0], comment="调整")
    with pytest.raises(ValidationError) as error:
        services.seat_add(actor=city, review=review, expert=[c.expert for c in selectors.candidates(review)
                                                             if not c.excluded][0])
    assert error.value.messages == ["评审已结束，专家组不再调整。"]


def test_an_expert_sees_only_the_reviews_seats_and_projects_assigned_to_them(world):
    project, _people = accepted_project(world)
    other_project, _people = accepted_project(world, town=world.nanxiong_city_town, team=world.other_team)
    pool = make_pool(world)
    city = world["city_st"]
    review, seats = start_panel(world, project)
    mine = seats[0]
    user = expert_user(mine.expert)
    outsider = expert_user([e for e in pool if e.pk not in {s.expert_id for s in seats}][0])
    other_review = services.review_start(actor=city, project=other_project)
    assert set(restrict(Review, user)) == {review}
    assert set(restrict(ReviewSeat, user)) == {mine}
    assert set(restrict(Project, user)) == {project}
    for model in (Review, ReviewSeat, Project):
        assert not restrict(model, outsider).exists(), model
        assert not restrict(model, world["expert"]).exists(), model
    assert other_review not in restrict(Review, user)
    services.review_open(actor=city, review=review)
    services.seat_score(actor=user, seat=mine, scores=scores(), comment="草稿")
    services.seat_decline(actor=user, seat=mine, comment="利益相关")
    assert not restrict(Review, user).exists()
    assert not restrict(Project, user).exists()
    # An expert who submitted keeps reading the review they scored.
    scorer = expert_user(seats[1].expert)
    services.seat_submit(actor=scorer, seat=seats[1], scores=scores(), comment="同意")
    assert set(restrict(Project, scorer)) == {project} and set(restrict(Review, scorer)) == {review}


def test_another_citys_users_and_the_team_see_no_panel(world):
    qingyuan(world)
    project, _people = accepted_project(world)
    make_pool(world)
    review, seats = start_panel(world, project)
    for name in ("qy_city_st", "yingde_st", "qy_expert", "nanxiong_st"):
        assert not restrict(Review, world[name]).exists(), name
        assert not restrict(ReviewSeat, world[name]).exists(), name
    assert set(restrict(Review, world["city_rural"])) == {review}
    assert set(restrict(ReviewSeat, world["city_rural"])) == set(seats)
    # The tree reads the review (its decision): the county, the team and its town; never the panel's seats.
    for name in ("renhua_st", "leader", "renhua_city_town"):
        assert set(restrict(Review, world[name])) == {review}, name
        assert not restrict(ReviewSeat, world[name]).exists(), name


def test_a_relation_recorded_later_takes_the_expert_off_the_teams_other_open_panels(world):
    """The expert's declaration on one project withdraws their seat on the same team's other project; the office's
    record of a relation removes a seat the expert still holds on that team's panel."""
    from projects import services as project_services
    from projects.tests.factories import make_project

    first, people = accepted_project(world)
    second = make_project(world, first.pairing, people, list(first.needs.all()), title="贡柑品种改良示范")
    project_services.project_submit(actor=world["leader"], project=second, confirmed=True)
    second = project_services.project_accept(actor=world["city_st"], project=second)
    pool = make_pool(world)
    review_a = services.review_start(actor=world["city_st"], project=first)
    review_b = services.review_start(actor=world["city_st"], project=second)
    expert = pool[0]
    seat_a = services.seat_add(actor=world["city_st"], review=review_a, expert=expert)
    seat_b = services.seat_add(actor=world["city_st"], review=review_b, expert=expert)
    services.seat_decline(actor=expert_user(expert), seat=seat_a, comment="与团队负责人有合作关系")
    seat_b.refresh_from_db()
    assert seat_b.status == "declined"
    assert "已登记回避关系" in transitions_for(seat_b).last().comment
    # The office records a relation with the team for another expert seated on its panel: the seat is removed.
    other = pool[4]
    seat_c = services.seat_add(actor=world["city_st"], review=review_b, expert=other)
    services.relation_add(actor=world["city_st"], expert=other, team=first.team, reason="近三年合作发表论文")
    seat_c.refresh_from_db()
    assert seat_c.status == "removed"
    assert not selectors.proposal(review_b) or other.pk not in [c.expert.pk for c in selectors.proposal(review_b)]
