"""Pages for counties, towns (with class, level and work team) and villages."""
from django.shortcuts import get_object_or_404
from django.urls import reverse

from core.roles import Role, is_system_admin
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.views import View

from core.forms import error_text
from core.queries import related_count
from core.generic import ImportView, PageMixin, ScopedDetailView, ScopedFormView, ScopedListView
from core.menu import OFFICIALS, TOWN
from core.scoping import CHANGE, VIEW, can, get_for_user
from cycles.selectors import current_cycle
from cycles.models import Cycle
from regions import services
from regions.filters import TownFilter, VillageFilter, annotate_cycle
from regions.forms import TownClassificationForm, VillageForm, WorkTeamForm, WorkTeamMemberForm
from regions.models import County, Town, TownClassification, Village, WorkTeam
from regions.tables import CountyTable, TownTable, VillageTable

REGION_VIEWERS = OFFICIALS | TOWN


class CountyListView(ScopedListView):
    model = County
    table_class = CountyTable
    title = "县（市、区）"
    roles = OFFICIALS
    search_fields = ["name", "code"]

    def base_queryset(self):
        return County.objects.annotate(town_count=related_count(Town, "county")).order_by("code")


class TownListView(ScopedListView):
    model = Town
    table_class = TownTable
    filterset_class = TownFilter
    title = "镇（乡、街道）"
    roles = REGION_VIEWERS
    search_fields = ["name", "code"]
    search_placeholder = "镇名或区划代码"
    import_url_name = "regions:classification_import"
    import_roles = frozenset({Role.CITY_ST})
    empty_text = "没有符合条件的镇（乡、街道）。"

    def base_queryset(self):
        queryset = Town.objects.select_related("county", "work_team")
        if "county" in self.kwargs:
            queryset = queryset.filter(county_id=self.kwargs["county"])
        return annotate_cycle(queryset, self.cycle)

    def dispatch(self, request, *args, **kwargs):
        self.cycle = current_cycle(request)
        return super().dispatch(request, *args, **kwargs)

    def get_title(self):
        return "镇（乡、街道）· %s" % self.cycle if self.cycle else self.title


class TownDetailView(ScopedDetailView):
    model = Town
    template_name = "regions/town_detail.html"
    detail_fields = ["name", "code", "kind", "county"]
    list_url_name = "regions:town_list"
    list_title = "镇（乡、街道）"
    roles = REGION_VIEWERS

    def base_queryset(self):
        return Town.objects.select_related("county", "county__city")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        town, user = self.object, self.request.user
        classifications = TownClassification.objects.filter(town=town).select_related("cycle").order_by("-cycle__start_date")
        work_team = WorkTeam.objects.filter(town=town).prefetch_related("members").first()
        context.update({
            "classifications": classifications,
            "can_classify": is_system_admin(user) or user.role == Role.CITY_ST,
            "cycles_without": Cycle.objects.exclude(town_classifications__town=town),
            "work_team": work_team,
            "can_edit_work_team": can(user, work_team, CHANGE) if work_team else (is_system_admin(user) or user.role in WorkTeam.scope_editors and can(user, town, VIEW)),
            "villages": town.villages.all(),
            "can_add_village": is_system_admin(user) or (user.role in Village.scope_editors and can(user, town, VIEW)),
        })
        return context


class TownClassificationEditView(ScopedFormView):
    form_class = TownClassificationForm
    title = "设置镇类别与组织层级"
    roles = frozenset({Role.CITY_ST})

    def dispatch(self, request, *args, **kwargs):
        self.town = get_for_user(Town, request.user, VIEW, pk=kwargs["pk"])
        self.cycle = get_object_or_404(Cycle, pk=kwargs["cycle"])
        return super().dispatch(request, *args, **kwargs)

    def get_title(self):
        return "%s · %s · 类别与组织层级" % (self.town, self.cycle)

    def get_initial(self):
        row = TownClassification.objects.filter(town=self.town, cycle=self.cycle).first()
        return {"town_class": row.town_class, "organizing_level": row.organizing_level, "note": row.note} if row else {}

    def save(self, form):
        services.town_classification_set(actor=self.request.user, cycle=self.cycle, town=self.town, **form.cleaned_data)
        return self.town


class ClassificationImportView(ImportView):
    title = "导入镇类别与组织层级"
    roles = frozenset({Role.CITY_ST})
    template_title = "镇类别与组织层级导入模板"
    instructions = [
        "每行一个镇（乡、街道），按“镇代码”（9位统计用区划代码）识别；“镇名称”可填，填写时须与代码一致。",
        "镇类别：重点帮扶镇、巩固提升镇、先行示范镇、无；组织层级：省级组团、市级组团、县级组团、不组织。",
        "导入到页面上方所选的帮扶周期；同一镇已有设置的将被更新。",
    ]
    success_url_name = "regions:town_list"
    breadcrumbs = [("镇（乡、街道）", "/regions/towns/")]

    def get_columns(self):
        return services.classification_columns()

    def dispatch(self, request, *args, **kwargs):
        self.cycle = current_cycle(request)
        return super().dispatch(request, *args, **kwargs)

    def get_title(self):
        return "%s（%s）" % (self.title, self.cycle)

    def run_import(self, upload):
        return services.town_classifications_import(actor=self.request.user, cycle=self.cycle, file=upload,
                                                    filename=upload.name)


class WorkTeamEditView(ScopedFormView):
    form_class = WorkTeamForm
    title = "驻镇工作队"
    roles = frozenset(WorkTeam.scope_editors)

    def dispatch(self, request, *args, **kwargs):
        self.town = get_for_user(Town, request.user, VIEW, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_title(self):
        return "%s驻镇工作队" % self.town.name

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = WorkTeam.objects.filter(town=self.town).first() or WorkTeam(town=self.town)
        return kwargs

    def save(self, form):
        return services.work_team_save(actor=self.request.user, town=self.town, **{
            name: form.cleaned_data[name] for name in form.Meta.fields})


class WorkTeamMemberAddView(ScopedFormView):
    form_class = WorkTeamMemberForm
    roles = frozenset(WorkTeam.scope_editors)

    def dispatch(self, request, *args, **kwargs):
        self.town = get_for_user(Town, request.user, VIEW, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_title(self):
        return "%s驻镇工作队 · 添加队员" % self.town.name

    def save(self, form):
        return services.work_team_member_add(actor=self.request.user, town=self.town, **form.cleaned_data)

    def get_success_url(self):
        return reverse("regions:town_detail", args=[self.town.pk])


class WorkTeamMemberRemoveView(PageMixin, View):
    roles = frozenset(WorkTeam.scope_editors)

    def post(self, request, pk, member):
        from regions.models import WorkTeamMember

        row = get_for_user(WorkTeamMember.objects.select_related("work_team"), request.user, VIEW, pk=member,
                           work_team__town_id=pk)
        try:
            services.work_team_member_remove(actor=request.user, member=row)
        except PermissionDenied as error:
            messages.error(request, error_text(error))
        return redirect("regions:town_detail", pk=pk)


class VillageListView(ScopedListView):
    model = Village
    table_class = VillageTable
    filterset_class = VillageFilter
    title = "行政村"
    roles = REGION_VIEWERS
    search_fields = ["name", "town__name"]
    empty_text = "暂无行政村。镇（乡、街道）用户可在本镇页面添加。"

    def base_queryset(self):
        return Village.objects.select_related("town", "town__county")


class VillageCreateView(ScopedFormView):
    form_class = VillageForm
    roles = frozenset(Village.scope_editors)

    def dispatch(self, request, *args, **kwargs):
        self.town = get_for_user(Town, request.user, VIEW, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_title(self):
        return "%s · 添加行政村" % self.town.name

    def save(self, form):
        return services.village_create(actor=self.request.user, town=self.town, **form.cleaned_data)

    def get_success_url(self):
        return reverse("regions:town_detail", args=[self.town.pk])
