"""Public calls (征集通知) with their towns, attachments and amendments; applications (申报) with ranked towns."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.roles import COUNTY_ROLES, Role, TEAM_ROLES
from calls.choices import AmendmentKind, ApplicationStatus, CallStatus, OrganizerLevel
from core.fields import BoundedDateField, LimitedTextField
from core.files import random_upload_to
from core.models import DomainModel

NOTHING = Q(pk__in=[])


def call_attachment_path(instance, filename):
    # Referenced by migration 0001 only; the fields use core.files.random_upload_to.
    return random_upload_to("calls")(instance, filename)


def application_file_path(instance, filename):
    # Referenced by migration 0001 only; the fields use core.files.random_upload_to.
    return random_upload_to("applications")(instance, filename)


class Call(DomainModel):
    """A public call (征集通知) an organizer (city or county) issues for a cycle over the towns it organizes."""

    cycle = models.ForeignKey("cycles.Cycle", verbose_name=_("帮扶周期"), on_delete=models.PROTECT, related_name="calls")
    organizer_level = models.CharField(_("组织层级"), max_length=8, choices=OrganizerLevel.choices)
    city = models.ForeignKey("regions.City", verbose_name=_("地级市"), on_delete=models.PROTECT, related_name="calls")
    county = models.ForeignKey("regions.County", verbose_name=_("县（市、区）"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="calls")
    issuer = models.CharField(_("发文单位"), max_length=100, help_text=_("如：仁化县科学技术局"))
    title = models.CharField(_("标题"), max_length=200)
    doc_number = models.CharField(_("文号"), max_length=50, help_text=_("如：韶科〔2025〕12号"))
    notice = LimitedTextField(_("通知正文"), max_length=10000)
    open_date = BoundedDateField(_("开始申报日期"))
    close_date = BoundedDateField(_("申报截止日期"))
    contact = models.CharField(_("联系人及电话"), max_length=100, blank=True)
    towns = models.ManyToManyField("regions.Town", verbose_name=_("征集镇"), related_name="calls")
    status = models.CharField(_("状态"), max_length=16, choices=CallStatus.choices, default=CallStatus.DRAFT,
                              db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发起人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("征集通知")
        verbose_name_plural = _("征集通知")
        ordering = ["-open_date", "-pk"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("calls:call_detail", args=[self.pk])

    def get_public_url(self):
        from django.urls import reverse

        return reverse("calls:public_call", args=[self.pk])

    @property
    def is_open(self) -> bool:
        today = timezone.localdate()
        return self.status == CallStatus.PUBLISHED and self.open_date <= today <= self.close_date

    @property
    def organizer_name(self) -> str:
        return str(self.county or self.city)

    # The organizer manages its calls; the city reads every county's; a county reads its own (and, below, the city's
    # calls over its towns).
    scope_organizer = ""
    scope_view = "organizer"
    scope_change = "organizer"

    @classmethod
    def scope_view_also(cls, user):
        """A county reads the city's published calls over its towns; a town the published calls over it; teams and
        units every published call (they are public anyway)."""
        role = user.role
        if role in COUNTY_ROLES and user.county_id:
            return Q(pk__in=Call.objects.filter(organizer_level=OrganizerLevel.CITY, status=CallStatus.PUBLISHED,
                                                towns__county_id=user.county_id).values("pk"))
        if role == Role.TOWN and user.town_id:
            return Q(status=CallStatus.PUBLISHED, pk__in=Call.objects.filter(towns=user.town_id).values("pk"))
        if role in TEAM_ROLES | {Role.UNIT}:
            return Q(status=CallStatus.PUBLISHED)
        return NOTHING


class CallAttachment(DomainModel):
    """A file published with a call (the notice as issued, forms to fill in)."""

    call = models.ForeignKey(Call, verbose_name=_("征集通知"), on_delete=models.CASCADE, related_name="attachments")
    name = models.CharField(_("附件名称"), max_length=200)
    file = models.FileField(_("文件"), upload_to=random_upload_to("calls"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("通知附件")
        verbose_name_plural = _("通知附件")
        ordering = ["pk"]

    def __str__(self):
        return self.name

    scope_parent = "call"


class CallAmendment(DomainModel):
    """A recorded change of a published call: a corrected notice or an extended close date."""

    call = models.ForeignKey(Call, verbose_name=_("征集通知"), on_delete=models.CASCADE, related_name="amendments")
    kind = models.CharField(_("类型"), max_length=8, choices=AmendmentKind.choices)
    summary = LimitedTextField(_("变更说明"), max_length=1000)
    old_close_date = models.DateField(_("原截止日期"), null=True, blank=True)
    new_close_date = models.DateField(_("新截止日期"), null=True, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("通知变更")
        verbose_name_plural = _("通知变更")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return "%s · %s" % (self.get_kind_display(), self.created_at.date() if self.created_at else "")

    scope_parent = "call"


class Application(DomainModel):
    """A team's application (申报) to a call: ranked towns, service plan and the endorsements."""

    call = models.ForeignKey(Call, verbose_name=_("征集通知"), on_delete=models.PROTECT, related_name="applications")
    team = models.ForeignKey("teams.Team", verbose_name=_("申报团队"), on_delete=models.PROTECT,
                             related_name="applications")
    status = models.CharField(_("状态"), max_length=16, choices=ApplicationStatus.choices,
                              default=ApplicationStatus.DRAFT, db_index=True)
    service_plan = LimitedTextField(_("帮扶思路"), max_length=5000, blank=True,
                                    help_text=_("针对意向镇的需求，说明帮扶目标、主要措施和预期成效"))
    unit_endorsement = models.FileField(_("派出单位推荐意见（盖章）"), upload_to=random_upload_to("applications"), blank=True,
                                        max_length=200)
    recommendation_letter = models.FileField(_("驻镇工作队队长推荐函"), upload_to=random_upload_to("applications"), blank=True,
                                             max_length=200)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("填报人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("申报")
        verbose_name_plural = _("申报")
        ordering = ["-updated_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["call", "team"], name="one_application_per_team_per_call")]

    def __str__(self):
        return _("%(team)s申报（%(call)s）") % {"team": self.team.name, "call": self.call.title}

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("calls:application_detail", args=[self.pk])

    # The call's organizer changes (accepts, returns) and the levels above read, as for the call itself; the
    # applicant team and its dispatching units below.
    scope_organizer = "call"
    scope_view = "organizer"
    scope_change = "organizer"

    @classmethod
    def scope_q(cls, user, action):
        """Override: the applicant team reads its application and its leader changes it (a team is no tree level of
        the call's organizer rule); everyone else by the declaration."""
        if user.role in TEAM_ROLES and user.team_id:
            if action != "view" and user.role != Role.TEAM_LEADER:
                return NOTHING
            return Q(team_id=user.team_id)
        return super().scope_q(user, action)

    @classmethod
    def scope_view_also(cls, user):
        """A dispatching unit reads the applications of the teams it leads or has people in."""
        if user.role == Role.UNIT and user.unit_id:
            from teams.models import TeamMembership

            with_people = TeamMembership.objects.filter(commissioner__unit_id=user.unit_id).values("team_id")
            return Q(team__lead_unit_id=user.unit_id) | Q(team_id__in=with_people)
        return NOTHING


class ApplicationTown(DomainModel):
    """A town an application asks for, in rank order, with the team's prior engagement there (前期对接基础)."""

    application = models.ForeignKey(Application, verbose_name=_("申报"), on_delete=models.CASCADE,
                                    related_name="towns")
    town = models.ForeignKey("regions.Town", verbose_name=_("意向镇"), on_delete=models.PROTECT, related_name="+")
    rank = models.PositiveSmallIntegerField(_("志愿顺序"))
    past_projects = LimitedTextField(_("在该镇实施过的项目"), max_length=2000, blank=True)
    visits = models.PositiveSmallIntegerField(_("到该镇对接次数"), default=0)
    years = models.PositiveSmallIntegerField(_("对接年数"), default=0)
    engagement_note = LimitedTextField(_("前期对接情况说明"), max_length=2000, blank=True)
    evidence = models.FileField(_("佐证材料"), upload_to=random_upload_to("applications"), blank=True, max_length=200)

    class Meta:
        verbose_name = _("意向镇")
        verbose_name_plural = _("意向镇")
        ordering = ["application", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["application", "town"], name="one_row_per_application_town"),
            models.UniqueConstraint(fields=["application", "rank"], name="one_town_per_application_rank"),
        ]

    def __str__(self):
        return "%d. %s" % (self.rank, self.town)

    @property
    def evidence_key(self) -> str:
        """The file name part of this row's evidence download URL."""
        return "evidence-%d" % self.pk

    scope_parent = "application"
