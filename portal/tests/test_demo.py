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
    assert first_pairings.filter(status="replaced").count() == 1
    assert first_pairings.filter(replaces__isnull=False, status="ended").count() == 1
    assert Objection.objects.filter(notice__cycle=first, status="upheld").exists()
    in_period = PublicNotice.objects.filter(cycle=current, status="published", ends_at__gt=timezone.now())
    assert in_period.count() == 1
    assert set(Pairing.objects.filter(cycle=current).values_list("status", flat=True)) >= {"proposed", "on_notice"}

    assert_agreements_and_projects(first, current)

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

    worked = Pairing.objects.filter(cycle=first, status="ended", registered_at__isnull=False)
    agreements = Agreement.objects.filter(cycle=first)
    assert set(agreements.values_list("pairing_id", flat=True)) == set(worked.values_list("pk", flat=True))
    assert set(agreements.values_list("status", flat=True)) == {"confirmed"}
    assert all(a.signed_scan and a.signed_on for a in agreements)
    late = [a for a in agreements if a.is_late]
    assert 1 <= len(late) <= 10, len(late)
    assert Transition.objects.filter(content_type__model="agreement", action="return").count() == 1
    projects = Project.objects.filter(cycle=first).prefetch_related("budget_lines", "needs", "years", "members")
    per_pairing = {pk: 0 for pk in worked.values_list("pk", flat=True)}
    for project in projects:
        per_pairing[project.pairing_id] += 1
        assert project.status == "accepted"
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
    # The current cycle: the province's team has its agreement signed (awaiting the town) and a draft project.
    assert list(Agreement.objects.filter(cycle=current).values_list("status", flat=True)) == ["signed"]
    assert list(Project.objects.filter(cycle=current).values_list("status", flat=True)) == ["draft"]
    # Scoped: the city, a county, a town and a first-cycle leader each see theirs.
    from accounts.models import User

    for username in ("city_st", "renhua_st", "huangkeng"):
        user = User.objects.get(username=username)
        assert restrict(Agreement.objects.all(), user).exists() and restrict(Project.objects.all(), user).exists()
    leader = User.objects.get(username="tp2021_001")
    assert set(restrict(Project.objects.all(), leader).values_list("team_id", flat=True)) == {leader.team_id}
