"""To-dos of the expert review and funding, per role, counted in the database and scoped with ``restrict``.

* expert: the reviews open for scoring where their score is still due (评分);
* the organizing S&T office (its change scope: what it handles): accepted projects with no review yet (发起论证),
  panels being formed, single-step reviews awaiting its approval, panels short of experts after a withdrawal
  (补充专家), reviews scored and awaiting the decision, and — as the funder — approved reviews not yet funded.
"""
from django.urls import reverse

from core.dashboard import TodoItem, provider
from core.roles import ORGANIZERS, Role, is_system_admin
from core.scoping import CHANGE, VIEW, restrict
from projects.choices import ProjectStatus
from projects.models import Project
from reviews.choices import APPROVED_STATES, ReviewMode, ReviewStatus, SeatStatus
from reviews.filters_reviews import short_panels
from reviews.models import Review, ReviewSeat


def _in_cycle(queryset, cycle, path="cycle"):
    return queryset.filter(**{path: cycle}) if cycle else queryset


def _list(name, **params) -> str:
    query = "&".join("%s=%s" % (key, value) for key, value in params.items())
    return reverse("reviews:%s" % name) + ("?" + query if query else "")


def _one_or_list(queryset, count, list_url) -> str:
    """The record itself when there is one, else the filtered list."""
    if count == 1:
        return queryset.first().get_absolute_url()
    return list_url


def _expert(user, cycle) -> list[TodoItem]:
    seats = restrict(_in_cycle(ReviewSeat.objects.filter(
        expert__user=user, status=SeatStatus.ASSIGNED, review__status=ReviewStatus.SCORING), cycle, "review__cycle"),
        user, VIEW).order_by("pk")
    count = seats.count()
    if not count:
        return []
    return [TodoItem(label="待评分的项目", count=count, level="warning",
                     url=_one_or_list(seats, count, _list("seat_list", status="assigned", review_status="scoring")),
                     hint="阅读项目材料，按五项标准评分并填写意见后提交；如与团队有利害关系，请申请回避。")]


def _office(user, cycle) -> list[TodoItem]:
    items = []
    pending = restrict(_in_cycle(Project.objects.filter(status=ProjectStatus.ACCEPTED, review__isnull=True), cycle),
                       user, CHANGE)
    items.append(TodoItem(label="待发起论证的项目", count=pending.count(), level="warning",
                          url=reverse("reviews:review_list") + "#pending",
                          hint="项目已受理，请发起专家论证（或按本县规定直接审批）。"))
    reviews = restrict(_in_cycle(Review.objects.all(), cycle), user, CHANGE).order_by("pk")
    forming = reviews.filter(status=ReviewStatus.FORMING, mode=ReviewMode.PANEL)
    count = forming.count()
    items.append(TodoItem(label="组建中的专家组", count=count, level="warning",
                          url=_one_or_list(forming, count, _list("review_list", status="forming", mode="panel", mine=1)),
                          hint="按平台建议或逐一选择专家组成专家组，满员后开始专家评分。"))
    single = reviews.filter(status=ReviewStatus.FORMING, mode=ReviewMode.SINGLE)
    count = single.count()
    items.append(TodoItem(label="待直接审批的项目", count=count, level="warning",
                          url=_one_or_list(single, count, _list("review_list", status="forming", mode="single", mine=1)),
                          hint="本县规定由科技部门直接审批，请作出审批决定。"))
    short = reviews.filter(pk__in=short_panels(Review.objects.all()).values("pk"))
    count = short.count()
    items.append(TodoItem(label="专家回避待补充的专家组", count=count, level="danger",
                          url=_one_or_list(short, count, _list("review_list", stage="short", mine=1)),
                          hint="有专家申请回避或被调出，专家组人数不足，请选入替补专家。"))
    scored = reviews.filter(status=ReviewStatus.SCORED)
    count = scored.count()
    items.append(TodoItem(label="评分完成待决定的论证", count=count, level="warning",
                          url=_one_or_list(scored, count, _list("review_list", status="scored", mine=1)),
                          hint="查看评分汇总表，填写专家组意见并作出论证决定。"))
    ungranted = reviews.filter(status__in=APPROVED_STATES, grant__isnull=True)
    if not is_system_admin(user):
        # Only the organizer that selected the team funds it (the city for city- and province-organized towns).
        ungranted = ungranted.filter(organizer_level="county", town__county_id=user.county_id) \
            if user.role == Role.COUNTY_ST else ungranted.exclude(organizer_level="county").filter(
                town__county__city_id=user.city_id)
    count = ungranted.count()
    items.append(TodoItem(label="论证通过待立项资助的项目", count=count, level="warning",
                          url=_one_or_list(ungranted, count, _list("review_list", stage="ungranted", mine=1)),
                          hint="登记立项编号、资金年度、来源和资助金额（不超过核定金额）。"))
    return items


@provider
def todo(user, cycle):
    if is_system_admin(user):
        return _office(user, cycle)
    if user.role == Role.EXPERT:
        return _expert(user, cycle)
    if user.role in ORGANIZERS:
        return _office(user, cycle)
    return []
