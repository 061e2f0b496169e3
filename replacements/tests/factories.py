"""Test data for adjustment and replacement (调整更换): 柑橘团队 (world.team) active in 董塘镇 (仁化县, county-organized,
so ``renhua_st`` is its organizer) with its three people (``leader`` and ``member`` are the first two's accounts), an
alternate team kept on the pairing (蔬菜团队, 韶关学院), and helpers that open, answer and decide a case.

    cw = case_world(world)            # or: pairing, people, alternate = case_world(world)
    case = open_case(world)           # opened by renhua_st against cw.pairing
"""
from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from django.core.files.uploadedfile import SimpleUploadedFile

from fieldwork.tests.factories import day, field_pairing
from matching.models import Pairing
from portal.testing import CYCLE_YEAR
from teams.models import Team

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ALTERNATE_NAME = "蔬菜团队"


class CaseWorld(NamedTuple):
    pairing: Pairing
    people: list
    alternate: Team


def case_world(world, *, town=None, team=None) -> CaseWorld:
    """An active pairing of world.team (unless ``team``) in 董塘镇 (unless ``town``) with its people, and one
    alternate team kept on the pairing (the pairing has no round, so ``candidates()`` reads only
    ``pairing.alternates``)."""
    pairing, people = field_pairing(world, town=town, team=team)
    alternate = Team.objects.filter(cycle=world.cycle, name=ALTERNATE_NAME).first() or Team.objects.create(
        cycle=world.cycle, name=ALTERNATE_NAME, lead_unit=world.other_unit, leader_name="李明")
    pairing.alternates = [{"team_id": alternate.pk, "team_name": alternate.name, "score": 0.8}]
    pairing.save(update_fields=["alternates"])
    return CaseWorld(pairing, people, alternate)


def the_pairing(world) -> Pairing:
    """world.team's working pairing (the one case_world made)."""
    return Pairing.objects.filter(team=world.team, status__in=("registered", "active")).order_by("-pk").first()


def pdf_file(name="答复材料.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def case_values(**overrides) -> dict:
    values = {"cause": "no_work", "summary": "连续两个月未开展服务活动，驻镇天数明显不足。"}
    values.update(overrides)
    return values


def open_case(world, *, pairing=None, actor="renhua_st", **overrides):
    """A case opened by the organizer (``renhua_st`` for 董塘镇) against ``pairing`` (default: world.team's)."""
    from replacements import services

    pairing = pairing or the_pairing(world) or case_world(world).pairing
    return services.case_open(actor=world[actor], pairing=pairing, **case_values(**overrides))


def answer_case(world, case, *, actor="leader", answer="本团队已制定整改计划，下月起每周驻镇三天。", files=()):
    from replacements import services

    return services.case_answer(actor=world[actor], case=case, answer=answer, files=files)


def let_deadline_pass(case):
    """The answer deadline has passed (a decision waits for the answer or the deadline): returns the case."""
    from django.utils import timezone

    from replacements.models import Case

    Case.objects.filter(pk=case.pk).update(answer_due=timezone.localdate() - dt.timedelta(days=1))
    case.refresh_from_db()
    return case


def end_date() -> dt.date:
    """A valid end date for a replacement of a case_world pairing (after its start on CYCLE_YEAR-01-10)."""
    return day(6, 30)


def decide_replacement(world, case, *, actor="renhua_st", alternate=None, **overrides):
    """Replace the team with the alternate (or, with ``via_new_call=True``, leave the town to a new call)."""
    from replacements import services

    values = {"decision": "replacement", "reason": "经调查核实，团队未实际开展科技帮扶活动。",
              "doc_number": "仁科〔%d〕8号" % (CYCLE_YEAR + 1), "end_date": end_date()}
    if not overrides.get("via_new_call"):
        alt = alternate or Team.objects.get(cycle=world.cycle, name=ALTERNATE_NAME)
        values["new_team"] = alt.pk
    values.update(overrides)
    return services.case_decide(actor=world[actor], case=let_deadline_pass(case), **values)


def decide_warning(world, case, *, actor="renhua_st", **overrides):
    from replacements import services

    values = {"decision": "warning", "reason": "团队驻镇时间不足，予以警示提醒。", "doc_number": "仁科〔%d〕9号" % (
        CYCLE_YEAR + 1)}
    values.update(overrides)
    return services.case_decide(actor=world[actor], case=let_deadline_pass(case), **values)


def change_values(world, cw: CaseWorld, **overrides) -> dict:
    """A member change: the third person leaves and a new registered commissioner joins (keeps the size)."""
    from teams.tests.factories import make_commissioner

    joining = make_commissioner(world.unit, name="新成员甲")
    values = {"pairing": cw.pairing, "leaving": cw.people[2].pk, "joining_id_number": joining.id_number,
              "joining_name": joining.name, "joining_phone": joining.phone, "effective_date": day(5, 1),
              "reason": "原成员因工作调动无法继续驻镇。"}
    values.update(overrides)
    return values


def record_change(world, cw: CaseWorld, *, actor="renhua_st", **overrides):
    from replacements import services

    return services.member_change_record(actor=world[actor], **change_values(world, cw, **overrides))


def case_world_with_grant(world, *, amount="60000"):
    """As :func:`case_world`, but the pairing has a project approved and funded by 仁化县 (a grant still open):
    (CaseWorld, grant). Slower (the whole expert review): use it only where the funding matters."""
    from reviews import services as reviews
    from reviews.tests.factories import approved_review, grant_values

    review, project = approved_review(world, town=world.renhua_county_town, actor="renhua_st", amount=amount)
    pairing = project.pairing
    from teams.models import TeamMembership

    people = [m.commissioner for m in TeamMembership.objects.filter(team=world.team).select_related("commissioner")
              .order_by("pk")]
    alternate = Team.objects.filter(cycle=world.cycle, name=ALTERNATE_NAME).first() or Team.objects.create(
        cycle=world.cycle, name=ALTERNATE_NAME, lead_unit=world.other_unit, leader_name="李明")
    pairing.alternates = [{"team_id": alternate.pk, "team_name": alternate.name, "score": 0.8}]
    pairing.save(update_fields=["alternates"])
    reviews.envelope_save(actor=world["renhua_st"], values={"fiscal_year": 2026, "budgeted": "500000"})
    grant = reviews.grant_create(actor=world["renhua_st"], review=review, values=grant_values(
        project_number="KTP-RH-1", amount=amount, budget_source="county"))
    return CaseWorld(pairing, people, alternate), grant
