"""Pages of the funding (立项资助): grants with their tranches (拨付) and vouchers, the funding ledger, and each
funder's yearly envelope (年度资助预算: budgeted, committed, disbursed, remaining — summed by the database).

Only the organizer that selected the team funds it (the city for city- and province-organized towns, the county for
its own); the city reads every county's grants and envelopes, the province reads, the town, the team and its unit
read their own grants. Every write goes through ``reviews.services``; every read through ``core.scoping``.
"""
from __future__ import annotations

from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views import View

from core.files import serve_file
from core.generic import PageMixin, ScopedDetailView, ScopedFormView, ScopedListView, _quote
from core.menu import OFFICIALS, TEAMS, TOWN
from core.roles import Role, is_system_admin
from core.scoping import CHANGE, VIEW, can, get_for_user, restrict
from reviews import selectors, services
from reviews.choices import APPROVED_STATES, BudgetSourceKind
from reviews.filters_funding import EnvelopeFilter, GrantFilter
from reviews.forms_funding import DisbursementForm, EnvelopeForm, GrantForm
from reviews.models import Disbursement, Envelope, Grant, Review
from reviews.tables_funding import EnvelopeTable, GrantTable, yuan

OFFICES = frozenset({Role.CITY_ST, Role.COUNTY_ST})
GRANT_READERS = frozenset(OFFICIALS | TOWN | TEAMS | {Role.UNIT})
ENVELOPE_READERS = frozenset({Role.CITY_ST, Role.COUNTY_ST, Role.PROVINCE, Role.CITY_RURAL, Role.COUNTY_RURAL})
GRANTS_TITLE = "立项资助"
ENVELOPES_TITLE = "年度资助预算"


def _grants():
    return Grant.objects.select_related("project", "town__county", "team", "city", "county")


def reviews_to_fund(user):
    """Approved reviews without a grant that this S&T office funds (its change scope on the review)."""
    if not (is_system_admin(user) or user.role in OFFICES):
        return Review.objects.none()
    return (restrict(Review.objects.filter(status__in=APPROVED_STATES, grant__isnull=True), user, CHANGE)
            .select_related("project", "town__county", "team").order_by("decided_at", "pk"))


# ------------------------------------------------------------------------------------------------ grants
class GrantListView(ScopedListView):
    model = Grant
    table_class = GrantTable
    filterset_class = GrantFilter
    template_name = "reviews/grant_list.html"
    title = GRANTS_TITLE
    roles = GRANT_READERS
    search_fields = ["project_number", "project__title"]
    search_placeholder = "立项编号或项目名称"
    export_filename = "立项资助"
    empty_text = "暂无立项资助。项目论证通过后，由遴选该团队的科技部门立项资助。"

    def base_queryset(self):
        return selectors.grants_with_figures(_grants()).order_by("-fiscal_year", "project_number", "pk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        to_fund = reviews_to_fund(user)
        context["to_fund"] = list(to_fund[:50])
        for review in context["to_fund"]:
            review.approved_text = yuan(review.approved_amount)
        params = self.request.GET.copy()
        for name in ("page", "export", "sort", "cols"):
            params.pop(name, None)
        context["ledger_query"] = params.urlencode()
        return context


class LedgerView(PageMixin, View):
    """The funding ledger (资金台账, XLSX) of the grants the user reads, with the list's filters and search."""

    roles = GRANT_READERS

    def get(self, request):
        grants = restrict(_grants(), request.user).order_by("-fiscal_year", "project_number", "pk")
        filterset = GrantFilter(request.GET, queryset=grants, request=request)
        if filterset.is_valid():
            grants = filterset.qs
        term = (request.GET.get("q") or "").replace("\x00", "").strip()
        if term:
            grants = grants.filter(Q(project_number__icontains=term) | Q(project__title__icontains=term))
        from reviews import documents  # written beside these pages; imported when the ledger is asked for

        content = documents.ledger_xlsx(grants)
        response = HttpResponse(content,
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        name = "立项资助资金台账_%s.xlsx" % timezone.localdate().strftime("%Y%m%d")
        response["Content-Disposition"] = "attachment; filename*=UTF-8''%s" % _quote(name)
        response["Cache-Control"] = "private, no-store"
        return response


def _funding_notice(level, city_id, county_id, year) -> str:
    figures = selectors.envelope_for(level, city_id, county_id, year) if year else None
    if figures is None:
        return "尚未设置%s年度的资助预算：请先在“年度资助预算”中设置，再立项资助。" % year
    return "%s年度资助预算 %s，已立项资助 %s，尚余 %s。" % (year, yuan(figures.budgeted), yuan(figures.committed),
                                                yuan(figures.remaining))


class GrantCreateView(ScopedFormView):
    """The funder funds an approved project: number, year, source, amount (the approved amount by default), date."""

    form_class = GrantForm
    roles = OFFICES
    submit_label = "立项资助"
    success_message = "已立项资助，团队负责人已收到通知。"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and (is_system_admin(request.user) or request.user.role in self.roles):
            self.review = get_for_user(Review.objects.select_related("project", "town__county__city", "team"),
                                       request.user, CHANGE, pk=kwargs["review_pk"])
            existing = Grant.objects.filter(review=self.review).first()
            if existing is not None:
                messages.info(request, "该项目已立项资助，请在原记录上修改或登记拨付。")
                return redirect(existing.get_absolute_url())
        return super().dispatch(request, *args, **kwargs)

    def get_title(self):
        return "立项资助：%s" % self.review.project.title

    def get_breadcrumbs(self):
        return [(GRANTS_TITLE, reverse("reviews:grant_list")), (self.get_title(), None)]

    def get_initial(self):
        review = self.review
        year = timezone.localdate().year
        level, _city, _county = selectors.funder_of(review)
        return {"project_number": services.next_project_number(review, year), "fiscal_year": year,
                "budget_source": BudgetSourceKind.COUNTY if level == "county" else BudgetSourceKind.CITY_ST,
                "amount": review.approved_amount, "granted_on": timezone.localdate()}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        review = self.review
        if review.status not in APPROVED_STATES:
            context["form_notice"] = "项目论证当前为“%s”：论证通过后方可立项资助。" % review.get_status_display()
            context["form_blocked"] = True
            return context
        level, city_id, county_id = selectors.funder_of(review)
        form = context.get("form")
        year = timezone.localdate().year
        if form is not None and form.is_bound and str(form.data.get("fiscal_year", "")).isdigit():
            year = int(form.data["fiscal_year"])
        context["form_notice"] = "%s（%s · %s）论证核定资助 %s。%s" % (
            review.project.title, review.town.county.name + review.town.name, review.team.name,
            yuan(review.approved_amount), _funding_notice(level, city_id, county_id, year))
        return context

    def save(self, form):
        return services.grant_create(actor=self.request.user, review=self.review, values=form.cleaned_data)


class GrantEditView(ScopedFormView):
    model = Grant
    form_class = GrantForm
    roles = OFFICES
    success_message = "立项资助已保存。"

    def get_title(self):
        return "修改立项资助 %s" % self.get_instance().project_number

    def get_breadcrumbs(self):
        grant = self.get_instance()
        return [(GRANTS_TITLE, reverse("reviews:grant_list")), (grant.project_number, grant.get_absolute_url()),
                (self.get_title(), None)]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        grant = self.get_instance()
        paid = selectors.grants_with_figures(Grant.objects.filter(pk=grant.pk)).get().disbursed
        context["form_notice"] = "论证核定资助 %s，已拨付 %s：资助金额不能少于已拨付的金额。" % (
            yuan(grant.review.approved_amount), yuan(paid))
        return context

    def save(self, form):
        return services.grant_update(actor=self.request.user, grant=self.get_instance(), values=form.cleaned_data)


class GrantDetailView(ScopedDetailView):
    model = Grant
    template_name = "reviews/grant_detail.html"
    list_url_name = "reviews:grant_list"
    list_title = GRANTS_TITLE
    roles = GRANT_READERS

    def base_queryset(self):
        return selectors.grants_with_figures(Grant.objects.select_related(
            "project", "review", "town__county", "team__lead_unit", "city", "county", "created_by"))

    def field_rows(self):
        grant = self.object
        return [
            ("立项编号", grant.project_number),
            ("帮扶项目", grant.project.title),
            ("所在镇", grant.town.county.name + grant.town.name),
            ("团队", grant.team.name),
            ("资助单位", grant.keeper_name),
            ("资金年度", grant.fiscal_year),
            ("资金来源", grant.get_budget_source_display()),
            ("论证核定金额", yuan(grant.review.approved_amount)),
            ("资助金额", yuan(grant.amount)),
            ("已拨付", yuan(grant.disbursed)),
            ("未拨付", yuan(grant.undisbursed)),
            ("立项日期", grant.granted_on.isoformat() if grant.granted_on else ""),
            ("备注", grant.note),
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        grant, user = self.object, self.request.user
        office = is_system_admin(user) or user.role in OFFICES
        may_fund = office and context["can_change"]
        tranches = list(grant.disbursements.order_by("paid_on", "pk"))
        for tranche in tranches:
            tranche.amount_text = yuan(tranche.amount)
        context.update({
            "tranches": tranches,
            "figures": {"amount": yuan(grant.amount), "disbursed": yuan(grant.disbursed),
                        "undisbursed": yuan(grant.undisbursed)},
            "may_fund": may_fund,
            "edit_url_name": "reviews:grant_edit" if may_fund else None,
            "project_url": (grant.project.get_absolute_url()
                            if can(user, grant.project, VIEW) else ""),
            "review_url": grant.review.get_absolute_url() if can(user, grant.review, VIEW) else "",
        })
        if may_fund and grant.undisbursed > 0:
            context["disbursement_form"] = DisbursementForm()
        return context


class DisbursementCreateView(ScopedFormView):
    """A tranche of a grant with its voucher; errors beside the fields (nothing saved)."""

    form_class = DisbursementForm
    roles = OFFICES
    submit_label = "登记拨付"
    success_message = "拨付已登记。"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and (is_system_admin(request.user) or request.user.role in self.roles):
            self.grant = get_for_user(selectors.grants_with_figures(_grants()), request.user, CHANGE,
                                      pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_title(self):
        return "登记拨付：%s" % self.grant.project_number

    def get_breadcrumbs(self):
        return [(GRANTS_TITLE, reverse("reviews:grant_list")), (self.grant.project_number,
                                                                self.grant.get_absolute_url()), (self.get_title(), None)]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        grant = self.grant
        context["form_notice"] = "%s：资助 %s，已拨付 %s，尚未拨付 %s。" % (
            grant.project.title, yuan(grant.amount), yuan(grant.disbursed), yuan(grant.undisbursed))
        return context

    def save(self, form):
        data = form.cleaned_data
        return services.disbursement_add(actor=self.request.user, grant=self.grant, amount=data["amount"],
                                         paid_on=data["paid_on"], voucher=data["voucher"], note=data.get("note") or "")

    def get_success_url(self):
        return self.grant.get_absolute_url()


class VoucherView(PageMixin, View):
    """A tranche's voucher, to whoever reads its grant (inline: a PDF or an image)."""

    roles = GRANT_READERS

    def get(self, request, pk):
        tranche = get_for_user(Disbursement.objects.select_related("grant"), request.user, VIEW, pk=pk)
        if not tranche.voucher:
            raise Http404
        return serve_file(request, tranche, "voucher", inline=True,
                          filename="拨付凭证_%s_%s" % (tranche.grant.project_number, tranche.paid_on.isoformat()))


# ------------------------------------------------------------------------------------------------ envelopes
class EnvelopeListView(ScopedListView):
    model = Envelope
    table_class = EnvelopeTable
    filterset_class = EnvelopeFilter
    template_name = "reviews/envelope_list.html"
    title = ENVELOPES_TITLE
    roles = ENVELOPE_READERS
    export_filename = "年度资助预算"
    create_url_name = "reviews:envelope_create"
    create_roles = OFFICES
    empty_text = "暂无年度资助预算。市、县科技部门可设置本级每年可用于立项资助的资金。"

    def base_queryset(self):
        return selectors.envelopes_with_figures(Envelope.objects.select_related("city", "county")).order_by(
            "-fiscal_year", "organizer_level", "county__code", "pk")

    def get_table_kwargs(self):
        kwargs = super().get_table_kwargs()
        kwargs["user"] = self.request.user
        return kwargs


class EnvelopeCreateView(ScopedFormView):
    form_class = EnvelopeForm
    roles = OFFICES
    title = "设置年度资助预算"
    success_message = "年度资助预算已保存。"

    def get_breadcrumbs(self):
        return [(ENVELOPES_TITLE, reverse("reviews:envelope_list")), (self.get_title(), None)]

    def get_initial(self):
        return {"fiscal_year": timezone.localdate().year}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        if user.role == Role.COUNTY_ST and user.county_id:
            context["form_notice"] = "设置%s科技部门的年度资助预算（每年一条）。" % user.county.name
        elif user.role == Role.CITY_ST and user.city_id:
            context["form_notice"] = "设置%s科技局的年度资助预算（每年一条）。" % user.city.name
        return context

    def save(self, form):
        return services.envelope_save(actor=self.request.user, values=form.cleaned_data)

    def get_success_url(self):
        return reverse("reviews:envelope_list")


class EnvelopeEditView(ScopedFormView):
    model = Envelope
    form_class = EnvelopeForm
    roles = OFFICES
    success_message = "年度资助预算已保存。"

    def get_title(self):
        return "修改%s" % self.get_instance()

    def get_breadcrumbs(self):
        return [(ENVELOPES_TITLE, reverse("reviews:envelope_list")), (self.get_title(), None)]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        envelope = self.get_instance()
        figures = selectors.envelope_for(envelope.organizer_level, envelope.city_id, envelope.county_id,
                                         envelope.fiscal_year)
        if figures is not None:
            context["form_notice"] = "%s年度已立项资助 %s，已拨付 %s：年度预算不能少于已立项资助的金额。" % (
                envelope.fiscal_year, yuan(figures.committed), yuan(figures.disbursed))
        return context

    def save(self, form):
        values = {name: form.cleaned_data[name] for name in ("budgeted", "note")}
        return services.envelope_save(actor=self.request.user, values=values, envelope=self.get_instance())

    def get_success_url(self):
        return reverse("reviews:envelope_list")
