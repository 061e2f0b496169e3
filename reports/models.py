"""The annual report (年度工作总结报告) of a county or of the city, its narrative and its kept figures.

Who reads and writes (``core.scoping``, the organizer rule on ``level``/``city``/``county``): a county's report is read
by its county's offices, the city's and the province's; the city's report by the city's offices and the province. The
author's S&T office alone edits it while it is a draft or returned; the receiver (the city for a county's report, the
province for the city's) returns, accepts or reopens it — the service checks that. Nobody else reads either.
"""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.models import DomainModel
from core.roles import CITY_ROLES, OFFICIAL_ROLES, Role
from core.fields import LimitedTextField
from core.sanitize import clean_html
from reports.choices import (CITY_DUE, COUNTY_DUE, EDITABLE_STATES, FROZEN_STATES, YEAR_MAX, YEAR_MIN, ReportLevel,
                             ReportStatus)

NARRATIVE_MAX = 20000


class NarrativeField(LimitedTextField):
    """Rich text written in the offline editor (the form's django-prose-editor field): bounded, and sanitized by nh3
    (``core.sanitize.clean_html``) whenever the record is validated."""

    def clean(self, value, model_instance):
        return super().clean(clean_html(value), model_instance)


def narrative_field(label, help_text=""):
    return NarrativeField(label, max_length=NARRATIVE_MAX, blank=True, help_text=help_text)


class AnnualReport(DomainModel):
    """One year's report of a county (to the city) or of the city (to the province)."""

    year = models.PositiveSmallIntegerField(_("报告年度"), validators=[MinValueValidator(YEAR_MIN),
                                                                   MaxValueValidator(YEAR_MAX)])
    level = models.CharField(_("层级"), max_length=8, choices=ReportLevel.choices)
    city = models.ForeignKey("regions.City", verbose_name=_("市"), on_delete=models.PROTECT, related_name="+")
    county = models.ForeignKey("regions.County", verbose_name=_("县（市、区）"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("标题"), max_length=200, blank=True)
    doc_number = models.CharField(_("文号"), max_length=50, blank=True, help_text=_("如：仁科〔2025〕3号"))
    due_date = models.DateField(_("报送期限"), editable=False)
    status = models.CharField(_("状态"), max_length=12, choices=ReportStatus.choices, default=ReportStatus.DRAFT,
                              db_index=True)
    achievements = narrative_field(_("主要成效"), _("全年工作的主要成效和亮点"))
    typical_cases = narrative_field(_("典型案例"), _("可在下方从服务活动照片中选配图片"))
    problems = narrative_field(_("存在问题"))
    next_plan = narrative_field(_("下一年度工作计划"))
    case_photos = models.ManyToManyField("fieldwork.ActivityPhoto", verbose_name=_("典型案例配图"), blank=True,
                                         related_name="+")
    # The city's report: why a county's report is missing ({county id: note}), when it goes up without it.
    missing_notes = models.JSONField(_("缺报说明"), default=dict, blank=True, editable=False)
    # The figures as they were submitted (and accepted): later changes to records do not change them.
    figures = models.JSONField(_("统计数据"), null=True, blank=True, editable=False)
    figures_at = models.DateTimeField(_("统计时间"), null=True, blank=True, editable=False)
    return_comment = models.CharField(_("退回意见"), max_length=500, blank=True, editable=False)
    submitted_at = models.DateTimeField(_("报送时间"), null=True, blank=True, editable=False)
    accepted_at = models.DateTimeField(_("接收时间"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("起草人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+", editable=False)

    scope_organizer = ("level", "city", "county")
    scope_view = "organizer"
    scope_change = "organizer"
    scope_roles = OFFICIAL_ROLES
    scope_editors = frozenset({Role.COUNTY_ST, Role.CITY_ST})

    class Meta:
        verbose_name = _("年度报告")
        verbose_name_plural = _("年度报告")
        ordering = ["-year", "level", "county__code", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["year", "county"], condition=Q(level="county"),
                                    name="one_county_report_per_year",
                                    violation_error_message=_("该县（市、区）本年度的年度报告已建立。")),
            models.UniqueConstraint(fields=["year", "city"], condition=Q(level="city"),
                                    name="one_city_report_per_year",
                                    violation_error_message=_("本市本年度的年度报告已建立。")),
            models.CheckConstraint(condition=Q(level="city", county__isnull=True)
                                   | Q(level="county", county__isnull=False),
                                   name="report_level_matches_county",
                                   violation_error_message=_("市级报告不选县（市、区），县级报告须选择县（市、区）。")),
        ]
        indexes = [models.Index(fields=["city", "year", "level", "status"], name="report_city_year")]

    def __str__(self):
        return self.title or default_title(self)

    @classmethod
    def scope_q(cls, user, action):
        """Override (a state condition the organizer rule cannot say): a report is its author's own while it is a
        draft — the city and the province read a county's, the province the city's, once it has been submitted."""
        q = super().scope_q(user, action)
        if action == "view" and user.role in CITY_ROLES | {Role.PROVINCE}:
            own_level = Q(level=ReportLevel.CITY) if user.role in CITY_ROLES else Q(pk__in=[])
            q = q & (own_level | ~Q(status=ReportStatus.DRAFT))
        return q

    def get_absolute_url(self):
        return reverse("reports:report_detail", args=[self.pk])

    @property
    def place_name(self) -> str:
        return self.county.name if self.county_id else self.city.name

    @property
    def editable(self) -> bool:
        return self.status in EDITABLE_STATES

    @property
    def frozen(self) -> bool:
        return self.status in FROZEN_STATES and self.figures is not None

    @property
    def receiver_role(self) -> str:
        return Role.CITY_ST if self.level == ReportLevel.COUNTY else Role.PROVINCE

    @property
    def on_time(self) -> bool | None:
        if not self.submitted_at:
            return None
        return self.submitted_at.date() <= self.due_date

    def clean(self):
        super().clean()
        if self.level == ReportLevel.COUNTY and self.county_id and self.city_id \
                and self.county.city_id != self.city_id:
            from django.core.exceptions import ValidationError

            raise ValidationError({"county": _("县（市、区）不属于所选的市。")})
        if not self.due_date and self.year:
            self.due_date = default_due(self.year, self.level)
        if not self.title and self.year and self.city_id:
            self.title = default_title(self)


def default_due(year: int, level: str) -> dt.date:
    month, day = COUNTY_DUE if level == ReportLevel.COUNTY else CITY_DUE
    return dt.date(year + 1, month, day)


def default_title(report) -> str:
    place = report.county.name if report.county_id else (report.city.name if report.city_id else "")
    return "%s%s年农村科技特派员驻镇帮镇扶村工作总结" % (place, report.year or "")
