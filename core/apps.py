from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "公共"

    def ready(self):
        # Every app declares its workflows in its choices.py; load them all so core.workflow.WORKFLOWS is complete
        # (the admin's read-only status fields, the docs and the tests read it). Found by name: core imports no app.
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("choices")
        # The fast date columns, registered before any app's tables.py makes its columns (core.tables).
        import core.tables  # noqa: F401
