from django.apps import AppConfig


class CyclesConfig(AppConfig):
    name = "cycles"
    verbose_name = "帮扶周期"

    def ready(self):
        # A closed cycle's records are read-only: every service validates before it saves (core.models.RECORD_RULES).
        from core.models import RECORD_RULES
        from cycles.rules import refuse_closed_cycle

        if refuse_closed_cycle not in RECORD_RULES:
            RECORD_RULES.append(refuse_closed_cycle)
