"""Landing page, home dashboard, city overview and inbox (the portal, the top layer)."""
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from core.roles import Role, is_system_admin
from accounts.services import notifications_mark_read
from core.dashboard import EMPTY_TEXT, todo_for
from core.scoping import restrict
from cycles.models import Cycle
from cycles.selectors import current_cycle
from matching.engine.service_types import SERVICE_TYPES  # the one list of service types
from regions.choices import OrganizingLevel, TownClass
from regions.models import City, County, TownClassification
from regions.selectors import sees_several_cities


def landing(request):
    """Public page of the programme (no login); later issues add open calls and notices."""
    from core.public import public_sections

    return render(request, "portal/landing.html", {"service_types": SERVICE_TYPES, "sections": public_sections(),
                                                 "cycle": Cycle.current()})


@login_required
def home(request):
    """What this user must do next, the cycle's deadlines, and for officials the overview."""
    user = request.user
    cycle = current_cycle(request)
    items = todo_for(user, cycle)
    days_left = (cycle.dispatch_deadline - timezone.localdate()).days if cycle else None
    role = Role.ADMIN if is_system_admin(user) else user.role
    context = {
        "title": "工作台",
        "cycle": cycle,
        "items": items,
        "empty_text": EMPTY_TEXT.get(role, "目前没有待办事项。"),
        "days_left": days_left,
        "overview": city_overview(user, cycle) if role in {Role.ADMIN, Role.CITY_ST, Role.CITY_RURAL, Role.PROVINCE,
                                                            Role.COUNTY_ST, Role.COUNTY_RURAL} else None,
        "notifications": user.notifications.all()[:5],
        "town_pairing": _town_pairing(user, cycle) if role == Role.TOWN else None,
    }
    return render(request, "portal/home.html", context)


def _town_pairing(user, cycle):
    """The town's team: who, their state and what comes next. Phones are shown to the town of an active pairing (it
    must be able to call its team), each unmasked view logged; otherwise masked."""
    from core.china import mask_phone
    from matching.choices import PairingStatus
    from matching.selectors import town_pairing
    from teams.selectors import log_unmasked

    pairing = town_pairing(user.town_id, cycle)
    if pairing is None:
        return None
    active = pairing.status == PairingStatus.ACTIVE
    for membership in pairing.people:
        person = membership.commissioner
        membership.phone_shown = person.phone if active else mask_phone(person.phone)
        if active and person.phone:
            log_unmasked(user=user, commissioner=person, field="phone", purpose="镇工作台查看结对团队")
    return pairing


def city_overview(user, cycle) -> dict | None:
    """Counties (or, for whoever sees several cities, cities) × towns by class and organizing level, counted in the
    database, within the user's scope. A province's table has a row per city, not 120 rows of counties: its size
    does not grow with the towns below."""
    if cycle is None:
        return None
    by_city = sees_several_cities(user)
    group = "town__county__city_id" if by_city else "town__county_id"
    rows = (
        restrict(TownClassification.objects.filter(cycle=cycle), user)
        .values(group, "town_class", "organizing_level")
        .annotate(n=Count("pk"))
    )
    counties = list(restrict(City.objects.all() if by_city else County.objects.all(), user).order_by("code"))
    columns = [("class", value, label) for value, label in TownClass.choices if value != "none"] + [
        ("level", value, label) for value, label in OrganizingLevel.choices if value != "none"
    ]
    table = {county.pk: {"county": county, "cells": {key: 0 for key in columns}, "total": 0} for county in counties}
    for row in rows:
        entry = table.get(row[group])
        if entry is None:
            continue
        entry["total"] += row["n"]
        for key in columns:
            if (key[0] == "class" and key[1] == row["town_class"]) or (key[0] == "level" and key[1] == row["organizing_level"]):
                entry["cells"][key] += row["n"]
    body = [{"county": e["county"], "cells": [e["cells"][k] for k in columns], "total": e["total"]} for e in table.values()]
    totals = [sum(e["cells"][i] for e in body) for i in range(len(columns))]
    return {"columns": [label for _kind, _value, label in columns], "keys": columns, "rows": body, "totals": totals,
            "total": sum(e["total"] for e in body), "by_city": by_city}


@login_required
def overview(request):
    cycle = current_cycle(request)
    return render(request, "portal/overview.html", {
        "title": "全市概览", "breadcrumbs": [("全市概览", None)], "cycle": cycle,
        "cycles": Cycle.objects.all(), "overview": city_overview(request.user, cycle),
    })


@login_required
def inbox(request):
    """The user's notifications, newest first, paginated."""
    from django.core.paginator import Paginator

    page = Paginator(request.user.notifications.all(), 20).get_page(request.GET.get("page"))
    return render(request, "portal/inbox.html", {"title": "站内通知", "breadcrumbs": [("站内通知", None)], "page": page})


@login_required
@require_POST
def inbox_mark_read(request):
    ids = request.POST.getlist("id") or None
    notifications_mark_read(user=request.user, ids=ids)
    return redirect("portal:inbox")
