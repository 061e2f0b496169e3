"""API for calls and applications (issue: calls and applications)."""


def register_routes(router):
    """Register this app's viewsets on the API router."""
