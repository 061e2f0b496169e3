"""Query pieces every list shares."""
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce


def related_count(model, link: str, condition: Q | None = None):
    """How many ``model`` rows point at the outer row through ``link`` (and meet ``condition``), as a correlated
    subquery on ``link``'s index.

    ``annotate(n=Count("children"))`` joins every row of the table to all its children and groups them (every
    column in the GROUP BY) before the page takes its 25; this counts for the rows the page shows, so a list costs
    the same at province scale as at city scale."""
    rows = model._default_manager.filter(**{link: OuterRef("pk")})
    if condition is not None:
        rows = rows.filter(condition)
    rows = rows.order_by().values(link).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)
