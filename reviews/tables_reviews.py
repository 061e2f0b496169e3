"""Tables of the review list and the seat list (every cell from the row and its select_related joins).

The review list shows a panel's progress ("已提交 n/m", annotated by ``selectors.with_progress``) and its mean only
once every expert has submitted (``selectors.scores_visible``); no table shows an individual expert's score.
"""
import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html

from projects.tables_projects import yuan
from reviews.choices import APPROVED_STATES, LIVE_SEATS, ReviewMode, ReviewStatus
from reviews.models import Review, ReviewSeat
from reviews.selectors import scores_visible


def progress_text(review) -> str:
    """"已提交 n/m" of a panel review (m: the experts on the panel, at least its set size); "直接审批" otherwise."""
    if review.mode != ReviewMode.PANEL:
        return "直接审批"
    seated = getattr(review, "seated", None)
    submitted = getattr(review, "submitted", None)
    if seated is None or submitted is None:
        seated = review.seats.filter(status__in=LIVE_SEATS).count()
        submitted = review.seats.filter(status="submitted").count()
    return "已提交 %d/%d" % (submitted, max(seated, review.panel_size))


def decision_text(review) -> str:
    if review.status in APPROVED_STATES:
        return "%s · 核定 %s" % (review.get_status_display(), yuan(review.approved_amount))
    if review.status == ReviewStatus.REJECTED:
        return review.get_status_display()
    return "—"


class ReviewTable(tables.Table):
    always_visible = ("project",)
    project = tables.Column(verbose_name="项目", accessor="project__title", order_by=("project__title",),
                            linkify=lambda record: record.get_absolute_url())
    town = tables.Column(verbose_name="所在镇", accessor="town", order_by=("town__code",))
    team = tables.Column(verbose_name="团队", accessor="team__name", order_by=("team__name",))
    mode = tables.Column(verbose_name="论证方式", attrs={"td": {"class": "text-nowrap"}})
    status = tables.Column(verbose_name="状态", attrs={"td": {"class": "text-nowrap"}})
    progress = tables.Column(verbose_name="专家评分", accessor="pk", orderable=False,
                             attrs={"td": {"class": "text-nowrap"}})
    mean = tables.Column(verbose_name="平均分", accessor="mean", orderable=False,
                         attrs={"td": {"class": "text-end text-nowrap"}})
    decision = tables.Column(verbose_name="论证结果", accessor="approved_amount", orderable=False)

    class Meta:
        model = Review
        fields = ["project", "town", "team", "mode", "status", "progress", "mean", "decision"]
        attrs = {"class": "table table-sm table-hover align-middle"}

    def render_town(self, value, record):
        return "%s%s" % (record.town.county.name, record.town.name)

    def render_progress(self, record):
        return progress_text(record)

    def value_progress(self, record):
        return progress_text(record)

    def _mean(self, record):
        mean = getattr(record, "mean", None)
        if mean is None or record.mode != ReviewMode.PANEL or not scores_visible(record):
            return None
        return round(mean, 2)

    def render_mean(self, record):
        mean = self._mean(record)
        return "—" if mean is None else "%.2f" % mean

    def value_mean(self, record):
        return self._mean(record)

    def render_decision(self, record):
        return decision_text(record)

    def value_decision(self, record):
        text = decision_text(record)
        return "" if text == "—" else text


class SeatTable(tables.Table):
    always_visible = ("project",)
    project = tables.Column(verbose_name="项目", accessor="review__project__title", order_by=("review__project__title",))
    town = tables.Column(verbose_name="所在镇", accessor="review__town", order_by=("review__town__code",))
    team = tables.Column(verbose_name="团队", accessor="review__team__name", order_by=("review__team__name",))
    expert = tables.Column(verbose_name="专家", accessor="expert__name", order_by=("expert__name",))
    review_status = tables.Column(verbose_name="论证状态", accessor="review__status",
                                  attrs={"td": {"class": "text-nowrap"}})
    status = tables.Column(verbose_name="评审任务状态", attrs={"td": {"class": "text-nowrap"}})
    submitted_at = tables.DateTimeColumn(verbose_name="提交时间", format="Y-m-d H:i",
                                         attrs={"td": {"class": "text-nowrap"}})

    class Meta:
        model = ReviewSeat
        fields = ["project", "town", "team", "expert", "review_status", "status", "submitted_at"]
        attrs = {"class": "table table-sm table-hover align-middle"}

    def render_project(self, value, record):
        # A withdrawn or removed seat no longer opens the project (the expert lost access to it).
        if record.status in LIVE_SEATS:
            return format_html('<a href="{}">{}</a>', reverse("reviews:seat_detail", args=[record.pk]), value)
        return value

    def value_project(self, value):
        return value

    def render_town(self, value, record):
        town = record.review.town
        return "%s%s" % (town.county.name, town.name)

    def render_review_status(self, record):
        return record.review.get_status_display()

    def value_review_status(self, record):
        return record.review.get_status_display()
