"""Dispatching units are archived (停用), never deleted: who may, when not, and what an archived unit is no longer
offered for."""
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.china import make_credit_code
from core.models import Transition
from core.workflow import transitions_for
from cycles.models import Cycle
from teams.models import Commissioner, Team
from teams.services import team_create
from teams.tests.factories import id_number, make_commissioner
from teams.tests.test_import import PEOPLE_HEADER, TEAM_HEADER, person, workbook
from units.choices import UnitStatus
from units.models import DispatchingUnit
from units.services import unit_transition


@pytest.fixture
def idle(world):
    """A unit leading no team: free to archive."""
    return DispatchingUnit.objects.create(name="韶关市农业科学研究所", kind="institute",
                                          credit_code=make_credit_code("12440200MB2C12345"))


def archive(actor, unit, comment="单位已撤并，不再派出特派员"):
    return unit_transition(actor=actor, unit=unit, action="archive", comment=comment)


def test_the_city_st_archives_a_unit_with_a_reason_on_the_page(world, login, idle):
    client = login("city_st")
    page = client.get("/units/%d/" % idle.pk).content.decode()
    assert 'data-testid="action-archive"' in page and "在用" in page
    response = client.post("/units/%d/act/archive/" % idle.pk, {"comment": "单位已撤并，不再派出特派员"})
    assert response.status_code == 302
    idle.refresh_from_db()
    assert idle.status == UnitStatus.ARCHIVED
    (row,) = transitions_for(idle)
    assert (row.action, row.from_state, row.to_state, row.actor, row.comment) == (
        "archive", "active", "archived", world["city_st"], "单位已撤并，不再派出特派员")
    page = client.get("/units/%d/" % idle.pk).content.decode()
    assert "已停用" in page and "停用理由" in page and "单位已撤并" in page
    assert 'data-testid="action-restore"' in page and 'data-testid="action-archive"' not in page
    assert idle.history.first().history_change_reason == "单位已撤并，不再派出特派员"


def test_the_province_and_the_administrator_archive_too(world, idle):
    archive(world["province"], idle)
    unit_transition(actor=world["admin"], unit=idle, action="restore")
    assert DispatchingUnit.objects.get(pk=idle.pk).status == UnitStatus.ACTIVE


def test_archiving_needs_a_reason(world, idle):
    with pytest.raises(ValidationError) as error:
        archive(world["city_st"], idle, comment="  ")
    assert "请填写“停用”的理由" in str(error.value)
    assert DispatchingUnit.objects.get(pk=idle.pk).status == UnitStatus.ACTIVE


@pytest.mark.parametrize("name", ["unit", "renhua_st", "leader", "city_rural", "expert"])
def test_others_may_not_archive(world, name):
    """The unit's own account, a county official, the unit's team leader: refused; nothing is recorded."""
    with pytest.raises(PermissionDenied):
        archive(world[name], world.unit)
    assert DispatchingUnit.objects.get(pk=world.unit.pk).status == UnitStatus.ACTIVE
    assert not Transition.objects.exists()


def test_the_page_refuses_others_and_shows_them_no_button(world, login, idle):
    client = login("renhua_st")
    assert 'data-testid="action-archive"' not in client.get("/units/%d/" % idle.pk).content.decode()
    page = client.post("/units/%d/act/archive/" % idle.pk, {"comment": "x"}, follow=True).content.decode()
    assert "您的角色不能执行“停用”" in page
    # Out of scope: the unit account and a team leader do not see another unit at all.
    assert login("unit").post("/units/%d/act/archive/" % idle.pk, {"comment": "x"}).status_code == 404
    assert login("leader").post("/units/%d/act/archive/" % idle.pk, {"comment": "x"}).status_code == 404
    page = login("unit").post("/units/%d/act/archive/" % world.unit.pk, {"comment": "x"}, follow=True)
    assert "您的角色不能执行“停用”" in page.content.decode()
    assert not DispatchingUnit.objects.filter(status=UnitStatus.ARCHIVED).exists()


def test_a_unit_leading_a_team_of_an_open_cycle_is_not_archived(world, login):
    with pytest.raises(ValidationError) as error:
        archive(world["city_st"], world.unit)
    assert "仍牵头1个帮扶周期未结束的团队（“柑橘团队”），不能停用" in str(error.value)
    page = login("city_st").post("/units/%d/act/archive/" % world.unit.pk, {"comment": "撤并"}, follow=True)
    assert "仍牵头1个帮扶周期未结束的团队" in page.content.decode()
    assert DispatchingUnit.objects.get(pk=world.unit.pk).status == UnitStatus.ACTIVE
    # A planned cycle has not ended either; once every cycle is closed the unit may go.
    world.cycle.status = Cycle.Status.CLOSED
    world.cycle.save()
    archive(world["city_st"], world.unit)
    assert DispatchingUnit.objects.get(pk=world.unit.pk).status == UnitStatus.ARCHIVED


def test_an_archived_unit_leads_no_new_team(world, idle):
    people = [make_commissioner(idle) for _ in range(3)]
    archive(world["city_st"], idle)
    with pytest.raises(ValidationError) as error:
        team_create(actor=world["city_st"], cycle=world.cycle, name="新团队", lead_unit=idle, leader=people[0],
                    members=people[1:])
    assert "派出单位“韶关市农业科学研究所”已停用，不能新增团队" in str(error.value)
    assert not Team.objects.filter(name="新团队").exists()


def test_the_team_import_names_the_row_of_an_archived_unit(world, login, idle):
    people = [make_commissioner(idle) for _ in range(3)]
    archive(world["city_st"], idle)
    ids = [person.id_number for person in people]
    page = login("city_st").post("/teams/import/", {"file": workbook(TEAM_HEADER, [
        ("新团队", idle.name, ids[0], "%s、%s" % (ids[1], ids[2]), "", "", "", ""),
    ])}).content.decode()
    assert "未保存任何数据" in page
    assert "第3行 “牵头派出单位”：派出单位“韶关市农业科学研究所”已停用，不能新增团队" in page
    assert not Team.objects.filter(name="新团队").exists()


def test_the_people_import_names_the_row_of_an_archived_unit(world, login, idle):
    archive(world["city_st"], idle)
    page = login("city_st").post("/teams/commissioners/import/", {"file": workbook(PEOPLE_HEADER, [
        person("张伟", id_number(31)), person("刘洋", id_number(32), unit=idle.name),
    ])}).content.decode()
    assert "第4行 “派出单位”：派出单位“韶关市农业科学研究所”已停用，不能登记特派员" in page
    assert not Commissioner.objects.filter(name__in=["张伟", "刘洋"]).exists()


def test_an_archived_unit_is_not_offered_for_people_or_accounts(world, login, idle):
    from accounts.services import user_create

    archive(world["city_st"], idle)
    page = login("city_st").get("/teams/commissioners/new/").content.decode()
    assert "韶关市农业科学研究所" not in page and "华南农业大学" in page
    page = login("admin").get("/accounts/users/new/").content.decode()
    assert "韶关市农业科学研究所" not in page and "华南农业大学" in page
    with pytest.raises(ValidationError) as error:
        user_create(actor=world["admin"], username="idle_unit", role="unit", full_name="某人", unit=idle)
    assert "派出单位“韶关市农业科学研究所”已停用，不能新增账号" in str(error.value)


def test_restore_brings_the_unit_back(world, login, idle):
    archive(world["city_st"], idle)
    response = login("city_st").post("/units/%d/act/restore/" % idle.pk, {"comment": ""})
    assert response.status_code == 302
    idle.refresh_from_db()
    assert idle.status == UnitStatus.ACTIVE
    assert [row.action for row in transitions_for(idle)] == ["archive", "restore"]
    people = [make_commissioner(idle) for _ in range(3)]
    team_create(actor=world["city_st"], cycle=world.cycle, name="新团队", lead_unit=idle, leader=people[0],
                members=people[1:])


def test_a_unit_is_not_archived_twice_or_restored_while_in_use(world, idle):
    archive(world["city_st"], idle)
    with pytest.raises(ValidationError) as error:
        archive(world["province"], DispatchingUnit.objects.get(pk=idle.pk))
    assert "当前状态为“已停用”，不能执行“停用”" in str(error.value)
    with pytest.raises(ValidationError):
        unit_transition(actor=world["city_st"], unit=world.unit, action="restore")
    assert transitions_for(idle).count() == 1


def test_the_list_shows_and_filters_the_status(world, login, idle):
    archive(world["city_st"], idle)
    client = login("city_st")
    page = client.get("/units/").content.decode()
    assert "已停用" in page and "在用" in page
    page = client.get("/units/?status=archived").content.decode()
    assert "韶关市农业科学研究所" in page and "华南农业大学" not in page


def test_the_api_reads_the_status_but_never_sets_it(world, login, idle):
    client = login("unit")
    url = "/api/v1/units/%d/" % world.unit.pk
    response = client.patch(url, {"status": "archived", "contact_name": "王老师"}, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "active"
    assert DispatchingUnit.objects.get(pk=world.unit.pk).status == UnitStatus.ACTIVE
    assert login("city_st").get("/api/v1/units/?status=active").json()["count"] == 3


def test_the_api_archives_through_the_service(world, login, idle):
    client = login("city_st")
    response = client.post("/api/v1/units/%d/act/" % idle.pk, {"action": "archive"}, content_type="application/json")
    assert response.status_code == 400 and "理由" in response.content.decode()
    response = client.post("/api/v1/units/%d/act/" % idle.pk, {"action": "archive", "comment": "撤并"},
                           content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "archived" and response.json()["status_display"] == "已停用"
    response = client.post("/api/v1/units/%d/act/" % world.unit.pk, {"action": "archive", "comment": "撤并"},
                           content_type="application/json")
    assert response.status_code == 400 and "柑橘团队" in response.content.decode()
    response = login("renhua_st").post("/api/v1/units/%d/act/" % idle.pk, {"action": "restore"},
                                       content_type="application/json")
    assert response.status_code == 403
    response = login("unit").post("/api/v1/units/%d/act/" % idle.pk, {"action": "restore"},
                                  content_type="application/json")
    assert response.status_code == 404
    assert DispatchingUnit.objects.get(pk=idle.pk).status == UnitStatus.ARCHIVED


def test_only_the_s_and_t_offices_register_a_team_directly(world):
    import pytest
    from django.core.exceptions import PermissionDenied

    from teams.services import team_create

    for name in ("leader", "unit", "renhua_county_town", "city_rural"):
        with pytest.raises(PermissionDenied):
            team_create(actor=world[name], cycle=world.cycle, name="越权团队", lead_unit=world.unit, leader=None)
