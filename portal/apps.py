from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The platform's front: the public landing page, the signed-in home, overview and inbox, and the demo data.

    The top layer: it may import every app; no app imports it (core stays at the bottom).
    """

    name = "portal"
    verbose_name = "门户"
