"""Sections of the public landing page; later issues (calls, notices) register theirs."""
from django.utils.module_loading import autodiscover_modules

SECTIONS: list = []
_loaded = False


def public_section(function):
    """Register ``function() -> dict(title, items: [(text, url, note)], empty)`` for the landing page."""
    SECTIONS.append(function)
    return function


def public_sections() -> list[dict]:
    global _loaded
    if not _loaded:
        autodiscover_modules("public")
        _loaded = True
    return [function() for function in SECTIONS]
