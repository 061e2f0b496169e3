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
