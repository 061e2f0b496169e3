"""Generic writes for simple reference records (units, cycles' fields): validate, save, check scope."""
from django.core.exceptions import PermissionDenied
from django.db import transaction

from core.scoping import CHANGE, can


@transaction.atomic
def record_save(*, actor, instance, create_roles=frozenset(), reason: str = ""):
    """Validate and save ``instance``; a new row needs a creating role, every row must end in the actor's change scope."""
    creating = instance.pk is None
    if creating and not (actor.is_superuser or actor.role in create_roles):
        raise PermissionDenied("您的角色不能新增此类记录。")
    instance.full_clean()
    if reason:
        instance._change_reason = reason
    instance.save()
    if not creating and not can(actor, instance, CHANGE):
        raise PermissionDenied("不能修改您管辖范围之外的记录。")
    return instance
