"""One write path: API writes go through services that check before they save; statuses move only by steps."""
import pytest
from rest_framework.test import APIClient

from core.models import Transition
from core.scoping import may_write
from core.services import record_save
from cycles.models import Cycle
from regions.models import City, County, Town, TownClassification, Village, WorkTeam


@pytest.fixture
def api(world):
    def as_user(name):
        client = APIClient()
        client.force_authenticate(world[name])
        return client

    return as_user


@pytest.fixture
def elsewhere(world):
    """A town of another city (清远市英德市), outside every Shaoguan official's scope."""
    city = City.objects.create(code="4418", name="清远市", province_code="44", province_name="广东省")
    county = County.objects.create(city=city, code="441881", name="英德市")
    return Town.objects.create(county=county, code="441881100", name="英城街道")


def _counts():
    return (Village.objects.count(), Village.history.count(), WorkTeam.objects.count(), WorkTeam.history.count(),
            TownClassification.objects.count(), TownClassification.history.count(), Transition.objects.count())


def test_an_out_of_scope_api_create_writes_nothing_not_even_history(world, api, elsewhere):
    before = _counts()
    response = api("renhua_st").post("/api/v1/villages/", {"town": world.nanxiong_county_town.pk, "name": "外县村"},
                                     format="json")
    assert response.status_code == 403
    WorkTeam.objects.filter(town=world.nanxiong_county_town).delete()
    before = _counts()
    response = api("renhua_st").post("/api/v1/work-teams/", {"town": world.nanxiong_county_town.pk,
                                                             "leader_name": "张三"}, format="json")
    assert response.status_code == 403
    response = api("city_st").post("/api/v1/town-classifications/", {
        "cycle": world.cycle.pk, "town": elsewhere.pk, "town_class": "key", "organizing_level": "city"}, format="json")
    assert response.status_code == 403
    assert _counts() == before


def test_an_api_edit_cannot_move_a_record_out_of_scope(world, api):
    village = Village.objects.create(town=world.renhua_county_town, name="董塘村")
    history = Village.history.count()
    response = api("renhua_st").patch("/api/v1/villages/%d/" % village.pk, {"town": world.nanxiong_county_town.pk},
                                      format="json")
    assert response.status_code == 403
    village.refresh_from_db()
    assert village.town == world.renhua_county_town and Village.history.count() == history


def test_api_writes_in_scope_go_through_the_services(world, api):
    response = api("renhua_county_town").post("/api/v1/villages/", {"town": world.renhua_county_town.pk,
                                                                    "name": "新村"}, format="json")
    assert response.status_code == 201, response.content
    assert Village.history.filter(name="新村", history_type="+").count() == 1
    WorkTeam.objects.filter(town=world.renhua_county_town).delete()
    response = api("renhua_county_town").post("/api/v1/work-teams/", {"town": world.renhua_county_town.pk,
                                                                      "leader_name": "李四"}, format="json")
    assert response.status_code == 201, response.content
    assert WorkTeam.history.filter(leader_name="李四", history_type="+").count() == 1
    again = api("renhua_county_town").post("/api/v1/work-teams/", {"town": world.renhua_county_town.pk,
                                                                   "leader_name": "王五"}, format="json")
    assert again.status_code == 400
    assert WorkTeam.objects.get(town=world.renhua_county_town).leader_name == "李四"


def test_a_status_is_not_changed_through_the_api(world, api):
    cycle = world.cycle
    response = api("city_st").patch("/api/v1/cycles/%d/" % cycle.pk, {"status": "closed", "note": "改备注"},
                                    format="json")
    assert response.status_code == 200
    cycle.refresh_from_db()
    assert cycle.status == Cycle.Status.OPEN and cycle.note == "改备注"
    assert not Transition.objects.filter(object_id=str(cycle.pk), to_state="closed").exists()


def test_record_save_refuses_a_status_set_by_hand(world):
    from django.core.exceptions import ValidationError

    cycle = world.cycle
    cycle.status = Cycle.Status.CLOSED
    with pytest.raises(ValidationError) as refused:
        record_save(actor=world["city_st"], instance=cycle)
    assert "只能通过流程操作变更" in refused.value.message_dict["status"][0]
    cycle.refresh_from_db()
    assert cycle.status == Cycle.Status.OPEN


def test_the_cycle_moves_by_its_workflow_with_a_transition(world, login):
    client = login("city_st")
    response = client.post("/cycles/%d/act/close/" % world.cycle.pk, {"comment": "周期结束"})
    assert response.status_code == 302
    world.cycle.refresh_from_db()
    assert world.cycle.status == Cycle.Status.CLOSED
    step = Transition.objects.get(object_id=str(world.cycle.pk), action="close")
    assert (step.from_state, step.to_state, step.actor) == ("open", "closed", world["city_st"])
    # A county official is refused and nothing moves.
    client = login("renhua_st")
    client.post("/cycles/%d/act/reopen/" % world.cycle.pk, {"comment": "x"})
    world.cycle.refresh_from_db()
    assert world.cycle.status == Cycle.Status.CLOSED


def test_may_write_decides_before_saving(world, elsewhere):
    inside = Village(town=world.renhua_county_town, name="甲村")
    outside = Village(town=world.nanxiong_county_town, name="乙村")
    assert may_write(world["renhua_st"], inside) and not may_write(world["renhua_st"], outside)
    assert may_write(world["renhua_county_town"], inside) and not may_write(world["renhua_city_town"], inside)
    assert may_write(world["city_st"], outside) and not may_write(world["city_st"], Village(town=elsewhere, name="丙"))
    assert not may_write(world["leader"], inside)
    assert inside.pk is None and Village.objects.count() == 0  # nothing was saved to decide


def test_an_api_create_outside_scope_is_refused_before_uniqueness_is_checked(world, login):
    """A town user posting a work team for another county's town (which already has one) is told "not yours", not
    "already exists": the scope check comes first, the uniqueness check after it, in the service."""
    from regions.models import WorkTeam

    other = world.nanxiong_county_town
    assert WorkTeam.objects.filter(town=other).exists()
    response = login("renhua_county_town").post("/api/v1/work-teams/", {"town": other.pk, "leader_name": "某人",
                                                                        "contact_phone": "0751-8888888"},
                                                content_type="application/json")
    assert response.status_code in (403, 404)
    assert "已存在" not in response.content.decode()
    # In scope, the same collision is named as one.
    own = login("renhua_county_town").post("/api/v1/work-teams/", {"town": world.renhua_county_town.pk,
                                                                   "leader_name": "某人", "contact_phone": "0751-8888888"},
                                           content_type="application/json")
    assert own.status_code == 400 and "已登记" in own.content.decode()
    # A county office may not create town classes at all: told so, not that 南雄's row exists.
    refused = login("renhua_st").post("/api/v1/town-classifications/", {"cycle": world.cycle.pk, "town": other.pk},
                                      content_type="application/json")
    assert refused.status_code == 403 and "唯一" not in refused.content.decode()


def test_an_edit_that_changes_nothing_writes_no_history(world, login):
    """A PATCH with nothing new (or only fields the API ignores) saves nothing: no "修改" history row without a change."""
    from cycles.models import Cycle
    from regions.models import WorkTeam

    client = login("city_st")
    before = Cycle.history.count()
    assert client.patch(f"/api/v1/cycles/{world.cycle.pk}/", {}, content_type="application/json").status_code == 200
    assert client.patch(f"/api/v1/cycles/{world.cycle.pk}/", {"name": world.cycle.name},
                        content_type="application/json").status_code == 200
    assert Cycle.history.count() == before
    team = WorkTeam.objects.get(town=world.renhua_county_town)
    before = team.history.count()
    response = login("renhua_county_town").patch(f"/api/v1/work-teams/{team.pk}/", {"leader_name": team.leader_name},
                                                 content_type="application/json")
    assert response.status_code == 200
    assert team.history.count() == before
    # A real change is saved and recorded.
    cycles_before = Cycle.history.count()
    client = login("city_st")
    assert client.patch(f"/api/v1/cycles/{world.cycle.pk}/", {"name": "测试周期（改）"},
                        content_type="application/json").status_code == 200
    assert Cycle.history.count() == cycles_before + 1
