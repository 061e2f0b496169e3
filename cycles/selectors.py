"""Reads on cycles."""
from cycles.models import Cycle


def current_cycle(request) -> Cycle | None:
    """The cycle a page shows: ``?cycle=<id>`` when it names one, else the current (open) cycle."""
    cycle_id = request.GET.get("cycle")
    if cycle_id and cycle_id.isdigit() and len(cycle_id) < 19:
        return Cycle.objects.filter(pk=cycle_id).first() or Cycle.current()
    return Cycle.current()
