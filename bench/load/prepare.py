"""Inside the load database (DATABASE_URL): the accounts the load mix signs in with, and the data's size.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h21load_province python bench/load/prepare.py accounts.json

``manage.py load_scale`` makes no dispatching-unit accounts: one is added (idempotently, ``scale_unit_<unit pk>``,
the scale password's hash copied from another scale account) for each of the few units that lead the most teams
of the current cycle. Prints one JSON line: the row counts of the main tables.
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
COUNTED = ("regions.Town", "accounts.User", "needs.Need", "teams.Team", "teams.Commissioner", "calls.Application",
           "matching.Pairing", "projects.Project", "reviews.Review", "fieldwork.Activity", "fieldwork.Stay",
           "core.Transition")
UNITS = 6
SAMPLE = 60  # accounts kept per role (each locust user takes the next one)


def setup():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def counts() -> dict:
    from django.apps import apps

    return {name: apps.get_model(name).objects.count() for name in COUNTED}


def accounts() -> dict:
    from django.db.models import Count

    from accounts.models import User
    from cycles.models import Cycle
    from fieldwork.choices import RecordStatus
    from fieldwork.models import Activity
    from fieldwork.selectors import WORKING_PAIRING_STATES
    from matching.models import Pairing
    from reviews.models import ReviewSeat
    from teams.models import Team
    from units.models import DispatchingUnit

    cycle = Cycle.current()
    working = Pairing.objects.filter(cycle=cycle, status__in=WORKING_PAIRING_STATES)
    town_users = set(User.objects.filter(role="town", is_active=True).values_list("town_id", flat=True))

    # Team leaders of working pairings, those whose town has an account first (the town confirms what they record).
    leaders = list(User.objects.filter(role="team_leader", is_active=True, team__pairings__in=working)
                   .values_list("username", "team__pairings__town_id").order_by("pk"))
    leaders = [name for name, town in leaders if town in town_users] + [name for name, town in leaders
                                                                        if town not in town_users]
    # Towns with a working pairing and activities awaiting them first.
    waiting = set(Activity.objects.filter(status=RecordStatus.SUBMITTED).values_list("town_id", flat=True))
    paired = set(working.values_list("town_id", flat=True))
    towns = list(User.objects.filter(role="town", is_active=True, town_id__in=paired).order_by("pk")
                 .values_list("username", "town_id"))
    towns = [name for name, town in towns if town in waiting] + [name for name, town in towns if town not in waiting]

    # Dispatching units: the ones leading the most teams of the cycle get an account.
    template = User.objects.filter(username__startswith="scale_", is_active=True).order_by("pk").first()
    top = (DispatchingUnit.objects.annotate(n=Count("teams", distinct=True)).order_by("-n", "pk")[:UNITS]
           if hasattr(DispatchingUnit, "teams") else
           DispatchingUnit.objects.filter(pk__in=Team.objects.values("lead_unit")).order_by("pk")[:UNITS])
    units = []
    for unit in top:
        name = "scale_unit_%d" % unit.pk
        if not User.objects.filter(username=name).exists():
            User.objects.create(username=name, role="unit", unit=unit, full_name=unit.name, organization=unit.name,
                                password=template.password, must_change_password=False, is_active=True)
        units.append(name)

    experts = list(User.objects.filter(role="expert", is_active=True,
                                       pk__in=ReviewSeat.objects.values("expert__user_id"))
                   .order_by("pk").values_list("username", flat=True)[:SAMPLE])
    return {
        "province": list(User.objects.filter(role="province", is_active=True).values_list("username", flat=True)),
        "city_st": list(User.objects.filter(role="city_st", is_active=True).order_by("pk")
                        .values_list("username", flat=True)),
        "county_st": list(User.objects.filter(role="county_st", is_active=True).order_by("?")
                          .values_list("username", flat=True)[:SAMPLE]),
        "town": towns[:SAMPLE],
        "team_leader": leaders[:SAMPLE],
        "unit": units,
        "expert": experts,
    }


def main() -> int:
    setup()
    if len(sys.argv) > 1:
        chosen = accounts()
        Path(sys.argv[1]).write_text(json.dumps(chosen, ensure_ascii=False, indent=1), encoding="utf-8")
        print("accounts: " + ", ".join("%s %d" % (role, len(names)) for role, names in chosen.items()), file=sys.stderr)
    print("JSON " + json.dumps(counts()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
