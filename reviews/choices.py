"""Expert review (专家论证) and funding (立项资助): states, criteria and the workflows.

Seed 三(五): the city organizes an expert review of the projects of the teams it selected, then funds them; each
county funds the teams it selected (its review may be a single approval step, ``ReviewRule``). A review takes a
project on from "accepted for review" (projects.ProjectStatus.ACCEPTED); its decision moves the project to 已立项 or
论证未通过 (the project workflow's system steps).
"""
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.roles import EXPERTS, ORGANIZERS
from core.workflow import SYSTEM, Step, Workflow


class TitleRank(models.TextChoices):
    SENIOR = "senior", _("正高级")
    ASSOCIATE = "associate", _("副高级")
    INTERMEDIATE = "intermediate", _("中级")
    OTHER = "other", _("其他")


class ReviewMode(models.TextChoices):
    PANEL = "panel", _("专家组评审")
    SINGLE = "single", _("科技部门直接审批")


class ReviewStatus(models.TextChoices):
    FORMING = "forming", _("组建专家组")
    SCORING = "scoring", _("专家评分中")
    SCORED = "scored", _("评分完成待决定")
    APPROVED = "approved", _("论证通过")
    APPROVED_CHANGES = "approved_changes", _("修改后通过")
    REJECTED = "rejected", _("论证未通过")


class SeatStatus(models.TextChoices):
    ASSIGNED = "assigned", _("待评分")
    SUBMITTED = "submitted", _("已提交评分")
    DECLINED = "declined", _("申请回避")
    REMOVED = "removed", _("已调出专家组")


class BudgetSourceKind(models.TextChoices):
    CITY_ST = "city_st", _("市级财政科技专项资金")
    COUNTY = "county", _("县级财政资金")
    RURAL = "rural", _("乡村振兴衔接资金")
    PROVINCE = "province", _("省级下达资金")
    OTHER = "other", _("其他财政资金")


# The five criteria, in the order the score sheet prints them; each is scored 0–100, weighted by the cycle's weights.
CRITERIA = (
    ("fit", _("需求契合度")),
    ("feasibility", _("技术可行性")),
    ("benefit", _("预期效益")),
    ("team", _("团队能力")),
    ("budget", _("经费合理性")),
)
SCORE_MIN, SCORE_MAX = 0, 100
# A reviewer whose total lies this far from the panel's median is flagged (异常评分) on the score sheet.
OUTLIER_POINTS = 15

R = ReviewStatus
S = SeatStatus
DECIDED = (R.APPROVED, R.APPROVED_CHANGES, R.REJECTED)
APPROVED_STATES = (R.APPROVED, R.APPROVED_CHANGES)
LIVE_SEATS = (S.ASSIGNED, S.SUBMITTED)
# Decisions can be taken once the panel has scored, or at once where the county reviews in a single approval step.
DECISION_SOURCES = (R.FORMING, R.SCORED)


def panel_short(review, actor=None):
    """Guard: scoring starts only with a panel of at least the set size."""
    if review.mode != ReviewMode.PANEL:
        return _("该项目由科技部门直接审批，无需专家评分。")
    seated = review.seats.filter(status__in=LIVE_SEATS).count()
    if seated < review.panel_size:
        return _("专家组人数不足：已选%(n)d人，至少需要%(m)d人。") % {"n": seated, "m": review.panel_size}
    return None


def decision_not_ready(review, actor=None):
    """Guard: a panel review is decided after all its experts have scored; a single-step one straight away."""
    if review.mode == ReviewMode.PANEL and review.status != R.SCORED:
        return _("专家组尚未完成评分，不能作出论证决定。")
    return None


def scores_incomplete(seat, actor=None):
    """Guard: an expert submits once, with every criterion scored and the review open for scoring."""
    if seat.review.status != R.SCORING:
        return _("评审尚未开始或已结束，不能提交评分。")
    missing = [str(label) for key, label in CRITERIA if getattr(seat, "score_%s" % key) is None]
    if missing:
        return _("尚有评分项未填写：%(m)s。") % {"m": "、".join(missing)}
    return None


def panel_closed(seat, actor=None):
    """Guard: once the panel has scored, the panel is as it was."""
    if seat.review.status not in (R.FORMING, R.SCORING):
        return _("评审已结束，专家组不再调整。")
    return None


REVIEW_WORKFLOW = Workflow("reviews.Review", title="专家论证", steps={
    "open": Step(sources=(R.FORMING,), target=R.SCORING, roles=ORGANIZERS, label=str(_("开始专家评分")),
                 style="primary", guards=(panel_short,), stamp="opened_at"),
    "complete": Step(sources=(R.SCORING,), target=R.SCORED, roles=SYSTEM, label=str(_("专家评分全部提交")),
                     stamp="scored_at"),
    "approve": Step(sources=DECISION_SOURCES, target=R.APPROVED, roles=ORGANIZERS, label=str(_("论证通过，立项")),
                    style="success", guards=(decision_not_ready,), stamp="decided_at"),
    "approve_changes": Step(sources=DECISION_SOURCES, target=R.APPROVED_CHANGES, roles=ORGANIZERS,
                            label=str(_("修改后通过")), needs_comment=True, style="primary",
                            guards=(decision_not_ready,), stamp="decided_at"),
    "reject": Step(sources=DECISION_SOURCES, target=R.REJECTED, roles=ORGANIZERS, label=str(_("论证不通过")),
                   needs_comment=True, style="danger", guards=(decision_not_ready,), stamp="decided_at"),
})

# An expert scores once ("submit") or declares a conflict of interest and withdraws ("decline"); the organizer may
# take an expert off the panel while it is still open ("remove").
SEAT_WORKFLOW = Workflow("reviews.ReviewSeat", title="评审任务", steps={
    "submit": Step(sources=(S.ASSIGNED,), target=S.SUBMITTED, roles=EXPERTS, label=str(_("提交评分")),
                   style="primary", guards=(scores_incomplete,), stamp="submitted_at"),
    "decline": Step(sources=(S.ASSIGNED,), target=S.DECLINED, roles=EXPERTS, label=str(_("申请回避")),
                    needs_comment=True, style="warning", guards=(panel_closed,), stamp="closed_at"),
    "remove": Step(sources=(S.ASSIGNED,), target=S.REMOVED, roles=ORGANIZERS, label=str(_("调出专家组")),
                   needs_comment=True, style="outline-secondary", guards=(panel_closed,), stamp="closed_at"),
})
