"""Adjustment and replacement cases (调整更换), member changes, and the figures a pairing closes with.

A case is opened by the organizer of a town against its pairing for one of the seed's three causes, with the
evidence the platform holds (flags, stationed days, activities, the work team's reports) kept as a snapshot; the
team answers by a deadline; the organizer decides. A replacement ends the old pairing on a date (its records and its
figures stay with it, :class:`PairingFigures`) and proposes the new team, which goes through notice and registration
again. Every record copies its pairing's cycle, team and town like the field-work records.
"""
from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.fields import COMMENT_MAX_CHARS, BoundedDateField, LimitedTextField
from core.files import random_upload_to
from core.models import DomainModel
from core.roles import Role, TEAM_ROLES
from core.scoping import NOTHING
from fieldwork.models import LEVELS, PairedRecord
from replacements.choices import Cause, CaseStatus, ChangeStatus, Decision, FundingAction

TEXT_MAX = 2000


class OrganizedRecord(PairedRecord):
    """A case or a member change: read along the organizing levels (the organizer rule over the paired town), by the
    team and by its lead unit; changed by the organizing S&T office."""

    organizer_level = models.CharField(_("组织层级"), max_length=8, choices=LEVELS, editable=False)

    scope_organizer = ("organizer_level", "home_town__county__city", "home_town__county")
    scope_view = "organizer"
    scope_change = "organizer"

    class Meta:
        abstract = True

    @classmethod
    def scope_view_also(cls, user):
        if user.role in TEAM_ROLES and user.team_id:
            return Q(team_id=user.team_id)
        if user.role == Role.UNIT and user.unit_id:
            return Q(team__lead_unit_id=user.unit_id)
        return NOTHING

    def copy_pairing(self, pairing) -> None:
        super().copy_pairing(pairing)
        self.organizer_level = pairing.organizer_level


class Case(OrganizedRecord):
    """调整更换案件: the organizer's inquiry into a pairing for one of the three causes, the team's answer and the
    decision (no action, a warning, an adjustment of members or projects, or a replacement of the team)."""

    cause = models.CharField(_("事由"), max_length=16, choices=Cause.choices)
    summary = LimitedTextField(_("情况说明"), max_length=TEXT_MAX)
    evidence = models.JSONField(_("证据快照"), default=dict, blank=True, editable=False)
    flags = models.ManyToManyField("fieldwork.Flag", verbose_name=_("相关预警"), blank=True, related_name="+")
    answer_due = BoundedDateField(_("答复期限"))
    status = models.CharField(_("状态"), max_length=12, choices=CaseStatus.choices, default=CaseStatus.OPEN,
                              db_index=True)
    opened_at = models.DateTimeField(_("立案时间"), null=True, blank=True, editable=False)
    answer = LimitedTextField(_("团队答复"), max_length=TEXT_MAX, blank=True, editable=False)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True, editable=False)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("答复人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+", editable=False)
    decision = models.CharField(_("处理决定"), max_length=12, choices=Decision.choices, blank=True, editable=False)
    decision_reason = LimitedTextField(_("决定理由"), max_length=TEXT_MAX, blank=True, editable=False)
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True, editable=False)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("决定人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+", editable=False)
    doc_number = models.CharField(_("决定书文号"), max_length=50, blank=True, editable=False)
    end_date = models.DateField(_("原结对截止日期"), null=True, blank=True, editable=False)
    new_pairing = models.ForeignKey("matching.Pairing", verbose_name=_("递补结对"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+", editable=False)
    via_new_call = models.BooleanField(_("重新征集团队"), default=False, editable=False)
    funding_action = models.CharField(_("资助处理"), max_length=8, choices=FundingAction.choices, blank=True,
                                      editable=False)
    settled_amount = models.DecimalField(_("结算金额（元）"), max_digits=12, decimal_places=2, null=True, blank=True,
                                         editable=False, validators=[MinValueValidator(Decimal("0"))])

    scope_editors = frozenset({Role.CITY_ST, Role.COUNTY_ST, Role.TEAM_LEADER})
    scope_change = "case_party"

    class Meta:
        verbose_name = _("调整更换案件")
        verbose_name_plural = _("调整更换案件")
        ordering = ["-opened_at", "-pk"]
        indexes = [models.Index(fields=["cycle", "status"], name="case_cycle_status")]

    def __str__(self):
        return _("%(town)s · %(team)s：%(cause)s") % {"town": self.home_town, "team": self.team,
                                                      "cause": self.get_cause_display()}

    def get_absolute_url(self):
        return reverse("replacements:case_detail", args=[self.pk])


def _case_party_rule(model, user) -> Q:
    """Change rule of a case: the team's leader answers its own case; the organizing S&T office does the rest."""
    from core.scoping import organizer_q

    if user.role == Role.TEAM_LEADER and user.team_id:
        return Q(team_id=user.team_id)
    return organizer_q(model, user, "change")


from core.scoping import register_change_rule  # noqa: E402

register_change_rule("case_party", _case_party_rule)


class CaseFile(DomainModel):
    """A file of a case: the organizer's evidence or the team's answer (PDF or image), served by a scoped view."""

    class Kind(models.TextChoices):
        EVIDENCE = "evidence", _("证据材料")
        ANSWER = "answer", _("答复材料")

    case = models.ForeignKey(Case, verbose_name=_("案件"), on_delete=models.CASCADE, related_name="files")
    kind = models.CharField(_("类别"), max_length=8, choices=Kind.choices)
    file = models.FileField(_("文件"), upload_to=random_upload_to("cases"), max_length=200)
    name = models.CharField(_("文件名"), max_length=200)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("上传人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+", editable=False)

    scope_parent = "case"

    class Meta:
        verbose_name = _("案件材料")
        verbose_name_plural = _("案件材料")
        ordering = ["pk"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("replacements:case_file", args=[self.pk])


class MemberChange(OrganizedRecord):
    """成员变更: a member leaves the team and/or one joins, recorded by the organizer (after an adjustment decision
    or on the team's request) within the cycle's team size, then registered again by the pairing's recipients."""

    case = models.ForeignKey(Case, verbose_name=_("所属案件"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="member_changes")
    leaving = models.ForeignKey("teams.Commissioner", verbose_name=_("退出成员"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    joining = models.ForeignKey("teams.Commissioner", verbose_name=_("新增成员"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    effective_date = BoundedDateField(_("生效日期"))
    reason = LimitedTextField(_("变更原因"), max_length=COMMENT_MAX_CHARS)
    size_before = models.PositiveSmallIntegerField(_("变更前人数"), default=0, editable=False)
    size_after = models.PositiveSmallIntegerField(_("变更后人数"), default=0, editable=False)
    status = models.CharField(_("备案状态"), max_length=16, choices=ChangeStatus.choices, default=ChangeStatus.PENDING,
                              db_index=True)
    city_confirmed_at = models.DateTimeField(_("市级确认时间"), null=True, blank=True, editable=False)
    registered_at = models.DateTimeField(_("备案时间"), null=True, blank=True, editable=False)

    scope_editors = frozenset({Role.CITY_ST, Role.COUNTY_ST})

    class Meta:
        verbose_name = _("成员变更")
        verbose_name_plural = _("成员变更")
        ordering = ["-effective_date", "-pk"]

    def __str__(self):
        parts = []
        if self.leaving_id:
            parts.append(_("%(n)s退出") % {"n": self.leaving.name})
        if self.joining_id:
            parts.append(_("%(n)s加入") % {"n": self.joining.name})
        return "%s：%s" % (self.team, "，".join(str(p) for p in parts))

    def get_absolute_url(self):
        return reverse("replacements:change_detail", args=[self.pk])

    @classmethod
    def scope_view_also(cls, user):
        # The province confirms the registration of every change in its province; it reads them by the organizer
        # rule already. The city confirms its counties' changes: it reads them by the organizer rule too.
        return super().scope_view_also(user)


class PairingFigures(DomainModel):
    """The figures a pairing closed with (replaced, or ended with its cycle): computed once from the confirmed
    records when it ended and kept, so a report on the old team never changes when the new one works on."""

    pairing = models.OneToOneField("matching.Pairing", verbose_name=_("结对"), on_delete=models.PROTECT,
                                   related_name="closing_figures")
    cycle = models.ForeignKey("cycles.Cycle", verbose_name=_("帮扶周期"), on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey("teams.Team", verbose_name=_("团队"), on_delete=models.PROTECT, related_name="+")
    town = models.ForeignKey("regions.Town", verbose_name=_("镇"), on_delete=models.PROTECT, related_name="+")
    organizer_level = models.CharField(_("组织层级"), max_length=8, choices=LEVELS)
    ended_on = models.DateField(_("截止日期"))
    outcome = models.CharField(_("结束方式"), max_length=12, choices=[("ended", _("周期届满")), ("replaced", _("调整更换"))])
    stationed_days = models.PositiveIntegerField(_("驻镇天数"), default=0)
    required_days = models.PositiveIntegerField(_("应驻镇天数"), default=0)
    activities = models.PositiveIntegerField(_("服务活动"), default=0)
    cross_town_activities = models.PositiveIntegerField(_("跨镇服务活动"), default=0)
    people_served = models.PositiveIntegerField(_("服务群众（人次）"), default=0)
    projects = models.PositiveIntegerField(_("帮扶项目"), default=0)
    projects_approved = models.PositiveIntegerField(_("立项项目"), default=0)
    granted = models.DecimalField(_("资助金额（元）"), max_digits=14, decimal_places=2, default=0)
    disbursed = models.DecimalField(_("已拨付（元）"), max_digits=14, decimal_places=2, default=0)
    open_flags = models.PositiveIntegerField(_("未解除预警"), default=0)

    scope_county = "town__county"
    scope_town = "town"
    scope_team = "team"
    scope_unit = "team__lead_unit"
    scope_editors = frozenset()

    class Meta:
        verbose_name = _("结对结束时数据")
        verbose_name_plural = _("结对结束时数据")
        ordering = ["town__code", "-ended_on"]

    def __str__(self):
        return _("%(p)s（截至%(d)s）") % {"p": self.pairing, "d": self.ended_on}

    def get_absolute_url(self):
        return reverse("matching:pairing_detail", args=[self.pairing_id])
