"""Admin base: the system administrator's admin keeps the platform's rules.

Every :class:`ScopedAdmin` (and :class:`ScopedInline`)

* reads and checks rights through the scoping function (:func:`core.scoping.restrict` / :func:`~core.scoping.can`);
* never moves a workflow state: the fields of :func:`workflow_fields` (every ``status``/``outcome`` field, plus the
  fields a model or an admin declares as moved by its workflow) are read-only, and a save keeps their stored values
  whatever the form or a history revert carried. States change on the platform's pages, which record the
  :class:`~core.models.Transition`;
* writes through the same service as the pages (:meth:`ScopedAdmin.save_service`; by default
  :func:`core.services.record_save`, which runs ``full_clean``, checks scope and leaves a history row with the
  administrator as its author). A service's ``ValidationError`` or ``PermissionDenied`` rolls the whole save back
  and the change form comes back with the reason beside the field it names (see :class:`AdminRefusal`);
* shows a stored file by its name, linked only to the app's scoped download view, never to ``/media/``
  (attachments are served by :func:`core.files.serve_file` alone).
"""
from __future__ import annotations

import posixpath

from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminFileWidget
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import models, router, transaction
from django.forms.forms import NON_FIELD_ERRORS
from django.http import HttpResponseRedirect
from django.urls import NoReverseMatch, reverse
from simple_history.admin import SimpleHistoryAdmin

from core.models import SensitiveAccess, TaskRun, Transition
from core.scoping import CHANGE, VIEW, can, restrict
from core.services import record_save
from core.roles import is_system_admin

# Field names that only a workflow step moves, in every model (the usual state fields of core.workflow's tables).
WORKFLOW_FIELD_NAMES = ("status", "outcome")
ADMIN_REASON = "系统管理后台修改"


def _from_workflow_tables(model) -> list[str]:
    """The state field and the stamped fields of every workflow table (core.workflow.WORKFLOWS) of ``model``."""
    from core import workflow

    names = []
    for table in getattr(workflow, "WORKFLOWS", ()):
        if str(getattr(table, "model", "")).lower() != model._meta.label_lower:
            continue
        names.append(getattr(table, "state_field", "status"))
        names += [step.stamp for step in table.values() if getattr(step, "stamp", "")]
    return names


def workflow_fields(model, extra=()) -> tuple[str, ...]:
    """The fields of ``model`` only its workflow moves: ``status``/``outcome``, the state field and stamps of its
    workflow tables, the names the model lists in a ``workflow_fields`` attribute, and ``extra`` (an admin's own)."""
    names = [field.name for field in model._meta.concrete_fields if field.name in WORKFLOW_FIELD_NAMES]
    names += _from_workflow_tables(model)
    names += list(getattr(model, "workflow_fields", ()) or ()) + list(extra or ())
    present = []
    for name in names:
        try:
            model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if name not in present:
            present.append(name)
    return tuple(present)


class AdminRefusal(Exception):
    """A service refused an admin save. Raised out of the admin's transaction (so nothing of the save is kept);
    the view then shows the same form again with the refusal as form errors."""

    def __init__(self, error, model=None, inline: bool = False):
        super().__init__(error)
        self.error = error
        self.model = model  # whose fields the error names (an inline row's model for an inline's refusal)
        self.inline = inline


def refusal_text(error) -> str:
    if isinstance(error, ValidationError):
        return "；".join(error.messages)
    return str(error) or "您无权进行此操作。"


def show_refusal(form, error, model, *, inline: bool = False) -> None:
    """Put a service's refusal on ``form``: beside the field it names, else above the form (with the field's name;
    an inline row's refusal always above the form, named after the inline's model)."""
    if inline:
        prefix = "%s：" % model._meta.verbose_name
        texts = error.messages if isinstance(error, ValidationError) else [str(error) or "您无权进行此操作。"]
        if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
            texts = []
            for name, messages_ in error.message_dict.items():
                try:
                    label = model._meta.get_field(name).verbose_name if name != NON_FIELD_ERRORS else None
                except FieldDoesNotExist:
                    label = None
                texts += ["%s%s" % ("%s：" % label if label else "", text) for text in messages_]
        form.add_error(None, [prefix + text for text in texts])
        return
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        for name, texts in error.message_dict.items():
            if name in form.fields:
                form.add_error(name, texts)
                continue
            label = None
            if name != NON_FIELD_ERRORS:
                try:
                    label = model._meta.get_field(name).verbose_name
                except FieldDoesNotExist:
                    label = None
            form.add_error(None, ["%s：%s" % (label, text) for text in texts] if label else texts)
    elif isinstance(error, ValidationError):
        form.add_error(None, error.messages)
    else:
        form.add_error(None, str(error) or "您无权进行此操作。")


class ScopedFileWidget(AdminFileWidget):
    """A file input that shows the stored file by name, linked to the scoped download view if the admin names one
    (``file_download_urls``), else as plain text: never the ``/media/`` URL, which serves nothing."""

    template_name = "admin/widgets/scoped_file_input.html"

    def __init__(self, attrs=None, url_name: str | None = None):
        super().__init__(attrs)
        self.url_name = url_name

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        widget["file_name"] = posixpath.basename(getattr(value, "name", "") or "") if widget.get("is_initial") else ""
        widget["download_url"] = ""
        instance = getattr(value, "instance", None)
        if widget["file_name"] and self.url_name and getattr(instance, "pk", None) is not None:
            try:
                widget["download_url"] = reverse(self.url_name, args=[instance.pk])
            except NoReverseMatch:
                widget["download_url"] = ""
        return context


class RulesMixin:
    """What every admin form and inline of the platform shares: workflow fields read-only, files without /media/."""

    #: More fields that only the workflow moves (dates and people a step stamps), besides :func:`workflow_fields`.
    workflow_fields: tuple = ()
    #: Fields a record gets when it is made and keeps (its cycle, its town...): read-only on the change page.
    fixed_fields: tuple = ()
    #: ``{file field: URL name of the scoped download view taking the record's pk}``; other files show as text.
    file_download_urls: dict = {}

    def get_workflow_fields(self, request=None, obj=None) -> tuple[str, ...]:
        return workflow_fields(self.model, self.workflow_fields)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        extra = list(self.get_workflow_fields(request, obj)) + (list(self.fixed_fields) if obj is not None else [])
        return fields + [name for name in dict.fromkeys(extra) if name not in fields]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models.FileField):
            kwargs["widget"] = ScopedFileWidget(url_name=self.file_download_urls.get(db_field.name))
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def keep_workflow_state(self, obj) -> None:
        """Give ``obj`` back the stored values of its workflow and fixed fields: neither a form nor a history revert
        moves a state, a stamp, or a record's cycle, town or team (a revert changes only what the form may change)."""
        if obj.pk is None:
            return
        names = dict.fromkeys([*self.get_workflow_fields(None, obj), *self.fixed_fields])
        attnames = [self.model._meta.get_field(name).attname for name in names]
        if not attnames:
            return
        stored = type(obj)._default_manager.filter(pk=obj.pk).values(*attnames).first()
        for attname, value in (stored or {}).items():
            setattr(obj, attname, value)


class ScopedAdmin(RulesMixin, SimpleHistoryAdmin):
    """A ModelAdmin whose queryset, change and delete rights come from :func:`core.scoping.restrict`, whose workflow
    fields are read-only and whose saves go through :meth:`save_service`."""

    create_roles: frozenset = frozenset()
    #: The save service also writes the form's many-to-many fields (so the admin does not write them again).
    service_saves_m2m: bool = False

    def get_queryset(self, request):
        return restrict(super().get_queryset(request), request.user, VIEW)

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        if obj is None:
            return request.user.is_active and request.user.is_staff
        return can(request.user, obj, VIEW)

    def has_change_permission(self, request, obj=None):
        user = request.user
        if obj is None:
            return is_system_admin(user) or user.role in getattr(self.model, "scope_editors", frozenset())
        return can(user, obj, CHANGE)

    def has_add_permission(self, request):
        return is_system_admin(request.user) or request.user.role in self.create_roles

    def has_delete_permission(self, request, obj=None):
        if not is_system_admin(request.user):
            return False
        refusal = getattr(obj, "delete_refusal", None)
        return obj is None or refusal is None or refusal(request.user) is None

    def get_actions(self, request):
        # No bulk delete: each delete asks the record's delete_refusal.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    # ------------------------------------------------------------------ saves through the services

    def stored(self, obj):
        """A fresh copy of ``obj`` as the database has it (for services that compare the change with the record)."""
        return type(obj)._default_manager.get(pk=obj.pk)

    def save_service(self, request, obj, form, change):
        """Write ``obj`` (the form's values applied, not yet saved) through the app's service and return the row.

        The default is :func:`core.services.record_save`; an admin whose app has a write service of its own overrides
        this. Raise ``ValidationError``/``PermissionDenied`` (in Chinese) to refuse: nothing is saved and the
        administrator sees the reason on the form."""
        return record_save(actor=request.user, instance=obj, create_roles=self.create_roles, reason=ADMIN_REASON)

    def save_model(self, request, obj, form, change):
        obj._history_user = request.user
        if not getattr(obj, "_change_reason", None):
            obj._change_reason = ADMIN_REASON
        if change:
            self.keep_workflow_state(obj)
        try:
            saved = self.save_service(request, obj, form, change)
        except (ValidationError, PermissionDenied) as error:
            raise AdminRefusal(error) from error
        if saved is not None and saved is not obj and saved.pk is not None:
            # A service that built or reloaded its own instance: the admin goes on (m2m, inlines, log) with that row.
            obj.pk = saved.pk
            obj._state.adding = False
            obj._state.db = saved._state.db

    def save_related(self, request, form, formsets, change):
        if not self.service_saves_m2m:
            form.save_m2m()
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def save_formset(self, request, form, formset, change):
        """Inline rows go through their inline's services too (:class:`ScopedInline`), deletes ask delete_refusal."""
        inline = getattr(formset, "inline_admin", None)
        if inline is None:  # a plain Django inline: the default services
            inline = type("DefaultInline", (ScopedInline,), {"model": formset.model})(self.model, self.admin_site)
        parent = form.instance
        instances = formset.save(commit=False)
        try:
            for obj in formset.deleted_objects:
                inline.delete_service(request, obj, parent)
            for obj in instances:
                obj._history_user = request.user
                if not getattr(obj, "_change_reason", None):
                    obj._change_reason = ADMIN_REASON
                if obj.pk is not None:
                    inline.keep_workflow_state(obj)
                saved = inline.save_service(request, obj, parent)
                if saved is not None and saved is not obj and saved.pk is not None:
                    obj.pk = saved.pk
                    obj._state.adding = False
        except (ValidationError, PermissionDenied) as error:
            raise AdminRefusal(error, model=formset.model, inline=True) from error
        formset.save_m2m()

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        refusal = getattr(request, "_admin_refusal", None)
        if refusal is None:
            return form
        model = refusal.model or self.model

        class RefusedForm(form):
            """The same form, answered with the service's refusal (see :meth:`ScopedAdmin._with_refusals`)."""

            def _post_clean(self):
                super()._post_clean()
                show_refusal(self, refusal.error, model, inline=refusal.inline)

        RefusedForm.__name__ = form.__name__
        return RefusedForm

    def _with_refusals(self, view, request, *args):
        """Run an admin view that saves; if a service refuses, the save is rolled back and the view runs once more on
        the same POST, with the refusal as the form's errors (so the administrator sees the form and the reason)."""
        try:
            with transaction.atomic(using=router.db_for_write(self.model)):
                return view(request, *args)
        except AdminRefusal as refusal:
            request._admin_refusal = refusal
            try:
                return view(request, *args)
            finally:
                del request._admin_refusal

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        parent = super().changeform_view
        return self._with_refusals(parent, request, object_id, form_url, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        parent = super().history_form_view
        return self._with_refusals(parent, request, object_id, version_id, extra_context)

    def changelist_view(self, request, extra_context=None):
        try:
            return super().changelist_view(request, extra_context)
        except AdminRefusal as refusal:  # list_editable saves: nothing kept, the reason as a message
            self.message_user(request, refusal_text(refusal.error), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


class ScopedInline(RulesMixin, admin.options.InlineModelAdmin):
    """Inline rows keep the rules of their parent admin: workflow fields read-only, saves and deletes through
    :meth:`save_service` / :meth:`delete_service`."""

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.inline_admin = self  # a class made for this request: ScopedAdmin.save_formset finds its inline
        return formset

    def save_service(self, request, obj, parent):
        return record_save(actor=request.user, instance=obj, create_roles=frozenset(), reason=ADMIN_REASON)

    def delete_service(self, request, obj, parent) -> None:
        refusal = getattr(obj, "delete_refusal", None)
        reason = refusal(request.user) if refusal else None
        if reason:
            raise ValidationError(reason)
        obj.delete()


class ScopedTabularInline(ScopedInline, admin.TabularInline):
    pass


class ScopedStackedInline(ScopedInline, admin.StackedInline):
    pass


class AuditAdmin(admin.ModelAdmin):
    """Audit trails are read, never written or removed, even by the administrator."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Transition)
class TransitionAdmin(AuditAdmin):
    list_display = ["content_type", "object_id", "from_state", "to_state", "actor", "created_at"]
    list_filter = ["content_type"]

    def has_module_permission(self, request):
        return is_system_admin(request.user)


@admin.register(SensitiveAccess)
class SensitiveAccessAdmin(AuditAdmin):
    list_display = ["user", "content_type", "object_id", "field", "created_at"]

    def has_module_permission(self, request):
        return is_system_admin(request.user)


@admin.register(TaskRun)
class TaskRunAdmin(admin.ModelAdmin):
    """Background task runs are written by the task runner: the administrator reads them (and may remove one)."""

    list_display = ["label", "status", "done", "total", "created_by", "created_at"]

    def has_module_permission(self, request):
        return is_system_admin(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return fields + [name for name in workflow_fields(self.model) if name not in fields]


from core.models import ScheduledRun  # noqa: E402


@admin.register(ScheduledRun)
class ScheduledRunAdmin(admin.ModelAdmin):
    """The periodic jobs' runs are written by ``manage.py run_scheduled``: the administrator reads them."""

    list_display = ["job", "period_start", "started_at", "finished_at", "attempts", "result"]
    list_filter = ["job"]

    def has_module_permission(self, request):
        return is_system_admin(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
