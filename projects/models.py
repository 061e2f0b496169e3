"""帮扶协议 (agreements) and 帮扶项目 (assistance projects) of a registered pairing, with change requests.

An agreement and its projects copy the pairing's cycle, town, team and organizing level: lists, scope and the
dashboards filter on them without a join through the pairing, and the pairing's later replacement leaves them as
they were signed.
"""
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.fields import COMMENT_MAX_CHARS, BoundedDateField, LimitedTextField, PastDateField
from core.files import random_upload_to
from core.models import DomainModel
from core.roles import Role
from projects.choices import AgreementStatus, BudgetCategory, BudgetSource, ChangeStatus, ProjectStatus

LEVELS = [("province", _("省级")), ("city", _("市级")), ("county", _("县级"))]
TEXT_MAX = 2000
# An absurd figure is a typing error: no target of one town's project reaches these.
COUNT_MAX = 1_000_000
AREA_MAX = Decimal("1000000")
MONEY_MAX = Decimal("9999999999.99")


def count_field(label, help_text=""):
    return models.PositiveIntegerField(label, default=0, help_text=help_text,
                                       validators=[MaxValueValidator(COUNT_MAX)])


class PairingRecord(DomainModel):
    """Fields an agreement and a project share: the pairing and what they copy from it, and their scope."""

    cycle = models.ForeignKey("cycles.Cycle", verbose_name=_("帮扶周期"), on_delete=models.PROTECT, related_name="+")
    town = models.ForeignKey("regions.Town", verbose_name=_("镇"), on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey("teams.Team", verbose_name=_("团队"), on_delete=models.PROTECT, related_name="+")
    organizer_level = models.CharField(_("组织层级"), max_length=8, choices=LEVELS, editable=False)
    due_date = models.DateField(_("报送期限"), editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("起草人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+", editable=False)

    # Read along the tree: the county and the city above the town, the town, the team, the team's lead unit.
    scope_county = "town__county"
    scope_town = "town"
    scope_team = "team"
    scope_unit = "team__lead_unit"
    scope_organizer = ("organizer_level", "town__county__city", "town__county")

    class Meta:
        abstract = True

    def copy_pairing(self, pairing) -> None:
        self.pairing = pairing
        self.cycle_id, self.town_id, self.team_id = pairing.cycle_id, pairing.town_id, pairing.team_id
        self.organizer_level = pairing.organizer_level


class Agreement(PairingRecord):
    """The assistance agreement between the team, the town government and the stationed work team (one per pairing)."""

    pairing = models.OneToOneField("matching.Pairing", verbose_name=_("结对"), on_delete=models.PROTECT,
                                   related_name="agreement")
    town_party = models.CharField(_("甲方（镇人民政府）"), max_length=100)
    work_team_party = models.CharField(_("丙方（驻镇工作队）"), max_length=100, blank=True)
    term_start = BoundedDateField(_("协议期限自"))
    term_end = BoundedDateField(_("协议期限至"))
    summary = LimitedTextField(_("帮扶内容概要"), max_length=TEXT_MAX)
    team_duties = LimitedTextField(_("乙方（团队）职责"), max_length=TEXT_MAX)
    town_duties = LimitedTextField(_("甲方（镇）职责"), max_length=TEXT_MAX)
    work_team_duties = LimitedTextField(_("丙方（驻镇工作队）职责"), max_length=TEXT_MAX, blank=True)
    conditions = LimitedTextField(_("镇提供的工作和生活条件"), max_length=TEXT_MAX,
                                  help_text=_("办公场地、住宿、交通、试验示范用地等（行动方案四（一））"))
    status = models.CharField(_("状态"), max_length=16, choices=AgreementStatus.choices, default=AgreementStatus.DRAFT,
                              db_index=True)
    signed_on = PastDateField(_("签署日期"), null=True, blank=True)
    signed_scan = models.FileField(_("协议签署扫描件"), upload_to=random_upload_to("agreements"), blank=True,
                                   max_length=200)
    signed_uploaded_at = models.DateTimeField(_("签署件上传时间"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("镇确认时间"), null=True, blank=True)
    return_comment = LimitedTextField(_("退回意见"), max_length=COMMENT_MAX_CHARS, blank=True)

    # The leader drafts and signs, the town confirms: both change what they see (the service says which step).
    scope_editors = frozenset({Role.TEAM_LEADER, Role.TOWN})

    class Meta:
        verbose_name = _("帮扶协议")
        verbose_name_plural = _("帮扶协议")
        ordering = ["town__code", "-pk"]
        indexes = [models.Index(fields=["cycle", "status"], name="agreement_cycle_status")]

    def __str__(self):
        return _("帮扶协议：%(team)s—%(town)s") % {"team": self.team.name, "town": self.town.name}

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("projects:agreement_detail", args=[self.pk])

    @property
    def is_late(self) -> bool:
        """Confirmed after its due date, or still unconfirmed past it."""
        from django.utils import timezone

        if self.confirmed_at:
            return timezone.localtime(self.confirmed_at).date() > self.due_date
        return timezone.localdate() > self.due_date


class Project(PairingRecord):
    """An assistance project refined from the town's needs, with its targets, yearly plan, budget and members."""

    pairing = models.ForeignKey("matching.Pairing", verbose_name=_("结对"), on_delete=models.PROTECT,
                                related_name="projects")
    title = models.CharField(_("项目名称"), max_length=100)
    objectives = LimitedTextField(_("项目目标"), max_length=TEXT_MAX)
    content = LimitedTextField(_("主要内容"), max_length=5000)
    start_date = BoundedDateField(_("实施开始日期"))
    end_date = BoundedDateField(_("实施结束日期"))
    trainings = count_field(_("开展培训（场次）"))
    people_trained = count_field(_("培训人数（人次）"))
    technologies = count_field(_("引进推广新技术（项）"))
    varieties = count_field(_("引进推广新品种（个）"))
    demo_bases = count_field(_("建设示范基地（个）"))
    demo_area_mu = models.DecimalField(_("示范面积（亩）"), max_digits=10, decimal_places=1, default=Decimal("0"),
                                       validators=[MinValueValidator(Decimal("0")), MaxValueValidator(AREA_MAX)])
    households = count_field(_("服务农户（户）"))
    enterprises = count_field(_("服务企业及合作社（家）"))
    income_raised = models.DecimalField(_("带动增收（元）"), max_digits=14, decimal_places=2, default=Decimal("0"),
                                        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(MONEY_MAX)])
    total_budget = models.DecimalField(_("预算总额（元）"), max_digits=12, decimal_places=2,
                                       validators=[MinValueValidator(Decimal("0.01"))])
    needs = models.ManyToManyField("needs.Need", verbose_name=_("对应需求"), related_name="projects", blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=ProjectStatus.choices, default=ProjectStatus.DRAFT,
                              db_index=True)
    submitted_at = models.DateTimeField(_("首次报送时间"), null=True, blank=True, editable=False)
    last_submitted_at = models.DateTimeField(_("最近报送时间"), null=True, blank=True, editable=False)
    late = models.BooleanField(_("逾期报送"), default=False, editable=False)
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    return_comment = LimitedTextField(_("退回意见"), max_length=COMMENT_MAX_CHARS, blank=True)
    version = models.PositiveSmallIntegerField(_("版本"), default=1, editable=False)

    # The team's leader writes and submits; the organizing S&T office returns or accepts (core.scoping).
    scope_editors = frozenset({Role.TEAM_LEADER, Role.CITY_ST, Role.COUNTY_ST})
    scope_change = "team_or_organizer"

    class Meta:
        verbose_name = _("帮扶项目")
        verbose_name_plural = _("帮扶项目")
        ordering = ["town__code", "pk"]
        indexes = [models.Index(fields=["cycle", "status"], name="project_cycle_status")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("projects:project_detail", args=[self.pk])


class ProjectYear(DomainModel):
    """The plan of one year of a project (进度安排)."""

    project = models.ForeignKey(Project, verbose_name=_("帮扶项目"), on_delete=models.CASCADE, related_name="years")
    year = models.PositiveSmallIntegerField(_("年度"))
    plan = LimitedTextField(_("年度计划"), max_length=TEXT_MAX)

    scope_parent = "project"

    class Meta:
        verbose_name = _("年度计划")
        verbose_name_plural = _("年度计划")
        ordering = ["project_id", "year"]
        constraints = [models.UniqueConstraint(fields=["project", "year"], name="one_plan_per_project_year")]

    def __str__(self):
        return "%s年" % self.year


class BudgetLine(DomainModel):
    """One budget line (category, amount in yuan, source); the lines add up to the project's total."""

    project = models.ForeignKey(Project, verbose_name=_("帮扶项目"), on_delete=models.CASCADE,
                                related_name="budget_lines")
    category = models.CharField(_("支出科目"), max_length=16, choices=BudgetCategory.choices)
    amount = models.DecimalField(_("金额（元）"), max_digits=12, decimal_places=2,
                                 validators=[MinValueValidator(Decimal("0.01"))])
    source = models.CharField(_("资金来源"), max_length=16, choices=BudgetSource.choices)
    note = models.CharField(_("测算说明"), max_length=200, blank=True)

    scope_parent = "project"

    class Meta:
        verbose_name = _("预算明细")
        verbose_name_plural = _("预算明细")
        ordering = ["project_id", "pk"]

    def __str__(self):
        return "%s %s" % (self.get_category_display(), self.amount)


class ProjectMember(DomainModel):
    """A team member's role in a project (分工)."""

    project = models.ForeignKey(Project, verbose_name=_("帮扶项目"), on_delete=models.CASCADE, related_name="members")
    commissioner = models.ForeignKey("teams.Commissioner", verbose_name=_("成员"), on_delete=models.PROTECT,
                                     related_name="project_roles")
    duty = models.CharField(_("项目分工"), max_length=100)

    scope_parent = "project"

    class Meta:
        verbose_name = _("项目成员分工")
        verbose_name_plural = _("项目成员分工")
        ordering = ["project_id", "pk"]
        constraints = [models.UniqueConstraint(fields=["project", "commissioner"], name="one_duty_per_project_member")]

    def __str__(self):
        return "%s：%s" % (self.commissioner.name, self.duty)


class ProjectChange(DomainModel):
    """A change to an accepted project: both versions are kept (``before``, ``after``: the service's snapshots)."""

    project = models.ForeignKey(Project, verbose_name=_("帮扶项目"), on_delete=models.PROTECT, related_name="changes")
    reason = LimitedTextField(_("变更理由"), max_length=COMMENT_MAX_CHARS)
    before = models.JSONField(_("变更前"), editable=False)
    after = models.JSONField(_("变更后"), editable=False)
    from_version = models.PositiveSmallIntegerField(_("变更前版本"), editable=False)
    status = models.CharField(_("状态"), max_length=16, choices=ChangeStatus.choices, default=ChangeStatus.PENDING,
                              db_index=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("申请人"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+", editable=False)
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    decision_comment = LimitedTextField(_("审批意见"), max_length=COMMENT_MAX_CHARS, blank=True)

    scope_parent = "project"
    # An expert reviewing the project reads the project as it stands (and its lines), not its change requests.
    scope_roles = frozenset(Role) - {Role.EXPERT}

    class Meta:
        verbose_name = _("项目变更申请")
        verbose_name_plural = _("项目变更申请")
        ordering = ["-pk"]
        constraints = [models.UniqueConstraint(fields=["project"], condition=models.Q(status="pending"),
                                               name="one_pending_change_per_project")]

    def __str__(self):
        return _("%(title)s 的变更申请（第%(v)s版起）") % {"title": self.project.title, "v": self.from_version}

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("projects:change_detail", args=[self.pk])
