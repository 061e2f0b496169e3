"""Writes on registrations (备案): prepare a submission, send it, return, resubmit, confirm; record the province's team.

When every recipient a pairing requires (matching.pairings.recipients_for) has confirmed it, the pairing is moved
to "registered" and then "active" through matching.pairings.pairing_move — the only way a pairing's status changes.
"""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.roles import Role, is_system_admin
from accounts.models import User
from accounts.services import notify
from core.documents import DOC_NUMBER_RE
from core.scoping import CHANGE, can, restrict
from core.workflow import apply_transition, record_creation
from matching.choices import LIVE_PAIRING_STATES, PairingStatus
from matching.models import Pairing
from matching.pairings import pairing_move, recipients_for
from registrations.choices import EDITABLE_STATES, SUBMISSION_WORKFLOW, Recipient, SubmissionStatus
from registrations.models import RegistrationSubmission, SubmissionItem
from matching.notify import tell_pairing_parties

RECIPIENT_NAMES = {Recipient.PROVINCE: _("省科技厅"), Recipient.CITY: _("市科技局")}


def _organizer(actor) -> dict:
    """The submission's organizer fields for the acting S&T department."""
    if actor.role == Role.CITY_ST and actor.city_id:
        return {"organizer_level": "city", "city_id": actor.city_id, "county": None}
    if actor.role == Role.COUNTY_ST and actor.county_id:
        return {"organizer_level": "county", "city_id": actor.county.city_id, "county": actor.county}
    raise PermissionDenied(_("只有组织遴选的市、县科技部门可以报送备案。"))


def _check(*, actor, submission: RegistrationSubmission, pairings) -> list[Pairing]:
    """Every rule of a submission's content, reported per field in Chinese; returns the pairings."""
    errors: dict[str, list] = {}

    def add(field, message):
        errors.setdefault(field, []).append(message)

    submission.doc_number = (submission.doc_number or "").strip()
    if not submission.doc_number:
        add("doc_number", _("请填写报送函文号。"))
    elif not DOC_NUMBER_RE.match(submission.doc_number):
        add("doc_number", _("报送函文号格式应如“仁科〔2025〕20号”：年份用六角括号〔〕，序号不加“第”字和前导0。"))
    if submission.recipient not in Recipient.values:
        add("recipient", _("请选择报送对象（省科技厅或市科技局）。"))
    elif submission.organizer_level == "city" and submission.recipient != Recipient.PROVINCE:
        add("recipient", _("市级组织的结对只需报送省科技厅备案。"))
    pairings = list(pairings or [])
    if not pairings:
        add("pairings", _("请至少选择一个结对。"))
    ids = [pairing.pk for pairing in pairings]
    changeable = set(restrict(Pairing.objects.filter(pk__in=ids), actor, CHANGE).values_list("pk", flat=True))
    taken = dict(
        SubmissionItem.objects.filter(pairing_id__in=ids, recipient=submission.recipient)
        .exclude(submission_id=submission.pk).values_list("pairing_id", "submission__doc_number")
    )
    for pairing in pairings:
        name = str(pairing)
        if pairing.cycle_id != submission.cycle_id:
            add("pairings", _("结对“%(p)s”不属于本帮扶周期。") % {"p": name})
        elif pairing.organizer_level != submission.organizer_level or pairing.pk not in changeable:
            add("pairings", _("结对“%(p)s”不由本单位组织，不能由本单位报送备案。") % {"p": name})
        elif pairing.status != PairingStatus.NOTICE_CLEARED:
            add("pairings", _("结对“%(p)s”当前为“%(s)s”：公示期满且无异议（公示无异议）后方可报送备案。")
                % {"p": name, "s": pairing.get_status_display()})
        elif "recipient" not in errors and submission.recipient not in recipients_for(pairing):
            add("recipient", _("结对“%(p)s”无需报送%(r)s备案。")
                % {"p": name, "r": RECIPIENT_NAMES[submission.recipient]})
        elif pairing.pk in taken:
            add("pairings", _("结对“%(p)s”已在报送%(r)s的备案（%(n)s）中，不能重复报送。")
                % {"p": name, "r": RECIPIENT_NAMES[submission.recipient], "n": taken[pairing.pk]})
    if errors:
        raise ValidationError(errors)
    return pairings


def _record_cleared(pairings, actor=None) -> list[Pairing]:
    """Record the end of the notices of chosen pairings that read 公示无异议 but are still stored on notice (the
    scheduled job has not run yet): the same write the job makes, done here because the organizer acts on it now."""
    from notices.models import PublicNotice
    from notices.services import notice_refresh

    pairings = list(pairings or [])
    pending = [p.pk for p in pairings if p.status == PairingStatus.ON_NOTICE]
    if not pending:
        return pairings
    for notice in PublicNotice.objects.filter(entries__pairing_id__in=pending).distinct():
        notice_refresh(notice, actor=actor)
    fresh = Pairing.objects.in_bulk([p.pk for p in pairings])
    return [fresh.get(p.pk, p) for p in pairings]


def _set_items(submission: RegistrationSubmission, pairings: list[Pairing]) -> None:
    keep = {pairing.pk for pairing in pairings}
    submission.items.exclude(pairing_id__in=keep).delete()
    present = set(submission.items.values_list("pairing_id", flat=True))
    for pairing in pairings:
        if pairing.pk not in present:
            item = SubmissionItem(submission=submission, pairing=pairing)
            item.full_clean(exclude=["recipient"])
            item.save()


@transaction.atomic
def submission_create(*, actor, cycle, recipient: str, pairings, doc_number: str, contact: str = "") -> RegistrationSubmission:
    """An organizer prepares a submission of its cleared pairings to one recipient (not sent yet)."""
    submission = RegistrationSubmission(cycle=cycle, recipient=recipient, doc_number=doc_number, contact=contact or "",
                                        created_by=actor, **_organizer(actor))
    pairings = _check(actor=actor, submission=submission, pairings=_record_cleared(pairings, actor))
    submission.full_clean()
    submission.save()
    _set_items(submission, pairings)
    return submission


def _locked(submission: RegistrationSubmission) -> RegistrationSubmission:
    return (RegistrationSubmission.objects.select_for_update(of=("self",))
            .select_related("city", "county", "cycle").get(pk=submission.pk))


@transaction.atomic
def submission_update(*, actor, submission: RegistrationSubmission, pairings, doc_number: str,
                      contact: str = "") -> RegistrationSubmission:
    """Change a submission's pairings, number or contact while it is unsent or returned."""
    submission = _locked(submission)
    if not can(actor, submission, CHANGE):
        raise PermissionDenied(_("您无权修改该备案报送。"))
    if submission.status not in EDITABLE_STATES:
        raise ValidationError(_("备案报送“%(s)s”已报送，不能再修改。") % {"s": submission.get_status_display()})
    submission.doc_number, submission.contact = doc_number, contact or ""
    pairings = _check(actor=actor, submission=submission, pairings=_record_cleared(pairings, actor))
    submission.full_clean()
    submission._change_reason = str(_("修改备案报送"))
    submission.save()
    _set_items(submission, pairings)
    return submission


def _city_officials(submission):
    return User.objects.filter(role=Role.CITY_ST, city_id=submission.city_id, is_active=True)


def _county_officials(submission):
    if not submission.county_id:
        return User.objects.none()
    return User.objects.filter(role=Role.COUNTY_ST, county_id=submission.county_id, is_active=True)


def _may_receive(actor, submission) -> bool:
    """The recipient answers in the platform: the city's S&T bureau, or the province with its own account."""
    from registrations.selectors import may_receive

    return may_receive(actor, submission)


def _check_date(value, *, field: str, label, not_before=None, not_before_label=None) -> dt.date:
    if not value:
        raise ValidationError({field: _("请填写%(label)s。") % {"label": label}})
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            raise ValidationError({field: _("%(label)s格式不正确，应如2025-12-31。") % {"label": label}})
    if value > timezone.localdate():
        raise ValidationError({field: _("%(label)s不能晚于今天。") % {"label": label}})
    if not_before and value < not_before:
        raise ValidationError({field: _("%(label)s不能早于%(other)s（%(date)s）。")
                               % {"label": label, "other": not_before_label, "date": not_before.isoformat()}})
    return value


@transaction.atomic
def submission_send(*, actor, submission: RegistrationSubmission, sent_on=None, comment: str = "") -> RegistrationSubmission:
    """Send (or, after a return, resend) the package; a county's submission to the city lands in the city's inbox."""
    submission = _locked(submission)
    if not can(actor, submission, CHANGE):
        raise PermissionDenied(_("只有报送单位可以报送。"))
    action = "resubmit" if submission.status == SubmissionStatus.RETURNED else "send"
    if submission.status not in EDITABLE_STATES:
        raise ValidationError(_("当前状态为“%(state)s”，不能再次报送。") % {"state": submission.get_status_display()})
    pairings = list(Pairing.objects.filter(registration_items__submission=submission).select_related("town", "team"))
    _check(actor=actor, submission=submission, pairings=pairings)
    submission.sent_on = _check_date(sent_on or timezone.localdate(), field="sent_on", label=_("报送日期"),
                                     not_before=timezone.localtime(submission.created_at).date(),
                                     not_before_label=_("报送材料的拟定日期"))
    submission.full_clean()
    apply_transition(workflow=SUBMISSION_WORKFLOW, obj=submission, action=action, actor=actor, comment=comment,
                     save_fields=["sent_on"])
    title = (_("%(county)s报送备案待确认：%(number)s") if action == "send" else _("%(county)s修改后重新报送备案：%(number)s")) % {
        "county": submission.organizer_name, "number": submission.doc_number}
    recipients = (_city_officials(submission) if submission.recipient == Recipient.CITY else
                  User.objects.filter(role=Role.PROVINCE, province_code=submission.city.province_code, is_active=True))
    notify(recipients=list(recipients), title=title,
           body=_("共%(n)d个结对，请核对团队备案表和报送函后确认备案或退回修改。") % {"n": len(pairings)},
           link=submission.get_absolute_url())
    return submission


@transaction.atomic
def submission_return(*, actor, submission: RegistrationSubmission, comment: str) -> RegistrationSubmission:
    """The recipient (the city, or the province) sends a submission back with its comments; the organizer sees them in
    its inbox and on the page."""
    submission = _locked(submission)
    if not _may_receive(actor, submission):
        raise PermissionDenied(_("只有接收备案的单位可以退回。"))
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": _("请填写退回意见，说明需要修改的内容。")})
    submission.return_comment = comment
    apply_transition(workflow=SUBMISSION_WORKFLOW, obj=submission, action="return", actor=actor, comment=comment,
                     save_fields=["return_comment"])
    notify(recipients=list(_county_officials(submission) if submission.county_id else _city_officials(submission)),
           title=_("备案报送被退回：%(number)s") % {"number": submission.doc_number},
           body=_("退回意见：%(comment)s") % {"comment": comment}, link=submission.get_absolute_url())
    return submission


@transaction.atomic
def submission_confirm(*, actor, submission: RegistrationSubmission, confirmed_on, reference_number: str,
                       comment: str = "") -> RegistrationSubmission:
    """Record the recipient's confirmation (date, 备案文号); register the pairings every recipient has now confirmed.

    The recipient confirms in the platform: the city's S&T bureau, or the province's S&T department with its own
    account. Where the province does not use the platform, the organizer may record the province's confirmation; the
    record says so.
    """
    submission = _locked(submission)
    recorded_for_province = False
    if not _may_receive(actor, submission):
        if submission.recipient == Recipient.CITY:
            raise PermissionDenied(_("报送市科技局的备案由市科技局确认。"))
        if not can(actor, submission, CHANGE):
            raise PermissionDenied(_("报送省科技厅的备案由省科技厅确认，或由报送单位代为登记。"))
        from registrations.selectors import province_on_platform

        if province_on_platform(submission):
            raise PermissionDenied(_("省科技厅已在平台开通账号，请由省科技厅在平台确认备案。"))
        recorded_for_province = True
    step = SUBMISSION_WORKFLOW["confirm"]
    if submission.status not in step.sources:
        raise ValidationError(_("当前状态为“%(state)s”，不能执行“%(label)s”。")
                              % {"state": submission.get_status_display(), "label": step.label})
    reference_number = (reference_number or "").strip()
    if not reference_number:
        raise ValidationError({"reference_number": _("请填写备案文号。")})
    submission.confirmed_on = _check_date(confirmed_on, field="confirmed_on", label=_("确认日期"),
                                          not_before=submission.sent_on, not_before_label=_("报送日期"))
    submission.reference_number = reference_number
    submission.confirmed_by = actor
    submission.full_clean()
    note = comment or _("备案文号：%(n)s") % {"n": reference_number}
    if recorded_for_province:
        note = _("报送单位代为登记省科技厅的确认（省科技厅未在平台确认）。%(c)s") % {"c": note}
    apply_transition(workflow=SUBMISSION_WORKFLOW, obj=submission, action="confirm", actor=actor, comment=note,
                     save_fields=["confirmed_on", "reference_number", "confirmed_by"])
    registered = register_confirmed_pairings(actor=actor, submission=submission)
    if not recorded_for_province:
        notify(recipients=list(_county_officials(submission) if submission.county_id else _city_officials(submission)),
               title=_("%(who)s已确认备案：%(number)s") % {"who": RECIPIENT_NAMES[submission.recipient],
                                                      "number": submission.doc_number},
               body=_("备案文号：%(ref)s。") % {"ref": reference_number}, link=submission.get_absolute_url())
    submission.registered_now = registered
    return submission


def register_confirmed_pairings(*, actor, submission: RegistrationSubmission) -> list[Pairing]:
    """Move each pairing of the submission whose required recipients have all confirmed to registered, then active."""
    pairings = Pairing.objects.filter(registration_items__submission=submission,
                                      status=PairingStatus.NOTICE_CLEARED).select_related("town", "team")
    confirmed: dict[int, set] = {}
    for pairing_id, recipient in SubmissionItem.objects.filter(
            pairing__in=pairings, submission__status=SubmissionStatus.CONFIRMED).values_list("pairing_id", "recipient"):
        confirmed.setdefault(pairing_id, set()).add(recipient)
    moved = []
    for pairing in pairings:
        required = set(recipients_for(pairing))
        if not required or not required <= confirmed.get(pairing.pk, set()):
            continue
        numbers = "、".join(
            SubmissionItem.objects.filter(pairing=pairing, submission__status=SubmissionStatus.CONFIRMED)
            .order_by("recipient").values_list("submission__reference_number", flat=True))
        pairing = pairing_move(pairing=pairing, move="register", actor=actor,
                               comment=str(_("纳入广东省驻镇帮镇扶村农村科技特派员，备案文号：%(n)s") % {"n": numbers}))
        pairing = pairing_move(pairing=pairing, move="activate", actor=actor, comment=str(_("备案完成，开始帮扶")))
        moved.append(pairing)
    tell_pairing_parties(moved, title=_("结对已备案，开始帮扶：%(team)s—%(town)s"),
                         body=_("团队已纳入广东省驻镇帮镇扶村农村科技特派员。请团队尽快与%(town)s及驻镇工作队对接，"
                                "签订帮扶协议。"))
    return moved


def submission_act(*, actor, submission: RegistrationSubmission, action: str, comment: str = "", sent_on=None,
                   confirmed_on=None, reference_number: str = "") -> RegistrationSubmission:
    """One entry for pages and the API: apply ``action`` with the data it needs."""
    if action in ("send", "resubmit"):
        return submission_send(actor=actor, submission=submission, sent_on=sent_on, comment=comment)
    if action == "return":
        return submission_return(actor=actor, submission=submission, comment=comment)
    if action == "confirm":
        return submission_confirm(actor=actor, submission=submission, confirmed_on=confirmed_on,
                                  reference_number=reference_number, comment=comment)
    raise ValidationError(_("未知操作：%(action)s") % {"action": action})


# --------------------------------------------------------------------------
# Province-organized towns: the city records the team the province sent
# --------------------------------------------------------------------------

PROVINCE_TEAM_STATES = (PairingStatus.REGISTERED, PairingStatus.ACTIVE)


@transaction.atomic
def province_team_record(*, actor, cycle, town, team, status: str = PairingStatus.ACTIVE, comment: str = "") -> Pairing:
    """The city records the team the province's own call sent to a province-organized town (tracked like the others)."""
    from regions.models import TownClassification

    if not (is_system_admin(actor) or (actor.role == Role.CITY_ST and actor.city_id == town.county.city_id)):
        raise PermissionDenied(_("只有本市科技局可以登记省级组团帮扶镇的团队。"))
    errors = {}
    level = TownClassification.objects.filter(cycle=cycle, town=town).values_list("organizing_level", flat=True).first()
    if level != "province":
        errors["town"] = _("“%(t)s”在本周期不是省级组团帮扶镇。") % {"t": town.name}
    else:
        existing = Pairing.objects.filter(cycle=cycle, town=town, status__in=LIVE_PAIRING_STATES).select_related("team").first()
        if existing:
            errors["town"] = _("“%(t)s”本周期已有结对团队“%(team)s”。") % {"t": town.name, "team": existing.team.name}
    if team.cycle_id != cycle.pk:
        errors["team"] = _("团队“%(team)s”不属于本帮扶周期。") % {"team": team.name}
    else:
        other = Pairing.objects.filter(cycle=cycle, team=team, status__in=LIVE_PAIRING_STATES).select_related("town").first()
        if other:
            errors["team"] = _("团队“%(team)s”本周期已与“%(t)s”结对，一个团队只能结对一个镇。") % {
                "team": team.name, "t": other.town.name}
    if status not in PROVINCE_TEAM_STATES:
        errors["status"] = _("状态应为“已备案”或“帮扶中”。")
    if errors:
        raise ValidationError(errors)
    pairing = Pairing(cycle=cycle, town=town, team=team, organizer_level="province", status=PairingStatus.REGISTERED,
                      registered_at=timezone.now(), reasons=[comment] if comment else [])
    pairing.full_clean()
    pairing._change_reason = str(_("登记省级组团团队"))
    pairing.save()
    record_creation(obj=pairing, action="record_province", actor=actor, comment=comment or str(_("登记省里选派的团队")))
    if status == PairingStatus.ACTIVE:
        pairing = pairing_move(pairing=pairing, move="activate", actor=actor, comment=comment)
    return pairing
