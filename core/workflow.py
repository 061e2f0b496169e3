"""Workflows as data: a table of transitions per model, one function that applies them.

A workflow is a dict ``{action: Step(sources, target, roles, label, needs_comment)}`` in the
app's ``choices.py``. :func:`apply_transition` checks the step, sets the state, saves and
records a :class:`core.models.Transition` row — views never set a status themselves.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from core.fields import check_comment
from core.models import Transition


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


def allowed_actions(workflow: dict, obj, user, state_field: str = "status") -> list[tuple[str, Step]]:
    """The steps ``user`` may take on ``obj`` now (scope is checked by the caller)."""
    state = getattr(obj, state_field)
    role = getattr(user, "role", None)
    admin = user.is_superuser
    return [
        (name, step)
        for name, step in workflow.items()
        if state in step.sources and (admin or role in step.roles)
    ]


@transaction.atomic
def apply_transition(
    *, workflow: dict, obj, action: str, actor, comment: str = "", state_field: str = "status", save_fields=None
) -> Transition:
    """Move ``obj`` along ``action`` and record it; raises ValidationError/PermissionDenied in Chinese."""
    step = workflow.get(action)
    if step is None:
        raise ValidationError(_("未知操作：%(action)s") % {"action": action})
    if not (actor.is_superuser or actor.role in step.roles):
        raise PermissionDenied(_("您的角色不能执行“%(label)s”。") % {"label": step.label})
    current = getattr(obj, state_field)
    # Check-and-set: lock the row and compare its state with the one this request saw. A second click or a
    # second official waits here for the first to commit, then finds the state moved and is refused.
    stored = (type(obj)._default_manager.select_for_update().filter(pk=obj.pk)
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
    setattr(obj, state_field, step.target)
    # The history's change reason is a 100-character column (django-simple-history); the Transition keeps it all.
    obj._change_reason = (comment or str(step.label))[:100]
    obj.save(update_fields=list(save_fields or []) + [state_field, "updated_at"] if hasattr(obj, "updated_at") else None)
    return Transition.objects.create(
        content_type=ContentType.objects.get_for_model(type(obj)),
        object_id=str(obj.pk),
        action=action,
        from_state=current,
        to_state=step.target,
        actor=actor,
        comment=comment,
    )


def record_transition(*, obj, action: str, from_state: str, to_state: str, actor, comment: str = "") -> Transition:
    """Record a transition that a service applied itself (bulk or system moves)."""
    check_comment(comment)
    return Transition.objects.create(
        content_type=ContentType.objects.get_for_model(type(obj)),
        object_id=str(obj.pk),
        action=action,
        from_state=from_state,
        to_state=to_state,
        actor=actor,
        comment=comment,
    )


def transitions_for(obj):
    return Transition.objects.filter(
        content_type=ContentType.objects.get_for_model(type(obj)), object_id=str(obj.pk)
    ).select_related("actor")
