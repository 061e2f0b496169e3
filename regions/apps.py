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

        # The change rule "the organizing level of the row's town in the row's cycle decides" (needs, town profiles):
        # declared by models as scope_change = "town_organizer", evaluated by core.scoping.
        from core.scoping import register_change_rule
        from regions.selectors import organized_towns_q

        register_change_rule("town_organizer", lambda model, user: organized_towns_q(user, town_path=model.scope_town))
