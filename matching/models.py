"""Selection rounds (遴选), their runs of the matching engine, and the pairings (结对) they create."""
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.roles import OFFICIAL_ROLES
from core.fields import COMMENT_MAX_CHARS, LimitedTextField, PastDateField
from core.files import random_upload_to
from core.models import DomainModel
from matching.choices import ConstraintKind, ENDED_PAIRING_STATES, LIVE_PAIRING_STATES, PairingStatus, RoundStatus, RunStatus
from matching.engine import Weights
from matching.engine.taxonomy import SHORT_VERSION_LENGTH, Taxonomy, load_taxonomy, taxonomy_for



def default_weights() -> dict:
    return Weights().as_dict()


def minutes_path(instance, filename):
    # Referenced by migration 0001 only; the field uses core.files.random_upload_to.
    return random_upload_to("minutes")(instance, filename)


class SelectionRound(DomainModel):
    """A selection of one team per town for a call's towns, run by the call's organizer."""

    call = models.ForeignKey("calls.Call", verbose_name=_("征集通知"), on_delete=models.PROTECT, related_name="rounds")
    cycle = models.ForeignKey("cycles.Cycle", verbose_name=_("帮扶周期"), on_delete=models.PROTECT, related_name="rounds")
    title = models.CharField(_("名称"), max_length=200)
    status = models.CharField(_("状态"), max_length=16, choices=RoundStatus.choices, default=RoundStatus.OPEN)
    weights = models.JSONField(_("权重"), default=default_weights)
    meeting_date = PastDateField(_("遴选会议日期"), null=True, blank=True)
    meeting_participants = LimitedTextField(_("参会人员"), max_length=1000, blank=True)
    meeting_minutes = models.FileField(_("会议纪要"), upload_to=random_upload_to("minutes"), blank=True, max_length=200)
    finalized_run = models.ForeignKey("SelectionRun", verbose_name=_("确定的方案"), null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+")
    finalized_at = models.DateTimeField(_("确定时间"), null=True, blank=True)
    finalized_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name=_("确定人"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("发起人"))

    class Meta:
        verbose_name = _("遴选")
        verbose_name_plural = _("遴选")
        ordering = ["-created_at"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("matching:round_detail", args=[self.pk])

    # Officials who may see (or run) the call see (or run) its rounds; nobody else.
    scope_roles = OFFICIAL_ROLES
    scope_parent = "call"


class RoundScoped(DomainModel):
    """Rows that belong to a round share its scope."""

    class Meta:
        abstract = True

    scope_parent = "round"


class PairConstraint(RoundScoped):
    """A pair locked into, or excluded from, a round's proposal, with the recorded reason."""

    round = models.ForeignKey(SelectionRound, on_delete=models.CASCADE, related_name="constraints")
    town = models.ForeignKey("regions.Town", verbose_name=_("镇"), on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey("teams.Team", verbose_name=_("团队"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("类型"), max_length=8, choices=ConstraintKind.choices)
    reason = LimitedTextField(_("理由"), max_length=1000)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("锁定或排除")
        verbose_name_plural = _("锁定或排除")
        constraints = [models.UniqueConstraint(fields=["round", "town", "team"], name="one_constraint_per_pair")]

    def __str__(self):
        return "%s %s—%s" % (self.get_kind_display(), self.town, self.team)


class PanelScore(RoundScoped):
    """A score the selection meeting gave a (town, team) pair."""

    round = models.ForeignKey(SelectionRound, on_delete=models.CASCADE, related_name="panel_scores")
    town = models.ForeignKey("regions.Town", verbose_name=_("镇"), on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey("teams.Team", verbose_name=_("团队"), on_delete=models.PROTECT, related_name="+")
    score = models.DecimalField(_("评分"), max_digits=5, decimal_places=1)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("会议评分")
        verbose_name_plural = _("会议评分")
        constraints = [models.UniqueConstraint(fields=["round", "town", "team"], name="one_panel_score_per_pair")]

    def __str__(self):
        return "%s—%s %s" % (self.town, self.team, self.score)


class SelectionRun(RoundScoped):
    """One run of the engine for a round, kept with its inputs and result so any two runs can be compared."""

    round = models.ForeignKey(SelectionRound, on_delete=models.CASCADE, related_name="runs")
    number = models.PositiveIntegerField(_("序号"))
    status = models.CharField(_("状态"), max_length=16, choices=RunStatus.choices, default=RunStatus.PENDING)
    weights = models.JSONField(_("权重"), default=default_weights)
    inputs = models.JSONField(_("输入"), default=dict)
    # The industry taxonomy (产业分类) the run used, kept with its inputs so that re-computing reproduces it.
    # Runs made before these fields existed have neither and use the file shipped with the engine.
    taxonomy_version = models.CharField(_("产业分类版本"), max_length=64, blank=True, db_index=True,
                                        help_text=_("产业分类内容（规范 JSON）的 SHA-256"))
    taxonomy = models.JSONField(_("产业分类快照"), null=True, blank=True)
    result = models.JSONField(_("结果"), default=dict)
    total_score = models.FloatField(_("总分"), null=True, blank=True)
    error = LimitedTextField(_("错误"), max_length=5000, blank=True)
    task_run = models.ForeignKey("core.TaskRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("匹配运行")
        verbose_name_plural = _("匹配运行")
        ordering = ["round", "-number"]
        constraints = [models.UniqueConstraint(fields=["round", "number"], name="unique_run_number")]

    def __str__(self):
        return _("第%(n)d次运行") % {"n": self.number}

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("matching:run_detail", args=[self.round_id, self.pk])

    def record_taxonomy(self, taxonomy: Taxonomy) -> None:
        """Keep ``taxonomy`` (a snapshot and its version) as the one this run uses (before saving)."""
        self.taxonomy = taxonomy.to_dict()
        self.taxonomy_version = taxonomy.version

    def engine_taxonomy(self) -> Taxonomy:
        """The taxonomy to run with: the recorded snapshot, or for older runs without one, the shipped file."""
        if self.taxonomy:
            return taxonomy_for(self.taxonomy, source=str(_("第%(n)d次运行的产业分类快照") % {"n": self.number}))
        return load_taxonomy()

    @property
    def weights_display(self) -> str:
        """权重 as officials read them: 需求匹配 1、服务类型 0.15 …"""
        from matching.forms import WEIGHT_LABELS

        values = self.weights or {}
        text = "、".join("%s %s" % (label, ("%g" % values[name]) if isinstance(values.get(name), (int, float)) else "—")
                         for name, label in WEIGHT_LABELS.items() if name in values) or "—"
        margin = values.get("familiarity_margin")
        if isinstance(margin, (int, float)):
            if margin < 1:
                text += "；前期对接与志愿仅在匹配度相差 %d%% 以内时加分" % round(100 * margin)
            else:
                text += "；前期对接与志愿总是加分"
        return text

    @property
    def taxonomy_short_version(self) -> str:
        return self.taxonomy_version[:SHORT_VERSION_LENGTH]


class Pairing(DomainModel):
    """结对: a team paired with a town for a cycle; the record that carries 一对一 across calls and rounds."""

    cycle = models.ForeignKey("cycles.Cycle", verbose_name=_("帮扶周期"), on_delete=models.PROTECT, related_name="pairings")
    town = models.ForeignKey("regions.Town", verbose_name=_("镇"), on_delete=models.PROTECT, related_name="pairings")
    team = models.ForeignKey("teams.Team", verbose_name=_("团队"), on_delete=models.PROTECT, related_name="pairings")
    organizer_level = models.CharField(_("组织层级"), max_length=8, choices=[("province", _("省级")), ("city", _("市级")),
                                                                          ("county", _("县级"))])
    round = models.ForeignKey(SelectionRound, verbose_name=_("遴选"), null=True, blank=True, on_delete=models.PROTECT,
                              related_name="pairings")
    status = models.CharField(_("状态"), max_length=16, choices=PairingStatus.choices, default=PairingStatus.PROPOSED,
                              db_index=True)
    score = models.FloatField(_("匹配总分"), null=True, blank=True)
    reasons = models.JSONField(_("匹配理由"), default=list, blank=True)
    alternates = models.JSONField(_("备选团队"), default=list, blank=True)
    replaces = models.ForeignKey("self", verbose_name=_("替换的结对"), null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="replaced_by")
    proposed_at = models.DateTimeField(_("拟结对时间"), null=True, blank=True)
    notice_started_at = models.DateTimeField(_("公示开始"), null=True, blank=True)
    notice_cleared_at = models.DateTimeField(_("公示无异议时间"), null=True, blank=True)
    registered_at = models.DateTimeField(_("备案时间"), null=True, blank=True)
    active_from = models.DateField(_("开始帮扶日期"), null=True, blank=True)
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    # The last day of the assistance (a replacement's switch date, the cycle's last day); figures stop here.
    ended_on = models.DateField(_("帮扶截止日期"), null=True, blank=True)
    end_reason = LimitedTextField(_("结束或更换原因"), max_length=COMMENT_MAX_CHARS, blank=True)

    scope_county = "town__county"
    scope_town = "town"
    scope_team = "team"
    scope_unit = "team__lead_unit"

    class Meta:
        verbose_name = _("结对")
        verbose_name_plural = _("结对")
        ordering = ["town__code", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "town"], condition=~Q(status__in=ENDED_PAIRING_STATES),
                                    name="one_live_pairing_per_town_cycle"),
            models.UniqueConstraint(fields=["cycle", "team"], condition=~Q(status__in=ENDED_PAIRING_STATES),
                                    name="one_live_pairing_per_team_cycle"),
        ]

    def __str__(self):
        return "%s — %s" % (self.town, self.team)

    def clean(self):
        # 调整更换: a team replaced in a town is not paired with that town again in the same cycle.
        if self.cycle_id and self.town_id and self.team_id and self.status in LIVE_PAIRING_STATES and (
                Pairing.objects.filter(cycle_id=self.cycle_id, town_id=self.town_id, team_id=self.team_id,
                                       status=PairingStatus.REPLACED).exclude(pk=self.pk).exists()):
            raise ValidationError({"team": _("该团队已在本周期被调整更换出该镇，不能再与该镇结对。")})

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("matching:pairing_detail", args=[self.pk])

    # Read along the tree (teams see their own; units their teams'); changed only by the organizer's level.
    scope_organizer = ("organizer_level", "town__county__city", "town__county")
    scope_change = "organizer"
