from decimal import Decimal

import pytest

from reviews import selectors, services
from reviews.tests.factories import accepted_project, expert_user, make_pool, scores


@pytest.mark.django_db
def test_whole_path(world):
    project, people = accepted_project(world)
    pool = make_pool(world)
    city = world["city_st"]
    review = services.review_start(actor=city, project=project)
    proposal = selectors.proposal(review)
    assert [c.expert.name for c in proposal][:1] in (["林果"], ["郑植"]), [(c.expert.name, c.score) for c in proposal]
    print([(c.expert.name, c.score, c.excluded) for c in selectors.candidates(review)])
    seats = services.panel_fill(actor=city, review=review)
    assert len(seats) == 3
    services.review_open(actor=city, review=review)
    for index, seat in enumerate(seats):
        services.seat_submit(actor=expert_user(seat.expert), seat=seat, scores=scores(fit=60 + index * 20),
                             comment="意见")
    review.refresh_from_db()
    assert review.status == "scored"
    sheet = selectors.score_sheet(review)
    assert sheet["count"] == 3 and sheet["mean"] is not None
    services.review_decide(actor=city, review=review, action="approve", amount="80000", opinion="同意立项")
    project.refresh_from_db()
    assert project.status == "approved"
    services.envelope_save(actor=city, values={"fiscal_year": 2026, "budgeted": "1000000"})
    grant = services.grant_create(actor=city, review=review, values={
        "project_number": "KTP-1", "fiscal_year": 2026, "budget_source": "city_st", "amount": "80000",
        "granted_on": __import__("django.utils.timezone").utils.timezone.localdate()})
    env = selectors.envelope_for("city", world.city.pk, None, 2026)
    assert env.committed == Decimal("80000") and env.remaining == Decimal("920000")


@pytest.mark.django_db
def test_expert_reads_assigned_project_only(world):
    from core.scoping import restrict
    from projects.models import Project

    project, _people = accepted_project(world)
    pool = make_pool(world)
    review = services.review_start(actor=world["city_st"], project=project)
    seats = services.panel_fill(actor=world["city_st"], review=review)
    user = expert_user(seats[0].expert)
    assert list(restrict(Project, user)) == [project]
    outsider = expert_user([e for e in pool if e.pk not in {s.expert_id for s in seats}][0])
    assert not restrict(Project, outsider).exists()
    services.review_open(actor=world["city_st"], review=review)
    services.seat_decline(actor=user, seat=seats[0], comment="与团队负责人为合作关系")
    assert not restrict(Project, user).exists()
