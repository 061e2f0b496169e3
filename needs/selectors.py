"""Reads on needs used by other apps (calls show confirmed needs; selection feeds them to the engine)."""
from needs.choices import NeedStatus
from needs.models import Need

# Needs an applicant or the matching engine should see: confirmed by the organizer, or already matched.
USABLE_STATES = (NeedStatus.CONFIRMED, NeedStatus.MATCHED, NeedStatus.IN_ASSISTANCE)


def confirmed_needs_for_towns(*, cycle, towns):
    """Confirmed needs of the given towns in a cycle, with their category, oldest first (no scoping: public to applicants)."""
    return (
        Need.objects.filter(cycle=cycle, town__in=towns, status__in=USABLE_STATES)
        .select_related("town", "category")
        .order_by("town__code", "pk")
    )
