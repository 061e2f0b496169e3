from django.apps import AppConfig


class ReplacementsConfig(AppConfig):
    name = "replacements"
    verbose_name = "调整更换与周期结束"

    def ready(self):
        # The end of a cycle registers itself for ``manage.py run_scheduled``.
        from replacements import scheduled  # noqa: F401
        from cycles.choices import CYCLE_WORKFLOW
        from replacements.guards import no_working_pairings

        CYCLE_WORKFLOW.add_guard("close", no_working_pairings)
