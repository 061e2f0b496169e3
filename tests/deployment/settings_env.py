"""The settings config/settings.py builds from a given environment (for the deployment tests)."""
import importlib
import os


def settings_built_with(environment: dict):
    """config.settings as a module, loaded again with ``environment`` added to os.environ; os.environ and the module
    are put back afterwards (the returned object keeps the values built with ``environment``)."""
    import types

    import config.settings as project_settings

    saved = {key: os.environ.get(key) for key in environment}
    os.environ.update(environment)
    try:
        built = importlib.reload(project_settings)
        values = types.SimpleNamespace(**{name: getattr(built, name) for name in dir(built) if name.isupper()})
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        importlib.reload(project_settings)
    return values
