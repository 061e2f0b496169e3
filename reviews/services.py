"""Writes of the expert review and the funding: pools, relations, panels, scores, decisions, grants and tranches.

Every function takes ``actor=``, checks role and scope before it saves (``core.scoping.may_write`` / ``can``), moves
statuses only through the workflows (``reviews.choices``), validates the whole input (nothing is half-saved: one
transaction) and tells the next actor. Money is ``Decimal`` yuan to the fen; a grant never exceeds the approved
amount nor the funder's remaining envelope, tranches never exceed the grant (checked under the grant's row lock).
"""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import notify, user_create
from core.china import normalize_phone
from core.roles import COUNTY_ROLES, Role, is_system_admin
from core.scoping import CHANGE, can, may_write
from core.services import unchanged
from core.workflow import apply_transition, record_creation
from projects.choices import PROJECT_WORKFLOW, ProjectStatus
from projects.models import Project
from projects.services import _money, organizer_users, plain_number, scan_problem, team_leaders
from reviews import selectors
from reviews.choices import (APPROVED_STATES, CRITERIA, LIVE_SEATS, REVIEW_WORKFLOW, SCORE_MAX, SCORE_MIN,
                             SEAT_WORKFLOW, ReviewMode, ReviewStatus, SeatStatus)
from reviews.models import Disbursement, Envelope, Expert, Grant, Relation, Review, ReviewRule, ReviewSeat

EXPERT_FIELDS = ["name", "field", "keywords", "title", "title_rank", "unit", "unit_name", "phone", "email",
                 "available", "availability_note"]
# What an expert may change of their own pool entry: how to reach them and when they can review.
EXPERT_SELF_FIELDS = ["phone", "email", "available", "availability_note"]
GRANT_FIELDS = ["project_number", "fiscal_year", "budget_source", "amount", "granted_on", "note"]
VOUCHER_KINDS = ("pdf", "jpeg", "png")
OFFICES = (Role.CITY_ST, Role.COUNTY_ST)


CENT = Decimal("0.01")


def _cents(value: Decimal | None, label: str, errors: dict, key: str) -> Decimal | None:
    """An amount in yuan to the fen: "80000", "80000.000" and a figure the database summed with many decimals are
    all kept as 80000.00; one with a fraction of a fen is refused."""
    if value is None or key in errors:
        return value
    if value != value.quantize(CENT):
        errors.setdefault(key, []).append(_("金额最多保留到分（两位小数）。"))
        return value
    return value.quantize(CENT)


def _raise(errors):
    if errors:
        raise ValidationError(errors)


def _merge(errors: dict, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, messages in error.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    else:
        errors.setdefault("__all__", []).extend(error.messages)


def _clean(record, errors: dict, exclude=None) -> None:
    try:
        record.full_clean(exclude=exclude)
    except ValidationError as error:
        _merge(errors, error)


def _office(actor, what) -> None:
    if not (is_system_admin(actor) or actor.role in OFFICES):
        raise PermissionDenied(_("只有科技部门可以%(what)s。") % {"what": what})


def _pool_users(expert_ids):
    return list(User.objects.filter(is_active=True, expert_profile__pk__in=expert_ids))


def _keeper(actor, values: dict) -> dict:
    """The organizer a new pool entry or envelope belongs to: the actor's own office (the administrator names it)."""
    if actor.role == Role.COUNTY_ST and actor.county_id:
        return {"organizer_level": "county", "city_id": actor.county.city_id, "county_id": actor.county_id}
    if actor.role == Role.CITY_ST and actor.city_id:
        return {"organizer_level": "city", "city_id": actor.city_id, "county_id": None}
    if is_system_admin(actor):
        county = values.get("county")
        city = values.get("city") or (county.city if county else None)
        if city is None:
            raise ValidationError({"city": _("请选择所属的市或县（市、区）。")})
        return {"organizer_level": "county" if county else "city", "city_id": city.pk,
                "county_id": county.pk if county else None}
    raise PermissionDenied(_("只有市、县科技部门可以维护专家库和资助预算。"))


# ------------------------------------------------------------------------------------------------ expert pools
def _expert_account(expert: Expert, account, errors) -> None:
    if account is None:
        return
    if account.role != Role.EXPERT:
        errors.setdefault("user", []).append(_("所选账号不是评审专家账号。"))
    elif (expert.organizer_level == "county" and account.county_id != expert.county_id) or \
            (expert.organizer_level == "city" and (account.city_id != expert.city_id or account.county_id)):
        errors.setdefault("user", []).append(_("所选账号不属于本专家库。"))
    elif Expert.objects.filter(user=account).exclude(pk=expert.pk).exists():
        errors.setdefault("user", []).append(_("所选账号已关联其他专家。"))
    else:
        expert.user = account


def _username_for(phone: str) -> str:
    base = "zj%s" % phone[-8:] if phone else "zj"
    name, n = base, 1
    while User.objects.filter(username=name).exists():
        n += 1
        name = "%s_%d" % (base, n)
    return name


@transaction.atomic
def expert_save(*, actor, values: dict, expert: Expert | None = None, account=None,
                create_account: bool = False) -> tuple[Expert, str]:
    """Create or edit a pool entry; returns (expert, the new account's temporary password or "").

    The pool's S&T office keeps every field; the expert changes only their contacts and availability."""
    creating = expert is None
    if creating:
        expert = Expert(**_keeper(actor, values))
    else:
        expert = Expert.objects.select_for_update().get(pk=expert.pk)
    own = not creating and actor.role == Role.EXPERT and expert.user_id == actor.pk
    allowed = EXPERT_SELF_FIELDS if own else EXPERT_FIELDS
    if not own and not creating and not (is_system_admin(actor) or actor.role in OFFICES):
        raise PermissionDenied(_("只有专家库所属的科技部门可以修改专家信息。"))
    for name in allowed:
        if name in values:
            value = values[name]
            setattr(expert, name, value.strip() if isinstance(value, str) else value)
    if expert.phone:
        expert.phone = normalize_phone(expert.phone)
    if not may_write(actor, expert, CHANGE):
        raise PermissionDenied(_("您无权维护该专家库。"))
    errors: dict = {}
    if not own:
        _expert_account(expert, account, errors)
    if expert.phone and Expert.objects.filter(organizer_level=expert.organizer_level, city_id=expert.city_id,
                                              county_id=expert.county_id, phone=expert.phone).exclude(
            pk=expert.pk).exists():
        errors.setdefault("phone", []).append(_("本专家库已有使用该手机号码的专家。"))
    _clean(expert, errors, exclude=["user", *errors])
    _raise(errors)
    if unchanged(expert):
        return expert, ""
    password = ""
    if create_account and not expert.user_id and not own:
        fields = {"county_id": expert.county_id} if expert.county_id else {"city_id": expert.city_id}
        user, password = user_create(actor=actor, username=_username_for(expert.phone), role=Role.EXPERT,
                                     full_name=expert.name, phone=expert.phone, **fields)
        expert.user = user
    expert._change_reason = "create" if creating else "update"
    expert.save()
    return expert, password


@transaction.atomic
def relation_add(*, actor, expert: Expert, reason: str, team=None, unit=None) -> Relation:
    """Record a relation that excludes the expert from a team's (or a unit's teams') reviews."""
    relation = Relation(expert=expert, team=team, unit=unit, reason=(reason or "").strip(), declared_by=actor)
    if not may_write(actor, relation, CHANGE):
        raise PermissionDenied(_("您无权为该专家登记回避关系。"))
    errors: dict = {}
    if team is None and unit is None:
        errors["team"] = [_("请选择需回避的团队或单位。")]
    _clean(relation, errors)
    _raise(errors)
    relation.save()
    _withdraw_conflicted(actor=actor, expert=expert, reason=relation.reason, team_id=relation.team_id,
                         unit_id=relation.unit_id)
    return relation


def _withdraw_conflicted(*, actor, expert, reason: str, team_id=None, unit_id=None, skip=None) -> None:
    """A relation recorded while the expert holds open seats on the related teams' reviews takes them off those
    panels: the expert's own declaration withdraws them (申请回避), the office's record removes them (调出)."""
    from teams.models import TeamMembership

    teams = set()
    if team_id:
        teams.add(team_id)
    if unit_id:
        teams |= set(TeamMembership.objects.filter(commissioner__unit_id=unit_id).values_list("team_id", flat=True))
    if not teams:
        return
    seats = ReviewSeat.objects.filter(expert=expert, status=SeatStatus.ASSIGNED, review__team_id__in=teams,
                                      review__status__in=(ReviewStatus.FORMING, ReviewStatus.SCORING))
    if skip is not None:
        seats = seats.exclude(pk=skip.pk)
    own = actor.role == Role.EXPERT
    comment = _("已登记回避关系：%(r)s") % {"r": reason}
    for seat_id, review_id in list(seats.values_list("pk", "review_id")):
        review = _locked_review(Review(pk=review_id))
        seat = ReviewSeat.objects.select_for_update(of=("self",)).get(pk=seat_id)
        if seat.status != SeatStatus.ASSIGNED:
            continue
        seat.review = review
        apply_transition(workflow=SEAT_WORKFLOW, obj=seat, action="decline" if own else "remove", actor=actor,
                         comment=comment[:COMMENT_CHARS])
        notify(recipients=organizer_users(review), title=_("专家回避：%(t)s") % {"t": review.project.title},
               body=_("%(n)s%(c)s，已退出专家组，请补充专家。") % {"n": expert.name, "c": comment},
               link=review.get_absolute_url())
        _maybe_complete(review, actor)


COMMENT_CHARS = 1000


@transaction.atomic
def relation_delete(*, actor, relation: Relation) -> None:
    if not can(actor, relation, CHANGE) or actor.role == Role.EXPERT:
        raise PermissionDenied(_("您无权删除该回避关系。"))
    relation.delete()


@transaction.atomic
def review_rule_set(*, actor, cycle, county, mode: str) -> ReviewRule:
    """A county (or the city over it) sets how the county's teams' projects are reviewed in a cycle."""
    rule = ReviewRule.objects.filter(cycle=cycle, county=county).first() or ReviewRule(cycle=cycle, county=county)
    rule.mode = mode
    if not (is_system_admin(actor) or actor.role in OFFICES) or not may_write(actor, rule, CHANGE):
        raise PermissionDenied(_("只有该县（市、区）或市科技部门可以设置论证方式。"))
    errors: dict = {}
    _clean(rule, errors)
    _raise(errors)
    if not unchanged(rule):
        rule.save()
    return rule


# ------------------------------------------------------------------------------------------------ reviews
def _locked_review(review) -> Review:
    return Review.objects.select_for_update(of=("self",)).select_related(
        "project", "town__county__city", "team", "cycle").get(pk=review.pk)


def _runs(actor, review, what) -> None:
    if not (is_system_admin(actor) or actor.role in OFFICES) or not can(actor, review, CHANGE):
        raise PermissionDenied(_("只有组织该项目论证的科技部门可以%(what)s。") % {"what": what})


@transaction.atomic
def review_start(*, actor, project: Project) -> Review:
    """The organizing S&T office starts the review of an accepted project (a panel, or the county's single step)."""
    project = Project.objects.select_for_update(of=("self",)).select_related("town__county", "cycle").get(pk=project.pk)
    if not (is_system_admin(actor) or actor.role in OFFICES) or not can(actor, project, CHANGE):
        raise PermissionDenied(_("只有受理该项目的科技部门可以组织论证。"))
    if project.status != ProjectStatus.ACCEPTED:
        raise ValidationError(_("项目当前为“%(s)s”，受理后方可组织专家论证。") % {"s": project.get_status_display()})
    if Review.objects.filter(project=project).exists():
        raise ValidationError(_("该项目已在论证中。"))
    review = Review(created_by=actor, mode=selectors.review_mode(project), panel_size=project.cycle.review_panel_size,
                    weights=project.cycle.review_weights())
    review.copy_project(project)
    if not may_write(actor, review, CHANGE):
        raise PermissionDenied(_("只有受理该项目的科技部门可以组织论证。"))
    review.full_clean(exclude=["project"])
    review._change_reason = "create"
    review.save()
    record_creation(obj=review, action="start", actor=actor,
                    comment=_("科技部门直接审批") if review.mode == ReviewMode.SINGLE else _("组建专家组"))
    return review


def _seat_fit(review, expert) -> Decimal:
    for candidate in selectors.candidates(review):
        if candidate.expert.pk == expert.pk:
            return Decimal(str(max(0.0, min(candidate.fit, 9.999))))
    return Decimal("0")


@transaction.atomic
def seat_add(*, actor, review: Review, expert: Expert, fit: float | None = None) -> ReviewSeat:
    """Put an expert of the pool on the panel: never one with a conflict of interest, unavailable or without an
    account; while scoring (a substitute) the expert is told at once."""
    review = _locked_review(review)
    _runs(actor, review, _("组建专家组"))
    if review.mode != ReviewMode.PANEL:
        raise ValidationError(_("该项目由科技部门直接审批，无需组建专家组。"))
    if review.status not in (ReviewStatus.FORMING, ReviewStatus.SCORING):
        raise ValidationError(_("评审已结束，专家组不再调整。"))
    if not Expert.objects.filter(selectors.pool_of(review), pk=expert.pk).exists():
        raise ValidationError({"expert": _("只能从本级专家库中选择专家。")})
    expert = Expert.objects.select_related("user").get(pk=expert.pk)
    barred = selectors.conflicts(review.project, [expert]).get(expert.pk)
    if barred:
        raise ValidationError({"expert": _("%(n)s须回避：%(r)s。") % {"n": expert.name, "r": barred}})
    existing = ReviewSeat.objects.filter(review=review, expert=expert).first()
    if existing is not None:
        raise ValidationError({"expert": _("%(n)s已在专家组或已被调出，不能重复选入。") % {"n": expert.name}})
    if not expert.available:
        raise ValidationError({"expert": _("%(n)s暂不能参加评审。") % {"n": expert.name}})
    if not (expert.user_id and expert.user.is_active):
        raise ValidationError({"expert": _("%(n)s尚无可用的平台账号，请先为其创建账号。") % {"n": expert.name}})
    fit = Decimal(str(max(0.0, min(fit, 9.999)))) if fit is not None else _seat_fit(review, expert)
    seat = ReviewSeat(review=review, expert=expert, fit=fit)
    if not may_write(actor, seat, CHANGE):
        raise PermissionDenied(_("您无权调整该专家组。"))
    seat._change_reason = "create"
    seat.save()
    record_creation(obj=seat, action="seat", actor=actor)
    if review.status == ReviewStatus.SCORING:
        _tell_expert(seat)
    return seat


def panel_fill(*, actor, review: Review) -> list[ReviewSeat]:
    """Seat the platform's proposal (the best-fitting free experts) up to the panel's size."""
    with transaction.atomic():
        review = _locked_review(review)
        _runs(actor, review, _("组建专家组"))
        chosen = selectors.proposal(review)
        if not chosen and review.seats.filter(status__in=LIVE_SEATS).count() < review.panel_size:
            raise ValidationError(_("专家库中没有可选的专家（已排除回避、不可用和无账号的专家），请先补充专家库。"))
        return [seat_add(actor=actor, review=review, expert=candidate.expert, fit=candidate.fit) for candidate in chosen]


def _tell_expert(seat) -> None:
    notify(recipients=_pool_users([seat.expert_id]),
           title=_("评审任务：%(t)s") % {"t": seat.review.project.title},
           body=_("请登录平台查看项目材料并评分；如与该团队有利害关系，请申请回避。"), link=seat.get_absolute_url())


@transaction.atomic
def review_open(*, actor, review: Review, comment: str = "") -> Review:
    """Scoring starts: the panel has its size; each expert is told."""
    review = _locked_review(review)
    _runs(actor, review, _("组织专家评分"))
    apply_transition(workflow=REVIEW_WORKFLOW, obj=review, action="open", actor=actor, comment=comment)
    for seat in review.seats.filter(status=SeatStatus.ASSIGNED).select_related("review__project"):
        _tell_expert(seat)
    return review


def _maybe_complete(review: Review, actor) -> None:
    """When every expert still on the panel has submitted (and the panel has its size), the scoring is complete."""
    if review.status != ReviewStatus.SCORING:
        return
    live = review.seats.filter(status__in=LIVE_SEATS)
    if live.filter(status=SeatStatus.ASSIGNED).exists() or live.count() < review.panel_size:
        return
    apply_transition(workflow=REVIEW_WORKFLOW, obj=review, action="complete", actor=actor, system=True,
                     comment=_("专家组%(n)d人均已提交评分") % {"n": live.count()})
    notify(recipients=organizer_users(review), title=_("专家评分已完成：%(t)s") % {"t": review.project.title},
           body=_("请查看评分汇总表并作出论证决定。"), link=review.get_absolute_url())


def _own_seat(actor, seat) -> ReviewSeat:
    seat = ReviewSeat.objects.select_for_update(of=("self",)).select_related("review", "expert").get(pk=seat.pk)
    if not (is_system_admin(actor) or (actor.role == Role.EXPERT and seat.expert.user_id == actor.pk)):
        raise PermissionDenied(_("只有被指派的专家本人可以评分或申请回避。"))
    return seat


def _scores(seat, scores: dict, comment, errors) -> None:
    for key, label in CRITERIA:
        name = "score_%s" % key
        if name not in scores and key not in scores:
            continue
        raw = scores.get(name, scores.get(key))
        if raw in (None, ""):
            setattr(seat, name, None)
            continue
        try:
            text = raw if isinstance(raw, int) and not isinstance(raw, bool) else plain_number(raw)
            if text is None or isinstance(raw, bool):
                raise ValueError(raw)
            value = Decimal(text)
            if value != value.to_integral_value():
                raise ValueError(raw)
            value = int(value)
        except (ArithmeticError, ValueError):
            errors.setdefault(name, []).append(_("%(l)s应为整数分。") % {"l": label})
            continue
        if not SCORE_MIN <= value <= SCORE_MAX:
            errors.setdefault(name, []).append(_("%(l)s应在%(a)d至%(b)d分之间。") % {
                "l": label, "a": SCORE_MIN, "b": SCORE_MAX})
            continue
        setattr(seat, name, value)
    if comment is not None:
        seat.comment = (comment or "").strip()


@transaction.atomic
def seat_score(*, actor, seat: ReviewSeat, scores: dict, comment: str | None = None,
               submit: bool = False) -> ReviewSeat:
    """The expert saves their scores (a draft, changeable until submitted) or submits them once."""
    review = _locked_review(seat.review)
    seat = _own_seat(actor, seat)
    if seat.status != SeatStatus.ASSIGNED:
        raise ValidationError(_("评分已提交或已回避，不能再修改。"))
    if review.status != ReviewStatus.SCORING:
        raise ValidationError(_("评审尚未开始或已结束，不能评分。"))
    errors: dict = {}
    _scores(seat, scores, comment, errors)
    _clean(seat, errors)
    if submit:
        for key, label in CRITERIA:
            if getattr(seat, "score_%s" % key) is None and "score_%s" % key not in errors:
                errors.setdefault("score_%s" % key, []).append(_("请为“%(l)s”评分。") % {"l": label})
        if not seat.comment:
            errors.setdefault("comment", []).append(_("请填写评审意见。"))
    _raise(errors)
    seat.total = selectors.weighted_total(seat, review.weights)
    if not submit:
        if not unchanged(seat):
            seat._change_reason = "score"
            seat.save()
        return seat
    seat.review = review
    apply_transition(workflow=SEAT_WORKFLOW, obj=seat, action="submit", actor=actor,
                     save_fields=["score_fit", "score_feasibility", "score_benefit", "score_team", "score_budget",
                                  "total", "comment"])
    _maybe_complete(review, actor)
    return seat


def seat_submit(*, actor, seat: ReviewSeat, scores: dict | None = None, comment: str | None = None) -> ReviewSeat:
    return seat_score(actor=actor, seat=seat, scores=scores or {}, comment=comment, submit=True)


@transaction.atomic
def seat_decline(*, actor, seat: ReviewSeat, comment: str) -> ReviewSeat:
    """The expert declares a conflict of interest and withdraws: the relation is recorded for the team's other
    reviews, and the office is told with the platform's proposed substitute."""
    review = _locked_review(seat.review)
    seat = _own_seat(actor, seat)
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": _("请说明回避事由（如：与团队成员有亲属关系、合作关系）。")})
    seat.review = review
    apply_transition(workflow=SEAT_WORKFLOW, obj=seat, action="decline", actor=actor, comment=comment)
    Relation.objects.create(expert=seat.expert, team_id=review.team_id, reason=comment[:200], declared_by=actor)
    _withdraw_conflicted(actor=actor, expert=seat.expert, reason=comment[:200], team_id=review.team_id, skip=seat)
    substitute = selectors.proposal(review)
    body = _("回避事由：%(c)s。") % {"c": comment}
    if substitute:
        body += _("建议替补专家：%(n)s（%(u)s）。") % {"n": substitute[0].expert.name, "u": substitute[0].expert.unit_name}
    else:
        body += _("专家库中暂无可替补的专家，请补充专家库。")
    notify(recipients=organizer_users(review), title=_("专家申请回避：%(t)s") % {"t": review.project.title},
           body=body, link=review.get_absolute_url())
    _maybe_complete(review, actor)
    return seat


@transaction.atomic
def seat_remove(*, actor, seat: ReviewSeat, comment: str) -> ReviewSeat:
    """The office takes an expert off a panel still open (not yet scored)."""
    review = _locked_review(seat.review)
    _runs(actor, review, _("调整专家组"))
    seat = ReviewSeat.objects.select_for_update(of=("self",)).get(pk=seat.pk)
    seat.review = review
    apply_transition(workflow=SEAT_WORKFLOW, obj=seat, action="remove", actor=actor, comment=comment)
    _maybe_complete(review, actor)
    return seat


def seat_act(*, actor, seat: ReviewSeat, action: str, comment: str = "", scores: dict | None = None) -> ReviewSeat:
    """One entry for pages and the API."""
    if action == "submit":
        return seat_submit(actor=actor, seat=seat, scores=scores, comment=comment or None)
    if action == "decline":
        return seat_decline(actor=actor, seat=seat, comment=comment)
    if action == "remove":
        return seat_remove(actor=actor, seat=seat, comment=comment)
    raise ValidationError(_("未知操作：%(action)s") % {"action": action})


@transaction.atomic
def review_decide(*, actor, review: Review, action: str, amount=None, opinion: str = "",
                  comment: str = "") -> Review:
    """The office records the decision with the panel's opinion: approve with the amount to fund (≤ the project's
    budget), approve with changes (the changes in the comment), or reject (the reasons); the project follows."""
    review = _locked_review(review)
    _runs(actor, review, _("作出论证决定"))
    if action not in ("approve", "approve_changes", "reject"):
        raise ValidationError(_("未知操作：%(action)s") % {"action": action})
    errors: dict = {}
    opinion = (opinion or "").strip()
    if review.mode == ReviewMode.PANEL and not opinion:
        errors["panel_opinion"] = [_("请填写专家组意见。")]
    label = str(Review._meta.get_field("approved_amount").verbose_name)
    # A rejection funds nothing: whatever was typed as an amount is left aside.
    value = _money(amount, label, errors, "approved_amount") if action in APPROVED_ACTIONS else None
    if action in APPROVED_ACTIONS:
        if value is None and "approved_amount" not in errors:
            errors["approved_amount"] = [_("请填写核定资助金额（元）。")]
        elif value is not None and value <= 0:
            errors["approved_amount"] = [_("核定资助金额应大于0。")]
        elif value is not None and value > review.project.total_budget:
            errors["approved_amount"] = [_("核定资助金额不能超过项目预算总额（%(b)s元）。") % {
                "b": "{:,.2f}".format(review.project.total_budget)}]
        else:
            value = _cents(value, label, errors, "approved_amount")
    else:
        value = None
    if action != "approve" and not (comment or "").strip():
        errors["comment"] = [_("请填写修改要求或不予通过的理由。")]
    _raise(errors)
    review.approved_amount = value
    review.panel_opinion = opinion
    review.decision_comment = (comment or "").strip()
    review.full_clean()
    apply_transition(workflow=REVIEW_WORKFLOW, obj=review, action=action, actor=actor, comment=comment,
                     save_fields=["approved_amount", "panel_opinion", "decision_comment"])
    project = Project.objects.select_for_update(of=("self",)).get(pk=review.project_id)
    apply_transition(workflow=PROJECT_WORKFLOW, obj=project, action="reject" if action == "reject" else "approve",
                     actor=actor, system=True, comment=review.get_status_display())
    text = {"approve": _("项目论证通过，核定资助%(a)s元。"), "approve_changes": _("项目修改后通过，核定资助%(a)s元。修改要求：%(c)s"),
            "reject": _("项目论证未通过。理由：%(c)s")}[action] % {
        "a": "{:,.2f}".format(value) if value is not None else "", "c": review.decision_comment}
    notify(recipients=team_leaders(review.team_id), title=_("专家论证结果：%(t)s") % {"t": project.title},
           body=text, link=review.get_absolute_url())
    return review


APPROVED_ACTIONS = ("approve", "approve_changes")


def review_act(*, actor, review: Review, action: str, comment: str = "", **data) -> Review:
    """One entry for pages and the API."""
    if action == "open":
        return review_open(actor=actor, review=review, comment=comment)
    return review_decide(actor=actor, review=review, action=action, amount=data.get("amount"),
                         opinion=data.get("opinion", ""), comment=comment)


# ------------------------------------------------------------------------------------------------ funding
def _year(value, label, errors, key):
    try:
        year = int(str(value).strip())
    except (TypeError, ValueError):
        errors.setdefault(key, []).append(_("%(l)s应为四位年份，如2025。") % {"l": label})
        return None
    if not 2000 <= year <= 2100:
        errors.setdefault(key, []).append(_("%(l)s应为四位年份，如2025。") % {"l": label})
        return None
    return year


@transaction.atomic
def envelope_save(*, actor, values: dict, envelope: Envelope | None = None) -> Envelope:
    """A funder sets its budget for a fiscal year (one per funder and year; never below what it has committed)."""
    creating = envelope is None
    errors: dict = {}
    if creating:
        from regions.models import City

        envelope = Envelope(**_keeper(actor, values))
        # One envelope per funder and year has no database constraint: creations in a city take turns on its row.
        City.objects.select_for_update().filter(pk=envelope.city_id).order_by().first()
    else:
        envelope = Envelope.objects.select_for_update(of=("self",)).get(pk=envelope.pk)
    if "fiscal_year" in values and creating:
        envelope.fiscal_year = _year(values["fiscal_year"], _("预算年度"), errors, "fiscal_year")
    if "budgeted" in values:
        envelope.budgeted = _cents(_money(values["budgeted"], _("年度预算"), errors, "budgeted"), _("年度预算"), errors,
                                   "budgeted")
    if "note" in values:
        envelope.note = (values["note"] or "").strip()
    if not may_write(actor, envelope, CHANGE):
        raise PermissionDenied(_("只有本级科技部门可以设置资助预算。"))
    if envelope.fiscal_year is None and "fiscal_year" not in errors:
        errors["fiscal_year"] = [_("请填写预算年度。")]
    if envelope.budgeted is None and "budgeted" not in errors:
        errors["budgeted"] = [_("请填写年度预算（元）。")]
    if envelope.fiscal_year and Envelope.objects.filter(
            organizer_level=envelope.organizer_level, city_id=envelope.city_id, county_id=envelope.county_id,
            fiscal_year=envelope.fiscal_year).exclude(pk=envelope.pk).exists():
        errors.setdefault("fiscal_year", []).append(_("%(y)s年度的资助预算已设置，请在原记录上修改。") % {
            "y": envelope.fiscal_year})
    if not creating and envelope.budgeted is not None:
        current = selectors.envelope_for(envelope.organizer_level, envelope.city_id, envelope.county_id,
                                         envelope.fiscal_year)
        if current is not None and envelope.budgeted < current.committed:
            errors.setdefault("budgeted", []).append(_("年度预算不能少于已立项资助的金额（%(c)s元）。") % {
                "c": "{:,.2f}".format(current.committed)})
    _clean(envelope, errors, exclude=[name for name in errors])  # one message per field: ours, not Django's again
    _raise(errors)
    if unchanged(envelope):
        return envelope
    envelope._change_reason = "create" if creating else "update"
    envelope.save()
    return envelope


def next_project_number(review: Review, year: int) -> str:
    """A suggested 立项编号: SGKTP-<year>-<city or county code>-<sequence>."""
    level, city_id, county_id = selectors.funder_of(review)
    code = review.town.county.code if level == "county" else review.town.county.city.code
    prefix = "KTP-%s-%s-" % (year, code[:6])
    used = Grant.objects.filter(project_number__startswith=prefix).count()
    return "%s%03d" % (prefix, used + 1)


def _lock_envelope(grant: Grant):
    # No ordering: the model's (by county code) would join the nullable county, which PostgreSQL cannot lock.
    query = Envelope.objects.select_for_update(of=("self",)).filter(
        organizer_level=grant.organizer_level, city_id=grant.city_id, fiscal_year=grant.fiscal_year)
    query = query.filter(county_id=grant.county_id) if grant.county_id else query.filter(county__isnull=True)
    return query.order_by("pk").first()


def _grant_values(grant: Grant, values: dict, errors: dict, creating: bool) -> None:
    labels = {name: str(Grant._meta.get_field(name).verbose_name) for name in GRANT_FIELDS}
    if "project_number" in values:
        grant.project_number = re.sub(r"\s+", "", str(values["project_number"] or ""))
    if "fiscal_year" in values:
        grant.fiscal_year = _year(values["fiscal_year"], labels["fiscal_year"], errors, "fiscal_year")
    if "budget_source" in values:
        grant.budget_source = values["budget_source"] or ""
    if "amount" in values:
        grant.amount = _money(values["amount"], labels["amount"], errors, "amount")
    if "granted_on" in values:
        value = values["granted_on"]
        if isinstance(value, str):
            try:
                value = dt.date.fromisoformat(value.strip())
            except ValueError:
                errors.setdefault("granted_on", []).append(_("立项日期格式不正确，应如2025-03-31。"))
                value = None
        grant.granted_on = value
    if "note" in values:
        grant.note = (values["note"] or "").strip()


def _check_grant_money(grant: Grant, errors: dict, previous: Decimal = Decimal("0")) -> None:
    review = grant.review
    amount = grant.amount
    if amount is None or "amount" in errors:
        return
    amount = grant.amount = _cents(amount, "", errors, "amount")
    if "amount" in errors:
        return
    if amount <= 0:
        errors.setdefault("amount", []).append(_("资助金额应大于0。"))
    elif review.approved_amount is not None and amount > review.approved_amount:
        errors.setdefault("amount", []).append(_("资助金额不能超过论证核定的金额（%(a)s元）。") % {
            "a": "{:,.2f}".format(review.approved_amount)})
    if grant.fiscal_year and "fiscal_year" not in errors:
        envelope = _lock_envelope(grant)
        if envelope is None:
            errors.setdefault("fiscal_year", []).append(_("尚未设置%(y)s年度的资助预算，请先在“年度资助预算”中设置。") % {
                "y": grant.fiscal_year})
        else:
            figures = selectors.envelope_for(grant.organizer_level, grant.city_id, grant.county_id, grant.fiscal_year)
            left = figures.remaining + previous
            if amount > left and "amount" not in errors:
                errors.setdefault("amount", []).append(_("超出%(y)s年度资助预算余额（尚余%(r)s元）。") % {
                    "y": grant.fiscal_year, "r": "{:,.2f}".format(left)})


@transaction.atomic
def grant_create(*, actor, review: Review, values: dict) -> Grant:
    """The organizer that selected the team funds an approved project (立项资助): within the approved amount and the
    year's remaining envelope, with a unique project number."""
    review = _locked_review(review)
    if review.status not in APPROVED_STATES:
        raise ValidationError(_("论证通过后方可立项资助（当前：%(s)s）。") % {"s": review.get_status_display()})
    if Grant.objects.filter(review=review).exists():
        raise ValidationError(_("该项目已立项资助，请在原记录上修改或登记拨付。"))
    level, city_id, county_id = selectors.funder_of(review)
    grant = Grant(review=review, project_id=review.project_id, cycle_id=review.cycle_id, town_id=review.town_id,
                  team_id=review.team_id, organizer_level=level, city_id=city_id, county_id=county_id,
                  created_by=actor)
    if not (is_system_admin(actor) or actor.role in OFFICES) or not may_write(actor, grant, CHANGE):
        raise PermissionDenied(_("只有遴选该团队的科技部门可以立项资助（市级团队由市科技局，县级团队由县科技部门）。"))
    errors: dict = {}
    _grant_values(grant, values, errors, creating=True)
    if grant.granted_on and review.decided_at and grant.granted_on < timezone.localtime(review.decided_at).date():
        errors.setdefault("granted_on", []).append(_("立项日期不能早于论证决定日期（%(d)s）。") % {
            "d": timezone.localtime(review.decided_at).date().isoformat()})
    _check_grant_money(grant, errors)
    _clean(grant, errors, exclude=[name for name in errors])
    _raise(errors)
    grant._change_reason = "create"
    grant.save()
    notify(recipients=team_leaders(grant.team_id),
           title=_("项目已立项资助：%(t)s") % {"t": review.project.title},
           body=_("立项编号%(n)s，资助%(a)s元（%(y)s年度）。") % {
               "n": grant.project_number, "a": "{:,.2f}".format(grant.amount), "y": grant.fiscal_year},
           link=grant.get_absolute_url())
    return grant


@transaction.atomic
def grant_update(*, actor, grant: Grant, values: dict) -> Grant:
    """The funder corrects a grant: never below what it has paid out, above the approved amount or the envelope."""
    grant = Grant.objects.select_for_update(of=("self",)).select_related("review").get(pk=grant.pk)
    if not (is_system_admin(actor) or actor.role in OFFICES) or not can(actor, grant, CHANGE):
        raise PermissionDenied(_("只有立项的科技部门可以修改立项资助。"))
    if grant.closure:
        raise ValidationError(_("该资助已%(c)s，不能再修改。") % {"c": grant.get_closure_display()})
    previous_year, previous = grant.fiscal_year, grant.amount
    errors: dict = {}
    _grant_values(grant, {k: v for k, v in values.items() if k in GRANT_FIELDS}, errors, creating=False)
    paid = selectors.grants_with_figures(Grant.objects.filter(pk=grant.pk)).get().disbursed
    if grant.amount is not None and "amount" not in errors and grant.amount < paid:
        errors.setdefault("amount", []).append(_("资助金额不能少于已拨付的金额（%(p)s元）。") % {"p": "{:,.2f}".format(paid)})
    _check_grant_money(grant, errors, previous=previous if grant.fiscal_year == previous_year else Decimal("0"))
    _clean(grant, errors, exclude=[name for name in errors])
    _raise(errors)
    if unchanged(grant):
        return grant
    grant._change_reason = "update"
    grant.save()
    return grant


@transaction.atomic
def grant_close(*, actor, grant: Grant, closure: str, amount=None, reason: str, closed_on=None) -> Grant:
    """The funder closes a grant when its team is replaced or its cycle ends: ``stopped`` keeps what was paid,
    ``settled`` commits ``amount`` (between what was paid and what was granted) and no more. What the grant no longer
    commits returns to the year's envelope; tranches stop at the new amount."""
    grant = Grant.objects.select_for_update(of=("self",)).get(pk=grant.pk)
    if not (is_system_admin(actor) or actor.role in OFFICES) or not can(actor, grant, CHANGE):
        raise PermissionDenied(_("只有立项的科技部门可以终止或结算资助。"))
    if grant.closure:
        raise ValidationError(_("该资助已%(c)s，不能重复处理。") % {"c": grant.get_closure_display()})
    paid = selectors.grants_with_figures(Grant.objects.filter(pk=grant.pk)).get().disbursed
    errors: dict = {}
    if closure == "stopped":
        final = paid
    elif closure == "settled":
        final = _money(amount, _("结算金额"), errors, "settled_amount")
        if final is None and "settled_amount" not in errors:
            errors["settled_amount"] = [_("结算资助时请填写结算金额（元）。")]
        elif final is not None and "settled_amount" not in errors:
            final = _cents(final, _("结算金额"), errors, "settled_amount")
            if final is not None and not paid <= final <= grant.amount:
                errors["settled_amount"] = [_("结算金额应在已拨付金额（%(p)s元）与资助金额（%(a)s元）之间。") % {
                    "p": "{:,.2f}".format(paid), "a": "{:,.2f}".format(grant.amount)}]
    else:
        errors["funding_action"] = [_("请选择资助的处理方式：停止拨付或结算。")]
        final = None
    reason = (reason or "").strip()[:200]
    if not reason:
        errors["closure_reason"] = [_("请填写终止或结算资助的原因。")]
    _raise(errors)
    grant.amount_granted, grant.amount = grant.amount, final
    grant.closure, grant.closure_reason = closure, reason
    grant.closed_on = closed_on or timezone.localdate()
    grant._change_reason = "close"
    grant.save()
    return grant


@transaction.atomic
def disbursement_add(*, actor, grant: Grant, amount, paid_on, voucher, note: str = "") -> Disbursement:
    """Record a tranche paid out of a grant, with its voucher (PDF or image): never more than what remains."""
    from calls.uploads import EXTENSIONS, check_upload

    grant = Grant.objects.select_for_update(of=("self",)).get(pk=grant.pk)
    tranche = Disbursement(grant=grant, note=(note or "").strip(), created_by=actor)
    if not (is_system_admin(actor) or actor.role in OFFICES) or not may_write(actor, tranche, CHANGE):
        raise PermissionDenied(_("只有立项的科技部门可以登记资金拨付。"))
    errors: dict = {}
    label = str(Disbursement._meta.get_field("amount").verbose_name)
    tranche.amount = _money(amount, label, errors, "amount")
    paid = selectors.grants_with_figures(Grant.objects.filter(pk=grant.pk)).get().disbursed
    left = grant.amount - paid
    if grant.closure == "stopped":
        raise ValidationError(_("该资助已停止拨付，不能再登记拨付。"))
    if tranche.amount is not None and "amount" not in errors:
        if tranche.amount <= 0:
            errors["amount"] = [_("拨付金额应大于0。")]
        elif tranche.amount > left:
            errors["amount"] = [_("拨付金额超出尚未拨付的资助金额（尚余%(l)s元）。") % {"l": "{:,.2f}".format(left)}]
    elif tranche.amount is None and "amount" not in errors:
        errors["amount"] = [_("请填写拨付金额（元）。")]
    if isinstance(paid_on, str):
        try:
            paid_on = dt.date.fromisoformat(paid_on.strip())
        except ValueError:
            errors["paid_on"] = [_("拨付日期格式不正确，应如2025-06-30。")]
            paid_on = None
    if paid_on is None and "paid_on" not in errors:
        errors["paid_on"] = [_("请填写拨付日期。")]
    elif paid_on is not None and paid_on < grant.granted_on:
        errors["paid_on"] = [_("拨付日期不能早于立项日期（%(d)s）。") % {"d": grant.granted_on.isoformat()}]
    tranche.amount = _cents(tranche.amount, label, errors, "amount")
    tranche.paid_on = paid_on
    kind = None
    voucher_label = str(Disbursement._meta.get_field("voucher").verbose_name)
    if not voucher:
        errors["voucher"] = [_("请上传拨付凭证（PDF或图片）。")]
    else:
        try:
            kind = check_upload(voucher, label=voucher_label, kinds=VOUCHER_KINDS)
            problem = scan_problem(voucher, kind, label=voucher_label)
            if problem:
                errors["voucher"] = [problem]
        except ValidationError as error:
            errors["voucher"] = error.messages
    _clean(tranche, errors, exclude=["voucher", *errors])
    _raise(errors)
    tranche.voucher.save("voucher.%s" % EXTENSIONS[kind], voucher, save=False)
    tranche._change_reason = "create"
    tranche.save()
    return tranche
