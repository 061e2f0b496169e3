"""The demo tells a whole story: every main list page has rows for the roles that should see them."""
import pytest
from django.utils import timezone

PAGES = {  # url -> the demo logins that must see rows there
    "/needs/": ["city_st", "renhua_st", "nanxiong_st", "huangkeng"],
    "/calls/": ["city_st", "renhua_st", "nanxiong_st", "leader"],
    "/calls/applications/": ["city_st", "renhua_st", "nanxiong_st", "leader"],
    "/matching/rounds/": ["city_st", "nanxiong_st"],
    "/matching/pairings/": ["city_st", "nanxiong_st", "huangkeng"],
    "/notices/": ["city_st", "renhua_st"],
    "/notices/objections/": ["city_st", "renhua_st"],
    "/registrations/": ["city_st", "renhua_st", "nanxiong_st"],
    "/teams/": ["city_st", "renhua_st", "leader", "scau"],
    "/teams/commissioners/": ["city_st", "renhua_st", "leader", "scau"],
    "/units/": ["city_st", "renhua_st", "scau"],
    "/assistance/agreements/": ["city_st", "renhua_st", "huangkeng", "scau", "tp2021_001"],
    "/assistance/projects/": ["city_st", "renhua_st", "huangkeng", "scau", "tp2021_001"],
    "/assistance/changes/": ["city_st"],
    "/evaluations/evaluations/": ["scau"],
    "/evaluations/rewards/": ["scau"],
    "/evaluations/trainings/": ["scau", "city_st"],
    "/coordination/follow-ups/": ["city_st", "city_rural", "renhua_st", "nanxiong_st"],
}


def rows(response) -> int:
    table = response.context.get("table") if response.context else None
    if table is not None:
        return len(table.rows)
    return len(response.context.get("object_list") or [])


@pytest.mark.django_db
def test_the_demo_shows_a_living_programme_on_every_list_page(client):
    from accounts.models import User
    from cycles.models import Cycle
    from matching.models import Pairing
    from notices.models import Objection, PublicNotice
    from portal.demo import CURRENT_CYCLE, FIRST_CYCLE, load_demo

    logins = load_demo()
    assert {"city_st", "renhua_st", "nanxiong_st", "huangkeng", "leader", "member", "scau"} <= {u for _l, u, _p in logins}

    first, current = Cycle.objects.get(name=FIRST_CYCLE), Cycle.objects.get(name=CURRENT_CYCLE)
    assert first.status == "closed" and current.status == "open"
    first_pairings = Pairing.objects.filter(cycle=first)
    # Every organized town (city, county and province) had a registered team for the whole first cycle.
    from regions.models import TownClassification

    organized = set(TownClassification.objects.filter(cycle=first, organizing_level__in=("city", "county", "province"))
                    .values_list("town_id", flat=True))
    served = set(first_pairings.filter(status="ended", registered_at__isnull=False).values_list("town_id", flat=True))
    assert organized and organized == served, sorted(organized - served)
    # Replaced twice: the upheld objection's team (2021) and the team a case replaced (2023); both towns' new teams
    # worked to the end of the cycle.
    assert first_pairings.filter(status="replaced").count() == 2
    assert first_pairings.filter(replaces__isnull=False, status="ended").count() == 2
    assert Objection.objects.filter(notice__cycle=first, status="upheld").exists()
    in_period = PublicNotice.objects.filter(cycle=current, status="published", ends_at__gt=timezone.now())
    assert in_period.count() == 1
    assert set(Pairing.objects.filter(cycle=current).values_list("status", flat=True)) >= {"proposed", "on_notice"}

    assert_agreements_and_projects(first, current)
    assert_reviews_and_funding(first, current)
    assert_fieldwork(first, current)
    assert_oversight(first, current)
    assert_units_and_coordination(first)

    empty = []
    for url, usernames in PAGES.items():
        for username in usernames:
            client.force_login(User.objects.get(username=username))
            response = client.get(url)
            assert response.status_code == 200, (url, username, response.status_code)
            if rows(response) == 0:
                empty.append("%s as %s" % (url, username))
            client.logout()
    assert not empty, "list pages without rows: %s" % ", ".join(empty)


def assert_agreements_and_projects(first, current):
    """Every working pairing of the first cycle has its confirmed agreement and one or two accepted projects on its
    town's needs, budgets adding up; the story's exceptions are there; the current cycle's province team is at work."""
    from decimal import Decimal

    from core.models import Transition
    from core.scoping import restrict
    from matching.models import Pairing
    from projects.models import Agreement, Project, ProjectChange

    # The pairings that worked: ended with the cycle, or replaced by a decided case (调整更换) after their registration.
    worked = Pairing.objects.filter(cycle=first, status__in=("ended", "replaced"), registered_at__isnull=False)
    agreements = Agreement.objects.filter(cycle=first)
    assert set(agreements.values_list("pairing_id", flat=True)) == set(worked.values_list("pk", flat=True))
    assert set(agreements.values_list("status", flat=True)) == {"confirmed"}
    assert all(a.signed_scan and a.signed_on for a in agreements)
    late = [a for a in agreements if a.is_late]
    assert 1 <= len(late) <= 10, len(late)
    assert Transition.objects.filter(content_type__model="agreement", action="return").count() == 1
    projects = Project.objects.filter(cycle=first).prefetch_related("budget_lines", "needs", "years", "members")
    # The team that took a town after a replacement (调整更换, autumn 2023) signed its agreement; it wrote no project.
    from replacements.models import Case

    took_over = Case.objects.filter(new_pairing__isnull=False).values("new_pairing")
    per_pairing = {pk: 0 for pk in worked.exclude(pk__in=took_over).values_list("pk", flat=True)}
    for project in projects:
        per_pairing[project.pairing_id] += 1
        assert project.status in ("accepted", "approved", "rejected")
        assert Decimal("50000") <= project.total_budget <= Decimal("330000")
        assert sum(line.amount for line in project.budget_lines.all()) == project.total_budget
        assert 2 <= len(project.budget_lines.all()) <= 4 and 2 <= len(project.members.all()) <= 3
        assert {need.town_id for need in project.needs.all()} == {project.town_id}
        assert [y.year for y in project.years.all()] == list(range(project.start_date.year, project.end_date.year + 1))
    assert set(per_pairing.values()) == {1, 2}
    assert 1 <= projects.filter(late=True).count() <= 10
    assert Transition.objects.filter(content_type__model="project", action="return").count() == 1
    assert sorted(ProjectChange.objects.values_list("status", flat=True)) == ["approved", "rejected"]
    assert projects.filter(version=2).count() == 1
    # The current cycle: the province's team in 隘子镇 has its agreement signed (awaiting the town) and a draft project;
    # its teams in the two other towns have their agreements confirmed, three projects under review and one accepted
    # awaiting the city's review (待论证项目).
    assert sorted(Agreement.objects.filter(cycle=current).values_list("status", flat=True)) == [
        "confirmed", "confirmed", "signed"]
    assert sorted(Project.objects.filter(cycle=current).values_list("status", flat=True)) == [
        "accepted", "accepted", "accepted", "approved", "draft"]
    assert Project.objects.filter(cycle=current, status="accepted", review__isnull=True).count() == 1
    assert Project.objects.get(cycle=current, status="draft").town.name == "隘子镇"
    # Scoped: the city, a county, a town and a first-cycle leader each see theirs.
    from accounts.models import User

    for username in ("city_st", "renhua_st", "huangkeng"):
        user = User.objects.get(username=username)
        assert restrict(Agreement.objects.all(), user).exists() and restrict(Project.objects.all(), user).exists()
    leader = User.objects.get(username="tp2021_001")
    assert set(restrict(Project.objects.all(), leader).values_list("team_id", flat=True)) == {leader.team_id}


def assert_reviews_and_funding(first, current):
    """The expert review and funding: the pools, the first cycle's reviews decided and funded in two tranches within
    the yearly envelopes, the current cycle's reviews at three steps with the demo ``expert`` yet to score."""
    from decimal import Decimal

    from django.db.models import Count

    from accounts.models import User
    from core.scoping import restrict
    from projects.models import Project
    from reviews.models import Expert, Relation, Review, ReviewRule, ReviewSeat
    from reviews.selectors import envelopes_with_figures, grants_with_figures, score_sheet

    # Pools: the city's 12 (one away), 仁化县's 5, 南雄市's 4, each with an account; one declared relation (and the
    # one the withdrawing expert declared); 乳源 decides in a single step in the first cycle.
    assert Expert.objects.filter(organizer_level="city").count() == 12
    assert sorted(Expert.objects.filter(organizer_level="county").values_list("county__name", flat=True).annotate(
        n=Count("pk")).values_list("county__name", "n")) == [("仁化县", 5), ("南雄市", 4)]
    assert not Expert.objects.filter(user__isnull=True).exists()
    assert Expert.objects.filter(available=False).count() == 1
    assert Relation.objects.count() == 2
    assert list(ReviewRule.objects.values_list("cycle", "county__name", "mode")) == [(first.pk, "乳源瑶族自治县", "single")]
    expert = User.objects.get(username="expert")
    assert expert.expert_profile.name == expert.full_name == "曾德明"

    # First cycle: every city- and province-organized project and 仁化县's, 南雄市's and 乳源's reviewed and decided.
    reviews = Review.objects.filter(cycle=first)
    statuses = dict(reviews.values_list("status").annotate(n=Count("pk")))
    assert statuses["approved"] > 40 and statuses["approved_changes"] == 1 and statuses["rejected"] == 1, statuses
    assert set(statuses) == {"approved", "approved_changes", "rejected"}
    reviewed = Project.objects.filter(cycle=first).exclude(organizer_level="county") | Project.objects.filter(
        cycle=first, town__county__name__in=("仁化县", "南雄市", "乳源瑶族自治县"))
    assert set(reviews.values_list("project", flat=True)) == set(reviewed.values_list("pk", flat=True))
    assert set(reviews.filter(mode="single").values_list("town__county__name", flat=True)) == {"乳源瑶族自治县"}
    assert not reviews.filter(mode="panel").annotate(n=Count("seats")).filter(n__lt=3).exists()
    seats = ReviewSeat.objects.filter(review__cycle=first)
    assert dict(seats.values_list("status").annotate(n=Count("pk"))) == {
        "submitted": 3 * reviews.filter(mode="panel").count(), "declined": 1}
    outliers = [review for review in reviews.filter(mode="panel") if score_sheet(review)["outliers"]]
    assert len(outliers) == 1
    for review in reviews.exclude(status="rejected"):
        assert Decimal("0") < review.approved_amount <= review.project.total_budget
    assert {review.project.status for review in reviews} == {"approved", "rejected"}

    # Funding: every approved review funded by its selecting organizer, in two tranches with vouchers, within the
    # approved amount and the funder's envelope of 2022 or 2023.
    from reviews.models import Disbursement, Envelope, Grant

    grants = grants_with_figures(Grant.objects.filter(cycle=first).select_related("review", "town__county"))
    assert grants.count() == reviews.exclude(status="rejected").count()
    for grant in grants:
        assert grant.amount <= grant.review.approved_amount and grant.disbursed == grant.amount
        assert grant.undisbursed == 0 and grant.disbursements.count() == 2
        assert (grant.organizer_level, grant.county_id) == (
            ("county", grant.town.county_id) if grant.review.organizer_level == "county" else ("city", None))
        assert {grant.fiscal_year} <= {2022, 2023}
    assert all(d.voucher.read().rstrip().endswith(b"%%EOF") for d in Disbursement.objects.all()[:3])
    envelopes = list(envelopes_with_figures(Envelope.objects.filter(fiscal_year__in=(2022, 2023))))
    assert {(e.organizer_level, e.county.name if e.county else "", e.fiscal_year) for e in envelopes} >= {
        ("city", "", 2022), ("city", "", 2023), ("county", "仁化县", 2022), ("county", "乳源瑶族自治县", 2022)}
    assert all(0 < e.committed <= e.budgeted and e.disbursed == e.committed for e in envelopes)
    assert sum(e.committed for e in envelopes) == sum(g.amount for g in grants)

    # Current cycle: one approved awaiting its grant (the year's envelope is set), one scored awaiting the decision,
    # one being scored: the demo expert assigned and yet to score, one expert submitted.
    current_reviews = Review.objects.filter(cycle=current)
    assert sorted(current_reviews.values_list("status", flat=True)) == ["approved", "scored", "scoring"]
    assert not Grant.objects.filter(cycle=current).exists()
    assert Envelope.objects.filter(organizer_level="city", fiscal_year__gte=2025).exists()
    scoring = current_reviews.get(status="scoring")
    assert sorted(scoring.seats.values_list("status", flat=True)) == ["assigned", "assigned", "submitted"]
    mine = ReviewSeat.objects.get(expert__user=expert, review__cycle=current)
    assert mine.review_id == scoring.pk and mine.status == "assigned"
    assert restrict(Project.objects.all(), expert).filter(pk=scoring.project_id).exists()


def assert_fieldwork(first, current):
    """Three years of field work in the first cycle (the day count near the requirement for most teams, a few short;
    cross-town work; tasks, conditions, requests; the monitor's flags all closed with the pairings), 黄坑镇's photos
    processed, and the current cycle's teams at work at every step."""
    from collections import Counter

    from django.contrib.contenttypes.models import ContentType

    from accounts.models import User
    from core.models import Transition
    from core.scoping import restrict
    from fieldwork import selectors
    from fieldwork.models import Activity, ActivityPhoto, ConditionRequest, Flag, Stay, Task, WorkingConditions
    from matching.models import Pairing

    from replacements.models import Case

    worked = set(Pairing.objects.filter(cycle=first, status__in=("ended", "replaced"), registered_at__isnull=False)
                 .values_list("team_id", flat=True))
    activities = Activity.objects.filter(cycle=first)
    assert set(activities.values_list("team_id", flat=True)) == worked
    assert set(activities.values_list("status", flat=True)) == {"confirmed"}
    assert set(activities.values_list("service_type", flat=True)) == {
        "guidance", "training", "transfer", "entrepreneurship", "policy", "planning"}
    # The teams of a replacement (调整更换) worked part of the cycle each: the old one until spring 2023, the new one
    # from autumn 2023.
    parted = set(Case.objects.filter(cycle=first, decision="replacement").values_list("team_id", flat=True)) | set(
        Case.objects.filter(cycle=first, new_pairing__isnull=False).values_list("new_pairing__team_id", flat=True))
    assert parted and all(activities.filter(team_id=team).count() >= 8 for team in parted)
    per_team = Counter(activities.exclude(team_id__in=parted).values_list("team_id", flat=True))
    assert 20 <= min(per_team.values()) and max(per_team.values()) <= 45, per_team.most_common(1)
    assert activities.filter(cross_town=True).exists() and Stay.objects.filter(cycle=first, cross_town=True).exists()
    assert not activities.filter(date__gt=first.end_date).exists()
    days = selectors.stationed_days(first)
    counted = [days[team].counted(first) for team in worked]
    assert sum(c >= first.required_stationed_days for c in counted) >= 0.8 * len(counted)
    assert any(c < first.required_stationed_days for c in counted)
    # Each record's transitions: logged by the team, confirmed by the town where it happened (some queried first).
    kind = ContentType.objects.get_for_model(Activity)
    confirms = Transition.objects.filter(content_type=kind, action="confirm")
    assert confirms.count() == Activity.objects.filter(status="confirmed").count()
    assert Transition.objects.filter(content_type=kind, action="query").exists()
    tasks = Counter(Task.objects.filter(cycle=first).values_list("status", flat=True))
    assert set(tasks) == {"done", "cancelled"} and tasks["done"] > 10 * tasks["cancelled"]
    assert set(ConditionRequest.objects.filter(cycle=first).values_list("status", flat=True)) == {"closed"}
    assert WorkingConditions.objects.filter(cycle=first).count() >= 10
    flags = Flag.objects.filter(cycle=first)
    assert flags.filter(kind="pace").exists() and set(flags.values_list("status", flat=True)) == {"closed"}
    # 黄坑镇's photos: resized, EXIF read, one taken before the day marked, one without EXIF accepted.
    photos = ActivityPhoto.objects.filter(activity__cycle=first)
    assert photos.count() >= 5 and not photos.filter(processed=False).exists()
    assert photos.filter(taken_early=True).exists() and photos.filter(has_exif=False).exists()
    huangkeng = User.objects.get(username="huangkeng")
    assert restrict(Activity.objects.all(), huangkeng).filter(photos__isnull=False).exists()

    # The current cycle: the province's teams at work.
    assert set(Activity.objects.filter(cycle=current).values_list("status", flat=True)) == {
        "confirmed", "submitted", "queried"}
    stays = Stay.objects.filter(cycle=current)
    assert {"confirmed", "submitted"} == set(stays.values_list("status", flat=True))
    assert stays.filter(cross_town=True, status="confirmed").exists()
    assert {"open", "done"} <= set(Task.objects.filter(cycle=current).values_list("status", flat=True))
    assert selectors.overdue_tasks(Task.objects.filter(cycle=current)).exists()
    assert {"open", "answered"} <= set(ConditionRequest.objects.filter(cycle=current).values_list("status", flat=True))
    assert set(Flag.objects.filter(cycle=current, status="open").values_list("kind", flat=True)) >= {
        "tasks_overdue", "noncooperation"}
    assert not ActivityPhoto.objects.filter(processed=False).exists()


def assert_oversight(first, current):
    """调整更换: in the first cycle a case decided as a replacement (the old pairing 已更换 on the case's date with its
    figures kept, its funding stopped, the alternate noticed, registered and at work, then ended with the cycle), a
    warning and a member change registered by the city and the province; every first-cycle pairing's figures kept by
    the end of the cycle (the system's step). The current cycle: one case awaiting the team's answer, one answered."""
    from accounts.models import User
    from core.models import Transition
    from core.scoping import restrict
    from matching.models import Pairing
    from replacements.models import Case, MemberChange, PairingFigures

    replaced = Case.objects.get(cycle=first, decision="replacement")
    assert replaced.status == "decided" and replaced.cause == "noncooperation" and replaced.answer
    assert replaced.flags.exists() and replaced.evidence["noncooperation_reports"] >= 1
    old = replaced.pairing
    assert old.status == "replaced" and old.ended_on == replaced.end_date
    assert PairingFigures.objects.get(pairing=old).outcome == "replaced"
    new = Pairing.objects.get(pk=replaced.new_pairing_id)
    assert new.replaces_id == old.pk and new.registered_at and new.status == "ended"
    assert new.notice_entries.filter(outcome="cleared").exists()
    assert new.agreement.status == "confirmed"
    assert Case.objects.filter(cycle=first, decision="warning", status="decided").count() == 1
    assert MemberChange.objects.filter(cycle=first, status="registered").count() == 1
    ended = Pairing.objects.filter(cycle=first, status="ended")
    assert PairingFigures.objects.filter(pairing__in=ended, outcome="ended").count() == ended.count()
    assert not Transition.objects.filter(content_type__model="pairing", action="end", object_id__in=[
        str(pk) for pk in ended.values_list("pk", flat=True)]).exclude(actor__isnull=True).exists()
    # Current cycle: 坪石镇's team has a case awaiting its answer (its leader sees it), 大布镇's answered.
    assert sorted(Case.objects.filter(cycle=current).values_list("status", flat=True)) == ["answered", "open"]
    waiting = Case.objects.get(cycle=current, status="open")
    leader = User.objects.get(role="team_leader", team=waiting.team)
    assert restrict(Case.objects.all(), leader).filter(pk=waiting.pk).exists()
    assert not restrict(Case.objects.all(), User.objects.get(username="renhua_st")).filter(cycle=current).exists()


def assert_units_and_coordination(first):
    """派出单位考评奖励、培训交流: scau, sgu and zhku graded and submitted their served people for 2022–2024 while the
    first cycle was open (mostly 合格, some 优秀, one 基本合格), recorded rewards and trainings (one with a PDF).
    协调指导小组: the city's group with its members (the liaison is ``city_st``), meetings with a minutes PDF, items done,
    one overdue and one open; 仁化县's and 南雄市's mechanisms."""
    from django.db.models import Count

    from accounts.models import User
    from coordination.models import FollowUp, Group, MeetingDocument
    from coordination.selectors import overdue
    from core.scoping import restrict
    from evaluations.models import Evaluation, Reward, Training, TrainingMaterial

    scau = User.objects.get(username="scau")
    for year in (2022, 2023, 2024):
        mine = Evaluation.objects.filter(unit_id=scau.unit_id, year=year)
        assert mine.exists() and not mine.exclude(status="submitted").exists(), year
        assert mine.filter(figures__days__gt=0).exists(), year
    evaluations = Evaluation.objects.filter(cycle=first)
    assert set(evaluations.values_list("unit__name", flat=True)) == {"华南农业大学", "韶关学院", "仲恺农业工程学院"}
    grades = dict(evaluations.values_list("grade").annotate(n=Count("pk")).order_by())
    assert grades["basic"] == 1 and grades["pass"] > grades["excellent"] > 0 and "fail" not in grades
    assert not evaluations.filter(pairing__isnull=True).exists()
    assert evaluations.filter(submitted_at__year=2023).exists()
    # The organizers read the submitted evaluations of their towns' people.
    assert restrict(Evaluation.objects.all(), User.objects.get(username="city_st")).exists()
    assert Reward.objects.count() == 3 and Reward.objects.filter(level="city").count() == 2
    assert Reward.objects.exclude(document="").count() == 1
    trainings = Training.objects.annotate(n=Count("attendees"))
    assert trainings.count() == 5 and not trainings.filter(n=0).exists()
    assert TrainingMaterial.objects.count() == 1

    city = Group.objects.get(level="city")
    assert city.name == "韶关市农村科技特派员驻镇帮镇扶村工作协调指导小组"
    assert set(city.members.values_list("role_in_group", flat=True)) == {"leader", "deputy", "member", "liaison"}
    assert city.members.get(role_in_group="liaison").user.username == "city_st"
    assert city.meetings.count() == 4 and MeetingDocument.objects.filter(meeting__group=city).count() == 2
    items = FollowUp.objects.filter(group=city)
    assert items.filter(status="done").count() == 5
    assert overdue(items).count() == 1 and items.filter(status="open").count() == 2
    assert set(Group.objects.filter(level="county").values_list("county__code", flat=True)) == {"440224", "440282"}
    renhua = User.objects.get(username="renhua_st")
    assert set(restrict(Group.objects.all(), renhua).values_list("level", flat=True)) == {"county"}
