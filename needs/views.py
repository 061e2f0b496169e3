"""Pages of the needs survey and the township S&T needs library."""
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Exists, F, OuterRef, Q
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from core.roles import Role, is_system_admin
from core.forms import error_text
from core.queries import related_count
from core.generic import (
    ImportView, PageMixin, ScopedDetailView, ScopedFormView, ScopedListView, WorkflowActionView,
)
from core.menu import OFFICIALS, TOWN
from core.scoping import VIEW, get_for_user, restrict
from cycles.selectors import current_cycle
from needs import services, taxonomy
from needs.choices import CAMPAIGN_WORKFLOW, ENTERERS, NEED_WORKFLOW, ORGANIZERS, NeedStatus, service_labels
from needs.filters import NeedFilter
from needs.forms import (
    CampaignForm, CategoryForm, NeedEditForm, NeedForm, ProblemForm, ProductForm, TownProfileForm,
)
from needs.models import (
    CampaignTown, IndustryCategory, IndustryProblem, IndustryProduct, Need, SurveyCampaign, TownProfile, campaign_town_state,
)
from needs.search import search_needs
from needs.tables import CampaignTable, NeedTable, ProblemTable, ProductTable
from needs.tasks import import_needs_task
from regions.models import Town
from regions.selectors import sees_several_cities

NEED_VIEWERS = OFFICIALS | TOWN


class NeedListView(ScopedListView):
    """The needs library: filters, Chinese full-text search, bulk confirm/return, export."""

    model = Need
    table_class = NeedTable
    filterset_class = NeedFilter
    template_name = "needs/need_list.html"
    title = "乡镇科技发展需求库"
    roles = NEED_VIEWERS
    search_fields = ["title"]  # replaced by the jieba index in get_queryset
    search_placeholder = "如：柑橘 病虫害"
    create_url_name = "needs:need_create"
    create_roles = ENTERERS
    import_url_name = "needs:need_import"
    import_roles = ENTERERS
    empty_text = "没有符合条件的需求。镇（驻镇工作队）填报或导入需求后将显示在这里。"

    def base_queryset(self):
        return Need.objects.select_related("town", "town__county", "category").order_by("-created_at", "-pk")

    def get_queryset(self):
        queryset = restrict(self.base_queryset(), self.request.user, self.scope_action())
        return search_needs(queryset, self.request.GET.get("q", ""))

    def get_table_kwargs(self):
        kwargs = super().get_table_kwargs()
        user = self.request.user
        if not (is_system_admin(user) or user.role in ORGANIZERS):
            kwargs["exclude"] = list(kwargs.get("exclude", [])) + ["select"]  # only organizers tick needs in bulk
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["can_bulk"] = is_system_admin(user) or user.role in ORGANIZERS
        return context


class NeedBulkView(PageMixin, View):
    """Confirm or return many needs at once (each checked and recorded; all or none)."""

    roles = ORGANIZERS

    def post(self, request):
        action = request.POST.get("action")
        if action not in ("confirm", "return"):
            messages.error(request, "请选择“确认”或“退回”。")
            return redirect("needs:need_list")
        ids = [value for value in request.POST.getlist("ids") if value.isdigit() and len(value) <= 18]
        needs = list(restrict(Need.objects.select_related("town"), request.user, VIEW).filter(pk__in=ids))
        if not needs:
            messages.error(request, "请先勾选需求。")
            return redirect(request.META.get("HTTP_REFERER") or reverse("needs:need_list"))
        result = services.needs_bulk_transition(actor=request.user, needs=needs, action=action,
                                                comment=request.POST.get("comment", ""))
        if result.refused:
            messages.error(request, "未处理任何需求：" + "；".join("“%s”%s" % (n.title, reason) for n, reason in result.refused[:10]))
        elif result.done:
            messages.success(request, "已%s %d 条需求。" % (NEED_WORKFLOW[action].label, len(result.done)))
        if result.skipped:
            messages.warning(request, "跳过 %d 条：" % len(result.skipped)
                             + "；".join("“%s”%s" % (n.title, reason) for n, reason in result.skipped[:10]))
        return redirect(request.META.get("HTTP_REFERER") or reverse("needs:need_list"))


class NeedDetailView(ScopedDetailView):
    model = Need
    template_name = "needs/need_detail.html"
    detail_fields = ["town", "title", "description", "category", "priority", "expected_outcome", "surveyed_by",
                     "surveyed_on", "status", "status_reason", "created_by", "created_at"]
    workflow = NEED_WORKFLOW
    action_url_name = "needs:need_action"
    list_url_name = "needs:need_list"
    list_title = "需求库"
    edit_url_name = "needs:need_edit"
    roles = NEED_VIEWERS

    def base_queryset(self):
        return Need.objects.select_related("town", "town__county", "category", "created_by")

    def field_rows(self):
        rows = super().field_rows()
        rows.insert(5, ("服务类型", service_labels(self.object.service_types)))
        rows.insert(1, ("涉及行政村", "、".join(v.name for v in self.object.villages.all()) or "—"))
        rows.insert(4, ("对应的产业问题", problems_of_need(self.object) or "—"))
        return rows


def problems_of_need(need) -> str:
    """The problems the need's text speaks of, as its search index recorded them (matching reads the same words)."""
    from matching.engine.problems import PROBLEM_PREFIX
    from needs.models import NeedToken

    tokens = NeedToken.objects.filter(need=need, token__startswith=PROBLEM_PREFIX).values_list("token", flat=True)
    return "、".join(sorted(token[len(PROBLEM_PREFIX):] for token in tokens))


class NeedActionView(WorkflowActionView):
    model = Need
    workflow = NEED_WORKFLOW

    def may_act_without_change(self, user, obj, action):
        return False

    def apply(self, obj, action, comment):
        services.need_transition(actor=self.request.user, need=obj, action=action, comment=comment)


class NeedCreateView(ScopedFormView):
    form_class = NeedForm
    title = "填报需求"
    roles = ENTERERS
    breadcrumbs = [("需求库", "/needs/")]

    def dispatch(self, request, *args, **kwargs):
        self.cycle = current_cycle(request)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["towns"] = services.towns_user_may_enter(self.request.user, self.cycle).select_related("county")
        return kwargs

    def save(self, form):
        data = dict(form.cleaned_data)
        return services.need_create(actor=self.request.user, cycle=self.cycle, villages=data.pop("villages"), **data)


class NeedEditView(ScopedFormView):
    model = Need
    form_class = NeedEditForm
    roles = ENTERERS

    def get_title(self):
        return "修改需求：%s" % self.get_instance()

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["towns"] = Town.objects.filter(pk=self.get_instance().town_id)
        return kwargs

    def save(self, form):
        data = dict(form.cleaned_data)
        need = Need.objects.get(pk=self.get_instance().pk)
        return services.need_update(actor=self.request.user, need=need, villages=data.pop("villages"), **data)


class NeedImportView(ImportView):
    title = "导入需求"
    roles = ENTERERS
    template_title = "乡镇科技需求导入模板"
    background_task = import_needs_task
    breadcrumbs = [("需求库", "/needs/")]
    instructions = [
        "每行一条需求；“镇代码”与“镇名称”至少填一项（重名的镇请填代码）；镇单元格可合并多行。",
        "服务类型可填多个，用“、”分隔：技术指导、技能培训、成果转化、创业辅导、政策宣传、规划设计。",
        "全部行校验通过后一次性保存；任何一行有误，不保存任何数据，并逐行列出问题。",
    ]

    def dispatch(self, request, *args, **kwargs):
        self.cycle = current_cycle(request)
        return super().dispatch(request, *args, **kwargs)

    def get_columns(self):
        return services.need_columns()

    def task_kwargs(self):
        return {"cycle_id": self.cycle.pk}


class NeedSummaryView(PageMixin, TemplateView):
    """Counts per county and per category (aggregated in the database, within scope)."""

    template_name = "needs/summary.html"
    title = "需求统计"
    roles = NEED_VIEWERS

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        cycle = current_cycle(self.request)
        needs = restrict(Need.objects.filter(cycle=cycle), self.request.user).exclude(status=NeedStatus.CLOSED)
        # By county; by city for whoever sees several cities (regions.selectors.sees_several_cities).
        by_city = sees_several_cities(self.request.user)
        area = "town__county__city" if by_city else "town__county"
        by_county = needs.values(area_name=F(area + "__name"), area_code=F(area + "__code")).annotate(
            total=Count("pk"), towns=Count("town", distinct=True),
            confirmed=Count("pk", filter=Q(status__in=[NeedStatus.CONFIRMED, NeedStatus.MATCHED, NeedStatus.IN_ASSISTANCE,
                                                        NeedStatus.RESOLVED])),
            pending=Count("pk", filter=Q(status=NeedStatus.SUBMITTED)),
        ).order_by("area_code")
        by_category = needs.values("category__name").annotate(total=Count("pk"), towns=Count("town", distinct=True)).order_by("-total")
        context.update({"cycle": cycle, "by_county": by_county, "by_city": by_city, "by_category": by_category,
                        "total": needs.count()})
        return context


# ---------------------------------------------------------------- town profiles


class ProfileView(PageMixin, TemplateView):
    """A town's profile in the current cycle (read), with the edit link for those who may."""

    template_name = "needs/profile_detail.html"
    roles = NEED_VIEWERS

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        town = get_for_user(Town.objects.select_related("county"), self.request.user, VIEW, pk=self.kwargs["town"])
        cycle = current_cycle(self.request)
        profile = services.profile_for(cycle=cycle, town=town)
        context.update({
            "town": town, "cycle": cycle, "profile": profile, "saved": profile.pk is not None,
            "copied_from": getattr(profile, "_copied_from", None),
            "can_edit": services.towns_user_may_enter(self.request.user, cycle).filter(pk=town.pk).exists(),
            "title": "%s · 镇域发展情况" % town.name,
            "breadcrumbs": [("镇（乡、街道）", reverse("regions:town_list")), (town.name, town.get_absolute_url()),
                            ("镇域发展情况", None)],
            "fields": [(TownProfile._meta.get_field(name).verbose_name, getattr(profile, name))
                       for name in services.PROFILE_FIELDS],
            "history": [],
            "needs": restrict(Need.objects.filter(cycle=cycle, town=town), self.request.user).select_related("category"),
        })
        return context


class ProfileEditView(ScopedFormView):
    form_class = TownProfileForm
    roles = ENTERERS

    def dispatch(self, request, *args, **kwargs):
        self.town = get_for_user(Town, request.user, VIEW, pk=kwargs["town"])
        self.cycle = current_cycle(request)
        return super().dispatch(request, *args, **kwargs)

    def get_title(self):
        return "%s · 填写镇域发展情况（%s）" % (self.town.name, self.cycle)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = services.profile_for(cycle=self.cycle, town=self.town)
        return kwargs

    def save(self, form):
        services.profile_save(actor=self.request.user, cycle=self.cycle, town=self.town,
                              **{name: form.cleaned_data[name] for name in services.PROFILE_FIELDS})
        return self.town

    def get_success_url(self):
        return reverse("needs:profile", args=[self.town.pk])


def profile_detail_redirect(request, pk):
    profile = get_for_user(TownProfile, request.user, VIEW, pk=pk)
    return redirect(reverse("needs:profile", args=[profile.town_id]) + "?cycle=%d" % profile.cycle_id)


# ---------------------------------------------------------------- campaigns


class CampaignListView(ScopedListView):
    model = SurveyCampaign
    table_class = CampaignTable
    title = "需求调研"
    roles = NEED_VIEWERS
    search_fields = ["title"]
    create_url_name = "needs:campaign_create"
    create_roles = ORGANIZERS
    empty_text = "暂无需求调研。市、县科技部门发起调研后将显示在这里。"

    def base_queryset(self):
        return SurveyCampaign.objects.select_related("cycle", "county").annotate(
            town_count=related_count(CampaignTown, "campaign"),
            submitted_count=related_count(CampaignTown, "campaign", Q(submitted_at__isnull=False)),
        ).order_by("-created_at", "-pk")

    def get_queryset(self):
        return super().get_queryset().distinct()


class CampaignDetailView(ScopedDetailView):
    """Completion per town and per county (submitted / in progress / not started; on time or late)."""

    model = SurveyCampaign
    template_name = "needs/campaign_detail.html"
    detail_fields = ["cycle", "organizer_level", "county", "due_date", "status", "instructions"]
    list_url_name = "needs:campaign_list"
    roles = NEED_VIEWERS
    workflow = CAMPAIGN_WORKFLOW
    action_url_name = "needs:campaign_action"

    def get_object(self, queryset=None):
        return get_for_user(SurveyCampaign.objects.select_related("cycle", "county").distinct(), self.request.user, VIEW,
                            pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        campaign, user = self.object, self.request.user
        has_profile = TownProfile.objects.filter(cycle=campaign.cycle, town=OuterRef("town"))
        has_need = Need.objects.filter(cycle=campaign.cycle, town=OuterRef("town"))
        rows = (restrict(CampaignTown.objects.filter(campaign=campaign), user)
                .select_related("town", "town__county")
                .annotate(has_profile=Exists(has_profile), has_need=Exists(has_need),
                          need_count=Count("town__needs", filter=Q(town__needs__cycle=campaign.cycle)))
                .order_by("town__code"))
        today = timezone.localdate()
        towns, counties = [], {}
        enterable = set(services.towns_user_may_enter(user, campaign.cycle).values_list("pk", flat=True))
        for row in rows:
            state, late = campaign_town_state(row, has_data=row.has_profile or row.has_need, due_date=campaign.due_date,
                                              today=today)
            towns.append({"row": row, "state": state, "late": late, "can_submit": row.town_id in enterable and state != "submitted"})
            county = counties.setdefault(row.town.county.name, {"name": row.town.county.name, "total": 0, "submitted": 0,
                                                                "on_time": 0, "in_progress": 0, "not_started": 0, "late": 0})
            county["total"] += 1
            county[state] = county.get(state, 0) + 1
            if state == "submitted" and not late:
                county["on_time"] += 1
            if late:
                county["late"] += 1
        for county in counties.values():
            county["rate"] = round(100 * county["submitted"] / county["total"]) if county["total"] else 0
        total = len(towns)
        submitted = sum(1 for t in towns if t["state"] == "submitted")
        context.update({"towns": towns, "counties": counties.values(), "total": total, "submitted": submitted,
                        "on_time": sum(1 for t in towns if t["state"] == "submitted" and not t["late"]),
                        "rate": round(100 * submitted / total) if total else 0})
        return context


class CampaignCreateView(ScopedFormView):
    form_class = CampaignForm
    title = "发起需求调研"
    roles = ORGANIZERS
    breadcrumbs = [("需求调研", "/needs/campaigns/")]

    def dispatch(self, request, *args, **kwargs):
        self.cycle = current_cycle(request)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["towns"] = services.towns_user_may_enter(self.request.user, self.cycle).select_related("county").order_by("code")
        return kwargs

    def save(self, form):
        data = form.cleaned_data
        return services.campaign_open(actor=self.request.user, cycle=self.cycle, title=data["title"],
                                      due_date=data["due_date"], towns=data["towns"],
                                      instructions=data.get("instructions", ""))


class CampaignActionView(WorkflowActionView):
    model = SurveyCampaign
    workflow = CAMPAIGN_WORKFLOW

    def apply(self, obj, action, comment):
        services.campaign_transition(actor=self.request.user, campaign=obj, action=action, comment=comment)


class CampaignSubmitView(PageMixin, View):
    roles = ENTERERS

    def post(self, request, pk, town):
        campaign = get_for_user(SurveyCampaign.objects.distinct(), request.user, VIEW, pk=pk)
        town = get_for_user(Town, request.user, VIEW, pk=town)
        try:
            services.campaign_submit_town(actor=request.user, campaign=campaign, town=town)
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, "%s的调研已提交。" % town.name)
        return redirect(campaign.get_absolute_url())


# ---------------------------------------------------------------- taxonomy


class ProductListView(ScopedListView):
    model = IndustryProduct
    table_class = ProductTable
    template_name = "needs/taxonomy.html"
    title = "产业分类与别名"
    roles = OFFICIALS | TOWN | {Role.TEAM_LEADER, Role.TEAM_MEMBER, Role.UNIT, Role.EXPERT}
    search_fields = ["name", "synonyms", "category__name"]
    create_url_name = "needs:product_create"
    create_roles = frozenset({Role.CITY_ST})
    paginate_by = 50

    def base_queryset(self):
        return IndustryProduct.objects.select_related("category").prefetch_related("parents").order_by("category__order", "name")

    def get_table_kwargs(self):
        return {**super().get_table_kwargs(), "editable": self.can_edit()}

    def can_edit(self) -> bool:
        return is_system_admin(self.request.user) or self.request.user.role == Role.CITY_ST

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["categories"] = IndustryCategory.objects.annotate(n=Count("products"))
        context["can_edit"] = self.can_edit()
        return context


class ProductFormMixin:
    form_class = ProductForm
    roles = frozenset({Role.CITY_ST})
    breadcrumbs = [("产业分类", "/needs/taxonomy/")]

    def save(self, form):
        return services.product_save(actor=self.request.user, product=form.instance,
                                     synonyms=form.cleaned_data["synonyms_text"], parents=form.cleaned_data["parents"])

    def get_success_url(self):
        return reverse("needs:taxonomy")


class ProductCreateView(ProductFormMixin, ScopedFormView):
    title = "新增产品"


class ProductEditView(ProductFormMixin, ScopedFormView):
    model = IndustryProduct

    def get_title(self):
        return "编辑产品：%s" % self.get_instance()


class ProblemListView(ProductListView):
    """The problem knowledge: how towns say a problem and how teams name it (used by matching and search)."""

    model = IndustryProblem
    table_class = ProblemTable
    template_name = "needs/problems.html"
    title = "产业问题与说法"
    search_fields = ["name", "phrases", "terms", "category__name"]
    create_url_name = "needs:problem_create"

    def base_queryset(self):
        return IndustryProblem.objects.select_related("category").prefetch_related("products").order_by(
            "category__order", "name")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["categories"] = IndustryCategory.objects.annotate(n=Count("problems")).filter(n__gt=0)
        return context


class ProblemFormMixin:
    form_class = ProblemForm
    roles = frozenset({Role.CITY_ST})
    breadcrumbs = [("产业分类", "/needs/taxonomy/"), ("产业问题", "/needs/taxonomy/problems/")]

    def save(self, form):
        return services.problem_save(actor=self.request.user, problem=form.instance,
                                     phrases=form.cleaned_data["phrases_text"], terms=form.cleaned_data["terms_text"],
                                     products=form.cleaned_data["products"])

    def get_success_url(self):
        return reverse("needs:problems")


class ProblemCreateView(ProblemFormMixin, ScopedFormView):
    title = "新增产业问题"


class ProblemEditView(ProblemFormMixin, ScopedFormView):
    model = IndustryProblem

    def get_title(self):
        return "编辑产业问题：%s" % self.get_instance()


class CategoryCreateView(ScopedFormView):
    form_class = CategoryForm
    title = "新增产业类别"
    roles = frozenset({Role.CITY_ST})
    breadcrumbs = [("产业分类", "/needs/taxonomy/")]

    def save(self, form):
        return services.category_save(actor=self.request.user, category=form.instance)

    def get_success_url(self):
        return reverse("needs:taxonomy")


def taxonomy_download(request):
    """The taxonomy in the matching engine's file format (what ``manage.py export_taxonomy`` writes)."""
    import json

    if not request.user.is_authenticated:
        return redirect("accounts:login")
    content = json.dumps(taxonomy.taxonomy_dict(), ensure_ascii=False, indent=1)
    response = HttpResponse(content, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="taxonomy.json"'
    return response
