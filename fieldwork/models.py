"""Service activities with their photos, stays (驻镇时间), the work team's tasks, compliance flags, working conditions and
the team's requests about them.

Every record copies its pairing's cycle, team and town (``home_town``: the town the team is paired with) so lists,
scope and the day count filter without a join through the pairing. An activity or a stay also names the town where it
happened (``town``): another town makes it cross-town work (跨镇帮扶), which that town's work team confirms and that
town's county reads too.
"""
from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.fields import COMMENT_MAX_CHARS, BoundedDateField, LimitedTextField, PastDateField
from core.files import random_upload_to
from core.models import DomainModel
from core.roles import CITY_ROLES, COUNTY_ROLES, TEAM_ROLES, Role
from core.scoping import NOTHING, organizer_q, register_change_rule
from fieldwork.choices import (ANSWERERS, ConditionCategory, FlagKind, FlagStatus, Provision, RecordStatus,
                               RequestStatus, ServiceType, TaskStatus)

LEVELS = [("province", _("省级")), ("city", _("市级")), ("county", _("县级"))]
COUNT_MAX = 100_000
TEXT_MAX = 2000


def count_field(label):
    return models.PositiveIntegerField(label, default=0, validators=[MaxValueValidator(COUNT_MAX)])


class PairedRecord(DomainModel):
    """What every fieldwork record shares: the pairing and what it copies from it, read along the paired town."""

    pairing = models.ForeignKey("matching.Pairing", verbose_name=_("结对"), on_delete=models.PROTECT, related_name="+")
    cycle = models.ForeignKey("cycles.Cycle", verbose_name=_("帮扶周期"), on_delete=models.PROTECT, related_name="+",
                              editable=False)
    team = models.ForeignKey("teams.Team", verbose_name=_("团队"), on_delete=models.PROTECT, related_name="+",
                             editable=False)
    home_town = models.ForeignKey("regions.Town", verbose_name=_("结对镇"), on_delete=models.PROTECT,
                                  related_name="+", editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("填报人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+", editable=False)

    scope_county = "home_town__county"
    scope_town = "home_town"
    scope_team = "team"
    scope_unit = "team__lead_unit"

    class Meta:
        abstract = True

    def copy_pairing(self, pairing) -> None:
        self.pairing = pairing
        self.cycle_id, self.team_id, self.home_town_id = pairing.cycle_id, pairing.team_id, pairing.town_id


def _where_done_q(user) -> Q:
    """Cross-town work is read by the town it was done in and that town's county and city as well."""
    role = user.role
    if role == Role.TOWN and user.town_id:
        return Q(town_id=user.town_id)
    if role in COUNTY_ROLES and user.county_id:
        return Q(town__county_id=user.county_id)
    if role in CITY_ROLES and user.city_id:
        return Q(town__county__city_id=user.city_id)
    if role == Role.PROVINCE and user.province_code:
        return Q(town__county__city__province_code=user.province_code)
    return NOTHING


def _field_record_rule(model, user) -> Q:
    """Change rule of an activity or a stay: the team that logged it (its members edit and withdraw it) and the work
    team of the town where it happened (it confirms or queries it) — never the paired town's team for work elsewhere."""
    if user.role in TEAM_ROLES and user.team_id:
        return Q(team_id=user.team_id)
    if user.role == Role.TOWN and user.town_id:
        return Q(town_id=user.town_id)
    return NOTHING


register_change_rule("field_record", _field_record_rule)


class FieldRecord(PairedRecord):
    """An activity or a stay: where it happened, its confirmation by that town's work team."""

    town = models.ForeignKey("regions.Town", verbose_name=_("所在镇"), on_delete=models.PROTECT, related_name="+")
    cross_town = models.BooleanField(_("跨镇帮扶"), default=False, editable=False)
    status = models.CharField(_("状态"), max_length=12, choices=RecordStatus.choices, default=RecordStatus.SUBMITTED,
                              db_index=True)
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True, editable=False)
    queried_at = models.DateTimeField(_("询问时间"), null=True, blank=True, editable=False)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("确认人"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+", editable=False)
    query_reason = models.CharField(_("询问意见"), max_length=COMMENT_MAX_CHARS, blank=True, editable=False)

    scope_editors = TEAM_ROLES | {Role.TOWN}
    scope_change = "field_record"

    class Meta:
        abstract = True

    @classmethod
    def scope_view_also(cls, user):
        return _where_done_q(user)

    def set_town(self, town) -> None:
        self.town = town
        self.cross_town = town is not None and town.pk != self.home_town_id


class Activity(FieldRecord):
    """A service activity (服务活动): what a team did on a day in a town, with its figures and photos."""

    date = PastDateField(_("活动日期"))
    village = models.ForeignKey("regions.Village", verbose_name=_("行政村"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    village_name = models.CharField(_("村（地点）"), max_length=50, blank=True,
                                    help_text=_("行政村不在列表中时填写"))
    service_type = models.CharField(_("服务类型"), max_length=16, choices=ServiceType.choices)
    project = models.ForeignKey("projects.Project", verbose_name=_("所属帮扶项目"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    task = models.ForeignKey("fieldwork.Task", verbose_name=_("落实的工作任务"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="activities")
    title = models.CharField(_("活动名称"), max_length=100)
    description = LimitedTextField(_("活动内容"), max_length=TEXT_MAX)
    participants = models.ManyToManyField("teams.Commissioner", verbose_name=_("参加成员"), related_name="+",
                                          blank=True)
    people_trained = count_field(_("培训人数"))
    households_served = count_field(_("服务农户（户）"))
    enterprises_served = count_field(_("服务企业/合作社（家）"))
    technologies = models.CharField(_("引进推广技术或品种"), max_length=200, blank=True)
    demo_area_mu = models.DecimalField(_("示范面积（亩）"), max_digits=9, decimal_places=1, default=Decimal("0"),
                                       validators=[MinValueValidator(Decimal("0")),
                                                   MaxValueValidator(Decimal("1000000"))])

    class Meta:
        verbose_name = _("服务活动")
        verbose_name_plural = _("服务活动")
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["cycle", "team", "status", "date"], name="activity_team_status_date"),
                   models.Index(fields=["town", "status"], name="activity_town_status")]

    def __str__(self):
        return "%s %s" % (self.date.isoformat() if self.date else "", self.title)

    def get_absolute_url(self):
        return reverse("fieldwork:activity_detail", args=[self.pk])

    @property
    def place(self) -> str:
        village = self.village.name if self.village_id else self.village_name
        return "%s%s" % (self.town.name, village or "")


class ActivityPhoto(DomainModel):
    """A photo of an activity: the upload is kept until the background task has resized it and read its EXIF
    (time and place: the evidence); a photo taken long before the activity's date is marked."""

    activity = models.ForeignKey(Activity, verbose_name=_("服务活动"), on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(_("照片"), upload_to=random_upload_to("field-photos"))
    thumbnail = models.FileField(_("缩略图"), upload_to=random_upload_to("field-photos"), blank=True)
    original_name = models.CharField(_("原文件名"), max_length=200, blank=True)
    size = models.PositiveIntegerField(_("文件大小（字节）"), default=0)
    width = models.PositiveIntegerField(_("宽"), null=True, blank=True)
    height = models.PositiveIntegerField(_("高"), null=True, blank=True)
    processed = models.BooleanField(_("已处理"), default=False)
    has_exif = models.BooleanField(_("含拍摄信息"), default=False)
    taken_at = models.DateTimeField(_("拍摄时间"), null=True, blank=True)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    taken_early = models.BooleanField(_("拍摄时间早于活动日期"), default=False)

    scope_parent = "activity"

    class Meta:
        verbose_name = _("活动照片")
        verbose_name_plural = _("活动照片")
        ordering = ["activity_id", "pk"]

    def __str__(self):
        return self.original_name or "照片%s" % self.pk

    @property
    def evidence_note(self) -> str:
        if not self.processed:
            return str(_("处理中"))
        if not self.has_exif:
            return str(_("无拍摄信息"))
        if self.taken_early:
            return str(_("拍摄时间早于活动日期"))
        return ""


class Stay(FieldRecord):
    """One member's stay in a town (驻镇时间), from–to inclusive; counted per person per day once confirmed."""

    commissioner = models.ForeignKey("teams.Commissioner", verbose_name=_("驻镇成员"), on_delete=models.PROTECT,
                                     related_name="+")
    start_date = PastDateField(_("开始日期"))
    end_date = PastDateField(_("结束日期"))
    place = models.CharField(_("驻点地点"), max_length=100, help_text=_("如：镇政府驻镇工作队宿舍、某村委会"))
    purpose = models.CharField(_("驻镇事由"), max_length=200)
    # The dates as day numbers (date.toordinal()), so the day count is integer arithmetic on either database.
    first_day = models.IntegerField(editable=False, default=0)
    last_day = models.IntegerField(editable=False, default=0)

    class Meta:
        verbose_name = _("驻镇记录")
        verbose_name_plural = _("驻镇记录")
        ordering = ["-start_date", "-pk"]
        indexes = [models.Index(fields=["cycle", "status", "team"], name="stay_cycle_status_team"),
                   models.Index(fields=["commissioner", "first_day"], name="stay_person_day")]
        constraints = [models.CheckConstraint(condition=Q(end_date__gte=models.F("start_date")),
                                              name="stay_ends_after_start")]

    def __str__(self):
        return "%s %s 至 %s" % (self.commissioner.name, self.start_date, self.end_date)

    def get_absolute_url(self):
        return reverse("fieldwork:stay_detail", args=[self.pk])

    @property
    def days(self) -> int:
        return (self.end_date - self.start_date).days + 1 if self.start_date and self.end_date else 0

    def save(self, *args, **kwargs):
        if self.start_date and self.end_date:
            self.first_day, self.last_day = self.start_date.toordinal(), self.end_date.toordinal()
        super().save(*args, **kwargs)


class Task(PairedRecord):
    """A task the town's work team gives its team (what, by when); the team reports on it with activities."""

    title = models.CharField(_("任务"), max_length=100)
    description = LimitedTextField(_("任务要求"), max_length=TEXT_MAX, blank=True)
    due_date = BoundedDateField(_("完成期限"))
    status = models.CharField(_("状态"), max_length=12, choices=TaskStatus.choices, default=TaskStatus.OPEN,
                              db_index=True)
    reported_at = models.DateTimeField(_("报告时间"), null=True, blank=True, editable=False)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True, editable=False)
    report = LimitedTextField(_("完成情况"), max_length=COMMENT_MAX_CHARS, blank=True, editable=False)

    # The work team of the paired town writes it; the team reports on it.
    scope_editors = TEAM_ROLES | {Role.TOWN}

    class Meta:
        verbose_name = _("工作任务")
        verbose_name_plural = _("工作任务")
        ordering = ["due_date", "pk"]
        indexes = [models.Index(fields=["cycle", "status", "due_date"], name="task_cycle_status_due")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("fieldwork:task_detail", args=[self.pk])


def _flag_rule(model, user) -> Q:
    """Change rule of a flag: the organizing S&T office, or the work team of the town (its own reports)."""
    if user.role == Role.TOWN and user.town_id:
        return Q(home_town_id=user.town_id)
    return organizer_q(model, user, "change")


register_change_rule("flag_handler", _flag_rule)


class Flag(PairedRecord):
    """A compliance flag (履职预警) on a pairing: raised by the monitor and closed by it when the cause is gone, or a
    work team's report that the team does not cooperate, closed by hand. One row per pairing and kind (the monitor
    reopens it when the cause returns, so its history is one record's)."""

    organizer_level = models.CharField(_("组织层级"), max_length=8, choices=LEVELS, editable=False)
    kind = models.CharField(_("预警类型"), max_length=20, choices=FlagKind.choices)
    status = models.CharField(_("状态"), max_length=8, choices=FlagStatus.choices, default=FlagStatus.OPEN,
                              db_index=True)
    detail = models.CharField(_("情况说明"), max_length=500)
    opened_at = models.DateTimeField(_("预警时间"), null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(_("解除时间"), null=True, blank=True, editable=False)

    scope_organizer = ("organizer_level", "home_town__county__city", "home_town__county")
    scope_editors = frozenset({Role.CITY_ST, Role.COUNTY_ST, Role.TOWN})
    scope_change = "flag_handler"

    class Meta:
        verbose_name = _("履职预警")
        verbose_name_plural = _("履职预警")
        ordering = ["status", "-opened_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["pairing", "kind"], condition=~Q(kind="noncooperation"),
                                               name="one_monitor_flag_per_pairing_and_kind")]
        indexes = [models.Index(fields=["cycle", "status", "kind"], name="flag_cycle_status_kind")]

    def __str__(self):
        return "%s：%s" % (self.get_kind_display(), self.team)

    def get_absolute_url(self):
        return reverse("fieldwork:flag_detail", args=[self.pk])

    def copy_pairing(self, pairing) -> None:
        super().copy_pairing(pairing)
        self.organizer_level = pairing.organizer_level


class WorkingConditions(PairedRecord):
    """The working conditions the town provides its team (seed 四(一)): office, lodging, transport, meals."""

    office = models.CharField(_("办公场所"), max_length=12, choices=Provision.choices, default=Provision.PROVIDED)
    office_note = models.CharField(_("办公场所说明"), max_length=200, blank=True)
    lodging = models.CharField(_("住宿"), max_length=12, choices=Provision.choices, default=Provision.PROVIDED)
    lodging_note = models.CharField(_("住宿说明"), max_length=200, blank=True)
    transport = models.CharField(_("交通"), max_length=12, choices=Provision.choices, default=Provision.PROVIDED)
    transport_note = models.CharField(_("交通说明"), max_length=200, blank=True)
    meals = models.CharField(_("就餐"), max_length=12, choices=Provision.choices, default=Provision.PROVIDED)
    meals_note = models.CharField(_("就餐说明"), max_length=200, blank=True)
    note = LimitedTextField(_("其他保障"), max_length=1000, blank=True)

    # The work team of the paired town records them; everyone along the tree reads them.
    scope_editors = frozenset({Role.TOWN})

    class Meta:
        verbose_name = _("工作条件")
        verbose_name_plural = _("工作条件")
        ordering = ["home_town__code", "pk"]
        constraints = [models.UniqueConstraint(fields=["pairing"], name="one_conditions_per_pairing")]

    def __str__(self):
        return _("%(t)s的工作条件") % {"t": self.home_town}

    def get_absolute_url(self):
        return reverse("fieldwork:conditions_detail", args=[self.pk])


class ConditionRequest(PairedRecord):
    """A team's problem with its working conditions or its work (问题反映), answered by the town or the
    rural-revitalization offices of the county and the city."""

    category = models.CharField(_("问题类别"), max_length=12, choices=ConditionCategory.choices)
    title = models.CharField(_("问题"), max_length=100)
    description = LimitedTextField(_("具体情况"), max_length=TEXT_MAX)
    status = models.CharField(_("状态"), max_length=12, choices=RequestStatus.choices, default=RequestStatus.OPEN,
                              db_index=True)
    answer = LimitedTextField(_("答复"), max_length=COMMENT_MAX_CHARS, blank=True, editable=False)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("答复人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+", editable=False)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True, editable=False)

    scope_editors = TEAM_ROLES | ANSWERERS

    class Meta:
        verbose_name = _("问题反映")
        verbose_name_plural = _("问题反映")
        ordering = ["status", "-created_at", "pk"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("fieldwork:request_detail", args=[self.pk])
