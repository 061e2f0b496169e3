from django.apps import AppConfig


class NeedsConfig(AppConfig):
    name = "needs"
    verbose_name = "需求摸底"
