"""Writes on public notices and objections: publish, file and handle objections, replace, close."""
from __future__ import annotations

import hashlib
import logging

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.roles import Role, is_system_admin
from accounts.services import notify
from core.china import format_cn_date, notice_period
from core.scoping import CHANGE, can
from core.workflow import apply_transition
from matching.choices import LIVE_PAIRING_STATES, PairingStatus
from matching.models import Pairing
from matching.pairings import pairing_move
from notices.choices import (
    OBJECTION_WORKFLOW, OPEN_OBJECTION_STATES, EntryOutcome, NoticeStatus,
)
from notices.models import NoticeEntry, Objection, PublicNotice
from matching.notify import tell_pairing_parties

logger = logging.getLogger(__name__)

FINDING_MIN_CHARS = 6  # a finding says what was checked and what was found, e.g. “经核实，申报材料不实”
OBJECTION_RATE = getattr(settings, "OBJECTION_RATE", (5, 3600))  # at most 5 objections per address per hour


def members_text(pairing: Pairing) -> tuple[str, str]:
    """(leader, members with units and titles) for the notice list."""
    leader, members = pairing.team.leader_name or "", []
    memberships = getattr(pairing.team, "memberships", None)
    if memberships is not None:
        for membership in memberships.select_related("commissioner__unit").order_by("role", "pk"):
            person = membership.commissioner
            label = "%s（%s%s）" % (person.name, person.unit.name, "，" + person.title if person.title else "")
            if membership.role == "leader":
                leader = label
            else:
                members.append(label)
    return leader or pairing.team.leader_name, "；".join(members)


def default_body(*, issuer: str, entries_count: int, period, contact: str) -> str:
    """The usual government wording of a 公示 (CHINA-CONVENTIONS.md: what, list, period, how to object, contact)."""
    return (
        "根据《韶关市农村科技特派员驻镇帮镇扶村行动方案》（韶科〔2021〕85号）要求，经公开征集、遴选，"
        "拟选派以下%(n)d个农村科技特派员团队结对帮扶相关镇（街道），现予以公示。\n"
        "公示期为%(first)s至%(last)s（%(days)d个工作日）。公示期间，如对公示团队有异议，请以真实姓名向%(issuer)s"
        "书面反映，提供联系方式及具体理由和证明材料，也可在本页面在线提交。匿名、超出公示期或无具体理由的异议不予受理。\n"
        "联系方式：%(contact)s"
    ) % {"n": entries_count, "first": format_cn_date(period.first_day), "last": format_cn_date(period.last_day),
         "days": period.working_days, "issuer": issuer, "contact": contact}


def pairings_ready_for_notice(actor, cycle):
    """Proposed pairings the actor's level organizes and has not yet put on notice."""
    queryset = Pairing.objects.filter(cycle=cycle, status=PairingStatus.PROPOSED).select_related("town", "town__county", "team")
    from core.scoping import restrict

    return restrict(queryset, actor, CHANGE)


def _period_checked(*, cycle, start_date, working_days, today):
    """The notice period, refused when backdated or shorter than the cycle's notice length (by field name)."""
    today = today or timezone.localdate()
    if start_date < today:
        raise ValidationError({"start_date": _("公示开始日期不能早于今天（%(today)s）：公示期须让公众有时间提出异议。")
                                             % {"today": "%d年%d月%d日" % (today.year, today.month, today.day)}})
    days = working_days or cycle.notice_working_days
    if days < max(cycle.notice_working_days, 1):
        raise ValidationError({"working_days": _("公示期不得少于本周期规定的%(n)d个工作日。")
                                               % {"n": cycle.notice_working_days}})
    return days, notice_period(start_date, days)


@transaction.atomic
def notice_prepare(*, actor, cycle, pairings, title: str, start_date, contact: str, doc_number: str = "",
                   body: str = "", working_days: int | None = None, issuer: str = "", today=None) -> PublicNotice:
    """Prepare a notice of proposed pairings as a draft: checked, its list and text fixed, not yet public. The
    organizer reads it over and publishes it on purpose (:func:`notice_release`).

    The period starts today or later (a backdated notice would end before the public could object) and lasts at
    least the cycle's notice length. ``today`` is the clock (tests and the demo prepare "in the past")."""
    if actor.role not in (Role.CITY_ST, Role.COUNTY_ST) and not is_system_admin(actor):
        raise PermissionDenied(_("只有市、县科技部门可以发布公示。"))
    pairings = list(pairings)
    if not pairings:
        raise ValidationError({"pairings": _("请选择要公示的结对。")})
    ready = set(pairings_ready_for_notice(actor, cycle).values_list("pk", flat=True))
    wrong = [str(p) for p in pairings if p.pk not in ready]
    if wrong:
        raise ValidationError({"pairings": _("以下结对不能公示（非本单位组织或不是拟结对状态）：%(p)s") % {"p": "、".join(wrong)}})
    if not (contact or "").strip():
        raise ValidationError({"contact": _("请填写异议受理联系方式。")})
    days, period = _period_checked(cycle=cycle, start_date=start_date, working_days=working_days, today=today)
    level = "county" if actor.role == Role.COUNTY_ST else "city"
    county = actor.county if level == "county" else None
    city = actor.city or (county.city if county else pairings[0].town.county.city)
    issuer = issuer or ("%s科学技术局" % (county.name if county else city.name))
    notice = PublicNotice(
        cycle=cycle, organizer_level=level, city=city, county=county, issuer=issuer, title=title.strip(),
        doc_number=doc_number.strip(), contact=contact.strip(), start_date=start_date, working_days=days,
        first_day=period.first_day, last_day=period.last_day, ends_at=period.ends_at,
        uses_fallback_calendar=period.uses_fallback, created_by=actor, status=NoticeStatus.DRAFT,
        body=body.strip() or default_body(issuer=issuer, entries_count=len(pairings), period=period, contact=contact.strip()),
    )
    notice.full_clean()
    notice.save()
    for pairing in pairings:
        leader, members = members_text(pairing)
        NoticeEntry.objects.create(notice=notice, pairing=pairing, town=pairing.town, team_name=pairing.team.name,
                                   leader=leader, members=members, town_label=pairing.town.name,
                                   county_name=pairing.town.county.name)
    return notice


@transaction.atomic
def notice_release(*, actor, notice: PublicNotice, comment: str = "", today=None) -> PublicNotice:
    """Publish a draft notice (the workflow step "publish"): its pairings move to "on notice" for the period, and
    the towns, their counties and the teams are told. Refused when the start date has passed since the draft was
    prepared, or when a listed pairing is no longer proposed (published elsewhere, withdrawn)."""
    from notices.choices import NOTICE_WORKFLOW

    if not can(actor, notice, CHANGE):
        raise PermissionDenied(_("只有该公示的组织单位可以发布。"))
    today = today or timezone.localdate()
    if notice.status == NoticeStatus.DRAFT and notice.start_date < today:
        raise ValidationError({"start_date": _("公示开始日期（%(d)s）已过，请重新拟定公示后再发布。")
                                             % {"d": format_cn_date(notice.start_date)}})
    entries = list(notice.entries.select_related("pairing", "pairing__town", "pairing__team"))
    apply_transition(workflow=NOTICE_WORKFLOW, obj=notice, action="publish", actor=actor,
                     comment=comment or notice.title)
    for entry in entries:
        if entry.pairing.status != PairingStatus.PROPOSED:
            raise ValidationError({"pairings": _("“%(p)s”已不是拟结对状态（%(s)s），不能公示；请重新拟定公示。")
                                                % {"p": entry.pairing, "s": entry.pairing.get_status_display()}})
        pairing_move(pairing=entry.pairing, move="notice", actor=actor, comment=notice.title)
    period = "%s至%s" % (format_cn_date(notice.first_day), format_cn_date(notice.last_day))
    tell_pairing_parties([entry.pairing for entry in entries], title=_("结对公示中：%(team)s—%(town)s"),
                         body=_("“%s”已发布，公示期%s（%d个工作日）；公示期满无异议后报送备案。")
                         % (notice.title, period, notice.working_days))
    return notice


def notice_publish(*, actor, cycle, pairings, title: str, start_date, contact: str, doc_number: str = "",
                   body: str = "", working_days: int | None = None, issuer: str = "", today=None) -> PublicNotice:
    """Prepare and publish at once (scripts, the demo, tests): :func:`notice_prepare` then :func:`notice_release`."""
    with transaction.atomic():
        notice = notice_prepare(actor=actor, cycle=cycle, pairings=pairings, title=title, start_date=start_date,
                                contact=contact, doc_number=doc_number, body=body, working_days=working_days,
                                issuer=issuer, today=today)
        return notice_release(actor=actor, notice=notice, today=today)


def client_fingerprint(ip: str) -> str:
    return hashlib.sha256(("%s|%s" % (settings.SECRET_KEY, ip or "-")).encode()).hexdigest()


def _rate_limited(fingerprint: str) -> bool:
    limit, window = OBJECTION_RATE
    key = "objection-rate:%s" % fingerprint
    count = cache.get(key, 0)
    if count >= limit:
        return True
    if count == 0:
        cache.set(key, 1, window)
    else:
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, window)
    return False


def objection_file(*, notice: PublicNotice, entry: NoticeEntry, name: str, phone: str, grounds: str, evidence=None,
                   ip: str = "", now=None) -> Objection:
    """A member of the public objects to a listed team during the period; late ones are refused with the reason."""
    now = now or timezone.now()
    notice = notice_refresh(notice, now=now)
    if entry.notice_id != notice.pk:
        raise ValidationError({"entry": _("请选择本公示名单中的团队。")})
    start = timezone.make_aware(timezone.datetime.combine(notice.first_day, timezone.datetime.min.time()))
    if now < start:
        raise ValidationError(_("公示期自%(d)s开始，尚不能提交异议。") % {"d": format_cn_date(notice.first_day)})
    if now > notice.ends_at:
        raise ValidationError(_("公示期已于%(d)s 24时结束，不再受理异议。") % {"d": format_cn_date(notice.last_day)})
    if entry.outcome != EntryOutcome.PENDING:
        raise ValidationError({"entry": _("该团队已不在公示中。")})
    fingerprint = client_fingerprint(ip)
    if _rate_limited(fingerprint):
        raise ValidationError(_("提交过于频繁，请稍后再试或电话联系公示单位。"))
    objection = Objection(notice=notice, entry=entry, name=(name or "").strip(), phone=(phone or "").strip(),
                          grounds=(grounds or "").strip(), client_hash=fingerprint)
    if evidence is not None:
        from calls.uploads import check_upload

        check_upload(evidence, label="证明材料", purpose="objection")
        objection.evidence = evidence
    objection.full_clean()
    with transaction.atomic():
        objection.save()
    handlers = notice.created_by.__class__.objects.filter(
        role=Role.COUNTY_ST if notice.organizer_level == "county" else Role.CITY_ST,
        **({"county": notice.county} if notice.county_id else {"city": notice.city}), is_active=True)
    notify(recipients=list(handlers), title=_("收到公示异议：%(t)s") % {"t": entry.team_name},
           body=_("回执号%(r)s，请及时调查核实。") % {"r": objection.receipt_number}, link=objection.get_absolute_url())
    return objection


def objection_handle(*, actor, objection: Objection, action: str, finding: str = "") -> Objection:
    """The organizer investigates, then upholds (the team is removed) or dismisses, with a written finding."""
    if not can(actor, objection, CHANGE):
        raise PermissionDenied(_("只有公示单位可以处理该异议。"))
    if action in ("uphold", "dismiss") and actor.role not in (Role.CITY_ST, Role.COUNTY_ST):
        # A finding is the organizer's decision; the system administrator maintains the platform, not the programme.
        raise PermissionDenied(_("异议的调查结论由公示单位作出。"))
    with transaction.atomic():
        objection = Objection.objects.select_for_update().get(pk=objection.pk)
        step = OBJECTION_WORKFLOW.get(action)
        if (action in ("uphold", "dismiss") and step and objection.status in step.sources
                and 0 < len((finding or "").strip()) < FINDING_MIN_CHARS):
            raise ValidationError({"comment": _("请写明调查核实的情况和结论（不少于%(n)d个字），它将告知异议人。")
                                   % {"n": FINDING_MIN_CHARS}})
        if action in ("uphold", "dismiss"):
            objection.finding = (finding or "").strip()
            objection.handled_by = actor
            objection.handled_at = timezone.now()
        apply_transition(workflow=OBJECTION_WORKFLOW, obj=objection, action=action, actor=actor, comment=finding,
                         save_fields=["finding", "handled_by", "handled_at"])
        if action == "uphold":
            entry = objection.entry
            if entry.outcome == EntryOutcome.PENDING:
                entry.outcome = EntryOutcome.REMOVED
                entry.save()
                pairing_move(pairing=entry.pairing, move="withdraw", actor=actor,
                             comment=_("公示异议成立：%(f)s") % {"f": objection.finding})
    notice_refresh(objection.notice)
    return objection


def replacement_candidates(pairing: Pairing) -> list[dict]:
    """The round's alternates for the town that are not paired elsewhere in the cycle and still hold an accepted
    application to the round's call."""
    taken = set(Pairing.objects.filter(cycle=pairing.cycle, status__in=LIVE_PAIRING_STATES).values_list("team_id", flat=True))
    # A team replaced in this town (调整更换) is not paired with it again in the cycle.
    taken |= set(Pairing.objects.filter(cycle=pairing.cycle, town=pairing.town, status=PairingStatus.REPLACED)
                 .values_list("team_id", flat=True))
    accepted = None
    if pairing.round_id:
        accepted = set(pairing.round.call.applications.filter(status="accepted").values_list("team_id", flat=True))
    return [alt for alt in pairing.alternates if int(alt["team_id"]) not in taken and int(alt["team_id"]) != pairing.team_id
            and (accepted is None or int(alt["team_id"]) in accepted)]


@transaction.atomic
def replacement_propose(*, actor, pairing: Pairing, team_id) -> Pairing:
    """Fill a town whose team was removed with one of the round's alternates; the new pairing awaits its own notice."""
    from core.workflow import record_creation
    from teams.models import Team

    if not can(actor, pairing, CHANGE):
        raise PermissionDenied(_("只有组织单位可以确定替补团队。"))
    pairing = Pairing.objects.select_for_update().get(pk=pairing.pk)
    if pairing.status != PairingStatus.WITHDRAWN:
        raise ValidationError(_("只有已撤销的结对才能递补。"))
    if pairing.replaced_by.exists():
        raise ValidationError(_("该镇已确定替补团队。"))
    if pairing.round_id and pairing.round.call.status == "cancelled":
        raise ValidationError(_("征集通知已撤销，不能再递补团队。"))
    if Pairing.objects.filter(cycle=pairing.cycle, town=pairing.town, status__in=LIVE_PAIRING_STATES).exists():
        raise ValidationError(_("%(t)s本周期已有结对，不能再递补。") % {"t": pairing.town.name})
    allowed = {str(alt["team_id"]) for alt in replacement_candidates(pairing)}
    if str(team_id) not in allowed:
        raise ValidationError({"team": _("只能从该镇的备选团队中选择尚未结对的团队。")})
    team = Team.objects.get(pk=team_id)
    score = next((alt.get("score") for alt in pairing.alternates if str(alt["team_id"]) == str(team_id)), None)
    replacement = Pairing.objects.create(
        cycle=pairing.cycle, town=pairing.town, team=team, organizer_level=pairing.organizer_level, round=pairing.round,
        status=PairingStatus.PROPOSED, score=score, reasons=["递补：原结对团队公示异议成立"],
        alternates=[alt for alt in pairing.alternates if str(alt["team_id"]) != str(team_id)],
        replaces=pairing, proposed_at=timezone.now())
    record_creation(obj=replacement, action="propose", actor=actor,
                    comment=_("递补%(t)s") % {"t": pairing.town.name})
    pairing_move(pairing=pairing, move="succeed", actor=actor,
                 comment=_("由“%(team)s”递补") % {"team": team.name})
    notify(recipients=list(team.users.filter(is_active=True)),
           title=_("递补结对：拟与%(t)s结对") % {"t": pairing.town.full_name},
           body=_("因原公示团队异议成立，贵团队作为备选递补，将另行公示。"), link=replacement.get_absolute_url())
    return replacement


def notice_refresh(notice: PublicNotice, *, now=None, actor=None) -> PublicNotice:
    """Record the end of a notice whose period has ended: with no open objection it closes, its remaining pairings
    are "公示无异议"; with one open it awaits the findings. Each move is recorded as a Transition of the notice (and
    of each pairing cleared).

    A write: called by the scheduled job (:func:`notices_close_due`) and by the services that handle objections,
    never by a page that is read (pages show ``notices.selectors.effective_status``). Safe to call at any time and
    from several processes: each move claims the row with a conditional UPDATE.
    """
    from core.workflow import apply_transition
    from notices.choices import NOTICE_WORKFLOW

    now = now or timezone.now()
    if notice.status in (NoticeStatus.CLOSED, NoticeStatus.DRAFT) or now <= notice.ends_at:
        return notice
    if notice.objections.filter(status__in=OPEN_OBJECTION_STATES).exists():
        if notice.status != NoticeStatus.AWAITING:
            with transaction.atomic():
                locked = PublicNotice.objects.select_for_update().get(pk=notice.pk)
                if locked.status == NoticeStatus.PUBLISHED:  # another run may have recorded it meanwhile
                    apply_transition(workflow=NOTICE_WORKFLOW, obj=locked, action="expire", actor=actor,
                                     comment=_("公示期满，待处理异议"), system=True)
            notice.refresh_from_db()
        return notice
    with transaction.atomic():
        locked = PublicNotice.objects.select_for_update().get(pk=notice.pk)
        if locked.status != NoticeStatus.CLOSED:  # another run may have closed it meanwhile
            locked.closed_at = now
            apply_transition(workflow=NOTICE_WORKFLOW, obj=locked, action="close", actor=actor,
                             comment=_("公示期满"), save_fields=["closed_at"], system=True)
            for entry in notice.entries.filter(outcome=EntryOutcome.PENDING).select_related("pairing"):
                entry.outcome = EntryOutcome.CLEARED
                entry.save()
                pairing_move(pairing=entry.pairing, move="clear", actor=actor, comment=_("公示无异议"))
    notice.refresh_from_db()
    return notice


def notices_close_due(now=None) -> int:
    """Scheduled (``close_due_notices``): record the end of every notice whose period has ended; returns how many
    closed. Idempotent; pages never close notices, they show the effective status until this runs."""
    now = now or timezone.now()
    closed = 0
    for notice in PublicNotice.objects.filter(status__in=(NoticeStatus.PUBLISHED, NoticeStatus.AWAITING), ends_at__lt=now):
        if notice_refresh(notice, now=now).status == NoticeStatus.CLOSED:
            closed += 1
    return closed
