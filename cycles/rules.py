"""Rules about cycles that every record of a cycle keeps."""
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from cycles.models import Cycle


def refuse_closed_cycle(instance) -> None:
    """A record of a closed cycle is neither created nor edited (status moves by workflow steps are not validated
    here: the system may still close what the cycle left open)."""
    field = instance._meta._forward_fields_map.get("cycle")
    if field is None or not field.is_relation or field.related_model is not Cycle:
        return
    cycle_id = getattr(instance, "cycle_id", None)
    if cycle_id is None:
        return
    cycle = Cycle.objects.filter(pk=cycle_id).values_list("name", "status").first()
    if cycle and cycle[1] == Cycle.Status.CLOSED:
        raise ValidationError({"cycle": _("帮扶周期“%(name)s”已结束，其记录只读，不能新增或修改。") % {"name": cycle[0]}})
