from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "notices"
    verbose_name = "公示与异议"

    def ready(self):
        # A pairing on a notice whose period ended with no open objection reads as 公示无异议 before the scheduled
        # job records it (matching sits below notices: notices adds the rule).
        from matching.choices import PairingStatus
        from matching.selectors import EFFECTIVE_RULES
        from notices.selectors import pairing_cleared_by_period

        rule = (PairingStatus.ON_NOTICE, PairingStatus.NOTICE_CLEARED, pairing_cleared_by_period)
        if rule not in EFFECTIVE_RULES:
            EFFECTIVE_RULES.append(rule)
