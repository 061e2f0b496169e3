from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "matching"
    verbose_name = "遴选匹配"

    def ready(self):
        from calls.choices import APPLICATION_WORKFLOW, CALL_WORKFLOW
        from matching import guards

        APPLICATION_WORKFLOW.add_guard("withdraw", guards.no_pairing_for_application)
        APPLICATION_WORKFLOW.add_guard("accept", guards.team_not_paired_elsewhere)
        CALL_WORKFLOW.add_guard("cancel", guards.no_pairings_for_call)
