"""Pages of the expert review (专家论证): the review list with the projects awaiting a review, the review page (the
panel, the platform's proposal with the conflicts it excluded, the score sheet once every expert has submitted, the
decision), the experts' tasks (我的评审任务) and the scoring page, and the score sheet PDF.

Thin views over :mod:`reviews.services` (every write, with its checks) and :mod:`reviews.selectors` (proposal, score
sheet). Every read goes through ``core.scoping``: out of scope is 404. The experts' names and their scores are shown
only to the organizing S&T office and the panel, and every score only once the whole panel has submitted
(``selectors.scores_visible``); the team, the town and the unit read the status, the decision, the opinion and the
mean.
"""
from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Avg, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views import View

from core.forms import add_errors, error_text
from core.generic import PageMixin, ScopedDetailView, ScopedListView, _quote
from core.roles import EXPERTS, OFFICIAL_ROLES, ORGANIZERS, TEAM_ROLES, Role, is_system_admin
from core.scoping import CHANGE, VIEW, can, get_for_user, restrict
from core.workflow import action_choices
from projects.choices import ProjectStatus
from projects.models import Project
from projects.tables_projects import yuan
from reviews import selectors, services
from reviews.choices import (APPROVED_STATES, CRITERIA, DECISION_SOURCES, LIVE_SEATS, REVIEW_WORKFLOW,
                             SEAT_WORKFLOW, ReviewMode, ReviewStatus, SeatStatus)
from reviews.filters_reviews import ReviewFilter, SeatFilter
from reviews.forms_reviews import SCORE_FIELDS, DecisionForm, ReasonForm, ScoreForm, SeatAddForm
from reviews.models import Expert, Grant, Review, ReviewSeat
from reviews.tables_reviews import ReviewTable, SeatTable, decision_text, progress_text

VIEWERS = OFFICIAL_ROLES | TEAM_ROLES | {Role.TOWN, Role.UNIT, Role.EXPERT}
SEAT_VIEWERS = EXPERTS | ORGANIZERS
OFFICES = (Role.CITY_ST, Role.COUNTY_ST)
DECISIONS = ("approve", "approve_changes", "reject")
PENDING_SHOWN = 30


def is_office(user) -> bool:
    return is_system_admin(user) or user.role in OFFICES


def runs(user, review) -> bool:
    """The organizing S&T office of this review (or the administrator): forms the panel, decides, reads every score."""
    return is_office(user) and can(user, review, CHANGE)


def on_panel(user, review) -> bool:
    """An expert still on this review's panel (assigned or submitted)."""
    return user.role == Role.EXPERT and review.seats.filter(expert__user=user, status__in=LIVE_SEATS).exists()


def funds(user, review) -> bool:
    """The organizer that selected the team (the funder: the city for city- and province-organized towns)."""
    if is_system_admin(user):
        return True
    level, city_id, county_id = selectors.funder_of(review)
    if level == "county":
        return user.role == Role.COUNTY_ST and user.county_id == county_id
    return user.role == Role.CITY_ST and user.city_id == city_id


def conflict_text(record) -> str:
    return "该记录已被他人处理（当前状态为“%s”），请刷新页面后查看。" % record.get_status_display()


def stale(record, seen: str | None, step) -> bool:
    """Check-and-set across requests (as the API's ``seen_status``): the record moved since the page showed it, or a
    second click finds it already where the step leads."""
    state = record.status
    return bool((seen and seen != state) or (state == step.target and state not in step.sources))


def pending_projects(user):
    """Accepted projects this S&T office handles that have no review yet (待论证项目)."""
    if not is_office(user):
        return Project.objects.none()
    return restrict(Project.objects.filter(status=ProjectStatus.ACCEPTED, review__isnull=True), user, CHANGE)


def project_summary(project) -> list[tuple[str, str]]:
    return [
        ("项目名称", project.title),
        ("所在镇", project.town.full_name),
        ("团队", "%s（%s）" % (project.team.name, project.team.lead_unit.name)),
        ("预算总额", yuan(project.total_budget)),
        ("实施期", "%s 至 %s" % (project.start_date.isoformat() if project.start_date else "—",
                              project.end_date.isoformat() if project.end_date else "—")),
        ("项目状态", project.get_status_display()),
    ]


def criteria_rows(review) -> list[dict]:
    return [{"key": key, "label": label, "weight": review.weights.get(key, 0)} for key, label in CRITERIA]


def sheet_rows(sheet) -> list[dict]:
    """Each submitted seat of a score sheet with its five scores in the criteria's order."""
    return [{"seat": seat, "scores": [(label, getattr(seat, "score_%s" % key)) for key, label in CRITERIA],
             "outlier": getattr(seat, "outlier", False)} for seat in sheet["seats"]]


# --------------------------------------------------------------------------
# The review list and the start of a review
# --------------------------------------------------------------------------

class ReviewListView(ScopedListView):
    model = Review
    table_class = ReviewTable
    filterset_class = ReviewFilter
    template_name = "reviews/review_list.html"
    title = "专家论证"
    roles = VIEWERS
    search_fields = ["project__title", "team__name", "town__name", "town__county__name"]
    search_placeholder = "项目名称、团队或镇"
    empty_text = "暂无专家论证。项目受理后，由组织该镇工作的科技部门发起论证。"
    export_filename = "专家论证"

    def base_queryset(self):
        reviews = Review.objects.select_related("project", "town__county", "team")
        return selectors.with_progress(reviews).annotate(
            mean=Avg("seats__total", filter=Q(seats__status=SeatStatus.SUBMITTED))).order_by(
            "-cycle__start_date", "town__code", "pk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["may_start"] = is_office(user)
        if context["may_start"]:
            context["empty_text"] = "尚无专家论证。项目受理后，请在上方“待论证项目”中发起论证。"
        if context["may_start"]:
            pending = pending_projects(user).select_related("town__county", "team").order_by("accepted_at", "pk")
            context["pending"] = list(pending[:PENDING_SHOWN])
            context["pending_count"] = pending.count() if len(context["pending"]) == PENDING_SHOWN else len(
                context["pending"])
            context["pending_shown"] = PENDING_SHOWN
        return context


class ReviewStartView(PageMixin, View):
    """发起论证: the organizing S&T office starts the review of an accepted project, then goes to it."""

    roles = frozenset(OFFICES)

    def post(self, request, project_pk):
        project = get_for_user(Project.objects.all(), request.user, CHANGE, pk=project_pk)
        try:
            review = services.review_start(actor=request.user, project=project)
        except (ValidationError, PermissionDenied) as error:
            existing = Review.objects.filter(project=project).first()
            if existing is not None and can(request.user, existing, VIEW):
                messages.info(request, "该项目已被他人处理：论证已经发起。")
                return redirect(existing.get_absolute_url())
            messages.error(request, error_text(error))
            return redirect("reviews:review_list")
        messages.success(request, "已发起论证：%s。%s" % (project.title, "请作出审批决定。" if review.mode == ReviewMode.SINGLE
                                                      else "请组建专家组。"))
        return redirect(review.get_absolute_url())


# --------------------------------------------------------------------------
# The review page and its steps
# --------------------------------------------------------------------------

class ReviewDetailView(ScopedDetailView):
    model = Review
    template_name = "reviews/review_detail.html"
    workflow = REVIEW_WORKFLOW
    action_url_name = "reviews:review_action"
    list_url_name = "reviews:review_list"
    list_title = "专家论证"
    roles = VIEWERS

    def base_queryset(self):
        return Review.objects.select_related("project__team__lead_unit", "project__town__county", "town__county",
                                             "team__lead_unit", "cycle")

    def get_title(self):
        return "专家论证：%s" % self.object.project.title

    def field_rows(self):
        review = self.object
        rows = [("状态", review.get_status_display()), ("论证方式", review.get_mode_display())]
        if review.mode == ReviewMode.PANEL:
            rows.append(("专家组人数", "%d 人" % review.panel_size))
        rows += [("发起时间", review.created_at), ("开始评分时间", review.opened_at),
                 ("评分完成时间", review.scored_at), ("决定时间", review.decided_at)]
        return rows

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        review, user = self.object, self.request.user
        office = runs(user, review)
        panel_member = on_panel(user, review)
        visible = selectors.scores_visible(review)
        panel = review.mode == ReviewMode.PANEL
        open_panel = panel and review.status in (ReviewStatus.FORMING, ReviewStatus.SCORING)
        seats = list(review.seats.select_related("expert").order_by("pk")) if office else []
        live = review.seats.filter(status__in=LIVE_SEATS)
        seated, submitted = live.count(), live.filter(status=SeatStatus.SUBMITTED).count()
        sheet = selectors.score_sheet(review) if visible and panel else None
        context.update({
            "review": review,
            "project": review.project,
            "project_rows": project_summary(review.project),
            "project_links": user.role != Role.EXPERT,
            "office": office,
            "panel": panel,
            "panel_member": panel_member,
            "scores_visible": visible,
            "progress": progress_text(review),
            "seated": seated,
            "submitted": submitted,
            "decision": decision_text(review),
            "decided": review.status in (ReviewStatus.APPROVED, ReviewStatus.APPROVED_CHANGES, ReviewStatus.REJECTED),
            "mean": sheet["mean"] if sheet else None,
            # Every expert's scores: for the office and the panel, once the whole panel has submitted.
            "sheet": sheet if sheet and (office or panel_member) else None,
            "sheet_rows": sheet_rows(sheet) if sheet and (office or panel_member) else [],
            "criteria": criteria_rows(review),
            "pdf": visible and panel and (office or panel_member),
            "seats": seats,
            "open_panel": open_panel and office,
            "my_seat": review.seats.filter(expert__user=user, status__in=LIVE_SEATS).first() if panel_member else None,
        })
        # The workflow buttons: only "开始专家评分" (the decision has its own form below).
        context["actions"] = [row for row in action_choices(self.workflow, review, user) if row[0] == "open"] \
            if office and panel and not context["read_only_reason"] else []
        context["action_warnings"] = {}
        if open_panel and office:
            candidates = selectors.candidates(review)
            free = [c for c in candidates if not c.excluded]
            context.update({
                "free": free,
                "excluded": [c for c in candidates if c.excluded and c.excluded != "已在专家组"],
                "proposal": free[:max(0, review.panel_size - seated)],
                "missing": max(0, review.panel_size - seated),
                "seat_form": kwargs.get("seat_form") or SeatAddForm(
                    pool=Expert.objects.filter(selectors.pool_of(review)), candidates=free),
            })
        may_decide = office and review.status in DECISION_SOURCES and (
            review.mode == ReviewMode.SINGLE or review.status == ReviewStatus.SCORED) and not context["read_only_reason"]
        context["may_decide"] = may_decide
        if may_decide:
            context["decision_form"] = kwargs.get("decision_form") or DecisionForm(
                panel=panel, initial={"seen_status": review.status, "approved_amount": review.project.total_budget})
        if review.status in APPROVED_STATES:
            context["grant"] = restrict(Grant.objects.filter(review=review), user).first()
            context["may_grant"] = context["grant"] is None and funds(user, review) and not Grant.objects.filter(
                review=review).exists()
        context["remove_label"] = SEAT_WORKFLOW["remove"].label
        if not (office or panel_member):
            self.mask_experts(context)
        return context

    def mask_experts(self, context) -> None:
        """The team, the town, the unit and the officials who do not run the review never read an expert's name: the
        system step an expert's submission caused ("专家评分全部提交") and its history row show "系统"."""
        from accounts.models import User

        for row in context["transitions"]:
            if getattr(row.actor, "role", None) == Role.EXPERT:
                row.actor = None
        names = {str(user) for user in User.objects.filter(
            role=Role.EXPERT, pk__in=self.object.history.values("history_user_id"))}
        for row in context["history"]:
            if row["who"] in names:
                row["who"] = None


class _ReviewPost(ReviewDetailView):
    """A POST from the review page, by its organizing S&T office (404 for anyone else); a refused input shows the
    page again with the message beside its field."""

    roles = frozenset(OFFICES)
    http_method_names = ["post"]

    def load(self):
        self.object = self.get_object()
        if not runs(self.request.user, self.object):
            raise Http404
        return self.object

    def again(self, **forms):
        return self.render_to_response(self.get_context_data(object=self.object, **forms))


class SeatAddView(_ReviewPost):
    """Put one expert of the pool on the panel (选入专家组)."""

    def post(self, request, pk):
        review = self.load()
        candidates = [c for c in selectors.candidates(review) if not c.excluded]
        form = SeatAddForm(request.POST, pool=Expert.objects.filter(selectors.pool_of(review)), candidates=candidates)
        if not form.is_valid():
            return self.again(seat_form=form)
        try:
            seat = services.seat_add(actor=request.user, review=review, expert=form.cleaned_data["expert"])
        except ValidationError as error:
            add_errors(form, error)
            return self.again(seat_form=form)
        except PermissionDenied as error:
            messages.error(request, error_text(error))
            return redirect(review.get_absolute_url())
        messages.success(request, "已将%s选入专家组。" % seat.expert.name)
        return redirect(review.get_absolute_url())


class PanelFillView(_ReviewPost):
    """按建议组建专家组: seat the platform's proposal up to the panel's size."""

    def post(self, request, pk):
        review = self.load()
        try:
            seats = services.panel_fill(actor=request.user, review=review)
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, error_text(error))
        else:
            if seats:
                messages.success(request, "已按建议选入%d位专家：%s。" % (
                    len(seats), "、".join(seat.expert.name for seat in seats)))
            else:
                messages.info(request, "专家组已满员，无需补充。")
        return redirect(review.get_absolute_url())


class ReviewActionView(_ReviewPost):
    """开始专家评分 (open) and the decision (approve, approve_changes, reject) through ``services.review_act``."""

    def post(self, request, pk, action):
        if action not in REVIEW_WORKFLOW or REVIEW_WORKFLOW[action].by_system:
            raise Http404
        review = self.load()
        step = REVIEW_WORKFLOW[action]
        if action == "open":
            if stale(review, request.POST.get("seen_status"), step):
                messages.error(request, conflict_text(review))
                return redirect(review.get_absolute_url())
            try:
                services.review_act(actor=request.user, review=review, action="open",
                                    comment=request.POST.get("comment", ""))
            except (ValidationError, PermissionDenied) as error:
                messages.error(request, error_text(error))
            else:
                messages.success(request, "已开始专家评分，已通知专家组的专家。")
            return redirect(review.get_absolute_url())
        form = DecisionForm(request.POST, panel=review.mode == ReviewMode.PANEL)
        if not form.is_valid():
            return self.again(decision_form=form)
        if stale(review, form.cleaned_data.get("seen_status"), step) or review.status not in DECISION_SOURCES:
            messages.error(request, conflict_text(review))
            return redirect(review.get_absolute_url())
        data = form.cleaned_data
        try:
            services.review_act(actor=request.user, review=review, action=action, comment=data["comment"],
                                amount=data["approved_amount"] or None, opinion=data["panel_opinion"])
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                add_errors(form, error)
                return self.again(decision_form=form)
            messages.error(request, error_text(error))
            return redirect(review.get_absolute_url())
        except PermissionDenied as error:
            messages.error(request, error_text(error))
            return redirect(review.get_absolute_url())
        messages.success(request, "已%s。" % step.label)
        return redirect(review.get_absolute_url())


def _download(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = "attachment; filename*=UTF-8''%s" % _quote(filename)
    return response


class ScoreSheetView(PageMixin, View):
    """The score sheet and the panel's opinion as PDF: for the office and the panel, once every expert submitted."""

    roles = frozenset(OFFICES) | EXPERTS

    def get(self, request, pk):
        review = get_for_user(Review.objects.select_related("project", "town__county__city", "team__lead_unit",
                                                            "cycle"), request.user, VIEW, pk=pk)
        if review.mode != ReviewMode.PANEL or not selectors.scores_visible(review) or not (
                runs(request.user, review) or on_panel(request.user, review)):
            raise Http404
        from reviews.documents import score_sheet_pdf

        return _download(score_sheet_pdf(review, request.user), "专家评分汇总表_%s.pdf" % review.project.title,
                         "application/pdf")


# --------------------------------------------------------------------------
# The experts' tasks and the scoring page
# --------------------------------------------------------------------------

class SeatListView(ScopedListView):
    model = ReviewSeat
    table_class = SeatTable
    filterset_class = SeatFilter
    template_name = "core/list.html"
    roles = SEAT_VIEWERS
    search_fields = ["review__project__title", "review__team__name", "review__town__name", "expert__name"]
    search_placeholder = "项目名称、团队、镇或专家"
    export_filename = "评审任务"

    def get_title(self):
        return "我的评审任务" if self.request.user.role == Role.EXPERT else "评审任务"

    @property
    def empty_text(self):
        if self.request.user.role == Role.EXPERT:
            return "目前没有分配给您的评审任务。科技部门将您选入专家组后，任务将显示在这里。"
        return "暂无评审任务。在专家论证页面组建专家组后，专家的评审任务将显示在这里。"

    def base_queryset(self):
        return ReviewSeat.objects.select_related("review__project", "review__town__county", "review__team",
                                                 "expert").order_by("-pk")


class SeatDetailView(ScopedDetailView):
    """The scoring page: the project's content (read through the project), the five weighted criteria, the comment,
    保存草稿 / 提交评分 (once; read-only after), 申请回避; the other experts' scores only once all have submitted."""

    model = ReviewSeat
    template_name = "reviews/seat_detail.html"
    workflow = SEAT_WORKFLOW
    action_url_name = "reviews:seat_action"
    list_url_name = "reviews:seat_list"
    roles = SEAT_VIEWERS

    def base_queryset(self):
        return ReviewSeat.objects.select_related("review__project", "review__town__county", "review__team",
                                                 "review__cycle", "expert")

    def get_object(self, queryset=None):
        seat = super().get_object(queryset)
        user = self.request.user
        if user.role == Role.EXPERT and seat.status not in LIVE_SEATS:
            raise Http404  # a withdrawn (or removed) expert no longer reads the project
        # The project is read through its own scope (an expert is granted the projects of their live seats).
        self.project = get_for_user(Project.objects.select_related("town__county", "team__lead_unit", "cycle"),
                                    user, VIEW, pk=seat.review.project_id)
        return seat

    @property
    def list_title(self):
        return "我的评审任务" if self.request.user.role == Role.EXPERT else "评审任务"

    def get_title(self):
        return "评审任务：%s" % self.object.review.project.title

    def mine(self) -> bool:
        user = self.request.user
        return user.role == Role.EXPERT and self.object.expert.user_id == user.pk

    def field_rows(self):
        seat = self.object
        return [("评审任务状态", seat.get_status_display()), ("论证状态", seat.review.get_status_display()),
                ("专家", "%s（%s）" % (seat.expert.name, seat.expert.unit_name)),
                ("提交时间", seat.submitted_at)]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        seat, user = self.object, self.request.user
        review, project = seat.review, self.project
        mine = self.mine()
        office = runs(user, review)
        visible = selectors.scores_visible(review)
        editable = mine and seat.status == SeatStatus.ASSIGNED and review.status == ReviewStatus.SCORING
        initial = {name: getattr(seat, name) for name in SCORE_FIELDS}
        initial.update(comment=seat.comment, seen_status=seat.status)
        sheet = selectors.score_sheet(review) if visible and (mine or office) else None
        lines = list(project.budget_lines.all())
        context.update({
            "seat": seat, "review": review, "project": project,
            "project_rows": project_summary(project),
            "project_links": not mine and user.role != Role.EXPERT,
            "needs": list(project.needs.select_related("category").order_by("pk")),
            "years": list(project.years.all()),
            "lines": [{"category": line.get_category_display(), "amount": yuan(line.amount),
                       "source": line.get_source_display(), "note": line.note} for line in lines],
            "members": list(project.members.select_related("commissioner__unit")),
            "mine": mine, "office": office, "editable": editable,
            "criteria": criteria_rows(review),
            # Own scores to the expert; to the office only once every expert has submitted.
            "own_scores": [(row["label"], row["weight"], getattr(seat, "score_%s" % row["key"]))
                           for row in criteria_rows(review)] if (mine or (office and visible)) else [],
            "score_form": kwargs.get("score_form") or (ScoreForm(initial=initial, weights=review.weights)
                                                       if editable else None),
            "decline_form": kwargs.get("decline_form") or (ReasonForm(
                initial={"seen_status": seat.status}, label="回避事由",
                help_text="如：与团队成员有亲属、师生或合作关系。提交后您将退出本项目的评审，平台会为科技部门推荐替补专家。")
                if mine and seat.status == SeatStatus.ASSIGNED else None),
            "sheet": sheet,
            "sheet_rows": sheet_rows(sheet) if sheet else [],
            "scores_visible": visible,
            "progress": progress_text(review),
            "pdf": visible and (mine or office),
        })
        context["actions"] = []  # the page has its own forms
        return context

    def post(self, request, pk):
        """保存草稿: the expert's scores and comment, changeable until submitted."""
        self.object = self.get_object()
        if not self.mine():
            raise Http404
        seat = self.object
        form = ScoreForm(request.POST, weights=seat.review.weights)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(object=seat, score_form=form))
        if stale(seat, form.cleaned_data.get("seen_status"), SEAT_WORKFLOW["submit"]):
            messages.error(request, conflict_text(seat))
            return redirect(seat.get_absolute_url())
        try:
            services.seat_score(actor=request.user, seat=seat, scores=form.scores(),
                                comment=form.cleaned_data["comment"], submit=False)
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                add_errors(form, error)
                return self.render_to_response(self.get_context_data(object=seat, score_form=form))
            messages.error(request, error_text(error))
            return redirect(seat.get_absolute_url())
        except PermissionDenied as error:
            messages.error(request, error_text(error))
            return redirect(seat.get_absolute_url())
        messages.success(request, "评分草稿已保存，提交前可继续修改。")
        return redirect(seat.get_absolute_url())


class SeatActionView(SeatDetailView):
    """提交评分 and 申请回避 (the expert), 调出专家组 (the office, from the review page)."""

    http_method_names = ["post"]

    def post(self, request, pk, action):
        if action not in SEAT_WORKFLOW:
            raise Http404
        seat = get_for_user(self.base_queryset(), request.user, VIEW, pk=pk)
        step = SEAT_WORKFLOW[action]
        if action == "remove":
            return self.remove(request, seat, step)
        self.object = self.get_object()
        if not self.mine():
            raise Http404
        seat = self.object
        if action == "submit":
            form = ScoreForm(request.POST, weights=seat.review.weights)
            again = {"score_form": form}
        else:
            form = ReasonForm(request.POST, label="回避事由")
            again = {"decline_form": form}
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(object=seat, **again))
        if stale(seat, form.cleaned_data.get("seen_status"), step):
            messages.error(request, conflict_text(seat))
            return redirect(seat.get_absolute_url() if seat.status in LIVE_SEATS else reverse("reviews:seat_list"))
        try:
            services.seat_act(actor=request.user, seat=seat, action=action, comment=form.cleaned_data["comment"],
                              scores=form.scores() if action == "submit" else None)
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                add_errors(form, error)
                return self.render_to_response(self.get_context_data(object=seat, **again))
            messages.error(request, error_text(error))
            return redirect(seat.get_absolute_url())
        except PermissionDenied as error:
            messages.error(request, error_text(error))
            return redirect(seat.get_absolute_url())
        if action == "submit":
            seat.review.refresh_from_db(fields=["status"])
            messages.success(request, "评分已提交，不能再修改。%s" % (
                "专家组已全部提交，评分汇总见下方。" if selectors.scores_visible(seat.review)
                else "全部专家提交后可查看评分汇总。"))
            return redirect(seat.get_absolute_url())
        messages.success(request, "已申请回避，您已退出该项目的评审。")
        return redirect("reviews:seat_list")

    def remove(self, request, seat, step):
        review = seat.review
        if not runs(request.user, review):
            raise Http404
        form = ReasonForm(request.POST, label="调出理由")
        form.is_valid()
        comment = (form.cleaned_data.get("comment") or "").strip() if form.is_valid() else ""
        if stale(seat, request.POST.get("seen_status"), step):
            messages.error(request, conflict_text(seat))
            return redirect(review.get_absolute_url())
        if not comment:
            messages.error(request, "调出理由：请填写调出该专家的理由。")
            return redirect(review.get_absolute_url())
        try:
            services.seat_act(actor=request.user, seat=seat, action="remove", comment=comment)
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, "已将%s调出专家组。" % seat.expert.name)
        return redirect(review.get_absolute_url())
