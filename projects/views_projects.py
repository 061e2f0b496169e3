"""Pages of assistance projects (帮扶项目) and their change requests (项目变更).

Thin views over :mod:`projects.services`: the list (with the leader's working pairings and the officials' summary
table), one write page for create, edit and the change request (the main fields, the needs and three inline formsets
handed to the service as lists), the detail with its workflow steps, the printed form, and the change list and its
side-by-side comparison. Every read goes through ``core.scoping``; every write is a service call.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views import View

from core import idempotency
from core.generic import (PageMixin, ScopedDetailView, ScopedFormView, ScopedListView, WorkflowActionView, _quote,
                          read_only_reason)
from core.roles import LEADERS, OFFICIAL_ROLES, TEAM_ROLES, Role, is_system_admin
from core.scoping import VIEW, get_for_user, restrict
from cycles.models import Cycle
from matching.models import Pairing
from needs.models import Need
from projects import services
from projects.choices import (CHANGE_WORKFLOW, PROJECT_CHANGEABLE, PROJECT_EDITABLE, PROJECT_WORKFLOW, BudgetCategory, BudgetSource,
                              ChangeStatus, ProjectStatus)
from projects.filters_projects import ChangeFilter, ProjectFilter
from projects.forms_projects import (BASIC_FIELDS, SECTIONS, ChangeForm, ProjectForm, initial_rows,
                                     make_formsets, rows_of, service_rows)
from projects.models import Project, ProjectChange
from projects.selectors import (WORKING_PAIRING_STATES, linkable_needs, project_due, registered_on,
                                submission_problems, team_commissioners, working_pairings)
from projects.tables_projects import ChangeTable, ProjectTable, is_overdue, yuan

VIEWERS = OFFICIAL_ROLES | TEAM_ROLES | {Role.TOWN, Role.UNIT}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
UNITS = {"trainings": "场", "people_trained": "人次", "technologies": "项", "varieties": "个", "demo_bases": "个",
         "households": "户", "enterprises": "家"}


def leads(user, team_id) -> bool:
    """The team's own leader (or the system administrator): who writes, submits and asks to change its projects."""
    return is_system_admin(user) or (user.role == Role.TEAM_LEADER and user.team_id == team_id)


def _download(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = "attachment; filename*=UTF-8''%s" % _quote(filename)
    return response


def _label(name) -> str:
    return str(Project._meta.get_field(name).verbose_name)


def _decimal(value):
    try:
        return Decimal(str(value)) if value not in (None, "") else None
    except (InvalidOperation, ValueError):
        return None


def field_text(name, value) -> str:
    """A project field (or a snapshot's value) as the pages show it."""
    if value in (None, ""):
        return "—"
    if name in ("total_budget", "income_raised"):
        amount = _decimal(value)
        return yuan(amount) if amount is not None else str(value)
    if name == "demo_area_mu":
        return "%s 亩" % value
    if name in UNITS:
        return "%s %s" % (value, UNITS[name])
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


# --------------------------------------------------------------------------
# List and summary
# --------------------------------------------------------------------------

class ProjectListView(ScopedListView):
    model = Project
    table_class = ProjectTable
    filterset_class = ProjectFilter
    template_name = "projects/project_list.html"
    title = "帮扶项目"
    roles = VIEWERS
    search_fields = ["title", "team__name", "town__name", "town__county__name"]
    search_placeholder = "项目名称、团队或镇"
    empty_text = "暂无帮扶项目。结对备案后，由团队负责人根据本镇已确认的需求编制帮扶项目。"
    export_filename = "帮扶项目"

    def base_queryset(self):
        # The current cycle first (officials see every cycle; the closed ones follow).
        return Project.objects.select_related("town__county", "team", "cycle").order_by(
            "-cycle__start_date", "town__code", "pk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["may_summary"] = is_system_admin(user) or user.role in OFFICIAL_ROLES
        keep = [(name, self.request.GET.get(name)) for name in ("cycle", "status") if self.request.GET.get(name)]
        context["summary_query"] = "&".join("%s=%s" % (name, _quote(value)) for name, value in keep)
        context["pairings"] = self.leader_pairings(user)
        return context

    def leader_pairings(self, user):
        """The leader's working pairings, each with its due date and how many projects it has."""
        if user.role != Role.TEAM_LEADER or not user.team_id:
            return []
        pairings = (restrict(working_pairings().filter(team_id=user.team_id), user)
                    .select_related("town__county", "cycle").annotate(project_count=Count("projects"))
                    .order_by("town__code"))
        rows = []
        for pairing in pairings:
            rows.append({"pairing": pairing, "due": project_due(pairing), "count": pairing.project_count,
                         "closed": read_only_reason(pairing)})
        return rows


class ProjectSummaryView(PageMixin, View):
    """The organizer's 项目汇总表 as XLSX: the submitted projects this user may see (``?cycle=``, ``?status=`` narrow
    it; drafts only when asked for by status)."""

    roles = OFFICIAL_ROLES

    def get(self, request):
        from projects import documents

        projects = restrict(Project.objects.select_related("town__county__city", "team__lead_unit", "cycle",
                                                           "pairing"), request.user, VIEW)
        cycle = None
        raw = (request.GET.get("cycle") or "").strip()
        if raw.isdigit() and len(raw) < 10:
            cycle = Cycle.objects.filter(pk=int(raw)).first()
            projects = projects.filter(cycle=cycle) if cycle else projects.none()
        status = request.GET.get("status")
        if status in ProjectStatus.values:
            projects = projects.filter(status=status)
        else:  # the table lists what teams have submitted: drafts are the teams' own, discarded ones are gone
            projects = projects.exclude(status__in=(ProjectStatus.DRAFT, ProjectStatus.DISCARDED))
        projects = projects.order_by("town__county__code", "town__code", "pk")
        scope = request.user.scope_label if request.user.scope_label not in ("—", "全部") else ""
        title = "%s帮扶项目汇总表" % scope
        if cycle:
            title += "（%s）" % cycle.name
        if status in ProjectStatus.values:
            title += "（%s）" % ProjectStatus(status).label
        return _download(documents.summary_xlsx(projects, title=title), "%s.xlsx" % title, XLSX)


# --------------------------------------------------------------------------
# The write page: create, edit, change request
# --------------------------------------------------------------------------

class ProjectWriteView(ScopedFormView):
    """One page for the whole project: main fields, needs, yearly plans, budget lines and members.

    The formsets are read into lists and handed with the fields to the service in one call: it checks everything
    (nothing is half-saved) and its errors are shown on their fields or above their formset."""

    template_name = "projects/project_form.html"
    form_class = ProjectForm
    roles = LEADERS
    submit_label = "保存"
    pairing = None
    project = None

    # -- what the page is about (set by load(), before anything else; 404 for anyone but the team's leader)
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            response = self.load(request.user, kwargs)
            if response is not None:
                return response
            self.cycle = self.pairing.cycle
            self.people = team_commissioners(self.pairing.team_id)
        return super().dispatch(request, *args, **kwargs)

    def load(self, user, kwargs):
        raise NotImplementedError

    def _project(self, user, pk):
        project = get_for_user(Project.objects.select_related("cycle", "town__county", "team", "pairing__cycle",
                                                              "pairing__town", "pairing__team"), user, VIEW, pk=pk)
        if not leads(user, project.team_id):
            raise Http404
        self.project, self.pairing = project, project.pairing
        reason = read_only_reason(project)
        if reason:
            messages.error(self.request, reason)
            return redirect(project.get_absolute_url())
        return None

    # -- the form and the formsets
    def needs_queryset(self):
        allowed = Q(pk__in=linkable_needs(self.pairing).values("pk"))
        if self.project is not None:
            allowed |= Q(pk__in=self.project.needs.values("pk"))
        return Need.objects.filter(allowed).order_by("pk")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.update({"cycle": self.cycle, "needs": self.needs_queryset()})
        return kwargs

    def get_initial(self):
        if self.project is None:
            start = max(registered_on(self.pairing) or self.cycle.start_date, self.cycle.start_date)
            return {**{name: 0 for name in services.TARGET_FIELDS}, "start_date": min(start, self.cycle.end_date),
                    "end_date": self.cycle.end_date}
        project = self.project
        initial = {name: getattr(project, name) for name in services.PROJECT_FIELDS}
        initial["needs"] = list(project.needs.values_list("pk", flat=True))
        return initial

    def initial_lines(self):
        """The current lines as formset rows (none for a new project)."""
        if self.project is None:
            return {}
        current = services.snapshot(self.project)
        return {key: initial_rows(key, current[key]) for key in SECTIONS}

    def formsets(self, data=None, initial=None):
        return make_formsets(data=data, initial=self.initial_lines() if initial is None else initial,
                             cycle=self.cycle, people=self.people)

    def get(self, request, *args, **kwargs):
        return self.render_page(self.get_form(), self.formsets())

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        formsets = self.formsets(data=request.POST)
        if form.is_valid() and all([formset.is_valid() for formset in formsets.values()]):
            return self.save_all(form, formsets)
        return self.render_page(form, formsets)

    def save_all(self, form, formsets):
        lines = {key: service_rows(key, rows_of(formset), self.people) for key, formset in formsets.items()}
        try:
            with transaction.atomic(), idempotency.once(self.request.user,
                                                        idempotency.key_from(self.request)) as claim:
                self.object = self.save(form, lines)
                claim.done(self.object, self.get_success_url())
        except idempotency.AlreadySubmitted as duplicate:
            messages.info(self.request, "该表单已提交过，未重复保存。")
            return redirect(duplicate.earlier.result_url or self.request.path)
        except ValidationError as error:
            sections = self.place_errors(form, error)
            # Shown again numbered as the service counted them (blank and deleted rows left out).
            renumbered = self.formsets(initial={key: initial_rows(key, rows) for key, rows in lines.items()})
            return self.render_page(form, renumbered, sections)
        except PermissionDenied as error:
            form.add_error(None, str(error) or "您无权进行此操作。")
            return self.render_page(form, formsets)
        messages.success(self.request, self.get_success_message())
        return redirect(self.get_success_url())

    @staticmethod
    def place_errors(form, error) -> dict:
        """Field errors beside their fields, the lines' errors above their formset, the rest above the form."""
        sections = {}
        if hasattr(error, "error_dict"):
            for name, texts in error.message_dict.items():
                if name in SECTIONS:
                    sections[name] = texts
                else:
                    form.add_error(name if name in form.fields else None, texts)
        else:
            form.add_error(None, error.messages)
        return sections

    def save(self, form, lines):
        raise NotImplementedError

    # -- the page
    def render_page(self, form, formsets, section_errors=None):
        return self.render_to_response(self.get_context_data(form=form, formsets=formsets,
                                                             section_errors=section_errors or {}))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form, formsets, section_errors = context["form"], context["formsets"], context["section_errors"]
        sections = []
        for key, (prefix, _form, title) in SECTIONS.items():
            formset = formsets[key]
            sections.append({"key": key, "prefix": prefix, "title": title, "formset": formset,
                             "errors": list(section_errors.get(key, [])) + list(formset.non_form_errors()),
                             "anchor": "section-%s" % prefix})
        context.update({
            "pairing": self.pairing, "project": self.project, "cycle": self.cycle,
            "basic_fields": [form[name] for name in BASIC_FIELDS],
            "target_fields": [form[name] for name in services.TARGET_FIELDS],
            "sections": sections,
            "reason_field": form["reason"] if "reason" in form.fields else None,
            "summary": self.error_summary(form, sections),
            "cap": yuan(self.cycle.project_budget_cap),
            "due": self.project.due_date if self.project else project_due(self.pairing),
        })
        return context

    def get_breadcrumbs(self):
        crumbs = [("帮扶项目", reverse("projects:project_list"))]
        if self.project is not None:
            crumbs.append((self.project.title, self.project.get_absolute_url()))
        return crumbs + [(self.get_title(), None)]

    @staticmethod
    def error_summary(form, sections) -> list[tuple[str, str]]:
        """Every problem of the page in one list, each linked to its field, row or section."""
        items = [("#project-form", str(text)) for text in form.non_field_errors()]
        for field in form:
            for text in field.errors:
                if field.widget_type == "checkboxselectmultiple":
                    target = field.subwidgets[0].id_for_label if field.subwidgets else "section-needs"
                else:
                    target = field.id_for_label or field.auto_id
                items.append(("#%s" % target, "%s：%s" % (field.label, text)))
        for section in sections:
            for text in section["errors"]:
                items.append(("#%s" % section["anchor"], "%s：%s" % (section["title"], text)))
            for index, row in enumerate(section["formset"].forms, start=1):
                for name, texts in row.errors.items():
                    if name == "__all__":
                        continue
                    for text in texts:
                        items.append(("#%s" % row[name].id_for_label, "%s第%d行·%s：%s" % (
                            section["title"], index, row.fields[name].label, text)))
        return items


class ProjectCreateView(ProjectWriteView):
    submit_label = "保存草稿"
    success_message = "帮扶项目已保存为草稿。请核对无误后点击“报送科技部门”。"

    def load(self, user, kwargs):
        pairing = get_for_user(Pairing.objects.select_related("cycle", "town__county", "team"), user, VIEW,
                               pk=kwargs["pairing_pk"])
        if not leads(user, pairing.team_id) or pairing.status not in WORKING_PAIRING_STATES:
            raise Http404
        self.pairing = pairing
        reason = read_only_reason(pairing)
        if reason:
            messages.error(self.request, reason)
            return redirect("projects:project_list")
        return None

    def get_title(self):
        return "编制帮扶项目：%s—%s" % (self.pairing.team.name, self.pairing.town.full_name)

    def save(self, form, lines):
        return services.project_create(actor=self.request.user, pairing=self.pairing, values=form.values(),
                                       needs=list(form.cleaned_data["needs"]), **lines)


class ProjectEditView(ProjectWriteView):
    success_message = "已保存。"

    def load(self, user, kwargs):
        response = self._project(user, kwargs["pk"])
        if response is None and self.project.status not in PROJECT_EDITABLE:
            messages.error(self.request, "项目当前为“%s”，不能修改%s。" % (
                self.project.get_status_display(),
                "；如需调整，请提交项目变更申请" if self.project.status in PROJECT_CHANGEABLE else "（待科技部门处理）"))
            return redirect(self.project.get_absolute_url())
        return response

    def get_title(self):
        return "修改帮扶项目"

    def save(self, form, lines):
        project = Project.objects.get(pk=self.project.pk)  # the service locks and re-reads it
        return services.project_update(actor=self.request.user, project=project, values=form.values(),
                                       needs=list(form.cleaned_data["needs"]), **lines)


class ChangeCreateView(ProjectWriteView):
    form_class = ChangeForm
    submit_label = "提交变更申请"
    success_message = "变更申请已提交，待科技部门审批；批准前项目仍按当前版本执行。"

    def load(self, user, kwargs):
        response = self._project(user, kwargs["pk"])
        if response is not None:
            return response
        project = self.project
        if project.status not in PROJECT_CHANGEABLE:
            messages.error(self.request, "项目当前为“%s”，受理前请直接修改，无需变更申请。" % project.get_status_display())
            return redirect(project.get_absolute_url())
        pending = project.changes.filter(status=ChangeStatus.PENDING).first()
        if pending is not None:
            messages.info(self.request, "该项目已有待审批的变更申请，请等待审批或撤回后再申请。")
            return redirect(pending.get_absolute_url())
        return None

    def get_title(self):
        return "申请项目变更"

    def save(self, form, lines):
        project = Project.objects.get(pk=self.project.pk)
        return services.change_request(actor=self.request.user, project=project, reason=form.cleaned_data["reason"],
                                       values=form.values(), needs=list(form.cleaned_data["needs"]), **lines)


# --------------------------------------------------------------------------
# Detail, steps, printed form
# --------------------------------------------------------------------------

class ProjectDetailView(ScopedDetailView):
    model = Project
    template_name = "projects/project_detail.html"
    workflow = PROJECT_WORKFLOW
    action_url_name = "projects:project_action"
    list_url_name = "projects:project_list"
    list_title = "帮扶项目"
    roles = VIEWERS

    def base_queryset(self):
        return Project.objects.select_related("cycle", "town__county", "team__lead_unit", "pairing")

    def field_rows(self):
        project = self.object
        return [
            ("状态", project.get_status_display()),
            ("所在镇", project.town.full_name),
            ("团队", "%s（%s）" % (project.team.name, project.team.lead_unit.name)),
            ("帮扶周期", project.cycle.name),
            ("组织层级", project.get_organizer_level_display()),
            ("报送期限", project.due_date.isoformat()),
            ("首次报送时间", project.submitted_at),
            ("最近报送时间", project.last_submitted_at),
            ("受理时间", project.accepted_at),
            ("版本", "第%d版" % project.version),
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        project, user = self.object, self.request.user
        writable = leads(user, project.team_id) and not context["read_only_reason"]
        editable = writable and project.status in PROJECT_EDITABLE
        lines = list(project.budget_lines.all())
        line_sum = sum((line.amount for line in lines), Decimal("0"))
        needs = list(project.needs.select_related("category").order_by("pk"))
        visible = set(restrict(Need.objects.filter(pk__in=[need.pk for need in needs]), user).values_list("pk", flat=True))
        changes = list(project.changes.select_related("requested_by").order_by("-pk"))
        pending = next((change for change in changes if change.status == ChangeStatus.PENDING), None)
        context.update({
            "editable": editable,
            "problems": submission_problems(project) if editable else [],
            "overdue": is_overdue(project),
            "targets": [(_label(name), field_text(name, getattr(project, name))) for name in services.TARGET_FIELDS],
            "total_budget": yuan(project.total_budget),
            "years": project.years.all(),
            "lines": [{"category": line.get_category_display(), "amount": yuan(line.amount),
                       "source": line.get_source_display(), "note": line.note} for line in lines],
            "line_sum": yuan(line_sum),
            "sum_matches": bool(lines) and line_sum == project.total_budget,
            "members": project.members.select_related("commissioner__unit"),
            "needs": [(need, need.pk in visible) for need in needs],
            "changes": changes,
            "pending_change": pending,
            "may_request_change": writable and project.status in PROJECT_CHANGEABLE and pending is None,
        })
        return context


class ProjectActionView(WorkflowActionView):
    """Submit / resubmit (the leader, with the warnings ticked), return with reasons or accept (the organizer)."""

    model = Project
    workflow = PROJECT_WORKFLOW

    def post(self, request, pk, action):
        if action not in self.workflow:
            raise Http404
        return super().post(request, pk, action)

    def apply(self, obj, action, comment):
        services.project_act(actor=self.request.user, project=obj, action=action, comment=comment,
                             confirmed=self.confirmed)


class ProjectDocumentView(PageMixin, View):
    """The project form (帮扶项目申报书) as DOCX or PDF, for whoever may see the project."""

    roles = VIEWERS

    def get(self, request, pk, fmt):
        from projects import documents

        project = get_for_user(Project.objects.select_related("cycle", "town__county__city", "team__lead_unit",
                                                              "pairing"), request.user, VIEW, pk=pk)
        name = "%s_帮扶项目" % project.title
        if fmt == "docx":
            return _download(documents.project_docx(project), name + ".docx", DOCX)
        if fmt == "pdf":
            return _download(documents.project_pdf(project), name + ".pdf", "application/pdf")
        raise Http404


# --------------------------------------------------------------------------
# Change requests
# --------------------------------------------------------------------------

class ChangeListView(ScopedListView):
    model = ProjectChange
    table_class = ChangeTable
    filterset_class = ChangeFilter
    template_name = "projects/change_list.html"
    title = "项目变更申请"
    roles = VIEWERS
    search_fields = ["project__title", "project__team__name", "project__town__name"]
    search_placeholder = "项目名称、团队或镇"
    empty_text = "暂无项目变更申请。项目受理后如需调整，由团队负责人在项目页面申请变更。"
    export_filename = "项目变更申请"

    def base_queryset(self):
        return ProjectChange.objects.select_related("project__town__county", "project__team").order_by("-pk")


def _money_key(value):
    amount = _decimal(value)
    return amount if amount is not None else value


def _field_key(name, value):
    if name in ("total_budget", "income_raised", "demo_area_mu"):
        return _money_key(value)
    if value in (None, ""):
        return None
    return str(value)


def _list_rows(key, data) -> list[str]:
    rows = data.get(key) or []
    if key == "needs":
        return [row["title"] for row in rows]
    if key == "years":
        return ["%s年：%s" % (row["year"], row["plan"]) for row in rows]
    if key == "members":
        return ["%s：%s" % (row.get("name") or row["commissioner"], row["duty"]) for row in rows]
    categories, sources = dict(BudgetCategory.choices), dict(BudgetSource.choices)
    lines = ["%s｜%s｜%s%s" % (categories.get(row["category"], row["category"]), yuan(row["amount"]),
                               sources.get(row["source"], row["source"]), "｜%s" % row["note"] if row.get("note") else "")
             for row in rows]
    total = sum((_decimal(row["amount"]) or Decimal("0") for row in rows), Decimal("0"))
    return lines + (["合计：%s" % yuan(total)] if rows else [])


def _list_key(key, data):
    rows = data.get(key) or []
    if key == "needs":
        return sorted(row["id"] for row in rows)
    if key == "years":
        return sorted((int(row["year"]), row["plan"]) for row in rows)
    if key == "members":
        return sorted((row["commissioner"], row["duty"]) for row in rows)
    return [(row["category"], _money_key(row["amount"]), row["source"], row.get("note", "")) for row in rows]


LIST_TITLES = {"needs": "对应需求", "years": "进度安排（按年度）", "budget_lines": "预算明细", "members": "成员分工"}


def compare(before: dict, after: dict) -> list[dict]:
    """The two versions side by side: one row per field, then each list as a whole; ``changed`` marks a difference."""
    rows = []
    for name in services.PROJECT_FIELDS:
        old, new = before.get("fields", {}).get(name), after.get("fields", {}).get(name)
        rows.append({"key": name, "label": _label(name), "before": field_text(name, old),
                     "after": field_text(name, new), "changed": _field_key(name, old) != _field_key(name, new),
                     "long": name in ("objectives", "content")})
    for key, title in LIST_TITLES.items():
        rows.append({"key": key, "label": title, "before_list": _list_rows(key, before),
                     "after_list": _list_rows(key, after),
                     "changed": _list_key(key, before) != _list_key(key, after), "is_list": True})
    return rows


class ChangeDetailView(ScopedDetailView):
    model = ProjectChange
    template_name = "projects/change_detail.html"
    workflow = CHANGE_WORKFLOW
    action_url_name = "projects:change_action"
    list_url_name = "projects:change_list"
    list_title = "项目变更申请"
    roles = VIEWERS

    def base_queryset(self):
        return ProjectChange.objects.select_related("project__town__county", "project__team", "requested_by")

    def get_title(self):
        return "项目变更申请：%s" % self.object.project.title

    def field_rows(self):
        change = self.object
        return [
            ("状态", change.get_status_display()),
            ("所在镇 · 团队", "%s · %s" % (change.project.town.full_name, change.project.team.name)),
            ("申请人", change.requested_by.full_name or change.requested_by.username if change.requested_by else ""),
            ("申请时间", change.created_at),
            ("变更前版本", "第%d版" % change.from_version),
            ("处理时间", change.decided_at),
            ("审批意见", change.decision_comment),
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = compare(self.object.before, self.object.after)
        only_changed = self.request.GET.get("only") == "changed"
        context.update({"rows": [row for row in rows if row["changed"]] if only_changed else rows,
                        "only_changed": only_changed, "project": self.object.project,
                        "changed_labels": [row["label"] for row in rows if row["changed"]]})
        return context


class ChangeActionView(WorkflowActionView):
    """Approve or reject (the organizing S&T office), withdraw (the leader)."""

    model = ProjectChange
    workflow = CHANGE_WORKFLOW

    def post(self, request, pk, action):
        if action not in self.workflow:
            raise Http404
        return super().post(request, pk, action)

    def apply(self, obj, action, comment):
        services.change_decide(actor=self.request.user, change=obj, action=action, comment=comment)
