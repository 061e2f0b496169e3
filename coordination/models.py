"""The coordination and guidance group of the city (协调指导小组) and the coordination mechanism of each county
(县协调机制): their members, meetings (with minutes and documents) and follow-up items (督办事项).

A group belongs to one level: the city (``level`` city, ``county`` empty) or one county. Scope is declared with the
organizer rule (core.scoping): the city's offices and the province read every group of the city, a county's offices
their county's. The group itself is changed by its level's S&T office (``scope_change = "organizer"``); what hangs
under it (members, meetings, follow-ups) by the S&T and the rural-revitalization offices of that level, who co-lead it
(the ``coordination_office`` rule). A follow-up's owner, when their account is linked, reaches their own item.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coordination.choices import OFFICES, READERS, FollowUpStatus, GroupLevel, MemberRole
from core.china import mask_phone, validate_phone
from core.fields import BoundedDateField, LimitedTextField, PastDateField
from core.files import random_upload_to
from core.models import DomainModel
from core.roles import CITY_ROLES, COUNTY_ROLES
from core.scoping import NOTHING, register_change_rule

TEXT_MAX = 2000


def office_q(user, level: str, city: str, county: str) -> Q:
    """The groups whose members, meetings and follow-ups ``user`` keeps: the S&T and rural-revitalization offices of
    the group's own level (the city's for the city's group, a county's for its county's)."""
    if user.role in CITY_ROLES and user.city_id:
        return Q(**{level: GroupLevel.CITY, city: user.city_id})
    if user.role in COUNTY_ROLES and user.county_id:
        return Q(**{level: GroupLevel.COUNTY, county: user.county_id})
    return NOTHING


register_change_rule("coordination_office", lambda model, user: office_q(user, *model.scope_organizer))


class Group(DomainModel):
    """A coordination and guidance group: the city's (协调指导小组) or a county's coordination mechanism."""

    level = models.CharField(_("层级"), max_length=8, choices=GroupLevel.choices, default=GroupLevel.CITY)
    city = models.ForeignKey("regions.City", verbose_name=_("市"), on_delete=models.PROTECT, related_name="+")
    county = models.ForeignKey("regions.County", verbose_name=_("县（市、区）"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("名称"), max_length=100)
    duties = LimitedTextField(_("工作职责"), max_length=TEXT_MAX, blank=True)
    established_on = PastDateField(_("成立日期"), null=True, blank=True)
    document_number = models.CharField(_("成立文号"), max_length=50, blank=True, help_text=_("如：韶科〔2021〕85号"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("建立人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+", editable=False)

    # Read along the levels; the group itself is set up and edited by its level's S&T office.
    scope_organizer = ("level", "city", "county")
    scope_view = "organizer"
    scope_change = "organizer"
    scope_roles = READERS

    class Meta:
        verbose_name = _("协调指导小组")
        verbose_name_plural = _("协调指导小组")
        ordering = ["level", "county__code", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["city"], condition=Q(level="city"), name="one_coordination_group_per_city",
                                    violation_error_message=_("该市已建立协调指导小组，不能重复建立。")),
            models.UniqueConstraint(fields=["county"], condition=Q(level="county"),
                                    name="one_coordination_group_per_county",
                                    violation_error_message=_("该县（市、区）已建立协调机制，不能重复建立。")),
            models.CheckConstraint(condition=Q(level="city", county__isnull=True)
                                   | Q(level="county", county__isnull=False),
                                   name="coordination_group_level_matches_county",
                                   violation_error_message=_("市级小组不选县（市、区），县级协调机制须选择县（市、区）。")),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("coordination:group_detail", args=[self.pk])

    @property
    def place_name(self) -> str:
        return self.county.name if self.county_id else self.city.name


class GroupRecord(DomainModel):
    """What hangs under a group (members, meetings, follow-ups): read like the group, kept by its level's offices."""

    group = models.ForeignKey(Group, verbose_name=_("协调指导小组"), on_delete=models.PROTECT, related_name="+")

    scope_organizer = ("group__level", "group__city", "group__county")
    scope_view = "organizer"
    scope_change = "coordination_office"
    scope_editors = OFFICES
    scope_roles = READERS

    class Meta:
        abstract = True


class GroupMember(GroupRecord):
    """A member of a group: name, organization, position, role in the group; the phone shows only to its keepers."""

    group = models.ForeignKey(Group, verbose_name=_("协调指导小组"), on_delete=models.PROTECT, related_name="members")
    name = models.CharField(_("姓名"), max_length=50)
    organization = models.CharField(_("单位"), max_length=100, help_text=_("如：市科技局、市乡村振兴局、县农业农村局"))
    position = models.CharField(_("职务"), max_length=50, blank=True)
    role_in_group = models.CharField(_("小组职务"), max_length=8, choices=MemberRole.choices, default=MemberRole.MEMBER)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True, validators=[validate_phone])
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("平台账号"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+",
                             help_text=_("成员有平台账号时可关联：其负责的督办事项可由本人办结"))
    active = models.BooleanField(_("在任"), default=True)
    left_on = PastDateField(_("离任日期"), null=True, blank=True)

    # The history tab and the API are open to every reader: the phone never shows in full there.
    history_masked_fields = {"phone": mask_phone}

    class Meta:
        verbose_name = _("小组成员")
        verbose_name_plural = _("小组成员")
        ordering = ["group_id", "-active", "role_in_group", "pk"]
        constraints = [models.UniqueConstraint(fields=["group", "user"], condition=Q(user__isnull=False),
                                               name="one_member_per_account_and_group",
                                               violation_error_message=_("该平台账号已是本小组成员。"))]

    def __str__(self):
        return "%s（%s）" % (self.name, self.organization)

    def get_absolute_url(self):
        return reverse("coordination:group_detail", args=[self.group_id]) + "#member-%s" % self.pk


class Meeting(GroupRecord):
    """A meeting of a group: when, where, who attended, the agenda and the decisions (会议议定事项), with documents."""

    group = models.ForeignKey(Group, verbose_name=_("协调指导小组"), on_delete=models.PROTECT, related_name="meetings")
    date = BoundedDateField(_("会议日期"))
    place = models.CharField(_("会议地点"), max_length=100)
    title = models.CharField(_("会议名称"), max_length=100)
    attendees = models.ManyToManyField(GroupMember, verbose_name=_("出席成员"), blank=True, related_name="meetings")
    other_attendees = LimitedTextField(_("其他参会人员"), max_length=500, blank=True,
                                       help_text=_("非小组成员的参会单位和人员"))
    agenda = LimitedTextField(_("会议议题"), max_length=TEXT_MAX, blank=True)
    decisions = LimitedTextField(_("会议议定事项"), max_length=TEXT_MAX, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("记录人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+", editable=False)

    class Meta:
        verbose_name = _("小组会议")
        verbose_name_plural = _("小组会议")
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["group", "date"], name="coordination_meeting_date")]

    def __str__(self):
        return "%s %s" % (self.date.isoformat() if self.date else "", self.title)

    def get_absolute_url(self):
        return reverse("coordination:meeting_detail", args=[self.pk])


class MeetingDocument(DomainModel):
    """A document of a meeting (minutes, notice, sign-in sheet): stored under a random name, served by a scoped view."""

    meeting = models.ForeignKey(Meeting, verbose_name=_("小组会议"), on_delete=models.CASCADE, related_name="documents")
    name = models.CharField(_("文件名称"), max_length=100)
    file = models.FileField(_("文件"), upload_to=random_upload_to("coordination"))
    size = models.PositiveIntegerField(_("文件大小（字节）"), default=0, editable=False)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("上传人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+", editable=False)

    scope_parent = "meeting"

    class Meta:
        verbose_name = _("会议文件")
        verbose_name_plural = _("会议文件")
        ordering = ["meeting_id", "pk"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("coordination:document", args=[self.pk])

    def delete_refusal(self, user):
        """A meeting's document may be removed by those who keep the meeting (it is no record others depend on)."""
        from core.scoping import CHANGE, can

        return None if can(user, self.meeting, CHANGE) else str(_("您无权删除该会议文件。"))


class FollowUp(GroupRecord):
    """A follow-up item (督办事项) a group opened, at a meeting or outside one: what, who, by when, and its status."""

    group = models.ForeignKey(Group, verbose_name=_("协调指导小组"), on_delete=models.PROTECT, related_name="follow_ups")
    meeting = models.ForeignKey(Meeting, verbose_name=_("来源会议"), null=True, blank=True, on_delete=models.PROTECT,
                                related_name="follow_ups")
    title = models.CharField(_("督办事项"), max_length=100)
    detail = LimitedTextField(_("具体要求"), max_length=TEXT_MAX, blank=True)
    owner = models.ForeignKey(GroupMember, verbose_name=_("责任人（小组成员）"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="follow_ups")
    owner_text = models.CharField(_("责任人（非小组成员）"), max_length=50, blank=True)
    owner_organization = models.CharField(_("责任单位"), max_length=100, blank=True)
    due_date = BoundedDateField(_("完成期限"))
    status = models.CharField(_("状态"), max_length=12, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN,
                              db_index=True)
    completion_note = LimitedTextField(_("办结情况"), max_length=1000, blank=True, editable=False)
    done_at = models.DateTimeField(_("办结时间"), null=True, blank=True, editable=False)
    cancelled_at = models.DateTimeField(_("撤销时间"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("交办人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+", editable=False)

    # The owner's own account reaches the item (to report it done) even outside the group's level.
    scope_owner = "owner__user"
    workflow_fields = ("completion_note",)

    class Meta:
        verbose_name = _("督办事项")
        verbose_name_plural = _("督办事项")
        ordering = ["status", "due_date", "pk"]
        indexes = [models.Index(fields=["group", "status", "due_date"], name="coordination_followup_due")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("coordination:followup_detail", args=[self.pk])

    @property
    def owner_name(self) -> str:
        return self.owner.name if self.owner_id else self.owner_text

    def is_overdue(self, today=None) -> bool:
        """Open past its due date (computed when read; nothing is written)."""
        today = today or timezone.localdate()
        return self.status == FollowUpStatus.OPEN and self.due_date is not None and self.due_date < today
