"""Writes on cycles."""
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from core.scoping import CHANGE, can
from core.workflow import apply_transition
from core.roles import has_role
from cycles.choices import CYCLE_EDITORS, CYCLE_WORKFLOW

from cycles.models import Cycle


# What else a new cycle copies from its source, registered by the apps above cycles (regions copies the town classes
# and organizing levels): ``hook(actor=, source=, cycle=)``. Cycles imports none of them.
COPY_HOOKS: list = []


def _require_editor(actor):
    if not has_role(actor, CYCLE_EDITORS):
        raise PermissionDenied(_("只有市科技局可以新建或复制帮扶周期。"))


@transaction.atomic
def cycle_create(*, actor, **fields) -> Cycle:
    """Create a cycle after checking the actor and validating it (it starts "planned"; the workflow opens it)."""
    _require_editor(actor)
    cycle = Cycle(**fields)
    cycle.full_clean()
    cycle._change_reason = "create"
    cycle.save()
    return cycle


@transaction.atomic
def cycle_copy(*, actor, source: Cycle, **fields) -> Cycle:
    """Start a new cycle from ``source``: its rules, then what the registered copy hooks carry over."""
    _require_editor(actor)
    rule_fields = [
        "agreement_days", "project_submission_days", "project_budget_cap", "review_panel_size", "weight_fit",
        "weight_feasibility", "weight_benefit", "weight_team", "weight_budget", "required_stationed_days", "cross_town_days_count", "inactivity_days",
        "photo_max_age_days", "team_size_min", "team_size_max",
        "notice_working_days", "require_degree_or_title", "exclude_work_team_members",
        "exclude_selected_elsewhere", "require_recommendation_letter",
    ]
    values = {name: getattr(source, name) for name in rule_fields}
    values.update(fields)
    cycle = cycle_create(actor=actor, **values)
    for hook in COPY_HOOKS:
        hook(actor=actor, source=source, cycle=cycle)
    return cycle


@transaction.atomic
def cycle_transition(*, actor, cycle: Cycle, action: str, comment: str = "") -> Cycle:
    """Start, close or reopen a cycle (the city S&T bureau)."""
    if not can(actor, cycle, CHANGE):
        raise PermissionDenied(_("您无权变更该帮扶周期的状态。"))
    apply_transition(workflow=CYCLE_WORKFLOW, obj=cycle, action=action, actor=actor, comment=comment)
    return cycle
