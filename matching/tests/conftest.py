import pytest

from matching.testing import build_selection


@pytest.fixture
def selection(world):
    """A county call over three towns with confirmed needs and four accepted applications."""
    return build_selection(world)
