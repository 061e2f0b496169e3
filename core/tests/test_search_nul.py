"""A NUL byte in a list's search box (``?q=%00``) is searched for without it: never a server error (PostgreSQL
refuses NUL in a query)."""
import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/needs/?q=%00", "/teams/?q=a%00b", "/review/grants/ledger.xlsx?q=%00",
                                 "/assistance/projects/?q=%00"])
def test_a_nul_byte_in_search_is_not_a_server_error(world, client, url):
    client.force_login(world["city_st"])
    assert client.get(url).status_code == 200
