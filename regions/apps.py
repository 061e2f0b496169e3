from django.apps import AppConfig


class RegionsConfig(AppConfig):
    name = "regions"
    verbose_name = "区域"

    def ready(self):
        # A cycle copied from another carries its town classes and organizing levels (cycles sits below regions).
        from cycles.services import COPY_HOOKS
        from regions.services import copy_classifications

        if copy_classifications not in COPY_HOOKS:
            COPY_HOOKS.append(copy_classifications)
