"""Member change pages: the organizer records a change (the team keeps its size bounds, a Chinese message
otherwise, nothing saved); the city confirms a county team's change first, then the province; only the step the user
may take now is shown; the other county and the other team see nothing."""
import pytest
from django.urls import reverse

from replacements.models import MemberChange
from replacements.tests.factories import case_world, change_values, record_change
from teams.models import TeamMembership

pytestmark = pytest.mark.django_db

READERS = ["province", "city_st", "city_rural", "renhua_st", "renhua_rural", "leader", "member", "unit"]


@pytest.fixture
def cw(world):
    return case_world(world)


def html(response) -> str:
    return response.content.decode()


def form_data(world, cw, **overrides):
    values = change_values(world, cw)
    data = {"pairing": cw.pairing.pk, "leaving": str(values["leaving"]),
            "joining_id_number": values["joining_id_number"], "joining_name": values["joining_name"],
            "joining_phone": values["joining_phone"], "effective_date": values["effective_date"].isoformat(),
            "reason": values["reason"], "case": ""}
    data.update(overrides)
    return data


def test_the_organizer_records_a_change(world, cw, login):
    client = login("renhua_st")
    page = html(client.get(reverse("replacements:change_create") + "?pairing=%d" % cw.pairing.pk))
    assert cw.people[1].name in page and cw.people[2].name in page
    assert '<option value="%d">' % cw.people[0].pk not in page  # the leader never leaves by a change
    response = client.post(reverse("replacements:change_create"), form_data(world, cw))
    change = MemberChange.objects.get()
    assert response.status_code == 302 and response["Location"] == change.get_absolute_url()
    assert change.leaving == cw.people[2] and change.joining.name == "新成员甲" and change.status == "pending"
    assert change.size_before == change.size_after == 3
    assert not TeamMembership.objects.filter(team=world.team, commissioner=cw.people[2]).exists()


def test_a_change_breaking_the_size_bounds_shows_the_message(world, cw, login):
    client = login("renhua_st")
    page = html(client.post(reverse("replacements:change_create"), form_data(
        world, cw, joining_id_number="", joining_name="", joining_phone="")))
    assert "不符合本周期团队人数要求" in page
    assert not MemberChange.objects.exists()
    assert TeamMembership.objects.filter(team=world.team).count() == 3


def test_only_the_organizer_records(world, cw, login):
    url = reverse("replacements:change_create")
    for name in ("leader", "renhua_county_town", "expert", "unit"):
        assert login(name).post(url, form_data(world, cw)).status_code == 403
    page = html(login("nanxiong_st").post(url, form_data(world, cw)))
    assert "您组织的镇当前没有已备案或帮扶中的结对" in page  # 董塘镇's pairing is not one 南雄 may choose
    assert not MemberChange.objects.exists()


def test_the_city_confirms_first_then_the_province(world, cw, login):
    change = record_change(world, cw)
    province = login("province")
    page = html(province.get(change.get_absolute_url()))
    assert "县级团队的成员变更须先由市科技局确认" in page  # offered disabled with the guard's reason
    province.post(reverse("replacements:change_action", args=[change.pk, "confirm_province"]), {"comment": ""})
    change.refresh_from_db()
    assert change.status == "pending"
    city = login("city_st")
    page = html(city.get(change.get_absolute_url()))
    assert 'data-testid="action-confirm_city"' in page and 'data-testid="action-confirm_province"' not in page
    assert city.post(reverse("replacements:change_action", args=[change.pk, "confirm_city"]),
                     {"comment": "同意"}).status_code == 302
    change.refresh_from_db()
    assert change.status == "city_confirmed"
    login("province").post(reverse("replacements:change_action", args=[change.pk, "confirm_province"]),
                           {"comment": "同意备案"})
    change.refresh_from_db()
    assert change.status == "registered"


def test_the_county_cannot_confirm(world, cw, login):
    change = record_change(world, cw)
    page = html(login("renhua_st").get(change.get_absolute_url()))
    assert 'data-testid="action-confirm_city"' not in page
    login("renhua_st").post(reverse("replacements:change_action", args=[change.pk, "confirm_city"]))
    assert login("nanxiong_st").post(reverse("replacements:change_action", args=[change.pk, "confirm_city"])
                                     ).status_code == 404
    change.refresh_from_db()
    assert change.status == "pending"


def test_the_list_and_the_detail_are_scoped(world, cw, login, assert_denied):
    change = record_change(world, cw)
    assert "柑橘团队" in html(login("renhua_st").get(reverse("replacements:change_list") + "?status=pending"))
    assert "柑橘团队" not in html(login("nanxiong_st").get(reverse("replacements:change_list")))
    assert login("renhua_county_town").get(reverse("replacements:change_list")).status_code == 403
    assert_denied(change.get_absolute_url(), allowed=READERS)
