"""Form pages: Chinese errors beside the field, nothing half-saved, services do the writing."""
from accounts.models import User
from cycles.models import Cycle
from units.models import DispatchingUnit


def test_it_shows_an_invalid_credit_code_beside_the_field(world, login):
    response = login("city_st").post("/units/new/", {"name": "某研究所", "kind": "institute",
                                                     "credit_code": "124400004554163009"})
    page = response.content.decode()
    assert 'data-field="credit_code"' in page and "统一社会信用代码" in page
    assert not DispatchingUnit.objects.filter(name="某研究所").exists()


def test_a_unit_user_edits_its_own_unit_but_not_another(world, login):
    client = login("unit")
    url = f"/units/{world.unit.pk}/edit/"
    data = {"name": "华南农业大学", "kind": "university", "credit_code": world.unit.credit_code,
            "contact_name": "科技处王老师", "contact_phone": "020-85280000", "address": ""}
    assert client.post(url, data).status_code == 302
    world.unit.refresh_from_db()
    assert world.unit.contact_name == "科技处王老师"
    assert client.get(f"/units/{world.other_unit.pk}/edit/").status_code == 404


def test_the_city_copies_a_cycle_from_its_page(world, login):
    response = login("city_st").post(f"/cycles/{world.cycle.pk}/copy/", {
        "name": "下一周期", "start_date": "2028-01-01", "end_date": "2030-12-31", "dispatch_deadline": "2028-03-31"})
    assert response.status_code == 302
    assert Cycle.objects.get(name="下一周期").town_classifications.count() == 4
    assert login("renhua_st").get(f"/cycles/{world.cycle.pk}/copy/").status_code == 404


def test_a_county_official_creates_a_town_account_in_scope_only(world, login):
    client = login("renhua_st")
    response = client.post("/accounts/users/new/", {"username": "dongtang2", "full_name": "董塘镇 张三", "role": "town",
                                                    "town": world.renhua_county_town.pk})
    assert response.status_code == 302
    user = User.objects.get(username="dongtang2")
    assert user.must_change_password and user.county == world.renhua
    response = client.post("/accounts/users/new/", {"username": "zhuji2", "full_name": "x", "role": "town",
                                                    "town": world.nanxiong_county_town.pk})
    assert "选择一个有效的选项" in response.content.decode() or "有效" in response.content.decode()
    assert not User.objects.filter(username="zhuji2").exists()
    response = client.post("/accounts/users/new/", {"username": "boss", "full_name": "x", "role": "city_st"})
    assert not User.objects.filter(username="boss").exists()


def test_an_official_resets_a_password_from_the_users_page(world, login):
    client = login("renhua_st")
    response = client.post(f"/accounts/users/{world['renhua_county_town'].pk}/reset-password/", follow=True)
    assert "临时密码" in response.content.decode()
    assert client.post(f"/accounts/users/{world['nanxiong_county_town'].pk}/reset-password/").status_code == 404


def test_a_town_user_adds_a_village_and_sees_it_on_the_town_page(world, login):
    client = login("renhua_county_town")
    town = world.renhua_county_town
    response = client.post(f"/regions/towns/{town.pk}/villages/add/", {"name": "丹霞村", "code": ""})
    assert response.status_code == 302
    assert "丹霞村" in client.get(f"/regions/towns/{town.pk}/").content.decode()
    response = client.post(f"/regions/towns/{town.pk}/villages/add/", {"name": "", "code": ""})
    assert 'data-field="name"' in response.content.decode()
    assert client.get(f"/regions/towns/{world.nanxiong_county_town.pk}/villages/add/").status_code == 404


def test_the_task_progress_page_shows_the_callers_task_only(world, login):
    from core.models import TaskRun

    run = TaskRun.objects.create(kind="x", label="导入需求", created_by=world["city_st"], done=5, total=10,
                                 status="running")
    page = login("city_st").get(f"/tasks/{run.pk}/").content.decode()
    assert "导入需求" in page and "50%" in page and 'hx-trigger="every 1s"' in page
    assert login("renhua_st").get(f"/tasks/{run.pk}/").status_code == 404


def test_a_task_that_ends_is_announced_once_to_screen_readers(world, login):
    """The bar is swapped every second; the live region outside it gets one message, when the task ends."""
    import re

    from core.models import TaskRun

    run = TaskRun.objects.create(kind="x", label="导入需求", created_by=world["city_st"], done=5, total=10,
                                 status="running")
    client = login("city_st")
    page = client.get(f"/tasks/{run.pk}/").content.decode()
    assert page.count('<div id="task-announce"') == 1 and 'role="status"' in page
    polled = client.get(f"/tasks/{run.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "task-announce" not in polled  # still running: nothing announced
    TaskRun.objects.filter(pk=run.pk).update(status="done", done=10, result={"filename": "需求.xlsx", "error_count": 3,
                                                                             "errors": ["第3行：镇不存在"]})
    polled = client.get(f"/tasks/{run.pk}/", HTTP_HX_REQUEST="true").content.decode()
    announce = re.search(r'<div id="task-announce"[^>]*hx-swap-oob="innerHTML"[^>]*>([^<]*)</div>', polled).group(1)
    assert announce == "导入需求：已完成。“需求.xlsx”未导入：发现 3 处问题，未保存任何数据"
