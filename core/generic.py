"""The one good way to build a page: scoped list, detail, form, workflow action, import and task progress.

To add a page, subclass these with a model, a table and a filterset (see README, "To add a page").
Every queryset goes through :func:`core.scoping.restrict`; views stay thin and call services.
"""
from __future__ import annotations

import datetime as dt
import re
import uuid
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.html import strip_tags
from django.views import View
from django.views.generic import DetailView, FormView, TemplateView
from django_filters.views import FilterView
import django_tables2 as tables
from django_tables2 import SingleTableMixin

from core import idempotency
from core.excel import export_rows, make_template
from core.forms import CommentForm, ImportForm, add_errors
from core.history import history_rows
from core.scoping import CHANGE, VIEW, can, get_for_user, restrict
from core.workflow import action_choices, action_warnings, transitions_for
from core.roles import is_system_admin


class PageMixin(LoginRequiredMixin):
    """Title, breadcrumbs and role gate shared by every signed-in page."""

    title: str = ""
    roles: frozenset | None = None  # None: every signed-in role
    breadcrumbs: list = []

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and self.roles is not None and not (
            is_system_admin(request.user) or request.user.role in self.roles
        ):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_title(self):
        return self.title

    def get_breadcrumbs(self):
        return list(self.breadcrumbs) + [(self.get_title(), None)]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("title", self.get_title())
        context.setdefault("breadcrumbs", self.get_breadcrumbs())
        return context


_DATE_TEXT = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME_TEXT = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:?\d{2}|Z)?$")


def export_cell(value):
    """One exported cell as officials read it: the text of a cell a page renders as a link (no HTML), a date or a
    local date-time as a real date (never a UTC ISO string), an empty mark ("—") as an empty cell; numbers stay
    numbers."""
    if not isinstance(value, str):
        return value
    text = strip_tags(value).strip() if "<" in value else value.strip()
    if text in ("—", "-", "–"):
        return None
    if _DATE_TEXT.match(text):
        return dt.date.fromisoformat(text)
    if _DATETIME_TEXT.match(text):
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        if moment.tzinfo is not None:
            moment = timezone.localtime(moment).replace(tzinfo=None)
        return moment.replace(microsecond=0)
    return text


def _as_local_date(value):
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def read_only_reason(obj) -> str | None:
    """Why ``obj`` may no longer change (core.models.RECORD_RULES, e.g. its cycle has ended), or None."""
    from core.models import RECORD_RULES

    for rule in RECORD_RULES:
        try:
            rule(obj)
        except ValidationError as error:
            return "；".join(error.messages)
    return None


class ScopedListView(PageMixin, SingleTableMixin, FilterView):
    """A list: filters, search, sorting, pagination, column choice and Excel export of the filtered rows.

    Set ``model``, ``table_class``, ``filterset_class`` (optional), ``search_fields``; override
    :meth:`base_queryset` for joins. ``?export=xlsx`` downloads every filtered row (not just the page).
    """

    template_name = "core/list.html"
    filterset_fields: list[str] = []  # without a filterset_class, only these model fields are filters
    search_fields: list[str] = []
    search_placeholder = "搜索"
    paginate_by = 25
    export_filename = ""
    create_url_name: str | None = None
    create_roles: frozenset = frozenset()
    import_url_name: str | None = None
    import_roles: frozenset = frozenset()
    empty_text = "暂无记录。"
    card_title_column: str | None = None
    strict = False  # an invalid filter shows the error and an empty list, never everything

    def base_queryset(self):
        return self.model._default_manager.all()

    def scope_action(self) -> str:
        """``?mine=1``: only the rows this user may act on (change scope) — what a to-do link opens."""
        return CHANGE if self.request.GET.get("mine") == "1" else VIEW

    def get_queryset(self):
        queryset = restrict(self.base_queryset(), self.request.user, self.scope_action())
        # A NUL byte matches nothing and PostgreSQL refuses it in a query: searched for without it.
        term = (self.request.GET.get("q") or "").replace("\x00", "").strip()
        if term and self.search_fields:
            query = Q()
            for field in self.search_fields:
                query |= Q(**{f"{field}__icontains": term})
            queryset = queryset.filter(query)
        return queryset

    def get_table_kwargs(self):
        kwargs = super().get_table_kwargs()
        chosen = self.request.GET.getlist("cols")
        if chosen:
            kwargs["exclude"] = [name for name in self.table_class.base_columns if name not in chosen
                                 and name not in getattr(self.table_class, "always_visible", ())]
        return kwargs

    def get_table_pagination(self, table):
        if self.request.GET.get("export"):
            return False
        return {"per_page": self.paginate_by}

    def render_to_response(self, context, **response_kwargs):
        if self.request.GET.get("export") == "xlsx":
            return self.export(context["table"])
        return super().render_to_response(context, **response_kwargs)

    def export(self, table):
        exclude = [name for name, column in table.columns.items() if getattr(column.column, "exclude_from_export", False)]
        values = list(table.as_values(exclude_columns=exclude))
        # A column the page shows as a date (DateColumn over a DateTimeField, e.g. 填报日期) exports the local date.
        date_only = [isinstance(column.column, tables.DateColumn) and not isinstance(column.column, tables.DateTimeColumn)
                     for name, column in table.columns.items() if name not in exclude]
        rows = [[_as_local_date(export_cell(value)) if date_only[index] else export_cell(value)
                 for index, value in enumerate(row)] for row in values[1:]]
        content = export_rows(values[0], rows, sheet_title=str(self.get_title())[:31] or "导出")
        name = (self.export_filename or str(self.get_title()) or "export") + timezone.localdate().strftime("_%Y%m%d")
        response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = "attachment; filename*=UTF-8''%s.xlsx" % _quote(name)
        return response

    def get_filterset(self, filterset_class):
        filterset = super().get_filterset(filterset_class)
        for field in filterset.form.fields.values():
            widget = field.widget
            css = "form-select form-select-sm" if getattr(widget, "allow_multiple_selected", None) is not None or \
                widget.__class__.__name__.endswith("Select") else "form-control form-control-sm"
            widget.attrs["class"] = css
        return filterset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        params = self.request.GET.copy()
        params.pop("page", None)
        params.pop("export", None)
        context.update({
            "search_fields": self.search_fields,
            "search_placeholder": self.search_placeholder,
            "query": self.request.GET.get("q", ""),
            "export_query": urlencode([(k, v) for k, vs in params.lists() for v in vs] + [("export", "xlsx")]),
            "all_columns": [(name, column.verbose_name or name) for name, column in self.table_class.base_columns.items()
                            if name not in getattr(self.table_class, "always_visible", ())],
            "chosen_columns": self.request.GET.getlist("cols"),
            "can_create": self.create_url_name and (is_system_admin(user) or user.role in self.create_roles),
            "create_url_name": self.create_url_name,
            "can_import": self.import_url_name and (is_system_admin(user) or user.role in self.import_roles),
            "import_url_name": self.import_url_name,
            "empty_text": self.empty_text,
            "card_title_name": self.card_title_column or next(
                (name for name in context["table"].columns.names() if name != "select"), None),
        })
        return context


# The first step of a record a service creates in its initial state (core.workflow.record_creation).
CREATION_LABELS = {"draft": "起草", "open": "开启", "propose": "拟结对", "record_province": "登记省派团队",
                   "request": "提出申请", "start": "发起论证", "seat": "选入专家组"}


def _labelled(transitions, model, state_field):
    """Transitions with the state codes and the step shown as their Chinese labels."""
    from core.workflow import workflows_of

    try:
        labels = dict(model._meta.get_field(state_field).flatchoices)
    except Exception:
        labels = {}
    steps = {action: step.label for workflow in workflows_of(model) for action, step in workflow.items()}
    rows = list(transitions)
    for row in rows:
        row.from_state = labels.get(row.from_state, row.from_state) or "—"
        row.to_state = labels.get(row.to_state, row.to_state)
        row.action_label = steps.get(row.action) or CREATION_LABELS.get(row.action, row.action)
    return rows


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)


class ScopedDetailView(PageMixin, DetailView):
    """A record with its fields, its change history tab and its workflow steps."""

    template_name = "core/detail.html"
    detail_fields: list[str] = []
    workflow: dict | None = None
    acts_with_view_scope = False  # the action view's may_act_without_change is True (its service checks scope)
    state_field = "status"
    list_url_name: str | None = None
    list_title = ""
    edit_url_name: str | None = None

    def base_queryset(self):
        return self.model._default_manager.all()

    def get_object(self, queryset=None):
        return get_for_user(self.base_queryset(), self.request.user, VIEW, pk=self.kwargs["pk"])

    def get_title(self):
        return str(self.object)

    def get_breadcrumbs(self):
        from django.urls import reverse

        crumbs = []
        if self.list_url_name:
            crumbs.append((self.list_title or self.model._meta.verbose_name_plural, reverse(self.list_url_name)))
        return crumbs + [(self.get_title(), None)]

    def field_rows(self):
        rows = []
        for name in self.detail_fields:
            field = self.model._meta.get_field(name)
            value = getattr(self.object, f"get_{name}_display")() if getattr(field, "choices", None) else getattr(self.object, name)
            if isinstance(value, bool):
                value = "是" if value else "否"
            rows.append((field.verbose_name, "" if value is None else value))
        return rows

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        obj = self.object
        user = self.request.user
        read_only = read_only_reason(obj)
        context.update({
            "read_only_reason": read_only,
            "field_rows": self.field_rows(),
            "history": history_rows(obj) if hasattr(obj, "history") else [],
            "transitions": _labelled(transitions_for(obj), self.model, self.state_field),
            "can_change": can(user, obj, CHANGE),
            "edit_url_name": self.edit_url_name,
            # (action, step, refusal): a step a guard refuses is shown disabled with its reason.
            # Offered only to who may act on this record: its change scope (or, for a view whose steps are taken
            # from read scope, e.g. archiving a unit, ``acts_with_view_scope``).
            "actions": action_choices(self.workflow, obj, user, self.state_field)
            if self.workflow and (can(user, obj, CHANGE) or (self.acts_with_view_scope and can(user, obj, VIEW))) else [],
            "action_url_name": getattr(self, "action_url_name", None),
            "tab": self.request.GET.get("tab", "detail"),
        })
        if read_only:  # a closed cycle's record: nothing to edit, no step offered (the reason shows instead)
            context["can_change"] = False
            context["actions"] = []
        context["action_warnings"] = action_warnings(self.workflow, obj, user, context["actions"]) if context["actions"] else {}
        return context


class ScopedFormView(PageMixin, FormView):
    """Create or edit through a service; errors show in Chinese beside each field, nothing half-saved.

    Set ``form_class`` and implement :meth:`save` (call a service). For edits set ``model``;
    the instance is fetched with ``change`` scope (404 otherwise).
    """

    template_name = "core/form.html"
    model = None
    submit_label = "保存"

    def get_instance(self):
        if self.model is None or "pk" not in self.kwargs:
            return None
        if not hasattr(self, "_instance"):
            self._instance = get_for_user(self.model._default_manager.all(), self.request.user, CHANGE, pk=self.kwargs["pk"])
        return self._instance

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        instance = self.get_instance()
        if instance is not None:
            kwargs["instance"] = instance
        return kwargs

    def save(self, form):
        raise NotImplementedError

    def form_valid(self, form):
        try:
            # One record per submission: the hidden idempotency key is claimed with the save (core.idempotency).
            with transaction.atomic(), idempotency.once(self.request.user, idempotency.key_from(self.request)) as claim:
                self.object = self.save(form)
                claim.done(self.object, self.get_success_url())
        except idempotency.AlreadySubmitted as duplicate:
            messages.info(self.request, "该表单已提交过，未重复保存。")
            return redirect(duplicate.earlier.result_url or self.request.path)
        except ValidationError as error:
            add_errors(form, error)
            return self.form_invalid(form)
        except PermissionDenied as error:
            form.add_error(None, str(error) or "您无权进行此操作。")
            return self.form_invalid(form)
        messages.success(self.request, self.get_success_message())
        return redirect(self.get_success_url())

    success_message = "已保存。"

    def get_success_message(self) -> str:
        """The one message shown after saving (a view that says more than "已保存。" sets ``success_message``)."""
        return self.success_message

    def get_success_url(self):
        return self.object.get_absolute_url()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["submit_label"] = self.submit_label
        context["idempotency_key"] = uuid.uuid4().hex
        return context


class WorkflowActionView(LoginRequiredMixin, View):
    """POST a workflow action with a comment to the app's service, which checks scope, role, state and guards.

    Subclasses implement :meth:`apply` by calling their service (never ``apply_transition`` directly)."""

    model = None
    workflow: dict = {}
    state_field = "status"

    def post(self, request, pk, action):
        obj = get_for_user(self.model._default_manager.all(), request.user, VIEW, pk=pk)
        form = CommentForm(request.POST)
        comment = form.data.get("comment", "")
        # The official ticked the step's warning on the page (``Step.warnings``); the service passes it on.
        self.confirmed = request.POST.get("confirm_warning") == "1"
        try:
            if not can(request.user, obj, CHANGE) and not self.may_act_without_change(request.user, obj, action):
                raise PermissionDenied("您无权处理该记录。")
            self.apply(obj, action, comment)
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
        except PermissionDenied as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "已%s。" % self.workflow[action].label)
        return redirect(obj.get_absolute_url())

    def may_act_without_change(self, user, obj, action) -> bool:
        return False

    def apply(self, obj, action, comment):
        raise NotImplementedError("%s.apply must call the app's service" % type(self).__name__)


class ImportView(PageMixin, FormView):
    """Upload a spreadsheet; every row is checked, then all rows or none are saved, with a row-by-row report.

    Implement :meth:`run_import` returning an object with ``saved`` and ``errors``; set ``columns``,
    ``template_title`` and ``instructions`` for the downloadable template (``?template=1``).
    """

    template_name = "core/import.html"
    form_class = ImportForm
    columns: list = []
    template_title = "导入模板"
    instructions: list[str] = []
    success_url_name: str | None = None

    def get(self, request, *args, **kwargs):
        if request.GET.get("template"):
            content = make_template(self.get_columns(), title=self.template_title, instructions=self.instructions)
            response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            response["Content-Disposition"] = "attachment; filename*=UTF-8''%s.xlsx" % _quote(self.template_title)
            return response
        return super().get(request, *args, **kwargs)

    def get_columns(self):
        return self.columns

    def run_import(self, upload):
        raise NotImplementedError

    # Set to a django-tasks task built with core.tasks.tracked to import in the background with progress;
    # it receives user_id, path (in default storage) and filename, plus :meth:`task_kwargs`.
    background_task = None

    def task_kwargs(self) -> dict:
        return {}

    def start_background(self, upload):
        import uuid

        from django.core.files.storage import default_storage

        from core.tasks import start

        path = default_storage.save("imports/%s/%s" % (uuid.uuid4().hex, upload.name[-80:]), upload)
        run = start(self.background_task, user=self.request.user, kind="import", label="%s：%s" % (self.get_title(), upload.name),
                    user_id=self.request.user.pk, path=path, filename=upload.name, **self.task_kwargs())
        from django.urls import reverse

        return redirect(reverse("core:task_progress", args=[run.pk]))

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        if self.background_task is not None:
            return self.start_background(upload)
        try:
            report = self.run_import(upload)
        except PermissionDenied as error:
            form.add_error("file", str(error))
            return self.form_invalid(form)
        if report.errors:
            return self.render_to_response(self.get_context_data(form=form, errors=[str(e) for e in report.errors],
                                                                 filename=upload.name))
        messages.success(self.request, "导入成功：共 %d 行。" % report.saved)
        from django.urls import reverse

        return redirect(reverse(self.success_url_name) if self.success_url_name else self.request.path)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["columns"] = self.get_columns()
        context["instructions"] = self.instructions
        return context


class TaskProgressView(PageMixin, TemplateView):
    """A page that polls a background task until it is done (htmx every second)."""

    template_name = "core/task_progress.html"
    title = "后台任务进度"

    def get_template_names(self):
        if self.request.htmx:
            return ["core/_task_progress_bar.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        from core.models import TaskRun

        context = super().get_context_data(**kwargs)
        context["run"] = get_for_user(TaskRun.objects.all(), self.request.user, VIEW, pk=self.kwargs["pk"])
        return context
