"""A town's story (一镇一档) and a team's story (团队履历): every app's events on one time line, newest first.

Each app tells its part through ``<app>/story.py`` (``core.story``); every source reads only what the user may view,
in a bounded number of queries, so a page costs the same whatever the records. The page filters by cycle and by
category and shows the events 50 at a time.
"""
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.scoping import VIEW, get_for_user, restrict
from core.story import CATEGORIES, events_for
from cycles.models import Cycle
from matching.choices import LIVE_PAIRING_STATES
from matching.models import Pairing
from regions.models import Town, TownClassification
from teams.choices import MemberRole
from teams.models import Team, TeamMembership

PAGE_SIZE = 50


@login_required
def town_story(request, pk):
    """一镇一档: the town's whole history across cycles, for whoever may view the town (404 otherwise)."""
    user = request.user
    town = get_for_user(Town.objects.select_related("county"), user, VIEW, pk=pk)
    classifications = list(restrict(TownClassification.objects.filter(town=town), user).select_related("cycle")
                           .order_by("-cycle__start_date"))
    pairing = (restrict(Pairing.objects.filter(town=town, status__in=LIVE_PAIRING_STATES), user)
               .select_related("team", "cycle").order_by("-cycle__start_date", "-pk").first())
    context = {
        "title": str(_("%(town)s履历") % {"town": town.name}),
        "breadcrumbs": [(_("镇（乡、街道）"), reverse("regions:town_list")), (town.name, town.get_absolute_url()),
                        (_("履历"), None)],
        "town": town, "classifications": classifications, "pairing": pairing,
    }
    return _story(request, town, "town", context)


@login_required
def team_story(request, pk):
    """团队履历: the team's history in its cycle, for whoever may view the team (404 otherwise); the same leader's
    teams of other cycles are linked."""
    user = request.user
    team = get_for_user(Team.objects.select_related("lead_unit", "cycle"), user, VIEW, pk=pk)
    leader = (TeamMembership.objects.filter(team=team, role=MemberRole.LEADER).select_related("commissioner")
              .first())
    others = []
    if leader is not None:
        led = TeamMembership.objects.filter(role=MemberRole.LEADER, commissioner_id=leader.commissioner_id)
        others = list(restrict(Team.objects.filter(pk__in=led.values("team_id")).exclude(pk=team.pk), user)
                      .select_related("cycle").order_by("-cycle__start_date"))
    pairings = list(restrict(Pairing.objects.filter(team=team), user).select_related("town", "town__county")
                    .order_by("created_at", "pk"))
    context = {
        "title": str(_("%(team)s履历") % {"team": team.name}),
        "breadcrumbs": [(_("特派员团队"), reverse("teams:team_list")), (team.name, team.get_absolute_url()),
                        (_("履历"), None)],
        "team": team, "leader_name": leader.commissioner.name if leader else team.leader_name,
        "pairings": pairings, "other_teams": others,
    }
    return _story(request, team, "team", context)


def _story(request, subject, kind, context):
    """Filter the events by ``?cycle=`` and ``?category=``, count the chips, and show one page of 50."""
    events = events_for(subject, request.user, kind)
    cycles = list(Cycle.objects.filter(pk__in={e.cycle_id for e in events if e.cycle_id}).order_by("-start_date"))
    cycle = next((c for c in cycles if str(c.pk) == request.GET.get("cycle", "")), None)
    if cycle is not None:
        events = [e for e in events if e.cycle_id == cycle.pk]
    counts = {}
    for event in events:
        counts[event.category] = counts.get(event.category, 0) + 1
    category = request.GET.get("category", "")
    if category in CATEGORIES:
        events = [e for e in events if e.category == category]
    else:
        category = ""
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    for event in page.object_list:
        event.category_label = CATEGORIES.get(event.category, event.category)
    base = {"cycle": cycle.pk} if cycle else {}
    chips = [{"key": "", "label": _("全部"), "count": sum(counts.values()), "url": "?" + urlencode(base),
              "current": not category}]
    chips += [{"key": key, "label": label, "count": counts[key], "current": key == category,
               "url": "?" + urlencode({**base, "category": key})} for key, label in CATEGORIES.items() if key in counts]
    page_query = urlencode({**base, **({"category": category} if category else {})})
    context.update({"kind": kind, "page": page, "cycles": cycles, "cycle": cycle, "category": category,
                    "chips": chips, "page_query": page_query, "total": len(events)})
    return render(request, "portal/story.html", context)
