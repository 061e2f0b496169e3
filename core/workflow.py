"""Workflows as data: one mechanism for every status of every record.

A workflow is a :class:`Workflow` (a dict ``{action: Step}`` with the model and field it moves) declared in the app's
``choices.py``. A :class:`Step` says from which states to which, who may take it (roles, or the platform itself for
system steps such as "a finalized round matches the need"), the guards that must hold (cross-record rules: "no
withdrawal once a pairing exists") and the time stamp it sets. :func:`apply_transition` is the only code that moves a
status: it checks role, locks the row and compares the state (check-and-set), runs the guards, sets the state, saves
and records a :class:`core.models.Transition`. Pages show a step's button only when :func:`action_choices` allows it,
and say why when a guard refuses. Every workflow registers itself in :data:`WORKFLOWS`; ``docs/workflows.md`` is
generated from them (``manage.py workflow_docs``).

A higher app may add a guard to a lower app's step (``CALL_WORKFLOW.add_guard("cancel", ...)`` from matching's
``AppConfig.ready``), so the rule lives beside the records it reads and the lower app imports nothing above it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.fields import check_comment
from core.models import Transition
from core.roles import is_system_admin

# The actor of a system step: the platform, on behalf of (and recorded as) the user whose step caused it, or nobody
# when a scheduled job takes it.
SYSTEM = frozenset({"system"})

Guard = Callable[[object, object], "str | None"]  # guard(record, actor) -> the Chinese reason it refuses, or None


class Conflict(ValidationError):
    """Someone else moved the record first: of two conflicting steps exactly one wins (API: 409)."""


@dataclass(frozen=True)
class Step:
    """One allowed transition."""

    sources: tuple
    target: str
    roles: frozenset
    label: str
    needs_comment: bool = False
    style: str = "primary"
    extra: dict = field(default_factory=dict)
    guards: tuple = ()  # Guard callables checked under the row lock; the first reason refuses the step
    # Warning callables, like guards: a condition the official must confirm (``confirmed=True``) before the step is
    # taken, e.g. a call whose application window is very short. The page shows it and asks for a tick.
    warnings: tuple = ()
    stamp: str = ""  # a field set when the step is taken (a DateField gets today, a DateTimeField now)

    @property
    def by_system(self) -> bool:
        return self.roles == SYSTEM


WORKFLOWS: list["Workflow"] = []


class Workflow(dict):
    """The steps of one model's state field. Behaves as ``{action: Step}``; registers itself for docs and tests."""

    def __init__(self, model: str, steps: dict, *, state_field: str = "status", title: str = ""):
        super().__init__(steps)
        self.model = model  # "app_label.ModelName" (a string: choices.py is imported before models)
        self.state_field = state_field
        self.title = title
        self.extra_guards: dict[str, list] = {}
        WORKFLOWS.append(self)

    def add_guard(self, action: str, guard: Guard) -> None:
        if action not in self:
            raise KeyError(action)
        if guard not in self.extra_guards.setdefault(action, []):
            self.extra_guards[action].append(guard)

    def guards(self, action: str) -> list:
        return list(self[action].guards) + self.extra_guards.get(action, [])

    def model_class(self):
        from django.apps import apps

        return apps.get_model(self.model)


def workflows_of(model) -> list[Workflow]:
    """The declared workflows of ``model`` (a class or instance)."""
    label = model._meta.label
    return [workflow for workflow in WORKFLOWS if workflow.model == label]


def state_fields(model) -> list[str]:
    """The fields of ``model`` that only workflow steps move."""
    return [workflow.state_field for workflow in workflows_of(model)]


def check_states_untouched(instance) -> None:
    """Refuse a plain save that would set a workflow state: a new record starts in its field's default state, an
    existing one keeps its stored state (statuses move only by :func:`apply_transition`)."""
    for name in state_fields(instance):
        column = instance._meta.get_field(name)
        value = getattr(instance, name)
        if instance._state.adding:
            expected = column.get_default()
        else:
            expected = type(instance)._default_manager.filter(pk=instance.pk).values_list(name, flat=True).first()
        if value != expected:
            raise ValidationError({name: _("“%(f)s”只能通过流程操作变更。") % {"f": column.verbose_name}})


def _guards(workflow, action):
    return workflow.guards(action) if isinstance(workflow, Workflow) else list(workflow[action].guards)


def step_warning(workflow, obj, action: str, actor) -> str | None:
    """The first warning the official must confirm before taking ``action`` on ``obj`` now, or None."""
    step = workflow.get(action)
    for warning in (step.warnings if step else ()):
        text = warning(obj, actor)
        if text:
            return str(text)
    return None


def action_warnings(workflow, obj, user, actions) -> dict[str, str]:
    """For the steps offered (``action_choices``), the warnings to confirm, by action."""
    result = {}
    for name, _step, refusal in actions:
        if refusal is None:
            text = step_warning(workflow, obj, name, user)
            if text:
                result[name] = text
    return result


def guard_refusal(workflow, obj, action: str, actor) -> str | None:
    """The first guard's reason for refusing ``action`` on ``obj`` now, or None."""
    for guard in _guards(workflow, action):
        reason = guard(obj, actor)
        if reason:
            return str(reason)
    return None


def _role_allows(step: Step, user) -> bool:
    if step.by_system:
        return False
    return bool(getattr(user, "is_superuser", False)) or getattr(user, "role", None) in step.roles


def action_choices(workflow, obj, user, state_field: str | None = None) -> list[tuple[str, Step, str | None]]:
    """The steps a page may offer ``user`` on ``obj``: ``(action, step, refusal)``; a refusal disables the button.

    Steps from other states, steps of other roles and system steps are not offered at all; a step whose guard
    refuses is offered disabled with the reason. (Scope is checked by the caller.)
    """
    state_field = state_field or getattr(workflow, "state_field", "status")
    state = getattr(obj, state_field)
    return [(name, step, guard_refusal(workflow, obj, name, user))
            for name, step in workflow.items() if state in step.sources and _role_allows(step, user)]


def allowed_actions(workflow, obj, user, state_field: str | None = None) -> list[tuple[str, Step]]:
    """The steps ``user`` may take on ``obj`` now (role, state and guards; scope is checked by the caller)."""
    return [(name, step) for name, step, refusal in action_choices(workflow, obj, user, state_field) if refusal is None]


def _stamp_value(obj, name):
    from django.db import models

    column = obj._meta.get_field(name)
    return timezone.localdate() if isinstance(column, models.DateField) and not isinstance(column, models.DateTimeField) \
        else timezone.now()


@transaction.atomic
def apply_transition(
    *, workflow, obj, action: str, actor, comment: str = "", state_field: str | None = None, save_fields=None,
    system: bool = False, confirmed: bool = False,
) -> Transition:
    """Move ``obj`` along ``action`` and record it; raises ValidationError/PermissionDenied/Conflict in Chinese.

    ``system=True`` is how a service takes a system step (declared with ``roles=SYSTEM``); ``actor`` is then the
    user whose step caused it (or None for a scheduled job). A user's step is never taken with ``system=True``.
    """
    state_field = state_field or getattr(workflow, "state_field", "status")
    step = workflow.get(action)
    if step is None:
        raise ValidationError(_("未知操作：%(action)s") % {"action": action})
    if step.by_system:
        if not system:
            raise PermissionDenied(_("“%(label)s”由系统自动完成，不能手动执行。") % {"label": step.label})
    elif system or actor is None or not (is_system_admin(actor) or actor.role in step.roles):
        raise PermissionDenied(_("您的角色不能执行“%(label)s”。") % {"label": step.label})
    current = getattr(obj, state_field)
    # Check-and-set: lock the row and compare its state with the one this request saw. A second click or a
    # second official waits here for the first to commit, then finds the state moved and is refused.
    # No ordering: a model's default ordering may join a nullable relation, which PostgreSQL cannot lock.
    stored = (type(obj)._default_manager.select_for_update().filter(pk=obj.pk).order_by()
              .values_list(state_field, flat=True).first())
    if stored is not None and stored != current:
        label = dict(obj._meta.get_field(state_field).flatchoices).get(stored, stored)
        raise Conflict(_("该记录已被他人处理（当前状态为“%(state)s”），请刷新页面后查看。") % {"state": label},
                       code="conflict")
    if current not in step.sources:
        raise ValidationError(
            _("当前状态为“%(state)s”，不能执行“%(label)s”。")
            % {"state": getattr(obj, f"get_{state_field}_display")(), "label": step.label}
        )
    comment = (comment or "").strip()
    check_comment(comment)
    if step.needs_comment and not comment:
        raise ValidationError({"comment": _("请填写“%(label)s”的理由。") % {"label": step.label}})
    refusal = guard_refusal(workflow, obj, action, actor)
    if refusal:
        raise ValidationError(refusal, code="guard")
    warning = None if confirmed else step_warning(workflow, obj, action, actor)
    if warning:
        raise ValidationError(_("%(w)s如确需%(label)s，请勾选确认后再提交。") % {"w": warning, "label": step.label},
                              code="unconfirmed")
    setattr(obj, state_field, step.target)
    fields = list(save_fields or []) + [state_field]
    if step.stamp:
        setattr(obj, step.stamp, _stamp_value(obj, step.stamp))
        fields.append(step.stamp)
    if hasattr(obj, "updated_at"):
        fields.append("updated_at")
    # The history's change reason is a 100-character column (django-simple-history); the Transition keeps it all.
    obj._change_reason = (comment or str(step.label))[:100]
    obj.save(update_fields=fields)
    return Transition.objects.create(
        content_type=ContentType.objects.get_for_model(type(obj)),
        object_id=str(obj.pk),
        action=action,
        from_state=current,
        to_state=step.target,
        actor=actor,
        comment=comment,
    )


def record_creation(*, obj, action: str, actor, comment: str = "") -> Transition:
    """Record that a service created ``obj`` in its initial state ("" → the state it has): pairings proposed by a
    finalized round, a replacement, a province team registered. Every later move is :func:`apply_transition`."""
    state_field = "status" if hasattr(obj, "status") else "outcome"
    check_comment(comment)
    return Transition.objects.create(
        content_type=ContentType.objects.get_for_model(type(obj)), object_id=str(obj.pk), action=action,
        from_state="", to_state=getattr(obj, state_field), actor=actor, comment=comment)


def transitions_for(obj):
    return Transition.objects.filter(
        content_type=ContentType.objects.get_for_model(type(obj)), object_id=str(obj.pk)
    ).select_related("actor")


def _guard_text(guard) -> str:
    doc = (getattr(guard, "__doc__", None) or "").strip().splitlines()
    return doc[0] if doc else getattr(guard, "__name__", "guard")


def render_workflow_docs() -> str:
    """docs/workflows.md: one state table per declared workflow, generated from the declarations (never by hand)."""
    from django.apps import apps

    role_labels = {}
    try:
        from core.roles import Role

        role_labels = dict(Role.choices)
    except Exception:  # noqa: BLE001 - the table still renders with role values
        pass
    lines = ["# Workflows", "",
             "Generated by `manage.py workflow_docs` from the `Workflow` declarations in each app's `choices.py`",
             "(`make test` fails when this file is out of date). A step moves a record from one of its *from*",
             "states to its *to* state; *who* may take it (系统 = taken by the platform within another step);",
             "*guards* are the cross-record rules checked under the row lock (a 提示 is a warning the official confirms",
             "before the step is taken); every step leaves a `Transition` row.",
             ""]
    for workflow in sorted(WORKFLOWS, key=lambda w: w.model):
        model = apps.get_model(workflow.model)
        column = model._meta.get_field(workflow.state_field)
        states = dict(column.flatchoices)
        lines += ["## %s (`%s.%s`)" % (workflow.title or model._meta.verbose_name, workflow.model,
                                        workflow.state_field), "",
                  "States: " + " · ".join("%s `%s`" % (label, value) for value, label in column.flatchoices)
                  + "; a new record starts as `%s`." % column.get_default(), "",
                  "| step | from | to | who | reason required | guards |", "| --- | --- | --- | --- | --- | --- |"]
        for action, step in workflow.items():
            who = "系统" if step.by_system else "、".join(str(role_labels.get(r, r)) for r in sorted(step.roles))
            guards = "；".join([_guard_text(g) for g in workflow.guards(action)]
                              + ["（提示，须确认）" + _guard_text(w) for w in step.warnings]) or ""
            lines.append("| %s `%s` | %s | %s | %s | %s | %s |" % (
                step.label, action, "、".join(str(states.get(s, s)) for s in step.sources),
                states.get(step.target, step.target), who, "是" if step.needs_comment else "", guards))
        lines.append("")
    return "\n".join(lines)
