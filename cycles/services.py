"""Writes on cycles."""
from django.db import transaction

from cycles.models import Cycle


@transaction.atomic
def cycle_create(*, actor, **fields) -> Cycle:
    """Create a cycle after validating it."""
    cycle = Cycle(**fields)
    cycle.full_clean()
    cycle._change_reason = "create"
    cycle.save()
    return cycle


@transaction.atomic
def cycle_copy(*, actor, source: Cycle, **fields) -> Cycle:
    """Start a new cycle from ``source``: its rules, then its town classes and organizing levels."""
    from simple_history.utils import bulk_create_with_history

    from regions.models import TownClassification

    rule_fields = [
        "project_submission_days", "required_stationed_days", "team_size_min", "team_size_max",
        "notice_working_days", "require_degree_or_title", "exclude_work_team_members",
        "exclude_selected_elsewhere", "require_recommendation_letter",
    ]
    values = {name: getattr(source, name) for name in rule_fields}
    values.update(fields)
    cycle = cycle_create(actor=actor, **values)
    bulk_create_with_history(
        [
            TownClassification(
                cycle=cycle, town_id=row.town_id, town_class=row.town_class, organizing_level=row.organizing_level
            )
            for row in TownClassification.objects.filter(cycle=source)
        ],
        TownClassification,
        default_user=actor,
    )
    return cycle
