"""Expert pools, reviews with their panels and scores, funding (立项资助) with its tranches and the yearly envelopes.

A review and a grant copy the project's cycle, town, team and organizing level, as projects copy the pairing's.
A pool, an envelope and a grant belong to the organizer that keeps them (``organizer_level`` with its city and,
for a county, its county): the organizer rule (core.scoping) reads them up the tree and lets that S&T office alone
change them.
"""
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.china import mask_phone, validate_phone
from core.fields import COMMENT_MAX_CHARS, LimitedTextField, PastDateField
from core.files import random_upload_to
from core.models import DomainModel
from core.roles import Role, TEAM_ROLES
from core.scoping import CHANGE, NOTHING, organizer_q, register_change_rule, tree_q
from reviews.choices import (SCORE_MAX, SCORE_MIN, BudgetSourceKind, ReviewMode, ReviewStatus, SeatStatus,
                             TitleRank)

POOL_LEVELS = [("city", _("市级")), ("county", _("县级"))]
LEVELS = [("province", _("省级")), ("city", _("市级")), ("county", _("县级"))]
MONEY_MAX = Decimal("9999999999.99")
money_validators = [MinValueValidator(Decimal("0.01")), MaxValueValidator(MONEY_MAX)]
score_validators = [MinValueValidator(SCORE_MIN), MaxValueValidator(SCORE_MAX)]


class OrganizerOwned(DomainModel):
    """A record kept by one organizer: the city's S&T bureau (``city``) or a county's (``county``)."""

    organizer_level = models.CharField(_("所属层级"), max_length=8, choices=POOL_LEVELS)
    city = models.ForeignKey("regions.City", verbose_name=_("市"), on_delete=models.PROTECT, related_name="+")
    county = models.ForeignKey("regions.County", verbose_name=_("县（市、区）"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")

    scope_organizer = ("organizer_level", "city", "county")
    scope_view = "organizer"
    scope_change = "organizer"

    class Meta:
        abstract = True

    @property
    def keeper_name(self) -> str:
        return "%s科技部门" % self.county.name if self.county_id else "%s科技局" % self.city.name


class Expert(OrganizerOwned):
    """An expert of an organizer's pool (专家库): field, title, unit, contacts (masked to others), availability."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("平台账号"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="expert_profile")
    name = models.CharField(_("姓名"), max_length=50)
    field = models.CharField(_("专业领域"), max_length=100)
    keywords = models.CharField(_("专长关键词"), max_length=200, blank=True, help_text=_("多个用“、”分隔"))
    title = models.CharField(_("职称"), max_length=50, blank=True, help_text=_("如：研究员、教授、高级农艺师"))
    title_rank = models.CharField(_("职称级别"), max_length=16, choices=TitleRank.choices, default=TitleRank.SENIOR)
    unit = models.ForeignKey("units.DispatchingUnit", verbose_name=_("所在单位（派出单位名录）"), null=True,
                             blank=True, on_delete=models.PROTECT, related_name="+",
                             help_text=_("专家所在单位如在派出单位名录中，请选择：用于回避同单位团队"))
    unit_name = models.CharField(_("工作单位"), max_length=100)
    phone = models.CharField(_("手机号码"), max_length=20, validators=[validate_phone])
    email = models.EmailField(_("电子邮箱"), blank=True)
    available = models.BooleanField(_("可参加评审"), default=True)
    availability_note = models.CharField(_("可用情况说明"), max_length=100, blank=True,
                                         help_text=_("如：2026年12月出差，暂不能参加"))

    # The pool's S&T office keeps it; the expert reads (and updates the availability of) their own entry.
    scope_owner = "user"
    # The history tab and API are open to every reader of the entry: contacts never show in full there.
    history_masked_fields = {"phone": mask_phone,
                             "email": lambda value: "%s***@%s" % (value[:1], value.partition("@")[2]) if "@" in value
                             else "***"}

    class Meta:
        verbose_name = _("评审专家")
        verbose_name_plural = _("评审专家")
        ordering = ["name", "pk"]
        # One entry per phone in a pool (a county pool by its county; the city's own pool has no county).
        constraints = [
            models.UniqueConstraint(fields=["county", "phone"], condition=Q(county__isnull=False),
                                    name="one_expert_phone_per_county_pool"),
            models.UniqueConstraint(fields=["city", "phone"], condition=Q(county__isnull=True),
                                    name="one_expert_phone_per_city_pool"),
        ]

    def __str__(self):
        return "%s（%s）" % (self.name, self.unit_name)

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("reviews:expert_detail", args=[self.pk])


class Relation(DomainModel):
    """A declared relation that excludes an expert from a team's review (回避关系): with a team, or with a unit."""

    expert = models.ForeignKey(Expert, verbose_name=_("专家"), on_delete=models.CASCADE, related_name="relations")
    team = models.ForeignKey("teams.Team", verbose_name=_("团队"), null=True, blank=True, on_delete=models.CASCADE,
                             related_name="+")
    unit = models.ForeignKey("units.DispatchingUnit", verbose_name=_("单位"), null=True, blank=True,
                             on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("回避事由"), max_length=200)
    declared_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+", editable=False)

    scope_parent = "expert"

    class Meta:
        verbose_name = _("回避关系")
        verbose_name_plural = _("回避关系")
        ordering = ["expert_id", "pk"]
        constraints = [models.CheckConstraint(condition=Q(team__isnull=False) | Q(unit__isnull=False),
                                              name="relation_names_team_or_unit")]

    def __str__(self):
        return "%s：%s" % (self.team or self.unit, self.reason)


class ReviewRule(DomainModel):
    """How a county reviews its teams' projects in a cycle: an expert panel, or a single approval step."""

    cycle = models.ForeignKey("cycles.Cycle", verbose_name=_("帮扶周期"), on_delete=models.PROTECT, related_name="+")
    county = models.ForeignKey("regions.County", verbose_name=_("县（市、区）"), on_delete=models.PROTECT,
                               related_name="+")
    mode = models.CharField(_("论证方式"), max_length=8, choices=ReviewMode.choices, default=ReviewMode.PANEL)

    scope_county = "county"
    scope_change = "tree"

    class Meta:
        verbose_name = _("县级论证方式")
        verbose_name_plural = _("县级论证方式")
        ordering = ["cycle_id", "county__code"]
        constraints = [models.UniqueConstraint(fields=["cycle", "county"], name="one_review_rule_per_county")]

    def __str__(self):
        return "%s：%s" % (self.county.name, self.get_mode_display())


class ProjectRecord(DomainModel):
    """Fields a review and a grant share: the project and what they copy from it, and how the tree reads them."""

    cycle = models.ForeignKey("cycles.Cycle", verbose_name=_("帮扶周期"), on_delete=models.PROTECT, related_name="+")
    town = models.ForeignKey("regions.Town", verbose_name=_("镇"), on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey("teams.Team", verbose_name=_("团队"), on_delete=models.PROTECT, related_name="+")
    organizer_level = models.CharField(_("组织层级"), max_length=8, choices=LEVELS, editable=False)

    scope_county = "town__county"
    scope_town = "town"
    scope_team = "team"
    scope_unit = "team__lead_unit"

    class Meta:
        abstract = True

    def copy_project(self, project) -> None:
        self.project = project
        self.cycle_id, self.town_id, self.team_id = project.cycle_id, project.town_id, project.team_id
        self.organizer_level = project.organizer_level


class Review(ProjectRecord):
    """The expert review (专家论证) of one accepted project: its panel, the scores and the organizer's decision."""

    project = models.OneToOneField("projects.Project", verbose_name=_("帮扶项目"), on_delete=models.PROTECT,
                                   related_name="review")
    mode = models.CharField(_("论证方式"), max_length=8, choices=ReviewMode.choices, default=ReviewMode.PANEL,
                            editable=False)
    panel_size = models.PositiveSmallIntegerField(_("专家组人数"), default=3, editable=False)
    weights = models.JSONField(_("评分权重"), default=dict, editable=False)
    status = models.CharField(_("状态"), max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.FORMING,
                              db_index=True)
    opened_at = models.DateTimeField(_("开始评分时间"), null=True, blank=True)
    scored_at = models.DateTimeField(_("评分完成时间"), null=True, blank=True)
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    approved_amount = models.DecimalField(_("核定资助金额（元）"), max_digits=12, decimal_places=2, null=True,
                                          blank=True, validators=money_validators)
    panel_opinion = LimitedTextField(_("专家组意见"), max_length=2000, blank=True)
    decision_comment = LimitedTextField(_("决定意见"), max_length=COMMENT_MAX_CHARS, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发起人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+", editable=False)

    # Read along the tree (the team sees its decision, never the experts' names or scores); the organizing S&T office
    # runs it (the city for city- and province-organized towns); an expert reads the reviews they sit on.
    scope_organizer = ("organizer_level", "town__county__city", "town__county")
    scope_change = "organizer"

    class Meta:
        verbose_name = _("专家论证")
        verbose_name_plural = _("专家论证")
        ordering = ["town__code", "pk"]
        indexes = [models.Index(fields=["cycle", "status"], name="review_cycle_status")]

    def __str__(self):
        return _("专家论证：%(t)s") % {"t": self.project.title}

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("reviews:review_detail", args=[self.pk])

    @classmethod
    def scope_view_also(cls, user):
        if user.role == Role.EXPERT:
            return Q(pk__in=ReviewSeat.objects.filter(expert__user=user, status__in=(
                SeatStatus.ASSIGNED, SeatStatus.SUBMITTED)).values("review_id"))
        return NOTHING


class ReviewSeat(DomainModel):
    """One expert on one review's panel (评审任务): the five scores, the comment, or the declared conflict."""

    review = models.ForeignKey(Review, verbose_name=_("专家论证"), on_delete=models.CASCADE, related_name="seats")
    expert = models.ForeignKey(Expert, verbose_name=_("专家"), on_delete=models.PROTECT, related_name="seats")
    status = models.CharField(_("状态"), max_length=12, choices=SeatStatus.choices, default=SeatStatus.ASSIGNED,
                              db_index=True)
    fit = models.DecimalField(_("领域契合度"), max_digits=4, decimal_places=3, default=Decimal("0"), editable=False)
    score_fit = models.PositiveSmallIntegerField(_("需求契合度"), null=True, blank=True, validators=score_validators)
    score_feasibility = models.PositiveSmallIntegerField(_("技术可行性"), null=True, blank=True,
                                                         validators=score_validators)
    score_benefit = models.PositiveSmallIntegerField(_("预期效益"), null=True, blank=True, validators=score_validators)
    score_team = models.PositiveSmallIntegerField(_("团队能力"), null=True, blank=True, validators=score_validators)
    score_budget = models.PositiveSmallIntegerField(_("经费合理性"), null=True, blank=True,
                                                    validators=score_validators)
    total = models.DecimalField(_("加权总分"), max_digits=5, decimal_places=2, null=True, blank=True, editable=False)
    comment = LimitedTextField(_("评审意见"), max_length=2000, blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("回避或调出时间"), null=True, blank=True)

    # The organizing S&T office forms the panel and reads it; the expert reaches only their own seats while they sit
    # on the panel (assigned or submitted): once withdrawn or removed, the seat and its project are out of their sight.
    scope_organizer = ("review__organizer_level", "review__town__county__city", "review__town__county")
    scope_view = "organizer"
    scope_change = "seat_holder"
    scope_editors = frozenset({Role.CITY_ST, Role.COUNTY_ST, Role.EXPERT})

    class Meta:
        verbose_name = _("评审任务")
        verbose_name_plural = _("评审任务")
        ordering = ["review_id", "pk"]
        constraints = [models.UniqueConstraint(fields=["review", "expert"], name="one_seat_per_expert_and_review")]

    def __str__(self):
        return "%s：%s" % (self.expert.name, self.review.project.title)

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("reviews:seat_detail", args=[self.pk])

    @classmethod
    def scope_view_also(cls, user):
        return _held_seats(user)


def _held_seats(user):
    """An expert's own seats while they sit on the panel (assigned or submitted)."""
    if user.role == Role.EXPERT:
        return Q(expert__user=user, status__in=(SeatStatus.ASSIGNED, SeatStatus.SUBMITTED))
    return NOTHING


def _seat_holder_rule(model, user):
    """Change rule of a seat: the organizing S&T office (the organizer rule) or the expert holding it."""
    if user.role == Role.EXPERT:
        return _held_seats(user)
    return organizer_q(model, user, CHANGE)


register_change_rule("seat_holder", _seat_holder_rule)


class Envelope(OrganizerOwned):
    """A funder's budget for one fiscal year (年度资助资金): committed, disbursed and remaining are computed."""

    fiscal_year = models.PositiveSmallIntegerField(_("预算年度"), validators=[MinValueValidator(2000),
                                                                         MaxValueValidator(2100)])
    budgeted = models.DecimalField(_("年度预算（元）"), max_digits=12, decimal_places=2, validators=money_validators)
    note = models.CharField(_("资金文号或说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("年度资助预算")
        verbose_name_plural = _("年度资助预算")
        ordering = ["-fiscal_year", "organizer_level", "county__code"]
        # One budget per funder and year (a county's by its county; the city's own has no county).
        constraints = [
            models.UniqueConstraint(fields=["county", "fiscal_year"], condition=Q(county__isnull=False),
                                    name="one_envelope_per_county_year"),
            models.UniqueConstraint(fields=["city", "fiscal_year"], condition=Q(county__isnull=True),
                                    name="one_envelope_per_city_year"),
        ]

    def __str__(self):
        return "%s %s年度资助预算" % (self.keeper_name, self.fiscal_year)


class Grant(OrganizerOwned):
    """Funding of an approved project (立项资助) by the organizer that selected the team (``organizer_level``,
    ``city``, ``county``: the funder — the city for city- and province-organized towns, else the county)."""

    cycle = models.ForeignKey("cycles.Cycle", verbose_name=_("帮扶周期"), on_delete=models.PROTECT, related_name="+")
    town = models.ForeignKey("regions.Town", verbose_name=_("镇"), on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey("teams.Team", verbose_name=_("团队"), on_delete=models.PROTECT, related_name="+")

    review = models.OneToOneField(Review, verbose_name=_("专家论证"), on_delete=models.PROTECT, related_name="grant")
    project = models.OneToOneField("projects.Project", verbose_name=_("帮扶项目"), on_delete=models.PROTECT,
                                   related_name="grant")
    project_number = models.CharField(_("立项编号"), max_length=40, unique=True)
    fiscal_year = models.PositiveSmallIntegerField(_("资金年度"), validators=[MinValueValidator(2000),
                                                                       MaxValueValidator(2100)])
    budget_source = models.CharField(_("资金来源"), max_length=12, choices=BudgetSourceKind.choices)
    amount = models.DecimalField(_("资助金额（元）"), max_digits=12, decimal_places=2, validators=money_validators)
    granted_on = PastDateField(_("立项日期"))
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("经办人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+", editable=False)
    # Closed when the team is replaced or the cycle ends (调整更换 · 周期结束): stopped at what was paid, or settled at a
    # recorded amount. ``amount`` then holds what stays committed (the envelope's figures follow it) and
    # ``amount_granted`` what was granted first.
    closure = models.CharField(_("资助终止方式"), max_length=8, blank=True, editable=False,
                               choices=[("stopped", _("停止拨付")), ("settled", _("结算"))])
    closed_on = models.DateField(_("终止日期"), null=True, blank=True, editable=False)
    closure_reason = models.CharField(_("终止原因"), max_length=200, blank=True, editable=False)
    amount_granted = models.DecimalField(_("原资助金额（元）"), max_digits=12, decimal_places=2, null=True, blank=True,
                                         editable=False)

    # The funder reads and changes it (the city reads its counties' as well); the town, the team and its unit read it.
    scope_town = "town"
    scope_team = "team"
    scope_unit = "team__lead_unit"

    class Meta:
        verbose_name = _("立项资助")
        verbose_name_plural = _("立项资助")
        ordering = ["-fiscal_year", "project_number"]

    def __str__(self):
        return "%s %s" % (self.project_number, self.project.title)

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("reviews:grant_detail", args=[self.pk])

    @classmethod
    def scope_view_also(cls, user):
        if user.role in TEAM_ROLES or user.role in (Role.TOWN, Role.UNIT):
            return tree_q(cls, user)
        return NOTHING


class Disbursement(DomainModel):
    """One tranche paid out of a grant (拨付), with its date and voucher (PDF or image)."""

    grant = models.ForeignKey(Grant, verbose_name=_("立项资助"), on_delete=models.PROTECT,
                              related_name="disbursements")
    amount = models.DecimalField(_("拨付金额（元）"), max_digits=12, decimal_places=2, validators=money_validators)
    paid_on = PastDateField(_("拨付日期"))
    voucher = models.FileField(_("拨付凭证"), upload_to=random_upload_to("vouchers"), max_length=200)
    note = models.CharField(_("摘要"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("经办人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+", editable=False)

    scope_parent = "grant"

    class Meta:
        verbose_name = _("资金拨付")
        verbose_name_plural = _("资金拨付")
        ordering = ["grant_id", "paid_on", "pk"]

    def __str__(self):
        return "%s %s元" % (self.paid_on, self.amount)
