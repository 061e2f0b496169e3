"""The second half of the pages of ``tests/a11y/test_axe.py`` (a file of its own: the other worker checks it)."""
import pytest

from tests.a11y.test_axe import check_pages

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_other_pages_pass_axe_on_desktop_and_phone(browser, live_server, world):
    check_pages(browser, live_server, world, part=1)
