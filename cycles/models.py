"""Programme cycles (帮扶周期) and the rules that may change between them."""
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.fields import BoundedDateField, LimitedTextField
from core.models import DomainModel
from core.roles import Role


WEIGHT_FIELDS = ("weight_fit", "weight_feasibility", "weight_benefit", "weight_team", "weight_budget")


class Cycle(DomainModel):
    """A 3-year assistance cycle with its deadlines and the rules of that round (docs/domain.md: *default* values)."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("筹备中")
        OPEN = "open", _("进行中")
        CLOSED = "closed", _("已结束")

    name = models.CharField(_("名称"), max_length=100, unique=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.PLANNED)
    start_date = BoundedDateField(_("开始日期"))
    end_date = BoundedDateField(_("结束日期"))
    dispatch_deadline = BoundedDateField(_("选派完成期限"), help_text=_("首批为2021年12月31日"))
    agreement_due_date = BoundedDateField(_("帮扶协议最迟签订日期"), null=True, blank=True,
                                          help_text=_("设此日期时，各结对的协议签订期限不晚于此日"))
    agreement_days = models.PositiveSmallIntegerField(
        _("帮扶协议签订期限（备案后天数）"), default=30,
        help_text=_("结对备案后多少天内签订帮扶协议；另设“帮扶协议最迟签订日期”时，以两者中较早者为准")
    )
    project_submission_days = models.PositiveSmallIntegerField(
        _("项目报送期限（备案后天数）"), default=60
    )
    project_budget_cap = models.DecimalField(
        _("单个项目经费上限（元）"), max_digits=12, decimal_places=2, default=Decimal("500000.00"),
        help_text=_("帮扶项目预算总额不得超过此数")
    )
    review_panel_size = models.PositiveSmallIntegerField(
        _("项目论证专家组人数"), default=3, help_text=_("每个市级团队项目的论证专家组至少人数（行动方案三（五））")
    )
    weight_fit = models.PositiveSmallIntegerField(_("评分权重：需求契合度"), default=25)
    weight_feasibility = models.PositiveSmallIntegerField(_("评分权重：技术可行性"), default=25)
    weight_benefit = models.PositiveSmallIntegerField(_("评分权重：预期效益"), default=20)
    weight_team = models.PositiveSmallIntegerField(_("评分权重：团队能力"), default=15)
    weight_budget = models.PositiveSmallIntegerField(_("评分权重：经费合理性"), default=15)
    required_stationed_days = models.PositiveSmallIntegerField(
        _("团队累计驻镇天数要求"), default=365, help_text=_("原则上要求：不足时提示，不阻止")
    )
    cross_town_days_count = models.BooleanField(
        _("跨镇帮扶天数计入本镇驻镇要求"), default=False,
        help_text=_("不勾选时，在其他镇的驻点天数单列为跨镇天数，不计入团队在结对镇的累计驻镇天数")
    )
    inactivity_days = models.PositiveSmallIntegerField(
        _("无服务活动预警天数"), default=60, help_text=_("团队连续多少天没有已确认的服务活动时预警")
    )
    photo_max_age_days = models.PositiveSmallIntegerField(
        _("照片拍摄时间容差（天）"), default=7, help_text=_("照片拍摄时间早于活动日期超过此天数时标记")
    )
    team_size_min = models.PositiveSmallIntegerField(_("团队最少人数（含负责人）"), default=3)
    team_size_max = models.PositiveSmallIntegerField(_("团队最多人数（含负责人）"), default=3)
    notice_working_days = models.PositiveSmallIntegerField(_("公示期（工作日）"), default=5)
    # Applicant eligibility switches (issue: calls and applications).
    require_degree_or_title = models.BooleanField(
        _("要求本科及以上学历或中级及以上职称"), default=True
    )
    exclude_work_team_members = models.BooleanField(_("驻镇工作队队员不得申报"), default=True)
    exclude_selected_elsewhere = models.BooleanField(_("本周期已入选团队成员不得重复申报"), default=True)
    require_recommendation_letter = models.BooleanField(_("需驻镇工作队队长推荐函"), default=False)
    note = LimitedTextField(_("备注"), max_length=1000, blank=True)

    # Cycles are programme-wide reference data: every signed-in user reads them.
    scope_editors = frozenset({Role.CITY_ST})

    class Meta:
        verbose_name = _("帮扶周期")
        verbose_name_plural = _("帮扶周期")
        ordering = ["-start_date"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("cycles:detail", args=[self.pk])

    # Every signed-in user reads the cycles; the city S&T bureau changes them.
    scope_everyone_reads = True
    scope_change = "all"

    def clean(self):
        errors = {}
        if self.start_date and self.end_date and self.end_date <= self.start_date:
            errors["end_date"] = _("结束日期必须晚于开始日期。")
        if self.start_date and self.dispatch_deadline and self.end_date and not (
            self.dispatch_deadline <= self.end_date
        ):
            errors["dispatch_deadline"] = _("选派完成期限必须在周期结束之前。")
        if self.team_size_min and self.team_size_max and self.team_size_min > self.team_size_max:
            errors["team_size_max"] = _("团队最多人数不能少于最少人数。")
        if self.team_size_min is not None and self.team_size_min < 1:
            errors["team_size_min"] = _("团队至少1人（负责人）。")
        if self.notice_working_days is not None and self.notice_working_days < 1:
            errors["notice_working_days"] = _("公示期至少1个工作日。")
        if self.agreement_days is not None and self.agreement_days < 1:
            errors["agreement_days"] = _("帮扶协议签订期限至少1天。")
        if self.project_submission_days is not None and self.project_submission_days < 1:
            errors["project_submission_days"] = _("项目报送期限至少1天。")
        if self.project_budget_cap is not None and self.project_budget_cap <= 0:
            errors["project_budget_cap"] = _("单个项目经费上限应大于0。")
        if self.review_panel_size is not None and not 1 <= self.review_panel_size <= 15:
            errors["review_panel_size"] = _("论证专家组人数应在1至15人之间。")
        weights = [getattr(self, name) for name in WEIGHT_FIELDS]
        if all(weight is not None for weight in weights) and sum(weights) <= 0:
            errors["weight_fit"] = _("评分权重之和应大于0。")
        if errors:
            raise ValidationError(errors)

    def review_weights(self) -> dict:
        """The scoring criteria's weights (criterion -> weight), as set for this cycle."""
        return {name.removeprefix("weight_"): getattr(self, name) for name in WEIGHT_FIELDS}

    @classmethod
    def current(cls):
        """The cycle in progress (latest open one), else the latest."""
        return cls.objects.filter(status=cls.Status.OPEN).order_by("-start_date").first() or cls.objects.first()
