"""The town sees its team on its home page: who they are, the pairing's state, what happens next; phones once the
assistance has begun (each unmasked view logged)."""
import pytest

from core.models import SensitiveAccess
from matching.models import Pairing
from teams.models import TeamMembership
from teams.tests.factories import make_commissioner

pytestmark = pytest.mark.django_db


@pytest.fixture
def paired(world):
    leader = make_commissioner(world.unit, name="黄志强")
    member = make_commissioner(world.unit, name="李美华")
    TeamMembership.objects.create(team=world.team, commissioner=leader, role="leader", cycle=world.cycle)
    TeamMembership.objects.create(team=world.team, commissioner=member, role="member", cycle=world.cycle)
    pairing = Pairing.objects.create(cycle=world.cycle, town=world.renhua_county_town, team=world.team,
                                     organizer_level="county", status="on_notice")
    return pairing, leader, member


def test_the_town_sees_its_team_and_the_next_step_with_phones_masked_before_assistance(world, login, paired):
    pairing, leader, member = paired
    page = login("renhua_county_town").get("/home/").content.decode()
    assert "本镇结对团队" in page and "柑橘团队" in page and "黄志强" in page and "李美华" in page
    assert "公示中" in page and "公示期满无异议后" in page
    assert leader.phone not in page and leader.phone[-4:] in page  # masked
    assert not SensitiveAccess.objects.exists()


def test_once_active_the_town_sees_the_phones_and_the_view_is_logged(world, login, paired):
    pairing, leader, member = paired
    Pairing.objects.filter(pk=pairing.pk).update(status="active")
    page = login("renhua_county_town").get("/home/").content.decode()
    assert leader.phone in page and member.phone in page and "帮扶中" in page
    assert SensitiveAccess.objects.filter(user=world["renhua_county_town"], field="phone").count() == 2


def test_another_town_does_not_see_it(world, login, paired):
    page = login("renhua_city_town").get("/home/").content.decode()
    assert "柑橘团队" not in page and "本周期尚未确定结对团队" in page
