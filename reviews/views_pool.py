"""Pages of the expert pools (专家库): the list, an entry (the office's form and the expert's own), the Excel import,
the declared relations (回避关系) and the counties' review mode per cycle.

Each organizer's S&T office keeps its pool; the city reads its counties' pools, the province and the rural offices
read. Contacts (phone, email) are masked for anyone but the pool's own office and the expert themself, and every
unmasked view by someone else is logged (``core.models.SensitiveAccess``). Every write goes through
``reviews.services``; every read through ``core.scoping``.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from core.china import mask_phone
from core.excel import ColumnSpec, RowError, read_table
from core.forms import error_text
from core.generic import ImportView, PageMixin, ScopedDetailView, ScopedFormView, ScopedListView
from core.models import SensitiveAccess
from core.roles import Role, is_system_admin
from core.scoping import CHANGE, VIEW, get_for_user, restrict
from cycles.models import Cycle
from cycles.selectors import current_cycle
from regions.models import County
from reviews import selectors, services
from reviews.choices import ReviewMode, TitleRank
from reviews.filters_pool import ExpertFilter
from reviews.forms_pool import ExpertForm, ExpertSelfForm, RelationForm, ReviewRuleForm, free_accounts
from reviews.models import Expert, Relation, ReviewRule, ReviewSeat
from reviews.tables_pool import ExpertTable, keeps_pool, mask_email, sees_contacts
from teams.models import Team
from units.models import DispatchingUnit

OFFICES = frozenset({Role.CITY_ST, Role.COUNTY_ST})
# Who reads the pools: the S&T offices keep them, the province and the rural offices read; an expert reaches their own.
POOL_READERS = frozenset({Role.CITY_ST, Role.COUNTY_ST, Role.PROVINCE, Role.CITY_RURAL, Role.COUNTY_RURAL})
LIST_TITLE = "专家库"


def log_contacts(user, experts, purpose: str) -> None:
    """Record that ``user`` was shown these experts' contacts unmasked (never for the expert themself); one INSERT."""
    rows = []
    content_type = ContentType.objects.get_for_model(Expert)
    for expert in experts:
        if expert.user_id and expert.user_id == user.pk:
            continue
        if expert.phone:
            rows.append(SensitiveAccess(user=user, content_type=content_type, object_id=str(expert.pk), field="phone",
                                        purpose=purpose[:200]))
    if rows:
        SensitiveAccess.objects.bulk_create(rows)


# ------------------------------------------------------------------------------------------------ list
class ExpertListView(ScopedListView):
    model = Expert
    table_class = ExpertTable
    filterset_class = ExpertFilter
    title = LIST_TITLE
    roles = POOL_READERS | {Role.EXPERT}
    search_fields = ["name", "field", "keywords", "unit_name"]
    search_placeholder = "姓名、专业领域、专长或单位"
    export_filename = "专家库"
    create_url_name = "reviews:expert_create"
    create_roles = OFFICES
    import_url_name = "reviews:expert_import"
    import_roles = OFFICES
    card_title_column = "name"
    template_name = "reviews/expert_list.html"
    empty_text = "专家库暂无专家。市、县科技部门可逐个登记或用Excel导入本级专家库。"

    def base_queryset(self):
        return Expert.objects.select_related("city", "county").order_by("organizer_level", "county__code", "name", "pk")

    def get_table_kwargs(self):
        kwargs = super().get_table_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        table, user = context["table"], self.request.user
        if getattr(table, "page", None) is not None and not self.request.GET.get("export"):
            shown = [row.record for row in table.page.object_list if sees_contacts(user, row.record)]
            log_contacts(user, shown, "专家库列表查看")
        context["rules_link"] = is_system_admin(user) or user.role in POOL_READERS
        return context

    def export(self, table):
        user = self.request.user
        log_contacts(user, [record for record in table.data if sees_contacts(user, record)], "导出专家库")
        return super().export(table)



# ------------------------------------------------------------------------------------------------ entry
def _pool_of_actor(user) -> dict:
    if user.role == Role.COUNTY_ST:
        return {"level": "county", "county_id": user.county_id}
    if user.role == Role.CITY_ST:
        return {"level": "city", "city_id": user.city_id}
    return {"level": None}


def _password_message(request, expert, password) -> None:
    if password:
        messages.info(request, "已为%s开通平台账号：用户名 %s，临时密码 %s（只显示这一次，首次登录须修改，请妥善转告专家本人）。" % (
            expert.name, expert.user.username, password))


class ExpertCreateView(ScopedFormView):
    form_class = ExpertForm
    title = "登记专家"
    roles = OFFICES

    def get_breadcrumbs(self):
        return [(LIST_TITLE, reverse("reviews:expert_list")), (self.get_title(), None)]

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["accounts"] = free_accounts(**_pool_of_actor(self.request.user))
        kwargs["pool_choice"] = is_system_admin(self.request.user)
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        if user.role == Role.COUNTY_ST and user.county_id:
            context["form_notice"] = "登记到%s科技部门的专家库。" % user.county.name
        elif user.role == Role.CITY_ST and user.city_id:
            context["form_notice"] = "登记到%s科技局的专家库。" % user.city.name
        return context

    def save(self, form):
        data = form.cleaned_data
        values = {name: data[name] for name in services.EXPERT_FIELDS if name in data}
        for name in ("city", "county"):
            if data.get(name):
                values[name] = data[name]
        expert, password = services.expert_save(actor=self.request.user, values=values, account=data.get("account"),
                                                create_account=data.get("create_account", False))
        _password_message(self.request, expert, password)
        return expert


class ExpertEditView(ScopedFormView):
    """The pool's office edits every field; the expert edits their own contacts and availability."""

    model = Expert
    roles = OFFICES | {Role.EXPERT}

    def own(self) -> bool:
        expert, user = self.get_instance(), self.request.user
        return user.role == Role.EXPERT and expert.user_id == user.pk

    def get_form_class(self):
        return ExpertSelfForm if self.own() else ExpertForm

    def get_title(self):
        return ("更新我的专家信息" if self.own() else "编辑专家 %s" % self.get_instance().name)

    def get_breadcrumbs(self):
        expert = self.get_instance()
        crumbs = [] if self.own() else [(LIST_TITLE, reverse("reviews:expert_list"))]
        return crumbs + [(expert.name, expert.get_absolute_url()), (self.get_title(), None)]

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if not self.own():
            expert = self.get_instance()
            kwargs["accounts"] = free_accounts(level=expert.organizer_level, city_id=expert.city_id,
                                               county_id=expert.county_id, expert=expert)
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.own():
            context["form_notice"] = "您可以更新自己的联系方式和可参加评审的情况；其他信息由%s维护。" % (
                self.get_instance().keeper_name)
        return context

    def save(self, form):
        data, expert = form.cleaned_data, self.get_instance()
        if self.own():
            values = {name: data[name] for name in services.EXPERT_SELF_FIELDS}
            expert, _password = services.expert_save(actor=self.request.user, values=values, expert=expert)
            return expert
        values = {name: data[name] for name in services.EXPERT_FIELDS if name in data}
        account = data.get("account")
        if account is not None and account.pk == expert.user_id:
            account = None  # unchanged
        expert, password = services.expert_save(actor=self.request.user, values=values, expert=expert,
                                                account=account, create_account=data.get("create_account", False))
        _password_message(self.request, expert, password)
        return expert


class ExpertDetailView(ScopedDetailView):
    model = Expert
    template_name = "reviews/expert_detail.html"
    list_url_name = "reviews:expert_list"
    list_title = LIST_TITLE
    edit_url_name = "reviews:expert_edit"
    roles = POOL_READERS | {Role.EXPERT}

    def base_queryset(self):
        return Expert.objects.select_related("city", "county", "unit", "user")

    def field_rows(self):
        expert, user = self.object, self.request.user
        shown = sees_contacts(user, expert)
        self.contacts_shown = shown
        if shown:
            log_contacts(user, [expert], "专家详情页查看")
        account = "未开通"
        if expert.user_id:
            account = "已开通（用户名 %s）" % expert.user.username if shown else "已开通"
        return [
            ("姓名", expert.name),
            ("所属专家库", expert.keeper_name),
            ("专业领域", expert.field),
            ("专长关键词", expert.keywords),
            ("职称", "%s（%s）" % (expert.title, expert.get_title_rank_display()) if expert.title
             else expert.get_title_rank_display()),
            ("工作单位", expert.unit_name),
            ("所在单位（派出单位名录）", expert.unit.name if expert.unit_id else ""),
            ("手机号码", expert.phone if shown else mask_phone(expert.phone)),
            ("电子邮箱", expert.email if shown else mask_email(expert.email)),
            ("可参加评审", "是" if expert.available else "否"),
            ("可用情况说明", expert.availability_note),
            ("平台账号", account),
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        expert, user = self.object, self.request.user
        keeper = keeps_pool(user, expert)
        own = expert.user_id is not None and expert.user_id == user.pk
        context.update({"keeper": keeper, "own": own, "contacts_shown": self.contacts_shown})
        if keeper or own:
            context["relations"] = list(expert.relations.select_related("team", "unit", "declared_by"))
            context["may_delete_relations"] = keeper
        if context["can_change"] and (keeper or own):
            context["relation_form"] = RelationForm(teams=_teams_for(user), units=_units())
        if keeper:
            seats = list(restrict(ReviewSeat.objects.filter(expert=expert), user).select_related(
                "review__project", "review__town__county").order_by("-pk")[:100])
            for seat in seats:  # a total stays hidden until the whole panel has submitted (selectors.scores_visible)
                if not selectors.scores_visible(seat.review):
                    seat.total = None
            context["seats"] = seats
        return context


def _teams_for(user):
    cycle = Cycle.current()
    teams = restrict(Team.objects.all(), user)
    if cycle is not None:
        teams = teams.filter(cycle=cycle)
    return teams.order_by("name")


def _units():
    return DispatchingUnit.objects.order_by("name")


# ------------------------------------------------------------------------------------------------ relations
class RelationCreateView(ScopedFormView):
    """A declared relation (回避关系): the pool's office, or the expert themself, names a team or a unit."""

    form_class = RelationForm
    roles = OFFICES | {Role.EXPERT}
    title = "登记回避关系"
    submit_label = "登记"
    success_message = "回避关系已登记。"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and (is_system_admin(request.user) or request.user.role in self.roles):
            self.expert = get_for_user(Expert.objects.all(), request.user, CHANGE, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_title(self):
        return "登记回避关系：%s" % self.expert.name

    def get_breadcrumbs(self):
        return [(self.expert.name, self.expert.get_absolute_url()), (self.get_title(), None)]

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.update(teams=_teams_for(self.request.user), units=_units())
        return kwargs

    def save(self, form):
        data = form.cleaned_data
        services.relation_add(actor=self.request.user, expert=self.expert, reason=data["reason"],
                              team=data.get("team"), unit=data.get("unit"))
        return self.expert


class RelationDeleteView(PageMixin, View):
    """POST: the pool's office removes a declared relation."""

    roles = OFFICES

    def post(self, request, pk):
        relation = get_for_user(Relation.objects.select_related("expert"), request.user, CHANGE, pk=pk)
        expert = relation.expert
        try:
            services.relation_delete(actor=request.user, relation=relation)
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, "已删除回避关系。")
        return redirect(expert.get_absolute_url())


# ------------------------------------------------------------------------------------------------ import
@dataclass
class ImportReport:
    saved: int = 0
    errors: list = field(default_factory=list)


HEADERS = {"name": "姓名", "field": "专业领域", "keywords": "专长关键词", "title": "职称", "title_rank": "职称级别",
           "unit_name": "工作单位", "phone": "手机号码", "email": "电子邮箱", "available": "可参加评审"}


def expert_columns() -> list[ColumnSpec]:
    return [
        ColumnSpec(key="name", header="姓名", max_length=50),
        ColumnSpec(key="field", header="专业领域", max_length=100),
        ColumnSpec(key="keywords", header="专长关键词", required=False, max_length=200, help_text="多个用“、”分隔"),
        ColumnSpec(key="title", header="职称", required=False, max_length=50, help_text="如：研究员、教授、高级农艺师"),
        ColumnSpec(key="title_rank", header="职称级别", required=False, kind="choice",
                   choices=[(value, str(label)) for value, label in TitleRank.choices], help_text="不填为正高级"),
        ColumnSpec(key="unit_name", header="工作单位", aliases=("单位",), max_length=100,
                   help_text="与派出单位名录同名的，自动关联（用于回避同单位团队）"),
        ColumnSpec(key="phone", header="手机号码", aliases=("手机", "联系电话"), kind="code"),
        ColumnSpec(key="email", header="电子邮箱", aliases=("邮箱",), required=False, max_length=254),
        ColumnSpec(key="available", header="可参加评审", required=False, kind="choice",
                   choices=[("是", "是"), ("否", "否")], help_text="是或否，不填为是"),
    ]


def import_experts(*, actor, file, filename: str) -> ImportReport:
    """Every row through ``services.expert_save``; any problem and nothing is saved (one transaction rolled back)."""
    if not (is_system_admin(actor) or actor.role in OFFICES):
        raise PermissionDenied("只有市、县科技部门可以导入专家库。")
    parsed = read_table(file, filename=filename, columns=expert_columns(), max_rows=settings.IMPORT_MAX_ROWS)
    errors = list(parsed.errors)
    if errors and not parsed.rows:
        return ImportReport(errors=errors)
    units = {unit.name: unit for unit in DispatchingUnit.objects.filter(
        name__in={(row.get("unit_name") or "").strip() for row in parsed.rows})}
    seen: dict[str, int] = {}
    saved = 0
    with transaction.atomic():
        for row, line in zip(parsed.rows, parsed.row_numbers):
            phone = (row.get("phone") or "").strip()
            if phone and phone in seen:
                errors.append(RowError(line, "手机号码", "与第%d行重复" % seen[phone]))
                continue
            seen[phone] = line
            unit_name = (row.get("unit_name") or "").strip()
            values = {
                "name": row.get("name") or "", "field": row.get("field") or "", "keywords": row.get("keywords") or "",
                "title": row.get("title") or "", "title_rank": row.get("title_rank") or TitleRank.SENIOR,
                "unit_name": unit_name, "unit": units.get(unit_name), "phone": phone, "email": row.get("email") or "",
                "available": (row.get("available") or "是") == "是",
            }
            try:
                services.expert_save(actor=actor, values=values)
            except ValidationError as error:
                problems = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
                for name, messages_ in problems.items():
                    errors.append(RowError(line, HEADERS.get(name), "；".join(messages_)))
            else:
                saved += 1
        if errors:
            transaction.set_rollback(True)
            return ImportReport(errors=errors)
    return ImportReport(saved=saved)


class ExpertImportView(ImportView):
    title = "导入专家库"
    roles = OFFICES
    template_title = "专家库导入模板"
    instructions = [
        "每行一位专家，导入到本级科技部门的专家库；手机号码在本专家库中不能重复。",
        "全部行校验通过才保存；任何一行有误，都不保存。导入不开通账号：需要参加评审的专家，请在其详情页编辑并勾选“同时创建平台账号”。",
    ]
    success_url_name = "reviews:expert_list"

    def get_breadcrumbs(self):
        return [(LIST_TITLE, reverse("reviews:expert_list")), (self.get_title(), None)]

    def get_columns(self):
        return expert_columns()

    def run_import(self, upload):
        return import_experts(actor=self.request.user, file=upload, filename=upload.name)


# ------------------------------------------------------------------------------------------------ review rules
def may_set_rule(user, county) -> bool:
    """The county's S&T office for its own county, the city's for its counties (and the administrator)."""
    if is_system_admin(user):
        return True
    if user.role == Role.COUNTY_ST:
        return county.pk == user.county_id
    if user.role == Role.CITY_ST:
        return county.city_id == user.city_id
    return False


class ReviewRuleView(PageMixin, TemplateView):
    """The counties' review mode per cycle (an expert panel, or a single approval step by the S&T office)."""

    template_name = "reviews/rules_list.html"
    title = "县级论证方式"
    roles = POOL_READERS

    def get_breadcrumbs(self):
        return [(LIST_TITLE, reverse("reviews:expert_list")), (self.get_title(), None)]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        cycle = current_cycle(self.request)
        counties = list(restrict(County.objects.select_related("city"), user).order_by("city__code", "code"))
        rules = {}
        if cycle is not None:
            rules = {rule.county_id: rule for rule in restrict(ReviewRule.objects.filter(
                cycle=cycle, county__in=[county.pk for county in counties]), user)}
        rows = []
        for county in counties:
            rule = rules.get(county.pk)
            rows.append({"county": county, "mode": rule.get_mode_display() if rule else ReviewMode.PANEL.label,
                         "value": rule.mode if rule else ReviewMode.PANEL, "set": rule is not None,
                         "may_set": cycle is not None and cycle.status != Cycle.Status.CLOSED and may_set_rule(user, county)})
        context.update({"cycle": cycle, "cycles": Cycle.objects.order_by("-start_date"), "rows": rows,
                        "modes": ReviewMode.choices})
        return context

    def post(self, request, *args, **kwargs):
        if not (is_system_admin(request.user) or request.user.role in OFFICES):
            raise Http404
        county = get_for_user(County.objects.all(), request.user, VIEW, pk=request.POST.get("county") or 0)
        cycle_id = request.POST.get("cycle") or ""
        cycle = Cycle.objects.filter(pk=cycle_id).first() if cycle_id.isdigit() and len(cycle_id) < 19 else None
        if cycle is None:
            raise Http404
        form = ReviewRuleForm(request.POST)
        target = "%s?cycle=%d" % (reverse("reviews:review_rules"), cycle.pk)
        if not form.is_valid():
            messages.error(request, "请选择论证方式。")
            return redirect(target)
        try:
            services.review_rule_set(actor=request.user, cycle=cycle, county=county, mode=form.cleaned_data["mode"])
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, "已将%s在%s的论证方式设为“%s”。" % (
                county.name, cycle.name, ReviewMode(form.cleaned_data["mode"]).label))
        return redirect(target)
