from core.forms import StyledModelForm
from cycles.models import Cycle

RULE_FIELDS = [
    "name", "status", "start_date", "end_date", "dispatch_deadline", "agreement_due_date", "agreement_days", "project_submission_days",
    "project_budget_cap", "review_panel_size", "weight_fit", "weight_feasibility", "weight_benefit", "weight_team",
    "weight_budget",
    "required_stationed_days", "cross_town_days_count", "inactivity_days", "photo_max_age_days",
    "team_size_min", "team_size_max", "notice_working_days", "require_degree_or_title",
    "exclude_work_team_members", "exclude_selected_elsewhere", "require_recommendation_letter", "note",
]


class CycleForm(StyledModelForm):
    """The cycle's rules; its status moves by the workflow buttons on its page (cycles.choices.CYCLE_WORKFLOW)."""

    class Meta:
        model = Cycle
        fields = [name for name in RULE_FIELDS if name != "status"]


class CycleCopyForm(StyledModelForm):
    """A new cycle started from an existing one (rules, town classes and levels are copied)."""

    class Meta:
        model = Cycle
        fields = ["name", "start_date", "end_date", "dispatch_deadline", "agreement_due_date"]
