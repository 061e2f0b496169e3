"""Writes of the fieldwork: activities and their photos, stays, confirmations, tasks, flags, working conditions and
the team's requests about them.

Every function takes ``actor=``, checks role and scope before it saves (``core.scoping.may_write`` / ``can``), moves
statuses only through the workflows (``fieldwork.choices``), validates the whole input (one transaction: nothing is
half-saved) and tells the next actor. A team member logs only for their own team (against its working pairing); a work
team confirms only what happened in its own town; dates are never in the future nor outside the cycle.
"""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import notify
from core.fields import cycle_date_error, upload_limit_text, upload_max_bytes
from core.roles import COUNTY_ROLES, TEAM_ROLES, Role, is_system_admin
from core.scoping import CHANGE, can, may_write
from core.services import unchanged
from core.workflow import apply_transition, record_creation
from fieldwork import selectors
from fieldwork.choices import (ACTIVITY_WORKFLOW, FLAG_WORKFLOW, LIVE_RECORDS, PHOTOS_MAX, REQUEST_WORKFLOW,
                               STAY_MAX_DAYS, STAY_WORKFLOW, TASK_WORKFLOW, FlagKind, FlagStatus, RecordStatus,
                               TaskStatus)
from fieldwork.models import (Activity, ActivityPhoto, ConditionRequest, Flag, Stay, Task, WorkingConditions)
from projects.services import organizer_users, team_leaders
from teams.models import Commissioner

ACTIVITY_FIELDS = ["date", "town", "village", "village_name", "service_type", "project", "task", "title",
                   "description", "people_trained", "households_served", "enterprises_served", "technologies",
                   "demo_area_mu"]
STAY_FIELDS = ["commissioner", "town", "start_date", "end_date", "place", "purpose"]
TASK_FIELDS = ["title", "description", "due_date"]
CONDITION_FIELDS = ["office", "office_note", "lodging", "lodging_note", "transport", "transport_note", "meals",
                    "meals_note", "note"]
REQUEST_FIELDS = ["category", "title", "description"]
PHOTO_FORMATS = {"JPEG": "jpg", "MPO": "jpg", "PNG": "png", "WEBP": "webp"}


# ------------------------------------------------------------------------------------------------ helpers
def _raise(errors):
    if errors:
        raise ValidationError(errors)


def _merge(errors: dict, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, messages in error.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    else:
        errors.setdefault("__all__", []).extend(error.messages)


def _clean(record, errors: dict, exclude=None) -> None:
    # A field the service already refused is not validated again: one message per problem (not the service's and
    # the field validator's, nor a generic "约束…是无效的" for a check constraint on it).
    exclude = list(exclude or []) + [name for name in errors if name != "__all__"]
    try:
        record.full_clean(exclude=exclude)
    except ValidationError as error:
        _merge(errors, error)


def _active(users):
    return list(users.filter(is_active=True))


def unit_users(team):
    """The dispatching unit's accounts of the team's lead unit (it manages its people: seed 四(一))."""
    if not team.lead_unit_id:
        return []
    return _active(User.objects.filter(role=Role.UNIT, unit_id=team.lead_unit_id))


def town_users(town_id):
    return _active(User.objects.filter(role=Role.TOWN, town_id=town_id))


def rural_users(town):
    """The rural-revitalization offices over a town: its county's and its city's."""
    return _active(User.objects.filter(role=Role.COUNTY_RURAL, county_id=town.county_id)) + \
        _active(User.objects.filter(role=Role.CITY_RURAL, city_id=town.county.city_id))


def _team_pairing(actor, what: str):
    """The working pairing of the actor's team: the team logs only for itself, while it is registered or active."""
    if actor.role not in TEAM_ROLES or not actor.team_id:
        raise PermissionDenied(_("只有团队负责人和成员可以%(what)s。") % {"what": what})
    pairing = selectors.working_pairing_of_team(actor.team_id)
    if pairing is None:
        raise ValidationError(_("本团队当前没有已备案或帮扶中的结对，不能%(what)s。") % {"what": what})
    return pairing


def _town_pairing(actor, what: str):
    if actor.role != Role.TOWN or not actor.town_id:
        raise PermissionDenied(_("只有镇（驻镇工作队）账号可以%(what)s。") % {"what": what})
    pairing = selectors.working_pairing_of_town(actor.town_id)
    if pairing is None:
        raise ValidationError(_("本镇当前没有已备案或帮扶中的结对团队，不能%(what)s。") % {"what": what})
    return pairing


def _check_date(value, cycle, label, key, errors, today=None) -> None:
    """A day a thing happened: not after today, inside the cycle."""
    if value is None or key in errors:
        return
    today = today or timezone.localdate()
    if value > today:
        errors.setdefault(key, []).append(_("%(label)s不能晚于今天（%(t)s）。") % {"label": label, "t": today.isoformat()})
        return
    problem = cycle_date_error(value, cycle, label)
    if problem:
        errors.setdefault(key, []).append(problem)


def _town_in_city(town, pairing, errors) -> None:
    """Cross-town work is done in a town of the paired town's city (its work team confirms it)."""
    if town is not None and town.county.city_id != pairing.town.county.city_id:
        errors.setdefault("town", []).append(_("所在镇须为%(c)s的镇。") % {"c": pairing.town.county.city.name})


def _locked(model, record):
    return model.objects.select_for_update(of=("self",)).get(pk=record.pk)


def _editable(actor, record, what: str) -> None:
    if record.status not in (RecordStatus.SUBMITTED, RecordStatus.QUERIED):
        raise ValidationError(_("该记录当前为“%(s)s”，不能再修改。") % {"s": record.get_status_display()})
    if not (is_system_admin(actor) or (actor.role in TEAM_ROLES and actor.team_id == record.team_id)):
        raise PermissionDenied(_("只有填报团队的成员可以修改%(what)s。") % {"what": what})


# ------------------------------------------------------------------------------------------------ photos
def photo_problem(upload, index: int = 0) -> str | None:
    """What is wrong with an uploaded photo (naming it), or None: an image (JPEG, PNG or WebP) of at most the set
    size. It is only opened and verified here (its header and structure); decoding and resizing run in the
    background task."""
    from PIL import Image, UnidentifiedImageError

    name = getattr(upload, "name", "") or _("第%(n)d张照片") % {"n": index + 1}
    limit = upload_max_bytes("photo")
    if upload.size > limit:
        return _("照片“%(f)s”大小为%(s).1f MB，超过上限（%(l)s），请压缩后重新上传。") % {
            "f": name, "s": upload.size / 1048576, "l": upload_limit_text("photo")}
    if not upload.size:
        return _("照片“%(f)s”是空文件。") % {"f": name}
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            kind = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return _("“%(f)s”不是可识别的图片，请上传手机拍摄的 JPG、PNG 或 WebP 照片。") % {"f": name}
    finally:
        upload.seek(0)
    if kind not in PHOTO_FORMATS:
        return _("“%(f)s”的格式（%(k)s）不受支持，请上传 JPG、PNG 或 WebP 照片。") % {"f": name, "k": kind}
    return None


def _photos(activity, uploads, errors) -> list:
    uploads = [u for u in (uploads or []) if u]
    if not uploads:
        return []
    existing = activity.photos.count() if activity.pk else 0
    if existing + len(uploads) > PHOTOS_MAX:
        errors.setdefault("photos", []).append(
            _("每项活动最多%(m)d张照片（已有%(e)d张，本次%(n)d张）。") % {"m": PHOTOS_MAX, "e": existing, "n": len(uploads)})
        return []
    for index, upload in enumerate(uploads):
        problem = photo_problem(upload, index)
        if problem:
            errors.setdefault("photos", []).append(problem)
    return uploads


def _enqueue_photos(activity_id: int) -> None:
    from fieldwork.tasks import process_photos

    if "ImmediateBackend" in settings.TASKS["default"]["BACKEND"]:
        process_photos.enqueue(activity_id=activity_id)  # tests: at once, inside the same transaction
    else:  # the worker must find the committed rows
        transaction.on_commit(lambda: process_photos.enqueue(activity_id=activity_id))


def _store_photos(activity, uploads) -> None:
    for upload in uploads:
        photo = ActivityPhoto(activity=activity, original_name=(getattr(upload, "name", "") or "")[:200],
                              size=upload.size)
        photo.image.save(upload.name or "photo.jpg", upload, save=False)
        photo.save()
    if uploads:
        _enqueue_photos(activity.pk)


@transaction.atomic
def photo_add(*, actor, activity: Activity, uploads) -> list:
    activity = _locked(Activity, activity)
    _editable(actor, activity, _("活动照片"))
    errors: dict = {}
    uploads = _photos(activity, uploads, errors)
    _raise(errors)
    _store_photos(activity, uploads)
    return uploads


@transaction.atomic
def photo_delete(*, actor, photo: ActivityPhoto) -> None:
    activity = _locked(Activity, photo.activity)
    _editable(actor, activity, _("活动照片"))
    files = [(f.storage, f.name) for f in (photo.image, photo.thumbnail) if f.name]
    photo.delete()
    # The files go once the row is gone for good (a rolled-back delete keeps them).
    transaction.on_commit(lambda: [storage.delete(name) for storage, name in files])


# ------------------------------------------------------------------------------------------------ activities
def _activity_values(activity, values, pairing, errors, participants) -> None:
    for name in ACTIVITY_FIELDS:
        if name in values:
            setattr(activity, name, values[name])
    town = values.get("town") or (activity.town if activity.town_id else pairing.town)
    activity.set_town(town)
    _town_in_city(town, pairing, errors)
    if activity.village_id and activity.village.town_id != activity.town_id:
        errors.setdefault("village", []).append(_("所选行政村不属于%(t)s。") % {"t": activity.town.name})
    if activity.project_id and activity.project.pairing_id != pairing.pk:
        errors.setdefault("project", []).append(_("所选项目不是本团队在本结对中的帮扶项目。"))
    if activity.task_id and activity.task.pairing_id != pairing.pk:
        errors.setdefault("task", []).append(_("所选任务不是本镇驻镇工作队交给本团队的任务。"))
    _check_date(activity.date, pairing.cycle, _("活动日期"), "date", errors)
    if participants is not None:
        members = set(selectors_team_members(pairing.team_id))
        strangers = [p for p in participants if p.pk not in members]
        if strangers:
            errors.setdefault("participants", []).append(
                _("参加成员须是本团队成员：%(n)s不是。") % {"n": "、".join(p.name for p in strangers)})


def selectors_team_members(team_id) -> list[int]:
    return list(Commissioner.objects.filter(memberships__team_id=team_id).values_list("pk", flat=True))


@transaction.atomic
def activity_save(*, actor, values: dict, activity: Activity | None = None, participants=None,
                  photos=()) -> Activity:
    """Log a service activity (or edit one still awaiting confirmation or queried: saving a queried one sends it back
    to the work team). Photos are checked here and processed in the background."""
    creating = activity is None
    if creating:
        pairing = _team_pairing(actor, _("填报服务活动"))
        activity = Activity(created_by=actor)
        activity.copy_pairing(pairing)
    else:
        activity = _locked(Activity, activity)
        _editable(actor, activity, _("服务活动"))
        pairing = activity.pairing
    errors: dict = {}
    if creating and not participants:
        # No one ticked: the member who logs it was there (a team's account is one of its commissioners).
        participants = list(Commissioner.objects.filter(user=actor, memberships__team_id=pairing.team_id)) or None
    _activity_values(activity, values, pairing, errors, participants)
    uploads = _photos(activity, photos, errors)
    _clean(activity, errors, exclude=["pairing"])
    _raise(errors)
    if not may_write(actor, activity, CHANGE):
        raise PermissionDenied(_("您无权为该团队填报服务活动。"))
    if not creating and unchanged(activity) and participants is None and not uploads:
        return activity
    activity.save()
    if participants is not None:
        activity.participants.set(participants)
    if creating:
        record_creation(obj=activity, action="submit", actor=actor)
        _tell_town(activity, _("服务活动待确认"), activity.title)
    elif activity.status == RecordStatus.QUERIED:
        apply_transition(workflow=ACTIVITY_WORKFLOW, obj=activity, action="resubmit", actor=actor)
        _tell_town(activity, _("服务活动已修改，待确认"), activity.title)
    _store_photos(activity, uploads)
    return activity


def _tell_town(record, title, what) -> None:
    notify(recipients=town_users(record.town_id), title="%s：%s" % (title, record.team.name),
           body=_("%(w)s（%(t)s）。请核实后确认或询问。") % {"w": what, "t": record.town.name},
           link=record.get_absolute_url())


# ------------------------------------------------------------------------------------------------ stays
def _stay_values(actor, stay, values, pairing, errors) -> None:
    for name in STAY_FIELDS:
        if name in values:
            setattr(stay, name, values[name])
    town = values.get("town") or (stay.town if stay.town_id else pairing.town)
    stay.set_town(town)
    _town_in_city(town, pairing, errors)
    if not stay.commissioner_id:
        errors.setdefault("commissioner", []).append(_("请选择驻镇成员。"))
        return
    members = selectors_team_members(pairing.team_id)
    if stay.commissioner_id not in members:
        errors.setdefault("commissioner", []).append(_("驻镇成员须是本团队成员。"))
    elif actor.role == Role.TEAM_MEMBER and stay.commissioner.user_id != actor.pk:
        errors.setdefault("commissioner", []).append(_("团队成员只能填报本人的驻镇时间；负责人可为全队成员填报。"))
    cycle = pairing.cycle
    _check_date(stay.start_date, cycle, _("开始日期"), "start_date", errors)
    _check_date(stay.end_date, cycle, _("结束日期"), "end_date", errors)
    if stay.start_date and stay.end_date and "start_date" not in errors and "end_date" not in errors:
        if stay.end_date < stay.start_date:
            errors.setdefault("end_date", []).append(_("结束日期不能早于开始日期。"))
        elif stay.days > STAY_MAX_DAYS:
            errors.setdefault("end_date", []).append(
                _("一次驻镇记录为%(n)d天，超过%(m)d天，请按实际往返分段填写。") % {"n": stay.days, "m": STAY_MAX_DAYS})


def _overlap(stay, errors) -> None:
    """One person is in one place a day: a live stay of the same person over any of these days is refused, naming it
    (checked under the person's row lock, so two submissions at once cannot both pass)."""
    if errors or not (stay.commissioner_id and stay.start_date and stay.end_date):
        return
    Commissioner.objects.select_for_update().filter(pk=stay.commissioner_id).first()
    clash = (Stay.objects.filter(commissioner_id=stay.commissioner_id, status__in=LIVE_RECORDS,
                                 start_date__lte=stay.end_date, end_date__gte=stay.start_date)
             .exclude(pk=stay.pk).order_by("start_date").first())
    if clash:
        errors.setdefault("start_date", []).append(
            _("与已填报的驻镇记录（%(a)s 至 %(b)s，%(t)s，%(s)s）日期重叠：同一人同一天只能有一条驻镇记录。") % {
                "a": clash.start_date.isoformat(), "b": clash.end_date.isoformat(), "t": clash.town.name,
                "s": clash.get_status_display()})


@transaction.atomic
def stay_save(*, actor, values: dict, stay: Stay | None = None) -> Stay:
    """Record a stay (from–to, where, purpose) of a member: a member their own, the leader any member's."""
    creating = stay is None
    if creating:
        pairing = _team_pairing(actor, _("填报驻镇时间"))
        stay = Stay(created_by=actor)
        stay.copy_pairing(pairing)
    else:
        stay = _locked(Stay, stay)
        _editable(actor, stay, _("驻镇记录"))
        if actor.role == Role.TEAM_MEMBER and stay.commissioner.user_id != actor.pk:
            raise PermissionDenied(_("团队成员只能修改本人的驻镇记录；负责人可修改全队成员的记录。"))
        pairing = stay.pairing
    errors: dict = {}
    _stay_values(actor, stay, values, pairing, errors)
    _clean(stay, errors, exclude=["pairing"])
    _overlap(stay, errors)
    _raise(errors)
    if not may_write(actor, stay, CHANGE):
        raise PermissionDenied(_("您无权为该团队填报驻镇时间。"))
    if not creating and unchanged(stay):
        return stay
    stay.save()
    if creating:
        record_creation(obj=stay, action="submit", actor=actor)
        _tell_town(stay, _("驻镇记录待确认"), "%s %s 至 %s" % (stay.commissioner.name, stay.start_date, stay.end_date))
    elif stay.status == RecordStatus.QUERIED:
        apply_transition(workflow=STAY_WORKFLOW, obj=stay, action="resubmit", actor=actor)
    return stay


# ------------------------------------------------------------------------------------------------ confirmations
WORKFLOWS = {Activity: ACTIVITY_WORKFLOW, Stay: STAY_WORKFLOW}


@transaction.atomic
def record_act(*, actor, record, action: str, comment: str = ""):
    """Confirm or query (the work team of the town where it happened), resubmit or withdraw (the team)."""
    model = type(record)
    workflow = WORKFLOWS[model]
    record = _locked(model, record)
    if not can(actor, record, CHANGE):
        raise PermissionDenied(_("您无权处理该记录：只有活动或驻点所在镇的驻镇工作队可以确认。"))
    if action in ("confirm", "query") and not is_system_admin(actor) and actor.town_id != record.town_id:
        raise PermissionDenied(_("只有所在镇的驻镇工作队可以确认或询问。"))
    fields = []
    if action == "confirm":
        record.confirmed_by = actor
        fields.append("confirmed_by")
    elif action == "query":
        record.query_reason = (comment or "").strip()[:1000]
        fields.append("query_reason")
    apply_transition(workflow=workflow, obj=record, action=action, actor=actor, comment=comment, save_fields=fields)
    if action == "query":
        notify(recipients=team_leaders(record.team_id) + _logger(record),
               title=_("%(w)s被询问：%(r)s") % {"w": model._meta.verbose_name, "r": record},
               body=comment, link=record.get_absolute_url())
    return record


def _logger(record):
    user = record.created_by
    return [user] if user is not None and user.is_active and user.role == Role.TEAM_MEMBER else []


def bulk_confirm(*, actor, model, ids) -> tuple[int, list[str]]:
    """Confirm many records at once: each is its own check-and-set step (one already handled is skipped with the
    reason). Returns (confirmed, problems)."""
    from core.scoping import restrict

    if actor.role != Role.TOWN and not is_system_admin(actor):
        raise PermissionDenied(_("只有驻镇工作队可以批量确认。"))
    wanted = []
    for value in ids or []:
        try:
            wanted.append(int(value))
        except (TypeError, ValueError):
            continue
    records = restrict(model.objects.filter(pk__in=wanted[:500]), actor, CHANGE).order_by("pk")
    confirmed, problems = 0, []
    for record in records:
        try:
            record_act(actor=actor, record=record, action="confirm")
            confirmed += 1
        except (ValidationError, PermissionDenied) as error:
            problems.append("%s：%s" % (record, "；".join(getattr(error, "messages", [str(error)]))))
    found = set(records.values_list("pk", flat=True))
    for pk in sorted(set(wanted[:500]) - found):  # one line per record skipped, so the count and the list agree
        problems.append(_("编号%(pk)d：不在本镇范围内或不存在") % {"pk": pk})
    return confirmed, problems


# ------------------------------------------------------------------------------------------------ tasks
@transaction.atomic
def task_save(*, actor, values: dict, task: Task | None = None) -> Task:
    """The work team gives its team a task (what, by when) or edits one still open."""
    creating = task is None
    if creating:
        pairing = _town_pairing(actor, _("布置工作任务"))
        task = Task(created_by=actor)
        task.copy_pairing(pairing)
    else:
        task = _locked(Task, task)
        if actor.role != Role.TOWN and not is_system_admin(actor):
            raise PermissionDenied(_("只有驻镇工作队可以修改工作任务。"))
        if task.status != TaskStatus.OPEN:
            raise ValidationError(_("任务当前为“%(s)s”，不能再修改。") % {"s": task.get_status_display()})
    for name in TASK_FIELDS:
        if name in values:
            setattr(task, name, values[name])
    errors: dict = {}
    if creating and task.due_date and task.due_date < timezone.localdate():
        errors.setdefault("due_date", []).append(_("完成期限不能早于今天。"))
    if task.due_date and "due_date" not in errors:
        problem = cycle_date_error(task.due_date, task.pairing.cycle, _("完成期限"))
        if problem:
            errors.setdefault("due_date", []).append(problem)
    _clean(task, errors, exclude=["pairing"])
    _raise(errors)
    if not may_write(actor, task, CHANGE):
        raise PermissionDenied(_("您无权为该团队布置任务。"))
    if not creating and unchanged(task):
        return task
    task.save()
    if creating:
        record_creation(obj=task, action="assign", actor=actor)
        notify(recipients=team_leaders(task.team_id), title=_("驻镇工作队布置了任务：%(t)s") % {"t": task.title},
               body=_("完成期限：%(d)s。") % {"d": task.due_date}, link=task.get_absolute_url())
    return task


@transaction.atomic
def task_act(*, actor, task: Task, action: str, comment: str = "") -> Task:
    task = _locked(Task, task)
    if not can(actor, task, CHANGE):
        raise PermissionDenied(_("您无权处理该任务。"))
    fields = []
    if action == "report":
        task.report = (comment or "").strip()
        fields.append("report")
    apply_transition(workflow=TASK_WORKFLOW, obj=task, action=action, actor=actor, comment=comment,
                     save_fields=fields)
    if action == "report":
        notify(recipients=town_users(task.home_town_id), title=_("团队报告了任务完成情况：%(t)s") % {"t": task.title},
               body=comment, link=task.get_absolute_url())
    elif action in ("reopen", "cancel"):
        notify(recipients=team_leaders(task.team_id), title=_("任务“%(t)s”：%(a)s") % {
            "t": task.title, "a": TASK_WORKFLOW[action].label}, body=comment, link=task.get_absolute_url())
    return task


# ------------------------------------------------------------------------------------------------ flags
def _flag_recipients(flag) -> list:
    """Who is told of a flag: the team's leader, its dispatching unit and the organizing S&T office."""
    return team_leaders(flag.team_id) + unit_users(flag.team) + organizer_users(flag.pairing)


def _tell_flag(flag, opened: bool) -> None:
    title = (_("履职预警：%(k)s") if opened else _("预警已解除：%(k)s")) % {"k": flag.get_kind_display()}
    notify(recipients=_flag_recipients(flag), title="%s（%s，%s）" % (title, flag.team.name, flag.home_town.name),
           body=flag.detail, link=flag.get_absolute_url())


@transaction.atomic
def flag_report(*, actor, detail: str) -> Flag:
    """The work team reports that its team does not cooperate (不配合): a flag the organizer resolves."""
    pairing = _town_pairing(actor, _("反映团队不配合情况"))
    detail = (detail or "").strip()
    errors: dict = {}
    if not detail:
        errors["detail"] = [_("请说明团队不配合的具体情况（时间、事项、经过）。")]
    flag = Flag(kind=FlagKind.NONCOOPERATION, detail=detail[:500], opened_at=timezone.now(), created_by=actor)
    flag.copy_pairing(pairing)
    if len(detail) > 500:
        errors.setdefault("detail", []).append(_("情况说明不超过500字（现有%(n)d字）。") % {"n": len(detail)})
    _clean(flag, errors, exclude=["pairing"])
    _raise(errors)
    if not may_write(actor, flag, CHANGE):
        raise PermissionDenied(_("您无权反映该团队的情况。"))
    flag.save()
    record_creation(obj=flag, action="report", actor=actor, comment=detail[:1000])
    _tell_flag(flag, opened=True)
    return flag


@transaction.atomic
def flag_act(*, actor, flag: Flag, action: str, comment: str = "") -> Flag:
    flag = _locked(Flag, flag)
    if not can(actor, flag, CHANGE):
        raise PermissionDenied(_("您无权处理该预警。"))
    apply_transition(workflow=FLAG_WORKFLOW, obj=flag, action=action, actor=actor, comment=comment)
    _tell_flag(flag, opened=False)
    return flag


def flag_system_move(flag: Flag, action: str, detail: str, now) -> None:
    """The monitor opens again or closes a flag (a system step; the detail says why)."""
    flag = _locked(Flag, flag)
    if action == "reopen":
        flag.detail = detail[:500]
    apply_transition(workflow=FLAG_WORKFLOW, obj=flag, action=action, actor=None, system=True,
                     comment=detail[:1000], save_fields=["detail"] if action == "reopen" else None)
    _tell_flag(flag, opened=action == "reopen")


# ------------------------------------------------------------------------------------------------ conditions
@transaction.atomic
def conditions_save(*, actor, values: dict, conditions: WorkingConditions | None = None) -> WorkingConditions:
    """The work team records the conditions the town provides its team (office, lodging, transport, meals)."""
    if conditions is None:
        pairing = _town_pairing(actor, _("登记工作条件"))
        conditions = WorkingConditions.objects.filter(pairing=pairing).first() or WorkingConditions(created_by=actor)
        if conditions.pk is None:
            conditions.copy_pairing(pairing)
    conditions = _locked(WorkingConditions, conditions) if conditions.pk else conditions
    if actor.role != Role.TOWN and not is_system_admin(actor):
        raise PermissionDenied(_("只有驻镇工作队可以登记工作条件。"))
    for name in CONDITION_FIELDS:
        if name in values:
            setattr(conditions, name, values[name])
    errors: dict = {}
    _clean(conditions, errors, exclude=["pairing"])
    _raise(errors)
    if not may_write(actor, conditions, CHANGE):
        raise PermissionDenied(_("您无权登记该镇的工作条件。"))
    if unchanged(conditions):
        return conditions
    conditions.save()
    return conditions


@transaction.atomic
def request_save(*, actor, values: dict) -> ConditionRequest:
    """The team raises a problem with its working conditions or its work; the town and the rural offices answer."""
    pairing = _team_pairing(actor, _("反映问题"))
    request = ConditionRequest(created_by=actor)
    request.copy_pairing(pairing)
    for name in REQUEST_FIELDS:
        if name in values:
            setattr(request, name, values[name])
    errors: dict = {}
    _clean(request, errors, exclude=["pairing"])
    _raise(errors)
    if not may_write(actor, request, CHANGE):
        raise PermissionDenied(_("您无权为该团队反映问题。"))
    request.save()
    record_creation(obj=request, action="raise", actor=actor)
    notify(recipients=town_users(request.home_town_id) + rural_users(request.home_town),
           title=_("团队反映问题：%(t)s") % {"t": request.title},
           body="%s（%s）" % (request.get_category_display(), request.home_town.name), link=request.get_absolute_url())
    return request


@transaction.atomic
def request_act(*, actor, request: ConditionRequest, action: str, comment: str = "") -> ConditionRequest:
    request = _locked(ConditionRequest, request)
    if not can(actor, request, CHANGE):
        raise PermissionDenied(_("您无权处理该问题。"))
    fields = []
    if action == "answer":
        request.answer = (comment or "").strip()
        request.answered_by = actor
        fields += ["answer", "answered_by"]
    apply_transition(workflow=REQUEST_WORKFLOW, obj=request, action=action, actor=actor, comment=comment,
                     save_fields=fields)
    if action == "answer":
        notify(recipients=team_leaders(request.team_id) + ([request.created_by] if request.created_by_id else []),
               title=_("问题已答复：%(t)s") % {"t": request.title}, body=comment, link=request.get_absolute_url())
    elif action == "reopen":
        notify(recipients=town_users(request.home_town_id) + rural_users(request.home_town),
               title=_("团队表示问题仍未解决：%(t)s") % {"t": request.title}, body=comment,
               link=request.get_absolute_url())
    return request
