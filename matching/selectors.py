"""Reads for selection: the engine's inputs from a round, and what a run's result means for the page."""
from __future__ import annotations

from django.db.models import Case, CharField, F, Value, When
from django.utils import timezone

from matching.choices import LIVE_PAIRING_STATES, PairingStatus
from matching.engine import Need as EngineNeed
from matching.engine import Team as EngineTeam
from matching.models import Pairing, SelectionRound, SelectionRun
from needs.choices import SERVICE_LABELS
from needs.selectors import confirmed_needs_for_towns


# The state a pairing reads as before the scheduled job records it: (stored state, reads as, condition(now)), added by
# the apps that know the condition (notices: on a notice whose period ended with no open objection → 公示无异议).
# Reading never writes: pages show this, the scheduled job records the move.
EFFECTIVE_RULES: list = []


def with_effective_status(queryset, now=None):
    """Pairings annotated with ``current_status``, their effective state (one expression, no query per row)."""
    now = now or timezone.now()
    whens = [When(condition(now), status=state, then=Value(reads_as)) for state, reads_as, condition in EFFECTIVE_RULES]
    if not whens:
        return queryset.annotate(current_status=F("status"))
    return queryset.annotate(current_status=Case(*whens, default=F("status"), output_field=CharField()))


def effective_status(pairing, now=None) -> str:
    """The pairing's state now (see :data:`EFFECTIVE_RULES`); uses the annotation when the row has it."""
    known = getattr(pairing, "current_status", None)
    if known is not None:
        return known
    if pairing.pk is None or not EFFECTIVE_RULES:
        return pairing.status
    return (with_effective_status(Pairing.objects.filter(pk=pairing.pk), now)
            .values_list("current_status", flat=True).first() or pairing.status)


def effective_status_label(pairing, now=None) -> str:
    return PairingStatus(effective_status(pairing, now)).label


def live_pairings(cycle):
    return Pairing.objects.filter(cycle=cycle, status__in=LIVE_PAIRING_STATES)


def round_inputs(selection_round: SelectionRound) -> dict:
    """What the engine sees: the call's towns not yet paired, their confirmed needs, and the accepted teams not yet paired.

    Returned as plain data (kept on the run so that any two runs can be compared later).
    """
    from calls.choices import ApplicationStatus
    from calls.models import Application

    call, cycle = selection_round.call, selection_round.cycle
    paired = live_pairings(cycle).exclude(round=selection_round)
    paired_towns = set(paired.values_list("town_id", flat=True))
    paired_teams = set(paired.values_list("team_id", flat=True))
    towns = [town for town in call.towns.select_related("county").order_by("code") if town.pk not in paired_towns]
    town_codes = {town.pk: town.code for town in towns}
    needs = []
    for need in confirmed_needs_for_towns(cycle=cycle, towns=towns):
        needs.append({"town_code": need.town.code, "town_name": need.town.name, "need_id": need.pk,
                      "title": need.title, "description": need.description, "industry": need.category.name,
                      "service_types": [str(SERVICE_LABELS.get(v, v)) for v in need.service_types]})
    teams, skipped = [], []
    applications = (Application.objects.filter(call=call, status=ApplicationStatus.ACCEPTED)
                    .select_related("team", "team__lead_unit")
                    .prefetch_related("towns", "team__memberships__commissioner"))
    for application in applications:
        team = application.team
        if team.pk in paired_teams:
            skipped.append({"team_id": str(team.pk), "team_name": team.name, "reason": "本周期已与其他镇结对"})
            continue
        ranked = sorted(application.towns.all(), key=lambda row: row.rank)
        preferred = [town_codes[row.town_id] for row in ranked if row.town_id in town_codes]
        if ranked and not preferred:
            skipped.append({"team_id": str(team.pk), "team_name": team.name, "reason": "志愿镇均已结对"})
            continue
        prior = [town_codes[row.town_id] for row in ranked if row.town_id in town_codes
                 and (row.visits or row.years or (row.past_projects or "").strip())]
        members = [m.commissioner for m in team.memberships.all()]
        teams.append({
            "team_id": str(team.pk), "name": team.name, "unit": team.lead_unit.name,
            "specialties": "、".join(filter(None, [m.specialty for m in members] + [m.expertise_keywords for m in members])),
            "summary": "\n".join(filter(None, [team.summary, team.expertise_summary, application.service_plan])),
            "research_directions": team.research_directions,
            "member_fields": "、".join(filter(None, [m.title for m in members])),
            "service_types": [str(SERVICE_LABELS.get(v, v)) for v in team.service_types],
            "preferred_towns": preferred, "prior_towns": prior, "application_id": application.pk,
            "first_choice": preferred[0] if preferred else None,
        })
    town_rows = [{"code": town.code, "name": town.name, "county": town.county.name, "id": town.pk,
                  "has_needs": any(n["town_code"] == town.code for n in needs)} for town in towns]
    return {"towns": town_rows, "needs": needs, "teams": teams, "skipped_teams": skipped,
            "paired_elsewhere_towns": sorted(town_codes.get(pk, "") for pk in paired_towns if pk in town_codes)}


def engine_inputs(inputs: dict) -> tuple[list[EngineNeed], list[EngineTeam]]:
    needs = [EngineNeed(town_code=n["town_code"], town_name=n["town_name"], title=n["title"],
                        description=n["description"], industry=n["industry"], service_types=n["service_types"])
             for n in inputs["needs"]]
    covered = {n["town_code"] for n in inputs["needs"]}
    # A town without confirmed needs still takes part: preference and prior engagement can still place a team.
    for town in inputs["towns"]:
        if town["code"] not in covered:
            needs.append(EngineNeed(town_code=town["code"], town_name=town["name"], title="", description=""))
    teams = [EngineTeam(team_id=t["team_id"], name=t["name"], unit=t["unit"], specialties=t["specialties"],
                        summary=t["summary"], research_directions=t["research_directions"],
                        member_fields=t["member_fields"], service_types=t["service_types"],
                        preferred_towns=t["preferred_towns"], prior_towns=t["prior_towns"])
             for t in inputs["teams"]]
    return needs, teams


def proposal(run: SelectionRun) -> list[dict]:
    """Per town: the proposed team with reasons, the top-5 alternates, the team's own rank, gaps, and why not first choice."""
    if not run.result:
        return []
    inputs = run.inputs
    towns = {t["code"]: t for t in inputs["towns"]}
    teams = {t["team_id"]: t for t in inputs["teams"]}
    assigned = {a["town_code"]: a for a in run.result.get("assignments", [])}
    team_town = {a["team_id"]: a["town_code"] for a in run.result.get("assignments", [])}
    candidates = run.result.get("candidates", {})
    reasons_unassigned = run.result.get("unassigned_reasons", {})
    constraints = {(c["town"], c["team"]): c["kind"] for c in inputs.get("constraints", [])}
    rows = []
    for code, town in towns.items():
        assignment = assigned.get(code)
        row = {"town": town, "assignment": None, "alternates": [], "gap": assignment is None,
               "gap_reason": reasons_unassigned.get(code, "没有符合条件的申报团队")}
        if assignment is None:
            row["gap_teams"] = _gap_teams(code, teams, team_town, towns, constraints)
        if assignment:
            team = teams.get(assignment["team_id"], {})
            rank = team.get("preferred_towns", []).index(code) + 1 if code in team.get("preferred_towns", []) else None
            row["assignment"] = {**assignment, "team": team, "rank": rank,
                                 "constraint": constraints.get((code, assignment["team_id"]))}
            first = team.get("first_choice")
            if first and first != code:
                if row["assignment"]["constraint"] == "lock":
                    row["why_not_first"] = "该团队第一志愿为%s，遴选中已锁定到本镇。" % towns.get(first, {}).get("name", first)
                else:
                    row["why_not_first"] = _why_not_first(first, team, assigned, teams, towns)
        for candidate in candidates.get(code, [])[:5]:
            team = teams.get(candidate["team_id"], {})
            preferred = team.get("preferred_towns", [])
            row["alternates"].append({
                **candidate, "team": team, "rank": preferred.index(code) + 1 if code in preferred else None,
                "placed_at": towns.get(team_town.get(candidate["team_id"]), {}).get("name"),
                "constraint": constraints.get((code, candidate["team_id"])),
            })
        rows.append(row)
    return rows


def _gap_teams(code: str, teams: dict, team_town: dict, towns: dict, constraints: dict) -> list[str]:
    """For a town left without a team: each team that listed it, and where that team went and why."""
    lines = []
    for team_id, team in teams.items():
        preferred = team.get("preferred_towns", [])
        if code not in preferred:
            continue
        name = team.get("name", team_id)
        rank = preferred.index(code) + 1
        placed = team_town.get(team_id)
        if constraints.get((code, team_id)) == "exclude":
            lines.append("“%s”（第%d志愿）已被排除出本镇" % (name, rank))
        elif placed is None:
            lines.append("“%s”（第%d志愿）未安排" % (name, rank))
        elif constraints.get((placed, team_id)) == "lock":
            lines.append("“%s”（第%d志愿）已锁定到%s" % (name, rank, towns.get(placed, {}).get("name", placed)))
        else:
            lines.append("“%s”（第%d志愿）安排到了%s，整体覆盖更多镇、总分更高"
                         % (name, rank, towns.get(placed, {}).get("name", placed)))
    return lines


def _why_not_first(first: str, team: dict, assigned: dict, teams: dict, towns: dict) -> str:
    town_name = towns.get(first, {}).get("name", first)
    other = assigned.get(first)
    if other is None:
        return "第一志愿%s未安排团队：为使更多镇得到覆盖、总分最高，该团队安排到了本镇。" % town_name
    winner = teams.get(other["team_id"], {}).get("name", other["team_id"])
    return "第一志愿%s已由“%s”结对（该镇得分 %.3f），整体方案总分更高。" % (town_name, winner, other["score"])


def compare(run_a: SelectionRun, run_b: SelectionRun) -> list[dict]:
    """Town by town, the team each run proposes and whether they differ."""
    a = {x["town_code"]: x for x in run_a.result.get("assignments", [])}
    b = {x["town_code"]: x for x in run_b.result.get("assignments", [])}
    names = {t["team_id"]: t["name"] for t in run_a.inputs.get("teams", []) + run_b.inputs.get("teams", [])}
    towns = {t["code"]: t["name"] for t in run_a.inputs.get("towns", []) + run_b.inputs.get("towns", [])}
    rows = []
    for code in sorted(set(a) | set(b) | set(towns)):
        left, right = a.get(code), b.get(code)
        rows.append({
            "town": towns.get(code, code),
            "a": names.get(left["team_id"], left["team_id"]) if left else None, "a_score": left["score"] if left else None,
            "b": names.get(right["team_id"], right["team_id"]) if right else None, "b_score": right["score"] if right else None,
            "changed": (left or {}).get("team_id") != (right or {}).get("team_id"),
        })
    return rows


# What a town is told to do next, by the state of its pairing (the town's home page).
TOWN_NEXT_STEP = {
    "proposed": "已遴选确定拟结对团队，等待组织单位发布公示。",
    "on_notice": "结对名单公示中；公示期满无异议后，由组织单位报送备案。",
    "notice_cleared": "公示无异议，等待组织单位报送备案。",
    "registered": "已备案。请与团队对接，共同制定帮扶计划、签订帮扶协议。",
    "active": "帮扶中。请与团队保持联系，协助团队驻镇开展工作，按时签订帮扶协议。",
}


def town_pairing(town_id, cycle):
    """The town's live pairing in ``cycle`` with its team, lead unit and people (leader first), or None."""
    if not town_id or cycle is None:
        return None
    pairing = (with_effective_status(live_pairings(cycle).filter(town_id=town_id))
               .select_related("team", "team__lead_unit", "town").first())
    if pairing is None:
        return None
    pairing.status_shown = PairingStatus(pairing.current_status).label
    pairing.people = list(pairing.team.memberships.select_related("commissioner", "commissioner__unit")
                          .order_by("role", "pk"))  # "leader" before "member"
    pairing.next_step = TOWN_NEXT_STEP.get(pairing.current_status, "")
    return pairing
