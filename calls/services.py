"""Writes on calls and applications: publish, amend, sign up, apply, submit, review, withdraw."""
from __future__ import annotations

import datetime as dt

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.roles import Role
from accounts.models import User
from accounts.services import notify
from calls.choices import (
    APPLICATION_WORKFLOW, CALL_WORKFLOW, EDITABLE_STATES, AmendmentKind, ApplicationStatus, CallStatus,
    OrganizerLevel,
)
from calls.models import Application, ApplicationTown, Call, CallAmendment, CallAttachment
from calls.uploads import EXTENSIONS, NOTICE_KINDS, check_upload
from core.documents import DOC_NUMBER_RE
from core.fields import cycle_date_error
from core.scoping import CHANGE, can, is_unrestricted
from core.workflow import apply_transition
from regions.models import Town
from regions.selectors import organized_towns_q

CALL_FIELDS = ("title", "issuer", "doc_number", "notice", "open_date", "close_date", "contact")


# --------------------------------------------------------------------------
# Calls
# --------------------------------------------------------------------------

def organized_towns(actor, cycle):
    """The towns of ``cycle`` the actor's level organizes (a call may list only these)."""
    return Town.objects.filter(organized_towns_q(actor, town_path="", cycle=cycle)).distinct()


def _check_call(call: Call, towns, actor) -> None:
    errors = {}
    if call.doc_number and not DOC_NUMBER_RE.match(call.doc_number.strip()):
        errors["doc_number"] = _("文号格式应如“韶科〔2025〕12号”：年份用六角括号〔〕，序号不加“第”字和前导0。")
    if call.open_date and call.close_date and call.close_date < call.open_date:
        errors["close_date"] = _("申报截止日期不能早于开始日期。")
    # A call opens within its cycle (the close date is bounded by the field's 2000–2100 range and the open date).
    outside = cycle_date_error(call.open_date, call.cycle, _("开始申报日期"))
    if outside:
        errors["open_date"] = outside
    towns = list(towns)
    if not towns:
        errors["towns"] = _("请至少选择一个征集镇。")
    else:
        allowed = set(organized_towns(actor, call.cycle).values_list("pk", flat=True))
        outside = [town.name for town in towns if town.pk not in allowed]
        if outside:
            errors["towns"] = _("%(towns)s不由本级组织，不能列入本次征集。") % {"towns": "、".join(outside)}
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def call_create(*, actor, cycle, towns, **fields) -> Call:
    """An organizer (city or county S&T) drafts a call over towns its level organizes in the cycle."""
    if actor.role == Role.CITY_ST and actor.city_id:
        scope = {"organizer_level": OrganizerLevel.CITY, "city_id": actor.city_id, "county": None}
    elif actor.role == Role.COUNTY_ST and actor.county_id:
        scope = {"organizer_level": OrganizerLevel.COUNTY, "city_id": actor.county.city_id, "county": actor.county}
    else:
        raise PermissionDenied(_("只有市、县科技部门可以发布征集通知。"))
    call = Call(cycle=cycle, created_by=actor, **scope, **{k: v for k, v in fields.items() if k in CALL_FIELDS})
    call.doc_number = (call.doc_number or "").strip()
    _check_call(call, towns, actor)
    call.full_clean()
    call.save()
    call.towns.set(towns)
    return call


@transaction.atomic
def call_update(*, actor, call: Call, towns, **fields) -> Call:
    """Edit a draft call; a published call changes only through :func:`call_amend` (recorded)."""
    if not can(actor, call, CHANGE):
        raise PermissionDenied(_("您无权修改该征集通知。"))
    if call.status != CallStatus.DRAFT:
        raise ValidationError(_("通知已发布，请使用“变更或延期”，变更将公开记录。"))
    for name, value in fields.items():
        if name in CALL_FIELDS:
            setattr(call, name, value)
    _check_call(call, towns, actor)
    call.full_clean()
    call.save()
    call.towns.set(towns)
    return call


@transaction.atomic
def call_amend(*, actor, call: Call, summary: str, notice: str | None = None,
               close_date: dt.date | None = None, confirmed: bool = False) -> CallAmendment:
    """Amend a published call's notice or extend its close date; the change is recorded and shown publicly.
    Shortening the window below the usual length needs ``confirmed``, as publishing a short call does."""
    if not can(actor, call, CHANGE):
        raise PermissionDenied(_("您无权变更该征集通知。"))
    if call.status != CallStatus.PUBLISHED:
        raise ValidationError(_("只有已发布的通知需要登记变更；草稿可直接编辑。"))
    summary = (summary or "").strip()
    if not summary:
        raise ValidationError({"summary": _("请填写变更说明。")})
    old_close = call.close_date
    changed = False
    if close_date and close_date != old_close:
        if close_date < call.open_date:
            raise ValidationError({"close_date": _("申报截止日期不能早于开始日期。")})
        if close_date < old_close:
            # 提前截止: teams plan their applications by the published date; once one exists it is not shortened.
            started = Application.objects.filter(call=call).exclude(status=ApplicationStatus.WITHDRAWN).count()
            if started:
                raise ValidationError({"close_date": _(
                    "已有 %(n)d 个团队申报，不能提前截止（原截止日期 %(d)s）；如确需调整，请撤销后重新发布征集。") % {
                    "n": started, "d": old_close.strftime("%Y-%m-%d")}})
            if close_date < timezone.localdate():
                raise ValidationError({"close_date": _("提前截止的日期不能早于今天。")})
            from calls.choices import call_window_short

            short = call_window_short(Call(open_date=call.open_date, close_date=close_date))
            if short and not confirmed:
                raise ValidationError({"confirm_short": _("%(w)s如确需提前截止，请勾选确认。") % {"w": short}})
        call.close_date = close_date
        changed = True
    if notice is not None and notice.strip() and notice.strip() != call.notice.strip():
        call.notice = notice.strip()
        changed = True
    if not changed:
        raise ValidationError(_("没有需要变更的内容：请修改通知正文或截止日期。"))
    extended = call.close_date != old_close
    call._change_reason = summary
    call.full_clean()
    call.save()
    if extended and call.close_date < old_close:
        kind = AmendmentKind.SHORTEN
    else:
        kind = AmendmentKind.EXTEND if extended and notice is None else AmendmentKind.AMEND
    amendment = CallAmendment(call=call, kind=kind,
                              summary=summary, old_close_date=old_close if extended else None,
                              new_close_date=call.close_date if extended else None, actor=actor)
    amendment.full_clean()
    amendment.save()
    teams = Application.objects.filter(call=call).exclude(status=ApplicationStatus.WITHDRAWN).values("team_id")
    notify(recipients=list(User.objects.filter(team_id__in=teams, role=Role.TEAM_LEADER, is_active=True)),
           title=_("征集通知有变更：%(t)s") % {"t": call.title}, body=summary, link=call.get_public_url())
    return amendment


@transaction.atomic
def call_transition(*, actor, call: Call, action: str, comment: str = "", confirmed: bool = False) -> Call:
    """Publish or cancel a call. A short application window is published only when ``confirmed`` (the official
    ticked the warning)."""
    if not can(actor, call, CHANGE):
        raise PermissionDenied(_("您无权处理该征集通知。"))
    if action == "publish" and not call.towns.exists():
        raise ValidationError(_("请至少选择一个征集镇后再发布。"))
    apply_transition(workflow=CALL_WORKFLOW, obj=call, action=action, actor=actor, comment=comment, confirmed=confirmed)
    return call


@transaction.atomic
def call_attachment_add(*, actor, call: Call, name: str, file) -> CallAttachment:
    """Attach a file (PDF, Word, Excel or image, checked by content) to a call."""
    if not can(actor, call, CHANGE):
        raise PermissionDenied(_("您无权修改该征集通知。"))
    try:
        kind = check_upload(file, label=name or str(_("附件")), kinds=NOTICE_KINDS)
    except ValidationError as error:
        raise ValidationError({"file": error.messages})
    attachment = CallAttachment(call=call, name=(name or file.name).strip(), content_type=kind)
    attachment.file.save("a.%s" % EXTENSIONS[kind], file, save=False)
    attachment.full_clean()
    attachment.save()
    return attachment


# --------------------------------------------------------------------------
# Leader sign-up from the public call page
# --------------------------------------------------------------------------

@transaction.atomic
def leader_signup(*, call: Call, username: str, password: str, team_name: str, id_number: str, **person) -> Application:
    """A team leader signs up on a call's public page: account, registry entry, team and a draft application.

    The account can draft at once; the leader's dispatching unit or the organizer verifies it before the
    application can be accepted.
    """
    from teams.models import Team
    from teams.services import _add_membership, _build_commissioner, eligibility_problems
    from teams.choices import MemberRole

    if not call.is_open:
        raise ValidationError(_("该征集通知不在申报期内，不能注册申报。"))
    errors = {}
    username = (username or "").strip()
    if User.objects.filter(username__iexact=username).exists():
        errors["username"] = _("用户名“%(u)s”已被使用，请换一个。") % {"u": username}
    team_name = (team_name or "").strip()
    if Team.objects.filter(cycle=call.cycle, name=team_name).exists():
        errors["team_name"] = _("本周期已有名为“%(n)s”的团队，请换一个名称。") % {"n": team_name}
    user = User(username=username, role=Role.TEAM_LEADER, full_name=person.get("name", ""),
                phone=person.get("phone", ""), organization=person["unit"].name if person.get("unit") else "",
                must_change_password=False)
    try:
        validate_password(password, user)
    except ValidationError as error:
        errors["password"] = error.messages
    commissioner = None
    try:
        commissioner = _build_commissioner(id_number=id_number, **person)
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.setdefault(field, messages)
    if commissioner is not None:
        problems = eligibility_problems(commissioner, call.cycle)
        if problems:
            errors["__all__"] = problems
    if errors:
        raise ValidationError(errors)
    team = Team(cycle=call.cycle, name=team_name, lead_unit=commissioner.unit, leader_name=commissioner.name)
    team.full_clean()
    team.save()
    user.team = team
    user.set_password(password)
    user.full_clean()
    user.save()
    commissioner.user = user
    commissioner.save()
    _add_membership(team=team, commissioner=commissioner, role=MemberRole.LEADER)
    application = Application(call=call, team=team, created_by=user)
    application.full_clean()
    application.save()
    unit_users = User.objects.filter(role=Role.UNIT, unit=commissioner.unit, is_active=True)
    notify(recipients=list(unit_users), title=_("待核验：%(n)s注册为团队负责人") % {"n": commissioner.name},
           body=_("%(n)s以贵单位人员身份注册了“%(t)s”并申报“%(c)s”，请核验其身份。") % {
               "n": commissioner.name, "t": team.name, "c": call.title},
           link=commissioner.get_absolute_url())
    return application


# --------------------------------------------------------------------------
# Applications
# --------------------------------------------------------------------------

def _check_editable(actor, application: Application) -> None:
    if not can(actor, application, CHANGE) or actor.role != Role.TEAM_LEADER and not is_unrestricted(actor):
        raise PermissionDenied(_("只有申报团队的负责人可以修改申报。"))
    if application.status not in EDITABLE_STATES:
        raise ValidationError(_("申报当前为“%(s)s”，不能修改。") % {"s": application.get_status_display()})


@transaction.atomic
def application_start(*, actor, call: Call) -> Application:
    """A signed-in team leader starts an application of the team to an open call."""
    if actor.role != Role.TEAM_LEADER or not actor.team_id:
        raise PermissionDenied(_("只有团队负责人可以申报。"))
    if not call.is_open:
        raise ValidationError(_("该征集通知不在申报期内。"))
    if actor.team.cycle_id != call.cycle_id:
        raise ValidationError(_("您的团队不属于该征集的帮扶周期。"))
    existing = Application.objects.filter(call=call, team_id=actor.team_id).first()
    if existing:
        return existing
    application = Application(call=call, team_id=actor.team_id, created_by=actor)
    application.full_clean()
    application.save()
    return application


def _save_file(application: Application, field: str, upload, label: str) -> None:
    try:
        kind = check_upload(upload, label=label)
    except ValidationError as error:
        raise ValidationError({field: error.messages})
    getattr(application, field).save("f.%s" % EXTENSIONS[kind], upload, save=False)


@transaction.atomic
def application_update(*, actor, application: Application, service_plan: str, unit_endorsement=None,
                       recommendation_letter=None) -> Application:
    """The leader writes the service plan and uploads the endorsements (checked by content and size)."""
    _check_editable(actor, application)
    application.service_plan = (service_plan or "").strip()
    if unit_endorsement:
        _save_file(application, "unit_endorsement", unit_endorsement, str(_("派出单位推荐意见")))
    if recommendation_letter:
        _save_file(application, "recommendation_letter", recommendation_letter, str(_("驻镇工作队队长推荐函")))
    application.full_clean()
    application.save()
    return application


@transaction.atomic
def application_town_add(*, actor, application: Application, town, rank: int, past_projects: str = "",
                         visits: int = 0, years: int = 0, engagement_note: str = "", evidence=None) -> ApplicationTown:
    """Add a wanted town in rank order with the team's prior engagement there."""
    _check_editable(actor, application)
    if not application.call.towns.filter(pk=town.pk).exists():
        raise ValidationError({"town": _("%(t)s不在本次征集范围内，请从征集镇中选择。") % {"t": town.name}})
    if application.towns.filter(town=town).exists():
        raise ValidationError({"town": _("%(t)s已在意向镇中。") % {"t": town.name}})
    if application.towns.filter(rank=rank).exists():
        raise ValidationError({"rank": _("第%(r)d志愿已填写，请选择其他志愿顺序。") % {"r": rank}})
    row = ApplicationTown(application=application, town=town, rank=rank, past_projects=past_projects or "",
                          visits=visits or 0, years=years or 0, engagement_note=engagement_note or "")
    if evidence:
        try:
            kind = check_upload(evidence, label=str(_("佐证材料")))
        except ValidationError as error:
            raise ValidationError({"evidence": error.messages})
        row.evidence.save("e.%s" % EXTENSIONS[kind], evidence, save=False)
    row.full_clean()
    row.save()
    return row


@transaction.atomic
def application_town_remove(*, actor, row: ApplicationTown) -> None:
    _check_editable(actor, row.application)
    row.delete()


def application_problems(application: Application) -> list[str]:
    """What is missing before the application can be submitted (empty: complete)."""
    from teams.selectors import memberships_for_team
    from teams.services import eligibility_problems, team_size_problem

    problems = []
    call, team = application.call, application.team
    towns = list(application.towns.select_related("town"))
    if not towns:
        problems.append(str(_("请至少填写一个意向镇。")))
    covered = set(call.towns.values_list("pk", flat=True))
    for row in towns:
        if row.town_id not in covered:
            problems.append(str(_("意向镇%(t)s不在本次征集范围内。") % {"t": row.town.name}))
    if not application.service_plan.strip():
        problems.append(str(_("请填写帮扶思路。")))
    if not application.unit_endorsement:
        problems.append(str(_("请上传派出单位推荐意见（盖章）。")))
    if call.cycle.require_recommendation_letter and not application.recommendation_letter:
        problems.append(str(_("本周期要求上传驻镇工作队队长推荐函。")))
    size = team_size_problem(team)
    if size:
        problems.append(size)
    for membership in memberships_for_team(team):
        problems.extend(eligibility_problems(membership.commissioner, call.cycle, exclude_team=team))
    return problems


def _organizer_users(call: Call):
    if call.organizer_level == OrganizerLevel.CITY:
        return User.objects.filter(role=Role.CITY_ST, city_id=call.city_id, is_active=True)
    return User.objects.filter(role=Role.COUNTY_ST, county_id=call.county_id, is_active=True)


def _team_leaders(application: Application):
    return User.objects.filter(team_id=application.team_id, role=Role.TEAM_LEADER, is_active=True)


@transaction.atomic
def application_submit(*, actor, application: Application, today: dt.date | None = None) -> Application:
    """Submit (or resubmit after return): the call must be open and the application complete."""
    call = application.call
    today = today or timezone.localdate()
    if not can(actor, application, CHANGE) or actor.role != Role.TEAM_LEADER and not is_unrestricted(actor):
        raise PermissionDenied(_("只有申报团队的负责人可以提交申报。"))
    if call.status != CallStatus.PUBLISHED or today < call.open_date:
        raise ValidationError(_("该征集通知尚未开始申报。"))
    if today > call.close_date:
        raise ValidationError(_("申报已于%(d)s截止，不能再提交。") % {"d": call.close_date.strftime("%Y-%m-%d")})
    problems = application_problems(application)
    if problems:
        raise ValidationError(problems)
    action = "resubmit" if application.status == ApplicationStatus.RETURNED else "submit"
    application.submitted_at = timezone.now()
    apply_transition(workflow=APPLICATION_WORKFLOW, obj=application, action=action, actor=actor,
                     save_fields=["submitted_at"])
    notify(recipients=list(_organizer_users(call)), title=_("新的申报待审核：%(t)s") % {"t": application.team.name},
           body=str(call.title), link=application.get_absolute_url())
    return application


@transaction.atomic
def application_review(*, actor, application: Application, action: str, comment: str = "",
                       confirmed: bool = False) -> Application:
    """The organizer returns for revision, accepts for selection or rejects; the leader is told in the inbox.
    Accepting a team already accepted in another call of the cycle needs ``confirmed`` (the step's warning)."""
    from teams.selectors import team_leader

    if action not in ("return", "accept", "reject"):
        raise ValidationError(_("未知操作：%(a)s") % {"a": action})
    if not can(actor, application, CHANGE) or actor.role not in {Role.CITY_ST, Role.COUNTY_ST, Role.ADMIN}:
        raise PermissionDenied(_("只有征集组织单位可以审核申报。"))
    if action == "accept":
        leader = team_leader(application.team)
        if leader is None or not leader.is_verified:
            raise ValidationError(_("团队负责人账号尚未经派出单位或组织单位核验，申报暂不能受理。请先在团队页面核验。"))
    apply_transition(workflow=APPLICATION_WORKFLOW, obj=application, action=action, actor=actor, comment=comment,
                     confirmed=confirmed)
    label = APPLICATION_WORKFLOW[action].label
    body = (_("意见：%(c)s") % {"c": comment}) if comment else ""
    notify(recipients=list(_team_leaders(application)),
           title=_("您的申报已%(l)s：%(c)s") % {"l": label, "c": application.call.title},
           body=body, link=application.get_absolute_url())
    return application


@transaction.atomic
def application_withdraw(*, actor, application: Application, comment: str = "") -> Application:
    """The leader withdraws the application before selection."""
    if not can(actor, application, CHANGE) or actor.role != Role.TEAM_LEADER and not is_unrestricted(actor):
        raise PermissionDenied(_("只有申报团队的负责人可以撤回申报。"))
    apply_transition(workflow=APPLICATION_WORKFLOW, obj=application, action="withdraw", actor=actor, comment=comment)
    return application


def application_act(*, actor, application: Application, action: str, comment: str = "",
                    confirmed: bool = False) -> Application:
    """One entry point for the workflow buttons (``confirmed``: the official ticked the step's warning)."""
    if action in ("submit", "resubmit"):
        return application_submit(actor=actor, application=application)
    if action == "withdraw":
        return application_withdraw(actor=actor, application=application, comment=comment)
    return application_review(actor=actor, application=application, action=action, comment=comment,
                              confirmed=confirmed)
