"""The end of a cycle as a scheduled step: a cycle whose last day has passed ends its working pairings."""
from datetime import timedelta

from django.utils import timezone

from core.scheduled import scheduled_job


# Cycles end on a date: once a (Beijing) day is enough, on however many machines.
@scheduled_job("cycle_end_pairings", every=timedelta(days=1))
def end_pairings_of_past_cycles(now=None) -> int:
    """End the working pairings of every cycle that has ended (the system as actor); idempotent."""
    from cycles.models import Cycle
    from matching.models import Pairing
    from replacements.services import WORKING, cycle_end_pairings

    today = timezone.localdate(now) if now else timezone.localdate()
    due = Cycle.objects.filter(end_date__lt=today, pk__in=Pairing.objects.filter(status__in=WORKING)
                               .values("cycle_id"))
    return sum(cycle_end_pairings(cycle=cycle, today=today) for cycle in due)
