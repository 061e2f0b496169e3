"""Generic writes for simple reference records (units, cycles, town classes, villages): check, validate, save."""
from django.core.exceptions import PermissionDenied
from django.db import transaction

from core.scoping import CHANGE, may_write
from core.workflow import check_states_untouched
from core.roles import is_system_admin


def unchanged(instance) -> bool:
    """Whether ``instance`` (an edit, not yet saved) holds exactly what its stored row holds (timestamps aside)."""
    if instance.pk is None or instance._state.adding:
        return False
    stored = type(instance)._default_manager.filter(pk=instance.pk).first()
    if stored is None:
        return False
    for field in instance._meta.concrete_fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            continue
        if getattr(instance, field.attname) != getattr(stored, field.attname):
            return False
    return True


@transaction.atomic
def record_save(*, actor, instance, create_roles=frozenset(), reason: str = "", scoped_create: bool = True):
    """Check, validate, then save ``instance``: a new row needs a creating role; the stored row (for an edit) and the
    new values must both be in the actor's change scope. Nothing is written when a check fails.

    ``scoped_create=False`` is for shared reference data a role registers but does not keep (dispatching units: the
    city registers, the unit keeps its contacts)."""
    creating = instance._state.adding
    if creating and not (is_system_admin(actor) or actor.role in create_roles):
        raise PermissionDenied("您的角色不能新增此类记录。")
    if not creating and not may_write(actor, instance, CHANGE):
        raise PermissionDenied("不能修改您管辖范围之外的记录。")
    check_states_untouched(instance)
    if not creating and unchanged(instance):
        return instance  # an edit that changes nothing writes nothing (no history row "修改" with no change)
    instance.full_clean()
    if creating and scoped_create and not may_write(actor, instance, CHANGE):
        raise PermissionDenied("不能在您的管辖范围之外新增记录。")
    if reason:
        instance._change_reason = reason
    instance.save()
    return instance
