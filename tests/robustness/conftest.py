import pytest


@pytest.fixture
def records(world):
    """One record of every model, in 仁化县 (see ``tests.robustness.records``)."""
    from tests.robustness.records import build_records

    return build_records(world)
