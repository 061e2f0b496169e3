"""Writes on agreements and projects: draft, sign, confirm; write, submit, return, resubmit, accept; change requests.

Every function takes ``actor=``, checks scope and role before it saves (``core.scoping.may_write``; the workflow's
roles), validates the whole record with its lines (nothing is half-saved: one transaction) and tells the next actor.
Money is ``Decimal`` yuan; budget lines add up to the total; a project links only its own town's needs.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import notify
from core.roles import Role, is_system_admin
from core.scoping import CHANGE, can, may_write
from core.workflow import apply_transition, record_creation
from matching.models import Pairing
from needs.choices import NeedStatus
from needs.models import Need
from needs.services import needs_system_move
from projects.choices import (AGREEMENT_EDITABLE, AGREEMENT_WORKFLOW, CHANGE_WORKFLOW, PROJECT_CHANGEABLE, PROJECT_EDITABLE,
                              PROJECT_WORKFLOW, AgreementStatus, BudgetCategory, BudgetSource, ChangeStatus,
                              ProjectStatus)
from projects.models import Agreement, BudgetLine, Project, ProjectChange, ProjectMember, ProjectYear
from projects.selectors import (WORKING_PAIRING_STATES, agreement_due, linkable_needs, project_due, registered_on,
                                team_commissioners)

AGREEMENT_FIELDS = ["town_party", "work_team_party", "term_start", "term_end", "summary", "team_duties",
                    "town_duties", "work_team_duties", "conditions"]
TARGET_FIELDS = ["trainings", "people_trained", "technologies", "varieties", "demo_bases", "demo_area_mu",
                 "households", "enterprises", "income_raised"]
PROJECT_FIELDS = ["title", "objectives", "content", "start_date", "end_date", *TARGET_FIELDS, "total_budget"]
SCAN_KINDS = ("pdf", "jpeg", "png")
MONEY_LIMIT = Decimal("9999999999.99")  # the widest money column; beyond it a figure is a typing error


# ------------------------------------------------------------------------------------------------ who is told
def _active(users):
    return list(users.filter(is_active=True))


def town_users(town_id):
    return _active(User.objects.filter(role=Role.TOWN, town_id=town_id))


def team_leaders(team_id):
    return _active(User.objects.filter(role=Role.TEAM_LEADER, team_id=team_id))


def organizer_users(record):
    """The S&T office that handles the record: the city for city- and province-organized towns, else the county."""
    if record.organizer_level == "county":
        return _active(User.objects.filter(role=Role.COUNTY_ST, county_id=record.town.county_id))
    return _active(User.objects.filter(role=Role.CITY_ST, city_id=record.town.county.city_id))


# ------------------------------------------------------------------------------------------------ shared checks
def _check_pairing(actor, pairing: Pairing) -> None:
    if pairing.status not in WORKING_PAIRING_STATES:
        raise ValidationError({"pairing": _("结对“%(p)s”当前为“%(s)s”：备案后（已备案或帮扶中）方可签订协议、编制项目。")
                                          % {"p": pairing, "s": pairing.get_status_display()}})
    if not (is_system_admin(actor) or (actor.role == Role.TEAM_LEADER and actor.team_id == pairing.team_id)):
        raise PermissionDenied(_("只有结对团队的负责人可以起草帮扶协议和帮扶项目。"))


def _in_cycle(errors, record, start_field, end_field, start, end, cycle):
    labels = {name: record._meta.get_field(name).verbose_name for name in (start_field, end_field)}
    if start and end and end < start:
        errors.setdefault(end_field, []).append(_("%(end)s不能早于%(start)s。") % {
            "end": labels[end_field], "start": labels[start_field]})
    for name, value in ((start_field, start), (end_field, end)):
        if value and not (cycle.start_date <= value <= cycle.end_date):
            errors.setdefault(name, []).append(_("%(label)s应在帮扶周期（%(a)s 至 %(b)s）之内。") % {
                "label": labels[name], "a": cycle.start_date.isoformat(), "b": cycle.end_date.isoformat()})


def _raise(errors):
    if errors:
        raise ValidationError(errors)


def _locked(model, record):
    return model.objects.select_for_update(of=("self",)).select_related(
        "town__county__city", "team", "cycle").get(pk=record.pk)


# ------------------------------------------------------------------------------------------------ agreements
def agreement_defaults(pairing: Pairing) -> dict:
    """What a new agreement starts with: the parties' names and the term from the registration to the cycle's end."""
    from regions.models import WorkTeam

    town = pairing.town
    work_team = WorkTeam.objects.filter(town_id=town.pk).first()
    start = max(registered_on(pairing) or pairing.cycle.start_date, pairing.cycle.start_date)
    return {
        "town_party": "%s人民政府" % town.full_name if town.name.endswith(("镇", "乡")) else "%s办事处" % town.full_name,
        "work_team_party": ("%s驻镇帮镇扶村工作队" % town.full_name) if work_team else "",
        "term_start": min(start, pairing.cycle.end_date),
        "term_end": pairing.cycle.end_date,
    }


def _agreement_values(agreement: Agreement, values: dict) -> None:
    for name in AGREEMENT_FIELDS:
        if name in values:
            value = values[name]
            setattr(agreement, name, value.strip() if isinstance(value, str) else value)
    errors: dict = {}
    _in_cycle(errors, agreement, "term_start", "term_end", agreement.term_start, agreement.term_end, agreement.cycle)
    registered = registered_on(agreement.pairing)
    if registered and isinstance(agreement.term_start, dt.date) and agreement.term_start < registered \
            and "term_start" not in errors:
        errors["term_start"] = [_("协议期限不能早于结对备案日期（%(d)s）。") % {"d": registered.isoformat()}]
    try:
        agreement.full_clean(exclude=["pairing"] if agreement.pk is None else None)
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    _raise(errors)


@transaction.atomic
def agreement_create(*, actor, pairing: Pairing, **values) -> Agreement:
    """The leader drafts the pairing's agreement (one per pairing)."""
    pairing = Pairing.objects.select_for_update(of=("self",)).select_related("cycle", "town__county", "team").get(
        pk=pairing.pk)
    _check_pairing(actor, pairing)
    if Agreement.objects.filter(pairing=pairing).exists():
        raise ValidationError({"pairing": _("该结对已有帮扶协议，请在原协议上修改。")})
    agreement = Agreement(created_by=actor, due_date=agreement_due(pairing))
    agreement.copy_pairing(pairing)
    for name, value in agreement_defaults(pairing).items():
        setattr(agreement, name, value)
    if not may_write(actor, agreement, CHANGE):
        raise PermissionDenied(_("只有结对团队的负责人可以起草帮扶协议。"))
    _agreement_values(agreement, values)
    agreement._change_reason = _("起草帮扶协议")
    agreement.save()
    record_creation(obj=agreement, action="draft", actor=actor, comment=_("起草帮扶协议"))
    return agreement


def _leader_edits(actor, record, editable, what) -> None:
    if not (is_system_admin(actor) or (actor.role == Role.TEAM_LEADER and actor.team_id == record.team_id)):
        raise PermissionDenied(_("只有团队负责人可以修改%(what)s。") % {"what": what})
    if not can(actor, record, CHANGE):
        raise PermissionDenied(_("您无权修改该%(what)s。") % {"what": what})
    if record.status not in editable:
        raise ValidationError(_("%(what)s当前为“%(s)s”，不能修改。") % {"what": what, "s": record.get_status_display()})


@transaction.atomic
def agreement_update(*, actor, agreement: Agreement, **values) -> Agreement:
    """The leader edits the draft (or the agreement the town returned)."""
    agreement = _locked(Agreement, agreement)
    _leader_edits(actor, agreement, AGREEMENT_EDITABLE, _("帮扶协议"))
    _agreement_values(agreement, values)
    from core.services import unchanged

    if unchanged(agreement):
        return agreement
    agreement._change_reason = _("修改帮扶协议")
    agreement.save()
    return agreement


@transaction.atomic
def agreement_sign(*, actor, agreement: Agreement, scan, signed_on, comment: str = "") -> Agreement:
    """The leader uploads the signed scan (PDF or image, checked by content) with the signing date; the town is told."""
    from calls.uploads import EXTENSIONS, check_upload

    agreement = _locked(Agreement, agreement)
    _leader_edits(actor, agreement, AGREEMENT_EDITABLE, _("帮扶协议"))
    errors: dict = {}
    if not scan:
        errors["signed_scan"] = [_("请上传协议签署扫描件（PDF或图片）。")]
    else:
        try:
            kind = check_upload(scan, label=str(Agreement._meta.get_field("signed_scan").verbose_name),
                                kinds=SCAN_KINDS)
            problem = scan_problem(scan, kind)
            if problem:
                errors["signed_scan"] = [problem]
        except ValidationError as error:
            errors["signed_scan"] = error.messages
    if isinstance(signed_on, str):
        try:
            signed_on = dt.date.fromisoformat(signed_on)
        except ValueError:
            errors["signed_on"] = [_("签署日期格式不正确，应如2025-12-31。")]
            signed_on = None
    if not signed_on and "signed_on" not in errors:
        errors["signed_on"] = [_("请填写签署日期。")]
    elif signed_on:
        earliest = registered_on(agreement.pairing) or agreement.cycle.start_date
        if signed_on > timezone.localdate():
            errors["signed_on"] = [_("签署日期不能晚于今天。")]
        elif signed_on < earliest:
            errors["signed_on"] = [_("签署日期不能早于结对备案日期（%(d)s）。") % {"d": earliest.isoformat()}]
        elif signed_on > agreement.cycle.end_date:
            errors["signed_on"] = [_("签署日期应在帮扶周期之内。")]
    _raise(errors)
    agreement.signed_on = signed_on
    agreement.signed_scan.save("scan.%s" % EXTENSIONS[kind], scan, save=False)
    agreement.return_comment = ""
    agreement.full_clean()
    apply_transition(workflow=AGREEMENT_WORKFLOW, obj=agreement, action="sign", actor=actor, comment=comment,
                     save_fields=["signed_on", "signed_scan", "return_comment"])
    notify(recipients=town_users(agreement.town_id),
           title=_("帮扶协议待确认：%(team)s") % {"team": agreement.team.name},
           body=_("团队已上传签署的帮扶协议，请核对后确认或退回。"), link=agreement.get_absolute_url())
    return agreement


MARKUP = (b"<script", b"<html", b"<svg", b"<iframe", b"<body", b"javascript:")


def scan_problem(upload, kind: str, label: str = "") -> str | None:
    """A scan must be whole and only what its first bytes say: a PDF ending in %%EOF, a JPEG in its end marker, a PNG
    with its IEND chunk, and no web page inside (a polyglot served to the town would not be a scan)."""
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    tail = data[-2048:].rstrip(b"\r\n\x00 ")
    whole = {"pdf": b"%%EOF" in data[-2048:], "jpeg": tail.endswith(b"\xff\xd9"), "png": b"IEND" in data[-64:]}
    if not whole.get(kind, False):
        return _("%(label)s不完整或已损坏，请重新扫描后上传（PDF、JPG或PNG）。") % {"label": label or _("协议签署扫描件")}
    lowered = data.lower()
    if any(marker in lowered for marker in MARKUP):
        return _("%(label)s中含有网页代码，不是扫描文件，请重新扫描后上传。") % {"label": label or _("协议签署扫描件")}
    return None


def _town_acts(actor, agreement) -> None:
    if not (is_system_admin(actor) or (actor.role == Role.TOWN and actor.town_id == agreement.town_id)):
        raise PermissionDenied(_("只有协议所在的镇可以确认或退回帮扶协议。"))


@transaction.atomic
def agreement_confirm(*, actor, agreement: Agreement, comment: str = "") -> Agreement:
    """The town confirms its own agreement; the team and the organizing office are told."""
    agreement = _locked(Agreement, agreement)
    _town_acts(actor, agreement)
    if actor.role != Role.TOWN:  # the system administrator records it for the town: the record says so
        comment = _("系统管理员代%(town)s确认。%(c)s") % {"town": agreement.town.name, "c": comment or ""}
    apply_transition(workflow=AGREEMENT_WORKFLOW, obj=agreement, action="confirm", actor=actor, comment=comment)
    notify(recipients=team_leaders(agreement.team_id) + organizer_users(agreement),
           title=_("帮扶协议已确认：%(team)s—%(town)s") % {"team": agreement.team.name, "town": agreement.town.name},
           body=_("镇已确认帮扶协议。"), link=agreement.get_absolute_url())
    return agreement


@transaction.atomic
def agreement_return(*, actor, agreement: Agreement, comment: str) -> Agreement:
    """The town sends the signed agreement back with its reasons; the leader corrects and uploads again."""
    agreement = _locked(Agreement, agreement)
    _town_acts(actor, agreement)
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": _("请填写退回理由。")})
    agreement.return_comment = comment
    if actor.role != Role.TOWN:
        comment = _("系统管理员代%(town)s退回。%(c)s") % {"town": agreement.town.name, "c": comment}
    apply_transition(workflow=AGREEMENT_WORKFLOW, obj=agreement, action="return", actor=actor, comment=comment,
                     save_fields=["return_comment"])
    notify(recipients=team_leaders(agreement.team_id), title=_("帮扶协议被镇退回：%(town)s") % {"town": agreement.town.name},
           body=_("退回理由：%(c)s") % {"c": comment}, link=agreement.get_absolute_url())
    return agreement


def agreement_act(*, actor, agreement: Agreement, action: str, comment: str = "", **data) -> Agreement:
    """One entry for pages and the API."""
    if action == "sign":
        return agreement_sign(actor=actor, agreement=agreement, scan=data.get("scan"), signed_on=data.get("signed_on"),
                              comment=comment)
    if action == "confirm":
        return agreement_confirm(actor=actor, agreement=agreement, comment=comment)
    if action == "return":
        return agreement_return(actor=actor, agreement=agreement, comment=comment)
    raise ValidationError(_("未知操作：%(action)s") % {"action": action})


# ------------------------------------------------------------------------------------------------ project content
@dataclass
class Content:
    """A project's whole content as checked: fields, needs, yearly plans, budget lines, members."""

    fields: dict
    needs: list = field(default_factory=list)
    years: list = field(default_factory=list)          # [{"year": 2025, "plan": "…"}]
    budget_lines: list = field(default_factory=list)   # [{"category", "amount": Decimal, "source", "note"}]
    members: list = field(default_factory=list)        # [{"commissioner": Commissioner, "duty": "…"}]


PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")


def plain_number(value) -> str | None:
    """A figure as typed, in plain digits: full-width digits and separators folded (NFKC), thousands commas dropped;
    None for anything else (``1e5``, ``8_0``, other scripts' digits): an amount is never guessed."""
    import unicodedata

    text = unicodedata.normalize("NFKC", str(value)).strip().replace(",", "").replace("，", "")
    return text if PLAIN_NUMBER.fullmatch(text) else None


def _money(value, label, errors, key):
    if isinstance(value, float):
        value = repr(value)
    try:
        if value in (None, ""):
            amount = None
        elif isinstance(value, Decimal):
            amount = value
        else:
            text = plain_number(value)
            if text is None:
                raise ValueError(value)
            amount = Decimal(text)
    except (InvalidOperation, ValueError):
        errors.setdefault(key, []).append(_("%(label)s应为数字（元），如 12000 或 12000.50。") % {"label": label})
        return None
    if amount is not None and not amount.is_finite():
        errors.setdefault(key, []).append(_("%(label)s应为数字（元）。") % {"label": label})
        return None
    if amount is not None and abs(amount) > MONEY_LIMIT:
        errors.setdefault(key, []).append(_("%(label)s超出范围（不能超过一百亿元）。") % {"label": label})
        return None
    return amount


def check_content(*, project: Project, values: dict, needs=None, years=None, budget_lines=None,
                  members=None) -> Content:
    """Check a project's content as a whole; every problem is reported on its field ("第2行：…" for lines).

    ``project`` carries the pairing's copies (cycle, town, team); it is changed in memory only."""
    errors: dict = {}
    cycle = project.cycle
    for name in PROJECT_FIELDS:
        if name in values:
            value = values[name]
            setattr(project, name, value.strip() if isinstance(value, str) and name not in
                    ("total_budget", "demo_area_mu", "income_raised") else value)
    for name in ("total_budget", "demo_area_mu", "income_raised"):
        label = Project._meta.get_field(name).verbose_name
        value = getattr(project, name)
        if not isinstance(value, Decimal) and value not in (None, ""):
            setattr(project, name, _money(value, label, errors, name))
    for name, places in (("total_budget", Decimal("0.01")), ("income_raised", Decimal("0.01")),
                         ("demo_area_mu", Decimal("0.1"))):
        value = getattr(project, name)
        if isinstance(value, Decimal) and value.is_finite() and name not in errors and abs(value) > MONEY_LIMIT:
            errors.setdefault(name, []).append(_("%(label)s超出范围。") % {
                "label": Project._meta.get_field(name).verbose_name})
            setattr(project, name, None)
        elif isinstance(value, Decimal) and value.is_finite() and name not in errors:
            if value != value.quantize(places):
                errors.setdefault(name, []).append(_("%(label)s最多保留%(n)s位小数。") % {
                    "label": Project._meta.get_field(name).verbose_name, "n": "两" if name != "demo_area_mu" else "一"})
            else:  # "100000" and "100000.00" are one amount: stored, compared and shown to the fen
                setattr(project, name, value.quantize(places))
    for name in TARGET_FIELDS:
        value = getattr(project, name)
        if name in ("demo_area_mu", "income_raised"):
            continue
        if isinstance(value, bool) or (value not in (None, "") and not isinstance(value, int)):
            text = str(value).strip()
            if text.isdigit():
                setattr(project, name, int(text))
            else:
                errors.setdefault(name, []).append(_("%(label)s应填写整数（如 12），不能填写文字。") % {
                    "label": Project._meta.get_field(name).verbose_name})
                setattr(project, name, 0)
    _in_cycle(errors, project, "start_date", "end_date", project.start_date, project.end_date, cycle)
    try:
        project.full_clean(exclude=["pairing", "needs", *[k for k in errors]])
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    cap = cycle.project_budget_cap
    if isinstance(project.total_budget, Decimal) and project.total_budget > cap:
        errors.setdefault("total_budget", []).append(_("预算总额 %(t)s 元超过本周期单个项目上限 %(c)s 元。") % {
            "t": f"{project.total_budget:,.2f}", "c": f"{cap:,.2f}"})

    # Needs: only confirmed needs of the project's own town in its cycle.
    chosen = list(needs) if needs is not None else (list(project.needs.all()) if project.pk else [])
    allowed = set(linkable_needs(project.pairing).values_list("pk", flat=True)) | (
        set(project.needs.values_list("pk", flat=True)) if project.pk else set())
    for need in chosen:
        if need.town_id != project.town_id or need.cycle_id != project.cycle_id:
            errors.setdefault("needs", []).append(_("需求“%(n)s”不是本镇本周期的需求，项目只能对应本镇需求。") % {"n": need.title})
        elif need.pk not in allowed:
            errors.setdefault("needs", []).append(_("需求“%(n)s”当前为“%(s)s”，只能对应已确认的需求。") % {
                "n": need.title, "s": need.get_status_display()})

    # Yearly plans: one per year, inside the project's dates.
    plans = []
    seen_years = set()
    for index, row in enumerate(years if years is not None else [], start=1):
        year, plan = row.get("year"), (row.get("plan") or "").strip()
        try:
            year = int(str(year).strip())
        except (TypeError, ValueError):
            errors.setdefault("years", []).append(_("进度安排第%(i)d行：年度应为四位数字年份，如 2025。") % {"i": index})
            continue
        low = project.start_date.year if isinstance(project.start_date, dt.date) else cycle.start_date.year
        high = project.end_date.year if isinstance(project.end_date, dt.date) else cycle.end_date.year
        if not (low <= year <= high):
            errors.setdefault("years", []).append(_("进度安排第%(i)d行：%(y)d年不在项目实施期（%(a)d—%(b)d年）内。") % {
                "i": index, "y": year, "a": low, "b": high})
        elif year in seen_years:
            errors.setdefault("years", []).append(_("进度安排第%(i)d行：%(y)d年重复填写。") % {"i": index, "y": year})
        elif not plan:
            errors.setdefault("years", []).append(_("进度安排第%(i)d行：请填写%(y)d年的计划。") % {"i": index, "y": year})
        elif len(plan) > 2000:
            errors.setdefault("years", []).append(_("进度安排第%(i)d行：年度计划不能超过2000字。") % {"i": index})
        seen_years.add(year)
        plans.append({"year": year, "plan": plan})

    # Budget lines: positive amounts under the cap, known categories and sources, adding up to the total.
    lines = []
    for index, row in enumerate(budget_lines if budget_lines is not None else [], start=1):
        key = "budget_lines"
        amount = _money(row.get("amount"), _("预算明细第%(i)d行金额") % {"i": index}, errors, key)
        category, source = row.get("category"), row.get("source")
        note = (row.get("note") or "").strip()
        if category not in BudgetCategory.values:
            errors.setdefault(key, []).append(_("预算明细第%(i)d行：请选择支出科目。") % {"i": index})
        if source not in BudgetSource.values:
            errors.setdefault(key, []).append(_("预算明细第%(i)d行：请选择资金来源。") % {"i": index})
        if amount is None:
            if row.get("amount") in (None, ""):
                errors.setdefault(key, []).append(_("预算明细第%(i)d行：请填写金额。") % {"i": index})
        elif amount <= 0:
            errors.setdefault(key, []).append(_("预算明细第%(i)d行：金额应大于0元。") % {"i": index})
        elif amount > cap:
            errors.setdefault(key, []).append(_("预算明细第%(i)d行：金额 %(a)s 元超过单个项目上限 %(c)s 元。") % {
                "i": index, "a": f"{amount:,.2f}", "c": f"{cap:,.2f}"})
        elif amount != amount.quantize(Decimal("0.01")):
            errors.setdefault(key, []).append(_("预算明细第%(i)d行：金额最多保留两位小数（分）。") % {"i": index})
        if len(note) > 200:
            errors.setdefault(key, []).append(_("预算明细第%(i)d行：测算说明不能超过200字。") % {"i": index})
        lines.append({"category": category, "amount": amount, "source": source, "note": note})
    if lines and "budget_lines" not in errors and isinstance(project.total_budget, Decimal):
        total = sum((line["amount"] for line in lines), Decimal("0"))
        if total != project.total_budget:
            errors.setdefault("budget_lines", []).append(
                _("预算明细合计 %(s)s 元与预算总额 %(t)s 元不一致（相差 %(d)s 元），请核对。") % {
                    "s": f"{total:,.2f}", "t": f"{project.total_budget:,.2f}",
                    "d": f"{abs(total - project.total_budget):,.2f}"})

    # Members: people of the team, one duty each.
    people = team_commissioners(project.team_id)
    staff, seen_people = [], set()
    for index, row in enumerate(members if members is not None else [], start=1):
        person, duty = row.get("commissioner"), (row.get("duty") or "").strip()
        person_id = getattr(person, "pk", person)
        if person_id not in people:
            errors.setdefault("members", []).append(_("成员分工第%(i)d行：所选人员不是本团队成员。") % {"i": index})
            continue
        if person_id in seen_people:
            errors.setdefault("members", []).append(_("成员分工第%(i)d行：%(n)s重复填写。") % {
                "i": index, "n": people[person_id].name})
        elif not duty:
            errors.setdefault("members", []).append(_("成员分工第%(i)d行：请填写%(n)s的项目分工。") % {
                "i": index, "n": people[person_id].name})
        elif len(duty) > 100:
            errors.setdefault("members", []).append(_("成员分工第%(i)d行：项目分工不能超过100字。") % {"i": index})
        seen_people.add(person_id)
        staff.append({"commissioner": people[person_id], "duty": duty})
    _raise(errors)
    # Valid amounts written out to their columns' places (120000 → 120000.00, lossless once checked), so a version's
    # snapshot reads as the stored one does and an unchanged figure typed as "120000" is no change.
    for name in ("total_budget", "demo_area_mu", "income_raised"):
        value = getattr(project, name)
        if isinstance(value, Decimal):
            setattr(project, name, value.quantize(Decimal(1).scaleb(-Project._meta.get_field(name).decimal_places)))
    for line in lines:
        line["amount"] = line["amount"].quantize(Decimal("0.01"))
    return Content(fields={name: getattr(project, name) for name in PROJECT_FIELDS}, needs=chosen, years=plans,
                   budget_lines=lines, members=staff)


def _write_content(project: Project, content: Content, *, replace_lines: bool) -> None:
    """Save the checked content: the project row, its needs and (when given) its lines."""
    for name, value in content.fields.items():
        setattr(project, name, value)
    project.save()
    project.needs.set(content.needs)
    if not replace_lines:
        return
    project.years.all().delete()
    project.budget_lines.all().delete()
    project.members.all().delete()
    ProjectYear.objects.bulk_create([ProjectYear(project=project, **row) for row in content.years])
    BudgetLine.objects.bulk_create([BudgetLine(project=project, **row) for row in content.budget_lines])
    ProjectMember.objects.bulk_create([ProjectMember(project=project, commissioner=row["commissioner"],
                                                     duty=row["duty"]) for row in content.members])


CONTENT_PARTS = (("fields", "基本信息和量化指标"), ("needs", "对应需求"), ("years", "进度安排"),
                 ("budget_lines", "预算明细"), ("members", "成员分工"))


def snapshot(project: Project, content: Content | None = None) -> dict:
    """A project's content as plain JSON (what a change request keeps for each version)."""
    if content is None:
        content = Content(
            fields={name: getattr(project, name) for name in PROJECT_FIELDS},
            needs=list(project.needs.order_by("pk")),
            years=[{"year": y.year, "plan": y.plan} for y in project.years.all()],
            budget_lines=[{"category": b.category, "amount": b.amount, "source": b.source, "note": b.note}
                          for b in project.budget_lines.all()],
            members=[{"commissioner": m.commissioner, "duty": m.duty}
                     for m in project.members.select_related("commissioner")])

    def plain(value):
        if isinstance(value, (dt.date, Decimal)):
            return str(value)
        return value

    return {
        "fields": {name: plain(value) for name, value in content.fields.items()},
        "needs": [{"id": need.pk, "title": need.title} for need in content.needs],
        "years": [{"year": row["year"], "plan": row["plan"]} for row in content.years],
        "budget_lines": [{"category": row["category"], "amount": str(row["amount"]), "source": row["source"],
                          "note": row.get("note", "")} for row in content.budget_lines],
        "members": [{"commissioner": row["commissioner"].pk, "name": row["commissioner"].name, "duty": row["duty"]}
                    for row in content.members],
    }


def content_from_snapshot(data: dict) -> dict:
    """The keyword arguments of :func:`check_content` that rebuild a snapshot (to apply an approved change)."""
    from teams.models import Commissioner

    fields = dict(data["fields"])
    for name in ("start_date", "end_date"):
        fields[name] = dt.date.fromisoformat(fields[name]) if fields.get(name) else None
    for name in ("total_budget", "demo_area_mu", "income_raised"):
        fields[name] = Decimal(fields[name]) if fields.get(name) not in (None, "") else None
    people = Commissioner.objects.in_bulk([row["commissioner"] for row in data["members"]])
    return {
        "values": fields,
        "needs": list(Need.objects.filter(pk__in=[row["id"] for row in data["needs"]]).order_by("pk")),
        "years": data["years"],
        "budget_lines": data["budget_lines"],
        "members": [{"commissioner": people.get(row["commissioner"], row["commissioner"]), "duty": row["duty"]}
                    for row in data["members"]],
    }


# ------------------------------------------------------------------------------------------------ projects
@transaction.atomic
def project_create(*, actor, pairing: Pairing, values: dict, needs=None, years=None, budget_lines=None,
                   members=None) -> Project:
    """The leader writes a new project of the pairing (a draft) with its whole content."""
    pairing = Pairing.objects.select_for_update(of=("self",)).select_related("cycle", "town__county", "team").get(
        pk=pairing.pk)
    _check_pairing(actor, pairing)
    project = Project(created_by=actor, due_date=project_due(pairing))
    project.copy_pairing(pairing)
    if not may_write(actor, project, CHANGE):
        raise PermissionDenied(_("只有结对团队的负责人可以编制帮扶项目。"))
    content = check_content(project=project, values=values, needs=needs or [], years=years or [],
                            budget_lines=budget_lines or [], members=members or [])
    project._change_reason = _("编制帮扶项目")
    _write_content(project, content, replace_lines=True)
    record_creation(obj=project, action="draft", actor=actor, comment=_("编制帮扶项目"))
    return project


@transaction.atomic
def project_update(*, actor, project: Project, values: dict, needs=None, years=None, budget_lines=None,
                   members=None) -> Project:
    """The leader edits a draft or returned project (the whole content at once, or nothing)."""
    project = _locked(Project, project)
    _leader_edits(actor, project, PROJECT_EDITABLE, _("帮扶项目"))
    before = snapshot(project)  # the stored version (check_content changes the object in memory)
    content = check_content(project=project, values=values, needs=needs, years=years, budget_lines=budget_lines,
                            members=members)
    if needs is None:
        content.needs = list(project.needs.all())
    replace = years is not None or budget_lines is not None or members is not None
    if replace:
        current = snapshot(project)
        content.years = content.years if years is not None else current["years"]
        if budget_lines is None:
            content.budget_lines = [{**row, "amount": Decimal(row["amount"])} for row in current["budget_lines"]]
        if members is None:
            content.members = [{"commissioner": m.commissioner, "duty": m.duty}
                               for m in project.members.select_related("commissioner")]
    after = snapshot(project, content)
    if not replace:  # the lines are kept as they are
        after.update({key: before[key] for key in ("years", "budget_lines", "members")})
    parts = [label for key, label in CONTENT_PARTS if before[key] != after[key]]
    if not parts:
        return project  # an edit that changes nothing writes nothing
    # The history row of the project says which parts changed (its lines have their own history rows).
    project._change_reason = (_("修改帮扶项目：%(p)s") % {"p": "、".join(str(p) for p in parts)})[:100]
    _write_content(project, content, replace_lines=replace)
    return project


@transaction.atomic
def project_submit(*, actor, project: Project, comment: str = "", confirmed: bool = False) -> Project:
    """Only the team's leader submits (or resubmits after a return); a late first submission is flagged, not blocked.
    The linked needs move to "in assistance"; the organizing office is told."""
    project = _locked(Project, project)
    if not (is_system_admin(actor) or (actor.role == Role.TEAM_LEADER and actor.team_id == project.team_id)):
        raise PermissionDenied(_("只有团队负责人可以报送帮扶项目。"))
    action = "resubmit" if project.status == ProjectStatus.RETURNED else "submit"
    now = timezone.now()
    fields = ["last_submitted_at"]
    project.last_submitted_at = now
    if project.submitted_at is None:
        project.submitted_at = now
        project.late = timezone.localdate() > project.due_date
        fields += ["submitted_at", "late"]
    apply_transition(workflow=PROJECT_WORKFLOW, obj=project, action=action, actor=actor, comment=comment,
                     save_fields=fields, confirmed=confirmed)
    needs_system_move(needs=list(project.needs.filter(status__in=(NeedStatus.CONFIRMED, NeedStatus.MATCHED))),
                      move="start_assistance", actor=actor,
                      comment=_("纳入帮扶项目“%(t)s”") % {"t": project.title})
    late = _("（逾期报送）") if project.late else ""
    notify(recipients=organizer_users(project),
           title=(_("帮扶项目待受理：%(t)s%(late)s") if action == "submit" else _("帮扶项目修改后重新报送：%(t)s%(late)s"))
           % {"t": project.title, "late": late},
           body=_("%(team)s（%(town)s）报送了帮扶项目，请审核后受理或退回修改。") % {
               "team": project.team.name, "town": project.town.full_name},
           link=project.get_absolute_url())
    return project


def _organizer_acts(actor, project, what) -> None:
    if not can(actor, project, CHANGE) or not (is_system_admin(actor) or actor.role in (Role.CITY_ST, Role.COUNTY_ST)):
        raise PermissionDenied(_("只有组织该镇遴选的科技部门可以%(what)s。") % {"what": what})


@transaction.atomic
def project_return(*, actor, project: Project, comment: str) -> Project:
    """The organizing office returns a submitted project with its reasons."""
    project = _locked(Project, project)
    _organizer_acts(actor, project, _("退回帮扶项目"))
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": _("请填写退回理由，说明需要修改的内容。")})
    project.return_comment = comment
    apply_transition(workflow=PROJECT_WORKFLOW, obj=project, action="return", actor=actor, comment=comment,
                     save_fields=["return_comment"])
    notify(recipients=team_leaders(project.team_id), title=_("帮扶项目被退回修改：%(t)s") % {"t": project.title},
           body=_("退回理由：%(c)s") % {"c": comment}, link=project.get_absolute_url())
    return project


@transaction.atomic
def project_accept(*, actor, project: Project, comment: str = "") -> Project:
    """The organizing office accepts the project for the expert review; later changes need a change request."""
    project = _locked(Project, project)
    _organizer_acts(actor, project, _("受理帮扶项目"))
    apply_transition(workflow=PROJECT_WORKFLOW, obj=project, action="accept", actor=actor, comment=comment)
    notify(recipients=team_leaders(project.team_id), title=_("帮扶项目已受理：%(t)s") % {"t": project.title},
           body=_("项目已受理，进入专家论证。此后如需调整，请提交项目变更申请。"), link=project.get_absolute_url())
    return project


@transaction.atomic
def project_discard(*, actor, project: Project, comment: str = "") -> Project:
    """The leader discards a draft never submitted (a duplicate, a false start): it leaves the to-dos, lists and the
    summary table; its needs stay as they were (a draft moves none)."""
    project = _locked(Project, project)
    _leader_edits(actor, project, (ProjectStatus.DRAFT,), _("帮扶项目"))
    apply_transition(workflow=PROJECT_WORKFLOW, obj=project, action="discard", actor=actor, comment=comment)
    return project


def project_act(*, actor, project: Project, action: str, comment: str = "", confirmed: bool = False) -> Project:
    """One entry for pages and the API."""
    if action == "discard":
        return project_discard(actor=actor, project=project, comment=comment)
    if action in ("submit", "resubmit"):
        return project_submit(actor=actor, project=project, comment=comment, confirmed=confirmed)
    if action == "return":
        return project_return(actor=actor, project=project, comment=comment)
    if action == "accept":
        return project_accept(actor=actor, project=project, comment=comment)
    raise ValidationError(_("未知操作：%(action)s") % {"action": action})


def _complete_or_raise(content: Content) -> None:
    """An accepted project stays complete: a change keeps needs, a yearly plan, budget lines and members."""
    errors: dict = {}
    if not content.needs:
        errors["needs"] = [_("变更后仍须至少对应一项本镇已确认的需求。")]
    if not content.years:
        errors["years"] = [_("变更后仍须有进度安排（按年度）。")]
    if not content.budget_lines:
        errors["budget_lines"] = [_("变更后仍须有预算明细，且合计等于预算总额。")]
    if not content.members:
        errors["members"] = [_("变更后仍须有成员分工。")]
    _raise(errors)


# ------------------------------------------------------------------------------------------------ change requests
@transaction.atomic
def change_request(*, actor, project: Project, reason: str, values: dict, needs=None, years=None, budget_lines=None,
                   members=None) -> ProjectChange:
    """The leader proposes a change to an accepted project; the proposed version is checked like an edit and kept
    beside the current one until the organizing office decides."""
    project = _locked(Project, project)
    if not (is_system_admin(actor) or (actor.role == Role.TEAM_LEADER and actor.team_id == project.team_id)):
        raise PermissionDenied(_("只有团队负责人可以申请项目变更。"))
    if not can(actor, project, CHANGE):
        raise PermissionDenied(_("您无权申请变更该项目。"))
    if project.status not in PROJECT_CHANGEABLE:
        raise ValidationError(_("项目当前为“%(s)s”，受理前请直接修改，无需变更申请。") % {"s": project.get_status_display()})
    if project.changes.filter(status=ChangeStatus.PENDING).exists():
        raise ValidationError(_("该项目已有待审批的变更申请，请等待审批或撤回后再申请。"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写变更理由。")})
    before = snapshot(project)
    scratch = Project.objects.select_related("cycle", "pairing", "town", "team").get(pk=project.pk)
    current = content_from_snapshot(before)
    content = check_content(project=scratch, values={**current["values"], **values},
                            needs=current["needs"] if needs is None else needs,
                            years=current["years"] if years is None else years,
                            budget_lines=current["budget_lines"] if budget_lines is None else budget_lines,
                            members=current["members"] if members is None else members)
    _complete_or_raise(content)
    after = snapshot(scratch, content)
    if after == before:
        raise ValidationError(_("变更后的内容与当前版本相同，无需申请变更。"))
    change = ProjectChange(project=project, reason=reason, before=before, after=after, from_version=project.version,
                           requested_by=actor)
    change.full_clean()
    change.save()
    record_creation(obj=change, action="request", actor=actor, comment=reason)
    notify(recipients=organizer_users(project), title=_("项目变更待审批：%(t)s") % {"t": project.title},
           body=_("变更理由：%(r)s") % {"r": reason}, link=change.get_absolute_url())
    return change


@transaction.atomic
def change_decide(*, actor, change: ProjectChange, action: str, comment: str = "") -> ProjectChange:
    """Approve (the project takes the proposed version, its version number goes up), reject, or withdraw."""
    change = ProjectChange.objects.select_for_update(of=("self",)).select_related("project").get(pk=change.pk)
    project = _locked(Project, change.project)
    if action == "withdraw":
        if not (is_system_admin(actor) or (actor.role == Role.TEAM_LEADER and actor.team_id == project.team_id)):
            raise PermissionDenied(_("只有申请的团队负责人可以撤回变更申请。"))
    elif action in ("approve", "reject"):
        _organizer_acts(actor, project, _("审批项目变更"))
    else:
        raise ValidationError(_("未知操作：%(action)s") % {"action": action})
    if action == "approve" and change.status == ChangeStatus.PENDING:
        if change.from_version != project.version:
            raise ValidationError(_("项目已是第%(v)d版，该申请基于第%(f)d版，请团队重新申请。") % {
                "v": project.version, "f": change.from_version})
        content = check_content(project=project, **content_from_snapshot(change.after))
        _complete_or_raise(content)
        project.version += 1
        project._change_reason = _("批准变更（第%(v)d版）") % {"v": project.version}
        _write_content(project, content, replace_lines=True)
        needs_system_move(needs=list(project.needs.filter(status__in=(NeedStatus.CONFIRMED, NeedStatus.MATCHED))),
                          move="start_assistance", actor=actor, comment=_("纳入帮扶项目“%(t)s”") % {"t": project.title})
    change.decision_comment = (comment or "").strip()
    apply_transition(workflow=CHANGE_WORKFLOW, obj=change, action=action, actor=actor, comment=comment,
                     save_fields=["decision_comment"])
    if action in ("approve", "reject"):
        notify(recipients=team_leaders(project.team_id),
               title=(_("项目变更已批准：%(t)s") if action == "approve" else _("项目变更未获批准：%(t)s")) % {"t": project.title},
               body=change.decision_comment, link=change.get_absolute_url())
    return change
