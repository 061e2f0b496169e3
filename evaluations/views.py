"""Pages of the evaluations app: the unit's own page (its people, their teams and towns in a cycle, each person's
figures for a year), annual evaluations (list = 考评汇总表 export, form prefilled with the figures, detail with its
steps, "为全部人员生成考评表"), the evaluation table as XLSX, rewards with their award document, trainings with their
materials.

Every read goes through ``core.scoping.restrict``/``get_for_user`` (out of scope: 404; a role with no business here:
404 too, ``PageMixin.roles``); every write through ``evaluations.services``.
"""
from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.views import View
from django.views.generic import TemplateView

from core.excel import export_rows
from core.files import content_disposition, serve_file
from core.forms import error_text
from core.generic import PageMixin, ScopedDetailView, ScopedFormView, ScopedListView, WorkflowActionView
from core.roles import OFFICIAL_ROLES, TEAM_ROLES, Role, is_system_admin
from core.scoping import CHANGE, VIEW, get_for_user, restrict
from cycles.models import Cycle
from cycles.selectors import current_cycle
from evaluations import selectors, services
from evaluations.choices import EVALUATION_WORKFLOW, EvaluationStatus
from evaluations.filters import EvaluationFilter, RewardFilter, TrainingFilter
from evaluations.forms import EvaluationForm, GenerateForm, MaterialForm, RewardForm, TrainingForm
from evaluations.models import Evaluation, Reward, Training, TrainingMaterial
from evaluations.tables import EvaluationTable, RewardTable, TrainingTable, status_badge
from units.models import DispatchingUnit

UNIT = frozenset({Role.UNIT})
# Who reads evaluations and rewards: the unit, the person (a team account), the organizers up the tree.
READERS = frozenset(OFFICIAL_ROLES | TEAM_ROLES | UNIT)
EVALUATIONS_TITLE = "年度考评"
REWARDS_TITLE = "奖励"
TRAININGS_TITLE = "培训交流"
PEOPLE_PER_PAGE = 50


def _day(value) -> str:
    return value.isoformat() if value else ""


def chosen_year(request) -> int:
    raw = (request.GET.get("year") or "").strip()
    this_year = timezone.localdate().year
    if raw.isdigit() and len(raw) == 4 and 2000 <= int(raw) <= this_year:
        return int(raw)
    return this_year


def chosen_unit_id(request):
    """The user's unit; the system administrator chooses one (``?unit=``, else the first)."""
    user = request.user
    if not is_system_admin(user):
        return user.unit_id
    raw = request.GET.get("unit") or request.POST.get("unit") or ""
    if raw.isdigit() and len(raw) < 19:
        return DispatchingUnit.objects.filter(pk=raw).values_list("pk", flat=True).first()
    return DispatchingUnit.objects.order_by("pk").values_list("pk", flat=True).first()


# ------------------------------------------------------------------------------------------------ the unit's page
class UnitHomeView(PageMixin, TemplateView):
    """The unit's own people in a cycle with their teams, paired towns and figures of a year (a fixed number of
    queries), each with their evaluation of the year."""

    template_name = "evaluations/home.html"
    title = "本单位特派员考评"
    roles = UNIT

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        request = self.request
        year, cycle = chosen_year(request), current_cycle(request)
        unit_id = chosen_unit_id(request)
        evaluations = restrict(Evaluation.objects.all(), request.user, VIEW)
        page = Paginator(selectors.unit_people(unit_id), PEOPLE_PER_PAGE).get_page(request.GET.get("page"))
        people = selectors.people_of_unit(unit_id, cycle, year, evaluations=evaluations, people=page.object_list)
        this_year = timezone.localdate().year
        context.update({
            "year": year, "cycle": cycle, "people": people, "page": page,
            "unit": DispatchingUnit.objects.filter(pk=unit_id).first(),
            "years": list(range(this_year, max(2000, this_year - 6), -1)),
            "cycles": Cycle.objects.order_by("-start_date"),
            "missing": selectors.unevaluated_count(unit_id, year),
        })
        return context


class EvaluationGenerateView(PageMixin, View):
    """"为全部人员生成考评表": prefilled drafts for every person without an evaluation of the year."""

    roles = UNIT

    def post(self, request):
        form = GenerateForm(request.POST)
        back = reverse("evaluations:home")
        if not form.is_valid():
            messages.error(request, "；".join(m for errors in form.errors.values() for m in errors))
            return redirect(back)
        year = form.cleaned_data["year"]
        try:
            made = services.evaluations_generate(actor=request.user, year=year, unit_id=chosen_unit_id(request))
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, error_text(error))
            return redirect("%s?year=%d" % (back, year))
        if made:
            messages.success(request, "已为 %d 名特派员生成%d年度考评表（草稿），请逐一评定等次后提交。" % (made, year))
        else:
            messages.info(request, "本单位特派员的%d年度考评表均已生成。" % year)
        return redirect("%s?year=%d" % (back, year))


class EvaluationTableView(PageMixin, View):
    """考评汇总表 (XLSX) of the unit's evaluations of a year: one row per evaluated person."""

    roles = UNIT

    def get(self, request):
        year = chosen_year(request)
        rows = (restrict(Evaluation.objects.filter(year=year, unit_id=chosen_unit_id(request)), request.user, VIEW)
                .select_related("commissioner", "team", "home_town").order_by("commissioner__name", "pk"))
        headers = ["姓名", "团队", "结对镇", "服务活动（次）", "驻镇天数", "帮扶项目（个）", "考评等次", "考评意见", "状态"]
        data = [[row.commissioner.name, row.team.name if row.team_id else "",
                 row.home_town.name if row.home_town_id else "", row.figure("activities"), row.figure("days"),
                 row.figure("projects"), row.get_grade_display(), row.comments, row.get_status_display()]
                for row in rows]
        content = export_rows(headers, data, sheet_title="%d年度考评汇总表" % year)
        response = HttpResponse(content,
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = content_disposition("%d年度考评汇总表.xlsx" % year)
        return response


# ------------------------------------------------------------------------------------------------ evaluations
class EvaluationListView(ScopedListView):
    model = Evaluation
    table_class = EvaluationTable
    filterset_class = EvaluationFilter
    title = EVALUATIONS_TITLE
    roles = READERS
    search_fields = ["commissioner__name", "team__name", "unit__name"]
    search_placeholder = "姓名、团队或单位"
    export_filename = "年度考评汇总表"
    create_url_name = "evaluations:evaluation_create"
    create_roles = UNIT
    empty_text = "暂无年度考评。派出单位在“本单位特派员考评”页为本单位特派员生成或填写考评表。"

    def base_queryset(self):
        return Evaluation.objects.select_related("commissioner", "unit", "team", "home_town").order_by(
            "-year", "commissioner__name", "pk")


class _UnitFormMixin:
    roles = UNIT

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        instance = self.get_instance()
        kwargs["unit_id"] = instance.unit_id if instance is not None else chosen_unit_id(self.request)
        return kwargs


class EvaluationCreateView(_UnitFormMixin, ScopedFormView):
    """A draft evaluation of one of the unit's people (``?commissioner=&year=`` from the unit's page), shown with
    the year's figures the platform counted."""

    form_class = EvaluationForm
    title = "填写年度考评"
    submit_label = "保存草稿"
    success_message = "考评已保存为草稿；评定等次后请提交。"

    def get_initial(self):
        initial = super().get_initial()
        for name in ("commissioner", "year"):
            raw = self.request.GET.get(name) or ""
            if raw.isdigit() and len(raw) < 19:
                initial[name] = int(raw)
        initial.setdefault("evaluator", self.request.user.full_name or "")
        return initial

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        initial = self.get_initial()
        person, year = initial.get("commissioner"), initial.get("year")
        if person and year and 2000 <= year <= 2100 and context["form"].fields["commissioner"].queryset.filter(
                pk=person).exists():
            counts = selectors.figures([person], year)[person]
            context["form_notice"] = "%d年度已确认的工作量（平台统计，保存时一并记录）：服务活动 %d 次，驻镇 %d 天，参与帮扶项目 %d 个。" % (
                year, counts["activities"], counts["days"], counts["projects"])
        return context

    def save(self, form):
        data = form.cleaned_data
        return services.evaluation_save(actor=self.request.user, values=data, commissioner=data.get("commissioner"),
                                        year=data.get("year"))


class EvaluationEditView(_UnitFormMixin, ScopedFormView):
    model = Evaluation
    form_class = EvaluationForm
    title = "修改年度考评"
    success_message = "考评已保存。"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and (is_system_admin(request.user) or request.user.role in self.roles):
            evaluation = self.get_instance()
            if evaluation.status != EvaluationStatus.DRAFT:
                messages.error(request, "该考评已提交，不能修改；如需修改请先“退回修改”。")
                return redirect(evaluation.get_absolute_url())
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        evaluation = self.get_instance()
        context["form_notice"] = "%s · %d年度：服务活动 %d 次，驻镇 %d 天，参与帮扶项目 %d 个（保存时按最新记录重新统计）。" % (
            evaluation.commissioner.name, evaluation.year, evaluation.figure("activities"), evaluation.figure("days"),
            evaluation.figure("projects"))
        return context

    def save(self, form):
        return services.evaluation_save(actor=self.request.user, values=form.cleaned_data,
                                        evaluation=self.get_instance())


class EvaluationDetailView(ScopedDetailView):
    model = Evaluation
    template_name = "evaluations/evaluation_detail.html"
    workflow = EVALUATION_WORKFLOW
    action_url_name = "evaluations:evaluation_action"
    list_url_name = "evaluations:evaluation_list"
    list_title = EVALUATIONS_TITLE
    roles = READERS

    def base_queryset(self):
        return Evaluation.objects.select_related("commissioner", "unit", "team", "home_town__county", "cycle",
                                                 "created_by")

    def field_rows(self):
        record = self.object
        return [
            ("特派员", record.commissioner.name),
            ("派出单位", record.unit.name),
            ("考评年度", "%d年" % record.year),
            ("帮扶周期", record.cycle.name),
            ("所在团队", record.team.name if record.team_id else "—"),
            ("结对镇", record.home_town.full_name if record.home_town_id else "—"),
            ("服务活动（已确认）", "%d 次" % record.figure("activities")),
            ("驻镇天数（已确认）", "%d 天" % record.figure("days")),
            ("参与帮扶项目", "%d 个" % record.figure("projects")),
            ("考评等次", record.get_grade_display() or "未评定"),
            ("考评意见", record.comments),
            ("考评人", record.evaluator),
            ("考评日期", _day(record.evaluated_on)),
            ("状态", status_badge(record)),
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["may_edit"] = context["can_change"] and self.object.status == EvaluationStatus.DRAFT
        return context


class EvaluationActionView(WorkflowActionView):
    """Submit (提交) or reopen (退回修改, with a reason): the unit."""

    model = Evaluation
    workflow = EVALUATION_WORKFLOW

    def apply(self, obj, action, comment):
        services.evaluation_act(actor=self.request.user, evaluation=obj, action=action, comment=comment)


# ------------------------------------------------------------------------------------------------ rewards
class RewardListView(ScopedListView):
    model = Reward
    table_class = RewardTable
    filterset_class = RewardFilter
    title = REWARDS_TITLE
    roles = READERS
    search_fields = ["title", "commissioner__name", "unit__name"]
    search_placeholder = "奖励名称、姓名或单位"
    export_filename = "特派员奖励"
    create_url_name = "evaluations:reward_create"
    create_roles = UNIT
    empty_text = "暂无奖励记录。派出单位记录本单位特派员获得的奖励。"

    def base_queryset(self):
        return Reward.objects.select_related("commissioner", "unit", "team").order_by("-date", "-pk")


class RewardCreateView(_UnitFormMixin, ScopedFormView):
    form_class = RewardForm
    title = "记录奖励"
    success_message = "奖励已记录。"

    def save(self, form):
        return services.reward_save(actor=self.request.user, values=form.cleaned_data,
                                    document=form.cleaned_data.get("document_upload"))


class RewardEditView(_UnitFormMixin, ScopedFormView):
    model = Reward
    form_class = RewardForm
    title = "修改奖励"

    def save(self, form):
        return services.reward_save(actor=self.request.user, values=form.cleaned_data, reward=self.get_instance(),
                                    document=form.cleaned_data.get("document_upload"))


class RewardDetailView(ScopedDetailView):
    model = Reward
    list_url_name = "evaluations:reward_list"
    list_title = REWARDS_TITLE
    edit_url_name = "evaluations:reward_edit"
    roles = READERS

    def base_queryset(self):
        return Reward.objects.select_related("commissioner", "unit", "team", "home_town")

    def field_rows(self):
        record = self.object
        document = "—"
        if record.document:
            document = format_html('<a href="{}" data-testid="reward-document">{}</a>',
                                   reverse("evaluations:reward_document", args=[record.pk]),
                                   record.document_name or "奖励文件")
        return [("特派员", record.commissioner.name), ("派出单位", record.unit.name),
                ("所在团队", record.team.name if record.team_id else "—"),
                ("结对镇", record.home_town.name if record.home_town_id else "—"),
                ("奖励名称", record.title), ("奖励级别", record.get_level_display()), ("获奖日期", _day(record.date)),
                ("主要事迹", record.grounds), ("奖励文件", document)]


class RewardDocumentView(PageMixin, View):
    roles = READERS

    def get(self, request, pk):
        reward = get_for_user(Reward.objects.select_related("commissioner"), request.user, VIEW, pk=pk)
        return serve_file(request, reward, "document", filename="%s-%s" % (reward.commissioner.name, reward.title),
                          inline=True)


# ------------------------------------------------------------------------------------------------ trainings
TRAINING_READERS = frozenset(OFFICIAL_ROLES | TEAM_ROLES | UNIT)


class TrainingListView(ScopedListView):
    model = Training
    table_class = TrainingTable
    filterset_class = TrainingFilter
    title = TRAININGS_TITLE
    roles = TRAINING_READERS
    search_fields = ["topic", "place", "unit__name"]
    search_placeholder = "主题、地点或单位"
    export_filename = "培训交流"
    create_url_name = "evaluations:training_create"
    create_roles = UNIT
    empty_text = "暂无培训交流记录。派出单位记录为本单位特派员组织或参加的培训、交流和研讨。"

    def base_queryset(self):
        return Training.objects.select_related("unit").annotate(attendee_count=Count("attendees")).order_by(
            "-date", "-pk")


class TrainingCreateView(_UnitFormMixin, ScopedFormView):
    form_class = TrainingForm
    title = "记录培训交流"
    success_message = "培训交流已记录。"

    def save(self, form):
        data = dict(form.cleaned_data)
        if is_system_admin(self.request.user):  # the administrator records it for the unit chosen (``?unit=``)
            data["unit"] = DispatchingUnit.objects.filter(pk=chosen_unit_id(self.request)).first()
        return services.training_save(actor=self.request.user, values=data, attendees=list(data["attendees"]),
                                      materials=data.get("materials"))


class TrainingEditView(_UnitFormMixin, ScopedFormView):
    model = Training
    form_class = TrainingForm
    title = "修改培训交流"

    def save(self, form):
        data = form.cleaned_data
        return services.training_save(actor=self.request.user, values=data, training=self.get_instance(),
                                      attendees=list(data["attendees"]), materials=data.get("materials"))


class TrainingDetailView(ScopedDetailView):
    model = Training
    template_name = "evaluations/training_detail.html"
    list_url_name = "evaluations:training_list"
    list_title = TRAININGS_TITLE
    edit_url_name = "evaluations:training_edit"
    roles = TRAINING_READERS

    def base_queryset(self):
        return Training.objects.select_related("unit").prefetch_related("attendees", "materials")

    def field_rows(self):
        record = self.object
        people = format_html_join("、", "{}", ((person.name,) for person in record.attendees.all())) or "—"
        return [("派出单位", record.unit.name), ("类型", record.get_kind_display()), ("日期", _day(record.date)),
                ("主题", record.topic), ("地点", record.place), ("学时", record.hours), ("参加的特派员", people),
                ("其他参加人数", record.external_attendees), ("内容摘要", record.summary)]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["materials"] = list(self.object.materials.all())
        context["material_form"] = MaterialForm() if context["can_change"] else None
        return context


def _material(request, pk, action=VIEW) -> TrainingMaterial:
    return get_for_user(TrainingMaterial.objects.select_related("training"), request.user, action, pk=pk)


class MaterialView(PageMixin, View):
    roles = TRAINING_READERS

    def get(self, request, pk):
        material = _material(request, pk)
        return serve_file(request, material, "file", filename=material.name, inline=True)


class MaterialAddView(PageMixin, View):
    roles = UNIT

    def post(self, request, pk):
        training = get_for_user(Training.objects.all(), request.user, CHANGE, pk=pk)
        form = MaterialForm(request.POST, request.FILES)
        if not form.is_valid():
            messages.error(request, "请选择要上传的材料。")
            return redirect(training.get_absolute_url())
        try:
            uploads = services.material_add(actor=request.user, training=training,
                                            uploads=form.cleaned_data["materials"])
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, "已上传 %d 份材料。" % len(uploads))
        return redirect(training.get_absolute_url())


class MaterialDeleteView(PageMixin, View):
    roles = UNIT

    def post(self, request, pk):
        material = _material(request, pk, CHANGE)
        training = material.training
        try:
            services.material_delete(actor=request.user, material=material)
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, "已删除材料“%s”。" % material.name)
        return redirect(training.get_absolute_url())
