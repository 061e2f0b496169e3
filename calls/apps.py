from django.apps import AppConfig


class CallsConfig(AppConfig):
    name = "calls"
    verbose_name = "公开征集与申报"
