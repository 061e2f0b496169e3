"""A dispatching unit's records of its own people (seed 四(一)): annual evaluations (年度考评), rewards (奖励), and
training and exchange events (培训交流) with their materials.

Who reads them (``core.scoping``):

* the unit: its own records (``scope_unit``), and it alone writes them (``scope_editors = {unit}``);
* the person: their own submitted evaluations and their rewards, read only (``scope_view_also``: not ``scope_owner``,
  which would also let them change them);
* the organizers of the person's team: an evaluation or a reward copies the pairing of the person's team in its
  cycle (live, or the latest one that worked) with its organizing level and town, and the organizer rule reads it up
  the tree (a county its county-organized towns', the city every town of the city, the province its province's);
  evaluations once submitted (a draft is the unit's own);
* trainings: the unit, the officials (``scope_readers``: the programme's reference of who was trained), and a team
  for the events its members attended.

Nobody else: not another unit, not a town, not another team, not an expert.
"""
from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.fields import BoundedDateField, LimitedTextField, PastDateField
from core.files import random_upload_to
from core.models import DomainModel
from core.roles import OFFICIAL_ROLES, TEAM_ROLES, Role
from core.scoping import NOTHING, VIEW, organizer_q
from evaluations.choices import (EXTERNAL_MAX, HOURS_MAX, EvaluationStatus, Grade, RewardLevel, TrainingKind)

LEVELS = [("province", _("省级")), ("city", _("市级")), ("county", _("县级"))]
TEXT_MAX = 2000
YEAR_MIN, YEAR_MAX = 2000, 2100
ORGANIZER_PATHS = ("organizer_level", "home_town__county__city", "home_town__county")


class PersonRecord(DomainModel):
    """What an evaluation and a reward share: the unit, its person, and the person's team and pairing copied so the
    organizers of that pairing read the record."""

    unit = models.ForeignKey("units.DispatchingUnit", verbose_name=_("派出单位"), on_delete=models.PROTECT,
                             related_name="+")
    commissioner = models.ForeignKey("teams.Commissioner", verbose_name=_("特派员"), on_delete=models.PROTECT,
                                     related_name="+")
    team = models.ForeignKey("teams.Team", verbose_name=_("所在团队"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    pairing = models.ForeignKey("matching.Pairing", verbose_name=_("结对"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+", editable=False)
    organizer_level = models.CharField(_("组织层级"), max_length=8, choices=LEVELS, blank=True, editable=False)
    home_town = models.ForeignKey("regions.Town", verbose_name=_("结对镇"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+", editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("填报人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+", editable=False)

    scope_unit = "unit"
    scope_organizer = ORGANIZER_PATHS
    scope_editors = frozenset({Role.UNIT})

    class Meta:
        abstract = True

    def copy_pairing(self, pairing) -> None:
        """The person's team's pairing (or none): its organizers read this record."""
        self.pairing = pairing
        if pairing is None:
            self.organizer_level, self.home_town = "", None
        else:
            self.organizer_level, self.home_town_id = pairing.organizer_level, pairing.town_id

    @classmethod
    def own_q(cls, user) -> Q:
        if user.role in TEAM_ROLES:
            return Q(commissioner__user_id=user.pk)
        return NOTHING


class Evaluation(PersonRecord):
    """A unit's annual evaluation (年度考评) of one of its people: the grade, comments and the year's figures."""

    year = models.PositiveSmallIntegerField(_("考评年度"), validators=[MinValueValidator(YEAR_MIN),
                                                                   MaxValueValidator(YEAR_MAX)])
    cycle = models.ForeignKey("cycles.Cycle", verbose_name=_("帮扶周期"), on_delete=models.PROTECT, related_name="+")
    grade = models.CharField(_("考评等次"), max_length=12, choices=Grade.choices, blank=True)
    comments = LimitedTextField(_("考评意见"), max_length=TEXT_MAX, blank=True)
    # {"activities": n, "days": n, "projects": n}: counted by the platform (evaluations.selectors.figures) when the
    # form opened and stored with the evaluation, so the table shows what the unit saw when it graded.
    figures = models.JSONField(_("年度工作量"), default=dict, blank=True, editable=False)
    evaluator = models.CharField(_("考评人"), max_length=50, blank=True)
    evaluated_on = PastDateField(_("考评日期"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=EvaluationStatus.choices,
                              default=EvaluationStatus.DRAFT, db_index=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True, editable=False)

    # Read along the declaration's unit path; the organizers' and the person's reads are the grant below.
    scope_view = "tree"

    class Meta:
        verbose_name = _("年度考评")
        verbose_name_plural = _("年度考评")
        ordering = ["-year", "commissioner__name", "pk"]
        constraints = [models.UniqueConstraint(fields=["unit", "commissioner", "year"],
                                               name="one_evaluation_per_person_year")]
        indexes = [models.Index(fields=["unit", "year", "status"], name="evaluation_unit_year")]

    def __str__(self):
        return "%s %s年度考评" % (self.commissioner.name if self.commissioner_id else "", self.year or "")

    def get_absolute_url(self):
        return reverse("evaluations:evaluation_detail", args=[self.pk])

    @classmethod
    def scope_view_also(cls, user):
        """Once submitted (a draft is the unit's own): the organizers of the person's pairing up the tree, and the
        person."""
        submitted = Q(status=EvaluationStatus.SUBMITTED)
        grant = organizer_q(cls, user, VIEW)
        grant = cls.own_q(user) if grant == NOTHING else grant | cls.own_q(user)
        return NOTHING if grant == NOTHING else grant & submitted

    def figure(self, name: str) -> int:
        return int((self.figures or {}).get(name) or 0)


class Reward(PersonRecord):
    """A reward (奖励) one of the unit's people won: its title, level, grounds and the award document."""

    date = PastDateField(_("获奖日期"))
    title = models.CharField(_("奖励名称"), max_length=100, help_text=_("如：年度优秀农村科技特派员"))
    level = models.CharField(_("奖励级别"), max_length=12, choices=RewardLevel.choices)
    grounds = LimitedTextField(_("主要事迹"), max_length=TEXT_MAX, blank=True)
    document = models.FileField(_("奖励文件"), upload_to=random_upload_to("rewards"), blank=True)
    document_name = models.CharField(_("文件名"), max_length=200, blank=True, editable=False)

    scope_view = "organizer"

    class Meta:
        verbose_name = _("奖励")
        verbose_name_plural = _("奖励")
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["unit", "date"], name="reward_unit_date")]

    def __str__(self):
        return "%s：%s" % (self.commissioner.name if self.commissioner_id else "", self.title)

    def get_absolute_url(self):
        return reverse("evaluations:reward_detail", args=[self.pk])

    @classmethod
    def scope_view_also(cls, user):
        """The unit (its own, by the unit path) and the person (their own rewards)."""
        if user.role == Role.UNIT and user.unit_id:
            return Q(unit_id=user.unit_id)
        return cls.own_q(user)


class Training(DomainModel):
    """A training or exchange event (培训交流) the unit held or sent its people to: who attended, hours, materials."""

    unit = models.ForeignKey("units.DispatchingUnit", verbose_name=_("派出单位"), on_delete=models.PROTECT,
                             related_name="+")
    kind = models.CharField(_("类型"), max_length=12, choices=TrainingKind.choices, default=TrainingKind.TRAINING)
    date = BoundedDateField(_("日期"))
    topic = models.CharField(_("主题"), max_length=100)
    place = models.CharField(_("地点"), max_length=100)
    hours = models.DecimalField(_("学时"), max_digits=6, decimal_places=1,
                                validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal(HOURS_MAX))])
    attendees = models.ManyToManyField("teams.Commissioner", verbose_name=_("参加的特派员"), related_name="+",
                                       blank=True)
    external_attendees = models.PositiveIntegerField(_("其他参加人数"), default=0,
                                                     validators=[MaxValueValidator(EXTERNAL_MAX)])
    summary = LimitedTextField(_("内容摘要"), max_length=TEXT_MAX, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("填报人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+", editable=False)

    scope_unit = "unit"
    scope_readers = OFFICIAL_ROLES
    scope_editors = frozenset({Role.UNIT})

    class Meta:
        verbose_name = _("培训交流")
        verbose_name_plural = _("培训交流")
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["unit", "date"], name="training_unit_date")]

    def __str__(self):
        return "%s %s" % (self.date.isoformat() if self.date else "", self.topic)

    def get_absolute_url(self):
        return reverse("evaluations:training_detail", args=[self.pk])

    @classmethod
    def scope_view_also(cls, user):
        """A team reads the events its members attended."""
        if user.role in TEAM_ROLES and user.team_id:
            from teams.models import TeamMembership

            members = TeamMembership.objects.filter(team_id=user.team_id).values("commissioner_id")
            attended = cls.attendees.through.objects.filter(commissioner_id__in=members).values("training_id")
            return Q(pk__in=attended)
        return NOTHING


class TrainingMaterial(DomainModel):
    """A file of a training event (课件、通知、签到表、照片), served only by the scoped view."""

    training = models.ForeignKey(Training, verbose_name=_("培训交流"), on_delete=models.CASCADE,
                                 related_name="materials")
    name = models.CharField(_("材料名称"), max_length=100)
    file = models.FileField(_("文件"), upload_to=random_upload_to("trainings"))
    size = models.PositiveIntegerField(_("文件大小（字节）"), default=0, editable=False)

    scope_parent = "training"

    class Meta:
        verbose_name = _("培训材料")
        verbose_name_plural = _("培训材料")
        ordering = ["training_id", "pk"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("evaluations:material", args=[self.pk])
