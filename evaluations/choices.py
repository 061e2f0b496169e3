"""Evaluations (年度考评), rewards (奖励) and training and exchange (培训交流) of a dispatching unit's people.

Seed 四(一): 派出单位负责对派出的特派员进行管理、考评奖励和培训交流. A unit grades each of its people once a year (drafted,
then submitted; reopened by the unit with a reason when it must change), records the rewards they won and the training
and exchange events they attended.
"""
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.roles import Role
from core.workflow import Step, Workflow

UNIT_ROLES = frozenset({Role.UNIT})


class Grade(models.TextChoices):
    """The grade of an annual evaluation."""

    EXCELLENT = "excellent", _("优秀")
    PASS = "pass", _("合格")
    BASIC = "basic", _("基本合格")
    FAIL = "fail", _("不合格")


class EvaluationStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")


class RewardLevel(models.TextChoices):
    UNIT = "unit", _("单位级")
    COUNTY = "county", _("县级")
    CITY = "city", _("市级")
    PROVINCE = "province", _("省级")
    NATIONAL = "national", _("国家级")


class TrainingKind(models.TextChoices):
    TRAINING = "training", _("培训")
    EXCHANGE = "exchange", _("交流")
    SEMINAR = "seminar", _("研讨")


E = EvaluationStatus


def _graded(evaluation, actor=None):
    """Submitted only with a grade: the unit chooses 优秀, 合格, 基本合格 or 不合格 first."""
    if not evaluation.grade:
        return _("请先选择考评等次（优秀、合格、基本合格、不合格）再提交。")
    return None


EVALUATION_WORKFLOW = Workflow("evaluations.Evaluation", title="年度考评", steps={
    "submit": Step(sources=(E.DRAFT,), target=E.SUBMITTED, roles=UNIT_ROLES, label=str(_("提交")),
                   style="primary", guards=(_graded,), stamp="submitted_at"),
    "reopen": Step(sources=(E.SUBMITTED,), target=E.DRAFT, roles=UNIT_ROLES, label=str(_("退回修改")),
                   needs_comment=True, style="warning"),
})

# Hours of one training event, at most (a week-long course is 40–60).
HOURS_MAX = 1000
# People from outside the unit at one event.
EXTERNAL_MAX = 100_000
# Materials on one training event.
MATERIALS_MAX = 10
