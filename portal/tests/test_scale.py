"""The scale generator (``manage.py load_scale``, ``portal.scale``) writes what the services would have written.

City scale (韶关市, two cycles) takes seconds and is checked here: the counts it prints are the table counts, every
real town of 4402 is there, every foreign key points at a row, the one-to-one rules hold, every status is the one its
transitions lead to (the first-half state machine's invariants), scoping works for a generated county account, the
same seed makes the same data and the pages render it. Province scale runs only with ``SCALE_TESTS=1``.
"""
from __future__ import annotations

import io
import os
from collections import Counter

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Count, F
from django.test.utils import CaptureQueriesContext

from portal import scale

PAGES = ["/needs/", "/needs/campaigns/", "/regions/towns/", "/calls/", "/calls/applications/", "/matching/rounds/",
         "/matching/pairings/", "/notices/", "/notices/objections/", "/registrations/", "/teams/",
         "/teams/commissioners/", "/units/", "/cycles/", "/assistance/agreements/", "/assistance/projects/",
         "/assistance/changes/"]


def run(*args) -> dict:
    out = io.StringIO()
    call_command("load_scale", *args, stdout=out)
    printed = {}
    for line in out.getvalue().splitlines():
        label, _sep, value = line.rpartition(": ")
        if label and value.replace(".", "").replace(" s", "").isdigit():
            printed[label] = value
    return printed


@pytest.fixture
def city(db):
    return run("--scale", "city", "--cycles", "2", "--seed", "7")


def expected_towns(city_code="4402"):
    return {spec_town[0] for entry in scale.read_divisions("city") for city in entry["cities"]
            if city["code"] == city_code for spec_town in city["towns"]}


def test_counts_towns_and_integrity(city):
    from regions.models import Town

    # Printed counts are the table counts.
    for label, model in scale.count_labels():
        assert int(city[label]) == model.objects.count(), label
    assert int(city["history"]) == sum(m.objects.count() for m in scale.history_models())
    assert "elapsed" in city
    # Every real town of 韶关 (statistical-only rows dropped as bench/match_speed.py does), and only them.
    towns = expected_towns()
    assert len(towns) == 105
    assert set(Town.objects.values_list("code", flat=True)) == towns
    # Referential integrity: the database's own check, then every foreign key by query on any backend.
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA foreign_key_check")
            assert cursor.fetchall() == []
    # The planner has statistics of the bulk-loaded tables (ANALYZE at the end), or a big list sorts every row.
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'teams_team'")
        else:
            cursor.execute("SELECT count(*) FROM pg_stats WHERE tablename = 'teams_team'")
        assert cursor.fetchone()[0] > 0
    for _label, model in scale.count_labels():
        for column in model._meta.concrete_fields:
            if column.is_relation and column.related_model is not None:
                target = column.related_model
                dangling = (model._base_manager.filter(**{"%s__isnull" % column.attname: False})
                            .exclude(**{"%s__in" % column.attname: target._base_manager.values("pk")}))
                assert not dangling.exists(), "%s.%s" % (model._meta.label, column.name)


def test_one_to_one_rules(city):
    from cycles.models import Cycle
    from matching.choices import LIVE_PAIRING_STATES
    from matching.models import Pairing
    from regions.models import TownClassification
    from teams.models import Team, TeamMembership

    live = Pairing.objects.filter(status__in=LIVE_PAIRING_STATES).order_by()
    assert not live.values("cycle", "town").annotate(n=Count("pk")).filter(n__gt=1).exists()
    assert not live.values("cycle", "team").annotate(n=Count("pk")).filter(n__gt=1).exists()
    every = Pairing.objects.order_by()
    assert not every.values("cycle", "town").annotate(n=Count("pk")).filter(n__gt=1).exists()
    leaders = Counter(TeamMembership.objects.filter(role="leader").values_list("team_id", flat=True))
    assert set(leaders.values()) == {1} and set(leaders) == set(Team.objects.values_list("pk", flat=True))
    assert not TeamMembership.objects.order_by().values("cycle", "commissioner").annotate(n=Count("pk")).filter(n__gt=1).exists()
    from django.db.models import F

    assert not TeamMembership.objects.exclude(cycle_id=F("team__cycle_id")).exists()
    assert not Team.objects.annotate(n=Count("memberships")).exclude(n=3).exists()
    # Every pairing's town is organized, at the pairing's level, in the pairing's cycle; every organized town paired.
    levels = {(c, t): level for c, t, level in TownClassification.objects.values_list("cycle_id", "town_id", "organizing_level")}
    for cycle_id, town_id, level in Pairing.objects.values_list("cycle_id", "town_id", "organizer_level"):
        assert levels[(cycle_id, town_id)] == level
    organized = {key for key, level in levels.items() if level != "none"}
    assert organized == set(Pairing.objects.values_list("cycle_id", "town_id"))
    # Closed cycle: pairings ended; current: active or registered.
    current = Cycle.current()
    assert set(Pairing.objects.filter(cycle=current).values_list("status", flat=True)) <= {"active", "registered"}
    assert set(Pairing.objects.exclude(cycle=current).values_list("status", flat=True)) == {"ended"}


def test_statuses_follow_their_transitions(city):
    """The first-half state machine's invariants (tests/invariants/test_first_half_state_machine.py) on the data."""
    from calls.models import Application
    from matching.choices import LIVE_PAIRING_STATES, PairingStatus
    from matching.models import Pairing, SelectionRun
    from notices.models import NoticeEntry
    from tests.invariants.test_first_half_state_machine import snapshot, unrecorded_moves

    # 4. every record is in the state of its latest transition, and its transitions form one chain.
    states = snapshot()
    assert len(states) > 1000
    assert unrecorded_moves(states, {}) == []
    # 3. live pairings stand on an accepted application of a published call.
    applications = {(c, t): s for c, t, s in Application.objects.values_list("call_id", "team_id", "status")}
    for call, team, call_status in (Pairing.objects.filter(status__in=LIVE_PAIRING_STATES, round__isnull=False)
                                    .values_list("round__call_id", "team_id", "round__call__status")):
        assert applications[(call, team)] == "accepted" and call_status == "published"
    # 6. notice entries agree with their pairings (an ended pairing of a closed cycle was cleared before it ended).
    for outcome, status, notice_status in NoticeEntry.objects.values_list("outcome", "pairing__status", "notice__status"):
        assert outcome == "cleared" and notice_status == "closed"
        assert status in (PairingStatus.NOTICE_CLEARED, PairingStatus.REGISTERED, PairingStatus.ACTIVE,
                          PairingStatus.ENDED)
    assert not Pairing.objects.filter(status=PairingStatus.REPLACED, replaced_by__isnull=True).exists()
    assert not SelectionRun.objects.filter(status__in=("pending", "running")).exists()
    # The stamps the steps set are there.
    for pairing in Pairing.objects.filter(round__isnull=False):
        assert pairing.proposed_at <= pairing.notice_started_at <= pairing.notice_cleared_at <= pairing.registered_at
        assert pairing.active_from == pairing.registered_at.astimezone(pairing.registered_at.tzinfo).date()
        assert (pairing.ended_at is not None) == (pairing.status == "ended")


def test_scoping_and_pages(city, client):
    from accounts.models import User
    from core.scoping import restrict
    from needs.models import Need
    from portal.demo import DEMO_PASSWORD
    from regions.models import Town

    county_user = User.objects.get(username="scale_county_440224")
    seen = set(restrict(Town.objects.all(), county_user, "view").values_list("code", flat=True))
    assert seen == {code for code in expected_towns() if code.startswith("440224")}
    assert set(restrict(Need.objects.all(), county_user, "view").values_list("town__county__code", flat=True)) == {"440224"}
    city_user = User.objects.get(username="scale_city_440200")
    assert city_user.check_password(os.environ.get("SCALE_PASSWORD") or DEMO_PASSWORD)
    assert User.objects.filter(username="scale_province_44", role="province", province_code="44").exists()
    assert User.objects.filter(username__startswith="scale_leader_", team__isnull=False).count() > 100
    for user in (city_user, county_user, User.objects.filter(username__startswith="scale_leader_").first(),
                 User.objects.filter(role="town").first()):
        client.force_login(user)
        for url in PAGES:
            response = client.get(url)
            assert response.status_code in (200, 403, 404), (user.username, url, response.status_code)
            if user == city_user:
                assert response.status_code == 200, (url, response.status_code)
    client.force_login(city_user)
    from matching.models import Pairing
    from needs.models import Need as NeedModel
    from notices.models import PublicNotice
    from teams.models import Team

    from projects.models import Agreement, Project, ProjectChange

    for record in (Pairing.objects.first(), NeedModel.objects.first(), PublicNotice.objects.first(), Team.objects.first(),
                   Town.objects.first(), Agreement.objects.first(), Project.objects.first(), ProjectChange.objects.first()):
        response = client.get(record.get_absolute_url())
        assert response.status_code == 200, record.get_absolute_url()


def test_agreements_and_projects(city):
    """Every pairing has one agreement and one or two projects; budget lines add up; a project's needs are its own
    town's in its cycle, moved to "in assistance" once it is submitted; members are the team's people; versions
    count the approved changes; the statuses fit the cycle (a closed cycle's all confirmed, its projects accepted and
    decided by their review)."""
    from decimal import Decimal

    from cycles.models import Cycle
    from matching.models import Pairing
    from projects.models import Agreement, Project, ProjectChange
    from teams.models import TeamMembership

    current = Cycle.current()
    pairings = set(Pairing.objects.values_list("pk", flat=True))
    assert Agreement.objects.count() == len(pairings) > 150
    assert set(Agreement.objects.values_list("pairing_id", flat=True)) == pairings
    assert not Agreement.objects.exclude(cycle_id=F("pairing__cycle_id")).exists()
    assert not Agreement.objects.exclude(town_id=F("pairing__town_id")).exclude(team_id=F("pairing__team_id")).exists()
    per_pairing = Counter(Project.objects.values_list("pairing_id", flat=True))
    assert set(per_pairing) == pairings and set(per_pairing.values()) == {1, 2}
    assert set(Agreement.objects.exclude(cycle=current).values_list("status", flat=True)) == {"confirmed"}
    assert set(Project.objects.exclude(cycle=current).values_list("status", flat=True)) <= {
        "accepted", "approved", "rejected", "draft"}
    assert {"confirmed", "signed"} <= set(Agreement.objects.filter(cycle=current).values_list("status", flat=True))
    assert {"accepted", "submitted", "draft"} <= set(Project.objects.filter(cycle=current).values_list("status", flat=True))
    assert Project.objects.filter(late=True).exists() and ProjectChange.objects.exists()
    assert not Agreement.objects.exclude(status="draft").filter(signed_scan="").exists()
    people = {}
    for team, person in TeamMembership.objects.values_list("team_id", "commissioner_id"):
        people.setdefault(team, set()).add(person)
    approved = Counter(ProjectChange.objects.filter(status="approved").values_list("project_id", flat=True))
    sent = Project.objects.exclude(status="draft")
    for project in Project.objects.prefetch_related("budget_lines", "needs", "years", "members"):
        assert 50000 <= project.total_budget <= 300000
        assert sum((line.amount for line in project.budget_lines.all()), Decimal("0")) == project.total_budget
        assert 2 <= len(project.budget_lines.all()) <= 4 and 2 <= len(project.members.all()) <= 3
        assert {(n.town_id, n.cycle_id) for n in project.needs.all()} <= {(project.town_id, project.cycle_id)}
        assert {m.commissioner_id for m in project.members.all()} <= people[project.team_id]
        assert [y.year for y in project.years.all()] == list(range(project.start_date.year, project.end_date.year + 1))
        assert project.version == 1 + approved[project.pk]
        assert (project.submitted_at is not None) == (project.status != "draft")
        if project.status != "draft":
            assert project.needs.exists()
            assert {n.status for n in project.needs.all()} == {"in_assistance"}, project.pk
    from needs.models import Need

    assert not Need.objects.filter(projects__in=sent, status__in=("confirmed", "matched")).exists()
    assert Need.objects.filter(status="in_assistance").exists()


def test_same_seed_same_data_and_refusal(db):
    from matching.models import Pairing
    from needs.models import Need
    from teams.models import Commissioner

    def fingerprint():
        return (sorted(Pairing.objects.values_list("cycle__name", "town__code", "team__name", "status", "score")),
                sorted(Need.objects.values_list("cycle__name", "town__code", "title", "status")),
                sorted(Commissioner.objects.values_list("id_number_digest", "name", "phone")))

    run("--scale", "city", "--cycles", "2", "--seed", "11")
    first = fingerprint()
    with pytest.raises(CommandError):
        call_command("load_scale", "--scale", "city", stdout=io.StringIO())
    run("--scale", "city", "--cycles", "2", "--seed", "11", "--flush")
    assert fingerprint() == first
    run("--scale", "city", "--cycles", "2", "--seed", "12", "--flush")
    assert fingerprint() != first


@pytest.mark.skipif(not os.environ.get("SCALE_TESTS"), reason="province scale takes minutes: set SCALE_TESTS=1")
def test_province_scale(db):
    from regions.models import Town

    printed = run("--scale", "province", "--cycles", "2")
    towns = {code for entry in scale.read_divisions("province") for city in entry["cities"] for code, _n, _c in city["towns"]}
    assert set(Town.objects.values_list("code", flat=True)) == towns
    for label, model in scale.count_labels():
        assert int(printed[label]) == model.objects.count(), label


def test_city_and_province_need_only_the_rows_kept_in_the_repository(monkeypatch, tmp_path):
    """A checkout without shared/data still fills city and province scale (Guangdong's rows are in portal/data),
    and they are the same rows the full file has for province 44."""
    full = scale.read_divisions("province") if (scale.DIVISIONS / "streets.csv").exists() else None
    monkeypatch.setattr(scale, "DIVISIONS", tmp_path / "missing")
    kept = scale.read_divisions("province")
    assert sum(len(city["towns"]) for entry in kept for city in entry["cities"]) > 1500
    assert [city["code"] for city in kept[0]["cities"]][:2] == ["4401", "4402"]
    assert {t[0] for c in scale.read_divisions("city")[0]["cities"] for t in c["towns"]} == expected_towns()
    if full is not None:
        assert kept == full
    with pytest.raises(FileNotFoundError, match="全国规模需要完整的区划代码文件"):
        scale.read_divisions("nation")


def test_reviews_and_funding(city):
    """Each organizer keeps its pool (the city 40 experts, each county 10, every one with an expert account); every
    decided project has its review with a panel of 3 from its funder's pool (never from a team member's unit), the
    scores of the submitted seats and the project's status following the decision; every grant is the selecting
    organizer's, within the approved amount and its envelope, and its tranches within the grant."""
    from cycles.models import Cycle
    from projects.models import Project
    from regions.models import County
    from reviews.models import Disbursement, Envelope, Expert, Grant, Review, ReviewSeat
    from reviews.selectors import envelopes_with_figures, grants_with_figures

    assert Expert.objects.filter(organizer_level="city", county__isnull=True).count() == scale.CITY_POOL
    for county in County.objects.all():
        assert Expert.objects.filter(organizer_level="county", county=county).count() == scale.COUNTY_POOL
    assert not Expert.objects.exclude(user__role="expert").exists()
    assert not Expert.objects.filter(organizer_level="county").exclude(user__county_id=F("county_id")).exists()
    current = Cycle.current()
    decided = Review.objects.filter(status__in=("approved", "approved_changes", "rejected"))
    assert set(Project.objects.filter(status__in=("approved", "rejected")).values_list("pk", flat=True)) == set(
        decided.values_list("project_id", flat=True))
    assert not Review.objects.exclude(status__in=("approved", "approved_changes", "rejected")).exclude(
        project__status="accepted").exists()
    assert set(Review.objects.exclude(cycle=current).values_list("status", flat=True)) <= {
        "approved", "approved_changes", "rejected"}
    assert {"approved", "scoring", "scored"} <= set(Review.objects.filter(cycle=current).values_list("status", flat=True))
    assert Review.objects.filter(status="rejected").exists() and Review.objects.filter(status="approved_changes").exists()
    assert not Review.objects.annotate(n=Count("seats")).exclude(n=3).exists()
    assert not ReviewSeat.objects.filter(review__status__in=("scored", "approved", "approved_changes", "rejected")
                                         ).exclude(status="submitted").exists()
    for seat in ReviewSeat.objects.select_related("review__project", "expert"):
        pool = ("county", seat.review.town.county_id) if seat.review.organizer_level == "county" else ("city", None)
        assert (seat.expert.organizer_level, seat.expert.county_id) == pool
        assert seat.expert.unit_id not in set(seat.review.team.memberships.values_list("commissioner__unit_id",
                                                                                        flat=True))
        if seat.status == "submitted":
            assert seat.total is not None and all(0 <= getattr(seat, "score_%s" % key) <= 100 for key in (
                "fit", "feasibility", "benefit", "team", "budget"))
    assert not decided.exclude(status="rejected").filter(approved_amount__isnull=True).exists()
    assert not decided.filter(approved_amount__gt=F("project__total_budget")).exists()
    # Funding: the selecting organizer's; within the approved amount; tranches within the grant; envelopes hold.
    grants = Grant.objects.select_related("review", "town__county")
    assert grants.count() > 50 and Disbursement.objects.count() > grants.count()
    for grant in grants:
        assert grant.review.status in ("approved", "approved_changes") and grant.amount <= grant.review.approved_amount
        expected = ("county", grant.town.county_id) if grant.review.organizer_level == "county" else ("city", None)
        assert (grant.organizer_level, grant.county_id) == expected
        assert grant.project_id == grant.review.project_id
    assert not grants_with_figures(Grant.objects.all()).filter(undisbursed__lt=0).exists()
    assert grants_with_figures(Grant.objects.all()).filter(undisbursed=0).exists()
    assert not Disbursement.objects.filter(voucher="").exists()
    envelopes = list(envelopes_with_figures(Envelope.objects.all()))
    assert sum(e.committed for e in envelopes) == sum(g.amount for g in Grant.objects.all())
    assert all(0 < e.committed <= e.budgeted for e in envelopes)
    assert sum(e.disbursed for e in envelopes) == sum(d.amount for d in Disbursement.objects.all())


def test_fieldwork(city):
    """Every pairing's field work: records copy their pairing; the day count (one query, overlapping stays of one
    person counted once) equals the brute-force count; a closed cycle's records all settled, the open cycle's at
    every step; activities' members are the team's; flags one per pairing and kind."""
    from cycles.models import Cycle
    from fieldwork import selectors
    from fieldwork.models import Activity, ConditionRequest, Flag, Stay, Task, WorkingConditions
    from matching.models import Pairing
    from teams.models import TeamMembership

    current = Cycle.current()
    pairings = set(Pairing.objects.values_list("pk", flat=True))
    for model in (Activity, Stay, Task):
        assert set(model.objects.values_list("pairing_id", flat=True)) == pairings, model
        assert not model.objects.exclude(cycle_id=F("pairing__cycle_id")).exists()
        assert not model.objects.exclude(team_id=F("pairing__team_id")).exists()
        assert not model.objects.exclude(home_town_id=F("pairing__town_id")).exists()
    for model in (Activity, Stay):
        assert model.objects.filter(cross_town=True).exists()
        assert not model.objects.filter(cross_town=True, town_id=F("home_town_id")).exists()
        assert not model.objects.filter(cross_town=False).exclude(town_id=F("home_town_id")).exists()
    assert WorkingConditions.objects.exists() and ConditionRequest.objects.exists()
    assert not Stay.objects.exclude(end_date__gte=F("start_date")).exists()
    for first_day, last_day, start, end in Stay.objects.values_list("first_day", "last_day", "start_date", "end_date"):
        assert (first_day, last_day) == (start.toordinal(), end.toordinal())
    people = set(TeamMembership.objects.values_list("team_id", "commissioner_id"))
    assert set(Stay.objects.values_list("team_id", "commissioner_id")) <= people
    assert set(Activity.participants.through.objects.values_list("activity__team_id", "commissioner_id")) <= people
    # Closed cycles: everything settled; the open cycle: at every step.
    past = Cycle.objects.exclude(pk=current.pk)
    assert set(Activity.objects.filter(cycle__in=past).values_list("status", flat=True)) == {"confirmed"}
    assert set(Task.objects.filter(cycle__in=past).values_list("status", flat=True)) <= {"done", "cancelled"}
    assert set(Flag.objects.filter(cycle__in=past).values_list("status", flat=True)) <= {"closed"}
    assert {"confirmed", "submitted", "queried"} <= set(Stay.objects.filter(cycle=current).values_list("status", flat=True))
    assert {"open", "done"} <= set(Task.objects.filter(cycle=current).values_list("status", flat=True))
    assert Flag.objects.filter(cycle=current, status="open").exists()
    assert not Flag.objects.exclude(kind="noncooperation").values("pairing", "kind").annotate(
        n=Count("pk")).filter(n__gt=1).exists()
    # The day count: one query for every team, the union of each person's stays (some overlap) as brute force says.
    for cycle in Cycle.objects.all():
        with CaptureQueriesContext(connection) as queries:
            days = selectors.stationed_days(cycle)
        assert len(queries) == 1
        stays = Stay.objects.filter(cycle=cycle, status="confirmed").values_list(
            "team_id", "commissioner_id", "cross_town", "start_date", "end_date")
        brute = selectors.brute_force_days(stays, cycle.start_date, cycle.end_date)
        assert brute and {key: (days[key[0]].people[key[1]].own, days[key[0]].people[key[1]].all)
                          for key in brute} == brute
        overlapping = sum(end - start + 1 for _t, _p, _c, start, end in Stay.objects.filter(
            cycle=cycle, status="confirmed").values_list("team_id", "commissioner_id", "cross_town", "first_day",
                                                         "last_day")) - sum(every for _own, every in brute.values())
        assert overlapping > 0  # some stays overlap: the union counts their days once
    closed = past.order_by("-start_date").first()
    counted = [team.counted(closed) for team in selectors.stationed_days(closed).values()]
    assert sum(c >= closed.required_stationed_days for c in counted) >= 0.6 * len(counted)


def test_oversight(city):
    """Every ended pairing keeps its closing figures; about 2 % of the pairings have a case (调整更换), each in the
    state of its transitions, a closed cycle's all decided as a warning or no action."""
    from matching.models import Pairing
    from replacements.models import Case, PairingFigures

    ended = Pairing.objects.filter(status="ended")
    assert ended.exists()
    assert set(PairingFigures.objects.values_list("pairing_id", flat=True)) == set(ended.values_list("pk", flat=True))
    assert not PairingFigures.objects.exclude(outcome="ended").exists()
    assert PairingFigures.objects.filter(stationed_days__gt=0, activities__gt=0).exists()
    cases = Case.objects.select_related("pairing", "cycle")
    assert cases.exists()
    for case in cases:
        assert (case.cycle_id, case.team_id, case.home_town_id) == (
            case.pairing.cycle_id, case.pairing.team_id, case.pairing.town_id)
        if case.cycle.status == "closed":
            assert case.status == "decided" and case.decision in ("warning", "no_action")


def test_evaluations_trainings_and_coordination(city, client):
    """Every worked team's people have one evaluation a year of the closed cycle, mostly 合格, with the year's figures
    and the pairing its organizers read it by; every unit with people trained each year; each city and county has its
    coordination group with two meetings and three follow-up items (two done), each item in the state of its
    transitions."""
    from coordination.models import FollowUp, Group, Meeting
    from cycles.models import Cycle
    from evaluations.models import Evaluation, Training
    from regions.models import County
    from teams.models import TeamMembership

    closed = Cycle.objects.filter(status="closed").first()
    evaluations = Evaluation.objects.filter(cycle=closed)
    worked = TeamMembership.objects.filter(cycle=closed, team__pairings__status="ended").count()
    assert evaluations.count() == 3 * worked
    assert set(evaluations.values_list("year", flat=True)) == {closed.start_date.year + k for k in range(3)}
    assert set(evaluations.values_list("status", flat=True)) == {"submitted"}
    grades = Counter(evaluations.values_list("grade", flat=True))
    assert grades["pass"] > grades["excellent"] > grades["basic"] > 0
    assert evaluations.filter(figures__days__gt=0, figures__activities__gt=0).count() > evaluations.count() // 2
    assert not evaluations.exclude(home_town_id=F("pairing__town_id")).exists()
    assert not evaluations.exclude(unit_id=F("commissioner__unit_id")).exists()
    trainings = Training.objects.annotate(n=Count("attendees"))
    assert trainings.exists() and not trainings.filter(n=0).exists()
    assert not Training.attendees.through.objects.exclude(commissioner__unit_id=F("training__unit_id")).exists()
    assert Group.objects.filter(level="city").count() == 1
    assert Group.objects.filter(level="county").count() == County.objects.count()
    assert not Group.objects.annotate(n=Count("meetings")).exclude(n=2).exists()
    assert Meeting.attendees.through.objects.exists()
    assert FollowUp.objects.filter(status="done").count() == 2 * Group.objects.count()
    assert FollowUp.objects.filter(status="open").count() == Group.objects.count()
    # The city's S&T bureau reads them on its pages.
    from accounts.models import User

    client.force_login(User.objects.get(username="scale_city_440200"))
    group = Group.objects.get(level="city")
    for url in ("/evaluations/evaluations/", "/evaluations/trainings/", "/coordination/", "/coordination/follow-ups/",
                group.get_absolute_url(), group.meetings.first().get_absolute_url(),
                group.follow_ups.first().get_absolute_url(), evaluations.first().get_absolute_url()):
        assert client.get(url).status_code == 200, url
