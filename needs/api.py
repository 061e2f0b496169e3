"""API for needs."""


def register_routes(router):
    pass
