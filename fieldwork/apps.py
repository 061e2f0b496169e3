from django.apps import AppConfig


class FieldworkConfig(AppConfig):
    name = "fieldwork"
    verbose_name = "服务活动与驻镇管理"

    def ready(self):
        # The compliance monitor registers itself for ``manage.py run_scheduled``.
        from fieldwork import scheduled  # noqa: F401
