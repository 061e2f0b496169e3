"""Writes of coordination: groups, their members, meetings with their documents, and follow-up items (督办事项).

Every function takes ``actor=``, checks role and scope before it saves (``core.scoping.may_write``: the group itself
by its level's S&T office, what hangs under it by that level's S&T and rural-revitalization offices), validates the
whole input with Chinese messages naming the field (one transaction: nothing is half-saved) and moves a follow-up's
status only through ``coordination.choices.FOLLOW_UP_WORKFLOW``.
"""
from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.services import notify
from calls.uploads import check_upload
from coordination import selectors
from coordination.choices import FOLLOW_UP_WORKFLOW, OFFICES, FollowUpStatus, GroupLevel
from coordination.models import FollowUp, Group, GroupMember, Meeting, MeetingDocument
from core.roles import Role, is_system_admin
from core.scoping import CHANGE, may_write
from core.services import unchanged
from core.workflow import apply_transition, record_creation

GROUP_FIELDS = ["name", "duties", "established_on", "document_number"]
MEMBER_FIELDS = ["name", "organization", "position", "role_in_group", "phone", "user", "active", "left_on"]
MEETING_FIELDS = ["date", "place", "title", "other_attendees", "agenda", "decisions"]
FOLLOW_UP_FIELDS = ["meeting", "title", "detail", "owner", "owner_text", "owner_organization", "due_date"]
GROUP_CREATORS = frozenset({Role.CITY_ST, Role.COUNTY_ST})
DOCUMENTS_MAX = 10
DOCUMENT_KINDS = ("pdf", "docx", "jpeg", "png")


# ------------------------------------------------------------------------------------------------ helpers
def _raise(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


def _clean(record, errors: dict, exclude=()) -> None:
    """``full_clean`` into ``errors``; a field the service already refused is not validated twice."""
    exclude = list(exclude) + [name for name in errors if name != "__all__"]
    try:
        record.full_clean(exclude=exclude)
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for name, messages in error.message_dict.items():
                errors.setdefault(name, []).extend(messages)
        else:
            errors.setdefault("__all__", []).extend(error.messages)


def _set(record, values: dict, names) -> None:
    for name in names:
        if name in values:
            setattr(record, name, values[name])


def _locked(model, record):
    return model.objects.select_for_update(of=("self",)).get(pk=record.pk)


def _check_scope(actor, record, message) -> None:
    if not may_write(actor, record, CHANGE):
        raise PermissionDenied(message)


# ------------------------------------------------------------------------------------------------ groups
@transaction.atomic
def group_save(*, actor, values: dict, group: Group | None = None) -> Group:
    """Set up (or edit) the group of the actor's level: the city S&T bureau the city's coordination and guidance
    group, a county S&T department its county's coordination mechanism. One group per city and per county."""
    creating = group is None
    errors: dict = {}
    if creating:
        if not (is_system_admin(actor) or actor.role in GROUP_CREATORS):
            raise PermissionDenied(_("只有市、县科技部门可以建立协调指导小组（协调机制）。"))
        group = Group(created_by=actor)
        county = values.get("county") if is_system_admin(actor) else (actor.county if actor.role == Role.COUNTY_ST
                                                                       else None)
        if county is not None:
            group.level, group.county, group.city_id = GroupLevel.COUNTY, county, county.city_id
        else:
            group.level = GroupLevel.CITY
            group.city_id = actor.city_id if not is_system_admin(actor) else getattr(values.get("city"), "pk", None)
            if group.city_id is None:
                errors["city"] = [_("请选择市。")]
    else:
        group = _locked(Group, group)
    _set(group, values, GROUP_FIELDS)
    if not creating or group.city_id:
        _check_scope(actor, group, _("只有本级科技部门可以建立或修改本级协调指导小组。"))
    if creating and not errors:
        # One group per city and per county (also a database constraint): said plainly, after the scope check.
        same = Group.objects.filter(county=group.county) if group.county_id else Group.objects.filter(
            level=GroupLevel.CITY, city_id=group.city_id)
        existing = same.first()
        if existing is not None:
            errors["__all__"] = [_("%(p)s已建立“%(n)s”，不能重复建立；如需调整请修改原小组。") % {
                "p": existing.place_name, "n": existing.name}]
    _clean(group, errors)
    _raise(errors)
    if not creating and unchanged(group):
        return group
    group.save()
    return group


# ------------------------------------------------------------------------------------------------ members
def _check_account(member, errors) -> None:
    """A linked account is an official of the group's city (its S&T or rural offices, or a county's)."""
    user = member.user
    if user is None:
        return
    group = member.group
    city_id = user.city_id or (user.county.city_id if user.county_id else None)
    # A county's mechanism links accounts of that county or of the city over it, never another county's (a linked
    # owner reads the items they own).
    other_county = group.county_id is not None and user.county_id is not None and user.county_id != group.county_id
    if user.role not in OFFICES or city_id != group.city_id or other_county or not user.is_active:
        where = group.county.name if group.county_id else group.city.name
        errors.setdefault("user", []).append(
            _("平台账号须为%(c)s（或其上级市）的科技或乡村振兴部门的在用账号。") % {"c": where})


@transaction.atomic
def member_save(*, actor, values: dict, group: Group | None = None, member: GroupMember | None = None) -> GroupMember:
    """Add a member to a group, or edit one (a member who left keeps their entry: 在任 unticked, with the date)."""
    if member is None:
        member = GroupMember(group=group)
    else:
        member = _locked(GroupMember, member)
    _set(member, values, MEMBER_FIELDS)
    _check_scope(actor, member, _("只有本级科技部门和乡村振兴部门可以维护小组成员。"))
    if member.left_on is not None:
        member.active = False
    errors: dict = {}
    _check_account(member, errors)
    _clean(member, errors, exclude=["group"])
    _raise(errors)
    if member.pk and unchanged(member):
        return member
    member.save()
    return member


# ------------------------------------------------------------------------------------------------ meetings
def _check_attendees(group, attendees, errors) -> None:
    strangers = [member for member in attendees if member.group_id != group.pk]
    if strangers:
        errors.setdefault("attendees", []).append(
            _("出席成员须是本小组成员：%(n)s不是。") % {"n": "、".join(member.name for member in strangers)})


def _check_documents(meeting, uploads, errors) -> list:
    uploads = [upload for upload in (uploads or []) if upload]
    existing = meeting.documents.count() if meeting.pk else 0
    if existing + len(uploads) > DOCUMENTS_MAX:
        errors.setdefault("documents", []).append(_("每次会议最多%(m)d个文件（已有%(e)d个，本次%(n)d个）。") % {
            "m": DOCUMENTS_MAX, "e": existing, "n": len(uploads)})
        return []
    for upload in uploads:
        try:
            check_upload(upload, label=upload.name or _("会议文件"), kinds=DOCUMENT_KINDS)
        except ValidationError as error:
            errors.setdefault("documents", []).extend(error.messages)
    return uploads


def _store_documents(meeting, uploads, actor) -> None:
    for upload in uploads:
        name = (upload.name or _("会议文件")).rsplit("/", 1)[-1].rsplit(".", 1)[0][:100] or _("会议文件")
        document = MeetingDocument(meeting=meeting, name=name, size=upload.size, uploaded_by=actor)
        document.file.save(upload.name or "document", upload, save=False)
        document.save()


@transaction.atomic
def meeting_save(*, actor, values: dict, group: Group | None = None, meeting: Meeting | None = None,
                 attendees=None, documents=()) -> Meeting:
    """Record a meeting of a group (date, place, attendees among its members, agenda, decisions) with its minutes and
    other documents (PDF, Word or images, checked by content), or edit one."""
    creating = meeting is None
    if creating:
        meeting = Meeting(group=group, created_by=actor)
    else:
        meeting = _locked(Meeting, meeting)
    _set(meeting, values, MEETING_FIELDS)
    _check_scope(actor, meeting, _("只有本级科技部门和乡村振兴部门可以记录小组会议。"))
    errors: dict = {}
    if attendees is not None:
        _check_attendees(meeting.group, attendees, errors)
    uploads = _check_documents(meeting, documents, errors)
    if not creating and meeting.date and "date" not in errors:
        early = (FollowUp.objects.filter(meeting=meeting, due_date__lt=meeting.date).order_by("due_date").first())
        if early is not None:
            errors.setdefault("date", []).append(
                _("会议日期不能晚于本次会议督办事项“%(t)s”的完成期限（%(d)s）。") % {
                    "t": early.title, "d": early.due_date.isoformat()})
    _clean(meeting, errors, exclude=["group"])
    _raise(errors)
    if creating or not unchanged(meeting):
        meeting.save()
    if attendees is not None:
        meeting.attendees.set(attendees)
    _store_documents(meeting, uploads, actor)
    return meeting


@transaction.atomic
def document_add(*, actor, meeting: Meeting, uploads) -> list:
    """Add documents (minutes, notices, sign-in sheets) to a meeting."""
    meeting = _locked(Meeting, meeting)
    _check_scope(actor, meeting, _("只有本级科技部门和乡村振兴部门可以上传会议文件。"))
    errors: dict = {}
    uploads = _check_documents(meeting, uploads, errors)
    if not uploads and not errors:
        errors["documents"] = [_("请选择要上传的文件。")]
    _raise(errors)
    _store_documents(meeting, uploads, actor)
    return uploads


@transaction.atomic
def document_delete(*, actor, document: MeetingDocument) -> None:
    refusal = document.delete_refusal(actor)
    if refusal:
        raise PermissionDenied(refusal)
    storage, name = document.file.storage, document.file.name
    document.delete()
    transaction.on_commit(lambda: storage.delete(name) if name else None)


# ------------------------------------------------------------------------------------------------ follow-ups
def _check_follow_up(item, errors) -> None:
    group = item.group
    if item.meeting_id and item.meeting.group_id != group.pk:
        errors.setdefault("meeting", []).append(_("来源会议须是本小组的会议。"))
    if item.owner_id and item.owner.group_id != group.pk:
        errors.setdefault("owner", []).append(_("责任人须是本小组成员。"))
    if not item.owner_id and not (item.owner_text or "").strip():
        errors.setdefault("owner", []).append(_("请选择责任人（小组成员），或填写非小组成员的责任人。"))
    if item.owner_id and not item.owner_organization:
        item.owner_organization = item.owner.organization
    if (item.meeting_id and item.due_date and "meeting" not in errors and "due_date" not in errors
            and item.due_date < item.meeting.date):
        errors.setdefault("due_date", []).append(_("完成期限（%(d)s）不能早于来源会议的日期（%(m)s）。") % {
            "d": item.due_date.isoformat(), "m": item.meeting.date.isoformat()})


@transaction.atomic
def follow_up_save(*, actor, values: dict, group: Group | None = None, item: FollowUp | None = None) -> FollowUp:
    """Open a follow-up item (督办事项) of a group, from one of its meetings or outside one, or edit one still open."""
    creating = item is None
    if creating:
        item = FollowUp(group=group, created_by=actor)
    else:
        item = _locked(FollowUp, item)
    # The keepers of the group, not the owner (who reaches the item only to report it done).
    if not selectors.keeps(actor, item.group):
        raise PermissionDenied(_("只有本级科技部门和乡村振兴部门可以交办或修改督办事项。"))
    _set(item, values, FOLLOW_UP_FIELDS)
    _check_scope(actor, item, _("只有本级科技部门和乡村振兴部门可以交办或修改督办事项。"))
    if not creating and item.status != FollowUpStatus.OPEN:
        raise ValidationError(_("督办事项当前为“%(s)s”，不能再修改。") % {"s": item.get_status_display()})
    errors: dict = {}
    _check_follow_up(item, errors)
    _clean(item, errors, exclude=["group"])
    _raise(errors)
    if not creating and unchanged(item):
        return item
    item.save()
    if creating:
        record_creation(obj=item, action="open", actor=actor)
        owner = item.owner.user if item.owner_id else None
        if owner is not None and owner.is_active and owner.pk != actor.pk:
            notify(recipients=[owner], title=_("督办事项：%(t)s") % {"t": item.title},
                   body=_("%(g)s交办，完成期限：%(d)s。") % {"g": item.group.name, "d": item.due_date.isoformat()},
                   link=item.get_absolute_url())
    return item


def may_complete_only(actor, item: FollowUp) -> bool:
    """The owner's own account, who is not one of the group's keepers: may report the item done, nothing else."""
    return (item.owner_id is not None and item.owner.user_id == actor.pk
            and not selectors.keeps(actor, item.group))


@transaction.atomic
def follow_up_act(*, actor, item: FollowUp, action: str, comment: str = "") -> FollowUp:
    """Complete (the group's offices, or the owner's own account, with the completion note), cancel or reopen (the
    group's offices, with a reason)."""
    item = _locked(FollowUp, item)
    if action not in FOLLOW_UP_WORKFLOW:
        raise ValidationError(_("未知操作：%(a)s") % {"a": action})
    keeper = selectors.keeps(actor, item.group)
    owner = item.owner_id is not None and item.owner.user_id == actor.pk
    if not (keeper or (owner and action == "complete")):
        raise PermissionDenied(_("只有本级科技部门、乡村振兴部门或该事项的责任人可以办结；撤销和重新督办由本级科技部门、"
                                 "乡村振兴部门办理。") if action == "complete" else
                               _("只有本级科技部门和乡村振兴部门可以撤销或重新督办。"))
    fields = []
    if action == "complete":
        item.completion_note = (comment or "").strip()[:1000]
        fields.append("completion_note")
    apply_transition(workflow=FOLLOW_UP_WORKFLOW, obj=item, action=action, actor=actor, comment=comment,
                     save_fields=fields)
    creator = item.created_by
    if creator is not None and creator.is_active and creator.pk != actor.pk:
        notify(recipients=[creator], title=_("督办事项“%(t)s”：%(a)s") % {
            "t": item.title, "a": FOLLOW_UP_WORKFLOW[action].label}, body=comment, link=item.get_absolute_url())
    return item
