"""The expert pool pages: the list (scoped, filters, search, contacts masked for non-keepers), an entry (the office's
form with the expert's account, the expert's own form), the detail with its relations and seats, the Excel import,
the relations and the counties' review mode — each for the right user only."""
import io

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from core.models import SensitiveAccess
from reviews import services
from reviews.models import Expert, Relation, ReviewRule
from reviews.tests.factories import expert_user, make_pool

pytestmark = pytest.mark.django_db

def signed_in_expert(client, expert):
    """The expert's account, past its first-login password change."""
    user = expert_user(expert)
    user.must_change_password = False
    user.save(update_fields=["must_change_password"])
    client.force_login(user)
    return user


POOL_READERS = ["province", "city_st", "city_rural", "renhua_st", "renhua_rural", "nanxiong_st", "nanxiong_rural"]


def xlsx(rows, headers=("姓名", "专业领域", "专长关键词", "职称", "职称级别", "工作单位", "手机号码", "电子邮箱",
                        "可参加评审")):
    book = Workbook()
    sheet = book.active
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("专家库.xlsx", buffer.getvalue(),
                              content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


GOOD = [
    ("王稻", "水稻栽培", "杂交稻、病虫害", "研究员", "正高级", "华南农业大学", "13912340001", "wd@example.com", "是"),
    ("李畜", "畜牧兽医", "生猪", "高级畜牧师", "副高级", "韶关市农业科学研究所", "13912340002", "", "否"),
]


# ------------------------------------------------------------------------------------------------ list
def test_the_list_is_scoped_by_pool(world, login):
    make_pool(world)
    make_pool(world, actor="renhua_st", rows=[("仁果", "果树栽培", "沙田柚", "仁化县农业技术推广站")], prefix="1371000")
    html = login("city_st").get(reverse("reviews:expert_list")).content.decode()
    assert "林果" in html and "仁果" in html and "韶关市科技局" in html and "仁化县科技部门" in html
    html = login("renhua_st").get(reverse("reviews:expert_list")).content.decode()
    assert "仁果" in html and "林果" not in html
    html = login("nanxiong_st").get(reverse("reviews:expert_list")).content.decode()
    assert 'data-testid="empty"' in html


def test_the_list_filters_searches_and_exports(world, login):
    pool = make_pool(world)
    services.expert_save(actor=world["city_st"], expert=pool[1], values={"available": False,
                                                                         "availability_note": "出差"})
    client = login("city_st")
    html = client.get(reverse("reviews:expert_list"), {"q": "黄龙病"}).content.decode()
    assert "林果" in html and "郑植" in html and "周蔬" not in html
    html = client.get(reverse("reviews:expert_list"), {"available": "no"}).content.decode()
    assert "周蔬" in html and "林果" not in html and "出差" in html
    html = client.get(reverse("reviews:expert_list"), {"field": "茶叶"}).content.decode()
    assert "陈茶" in html and "林果" not in html
    response = client.get(reverse("reviews:expert_list"), {"export": "xlsx"})
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")


def test_the_list_is_gated(world, assert_denied):
    assert_denied(reverse("reviews:expert_list"), allowed=POOL_READERS + ["expert"])


def test_contacts_are_masked_for_a_non_keeper_and_logged_for_the_keeper(world, login):
    pool = make_pool(world)
    phone = pool[0].phone  # 13700000001
    content_type = ContentType.objects.get_for_model(Expert)
    for name in ("city_rural", "province", "renhua_st"):
        client = login(name)
        html = client.get(reverse("reviews:expert_list")).content.decode()
        assert phone not in html, name
        if name != "renhua_st":  # a county does not read the city's pool at all
            assert "137****0001" in html
            html = client.get(reverse("reviews:expert_detail", args=[pool[0].pk])).content.decode()
            assert phone not in html and "137****0001" in html and 'data-testid="contacts-masked"' in html
    assert not SensitiveAccess.objects.filter(content_type=content_type).exists()
    html = login("city_st").get(reverse("reviews:expert_detail", args=[pool[0].pk])).content.decode()
    assert phone in html
    assert SensitiveAccess.objects.filter(user=world["city_st"], content_type=content_type,
                                          object_id=str(pool[0].pk), field="phone").exists()
    html = login("city_st").get(reverse("reviews:expert_list")).content.decode()
    assert phone in html
    # The expert sees their own contacts (not logged).
    before = SensitiveAccess.objects.count()
    client = login("city_st")
    signed_in_expert(client, pool[0])
    html = client.get(reverse("reviews:expert_detail", args=[pool[0].pk])).content.decode()
    assert phone in html and SensitiveAccess.objects.count() == before


# ------------------------------------------------------------------------------------------------ entry
def form_values(**overrides):
    values = {"name": "黄茶", "field": "茶叶加工", "keywords": "白茶", "title": "教授", "title_rank": "senior",
              "unit": "", "unit_name": "韶关学院", "phone": "13800001111", "email": "hc@example.com",
              "available": "on", "availability_note": "", "account": "", "create_account": "on"}
    values.update(overrides)
    return values


def test_the_office_registers_an_expert_with_a_new_account_and_sees_the_password_once(world, login):
    client = login("renhua_st")
    assert client.get(reverse("reviews:expert_create")).status_code == 200
    response = client.post(reverse("reviews:expert_create"), form_values(), follow=True)
    expert = Expert.objects.get(name="黄茶")
    assert expert.organizer_level == "county" and expert.county_id == world.renhua.pk and expert.user_id
    html = response.content.decode()
    assert "临时密码" in html and expert.user.username in html
    html = client.get(expert.get_absolute_url()).content.decode()
    assert "临时密码" not in html


def test_the_office_links_a_free_account_of_its_pool(world, login):
    from reviews.tests.factories import pool_user

    account = pool_user(world, "zj_renhua", county=world.renhua)
    other = pool_user(world, "zj_city")
    client = login("renhua_st")
    html = client.get(reverse("reviews:expert_create")).content.decode()
    assert "zj_renhua" in html and "zj_city" not in html
    response = client.post(reverse("reviews:expert_create"), form_values(create_account="", account=other.pk))
    assert response.status_code == 200 and not Expert.objects.filter(name="黄茶").exists()
    client.post(reverse("reviews:expert_create"), form_values(create_account="", account=account.pk))
    assert Expert.objects.get(name="黄茶").user_id == account.pk


def test_a_bad_entry_shows_chinese_errors_on_the_fields(world, login):
    make_pool(world)
    client = login("city_st")
    response = client.post(reverse("reviews:expert_create"), form_values(phone="13700000001", create_account=""))
    html = response.content.decode()
    assert response.status_code == 200 and "本专家库已有使用该手机号码的专家" in html
    assert 'data-field="phone"' in html
    response = client.post(reverse("reviews:expert_create"), form_values(name="", phone="12345"))
    html = response.content.decode()
    assert 'data-field="name"' in html and 'data-field="phone"' in html
    assert Expert.objects.count() == 5


def test_the_create_form_is_for_the_offices(world, assert_denied):
    assert_denied(reverse("reviews:expert_create"), allowed=["city_st", "renhua_st", "nanxiong_st"])


def test_the_expert_edits_only_their_contacts_and_availability(world, login, client):
    pool = make_pool(world)
    signed_in_expert(client, pool[0])
    url = reverse("reviews:expert_edit", args=[pool[0].pk])
    html = client.get(url).content.decode()
    assert 'name="availability_note"' in html and 'name="field"' not in html and 'name="account"' not in html
    response = client.post(url, {"phone": "13900009999", "email": "lg@example.com", "availability_note": "十二月出差",
                                 "name": "改名"})
    assert response.status_code == 302
    pool[0].refresh_from_db()
    assert pool[0].phone == "13900009999" and not pool[0].available and pool[0].name == "林果"
    # Another expert's entry is not theirs.
    assert client.get(reverse("reviews:expert_edit", args=[pool[1].pk])).status_code == 404


def test_the_edit_page_is_for_the_keeper_and_the_expert(world, login, assert_denied):
    pool = make_pool(world)
    rh = make_pool(world, actor="renhua_st", rows=[("仁果", "果树栽培", "沙田柚", "仁化县农业技术推广站")],
                   prefix="1371000")
    assert_denied(reverse("reviews:expert_edit", args=[pool[0].pk]), allowed=["city_st"])
    assert_denied(reverse("reviews:expert_edit", args=[rh[0].pk]), allowed=["renhua_st"])
    client = login("city_st")
    response = client.post(reverse("reviews:expert_edit", args=[pool[0].pk]), form_values(
        name="林果", phone=pool[0].phone, create_account="", account=pool[0].user_id, field="柑橘栽培"))
    assert response.status_code == 302
    pool[0].refresh_from_db()
    assert pool[0].field == "柑橘栽培" and pool[0].user_id


# ------------------------------------------------------------------------------------------------ detail, relations
def test_the_detail_shows_relations_and_seats_to_the_keeper_only(world, login, assert_denied):
    pool = make_pool(world)
    services.relation_add(actor=world["city_st"], expert=pool[0], team=world.other_team, reason="合作研究")
    url = reverse("reviews:expert_detail", args=[pool[0].pk])
    html = login("city_st").get(url).content.decode()
    assert "合作研究" in html and 'data-testid="relation-form"' in html and 'data-testid="no-seats"' in html
    html = login("city_rural").get(url).content.decode()
    assert "合作研究" not in html and 'data-testid="relation-form"' not in html
    assert_denied(url, allowed=["province", "city_st", "city_rural"])


def test_a_relation_is_added_with_chinese_errors_and_deleted(world, login, assert_denied):
    pool = make_pool(world)
    client = login("city_st")
    url = reverse("reviews:relation_create", args=[pool[0].pk])
    response = client.post(url, {"team": "", "unit": "", "reason": ""})
    html = response.content.decode()
    assert "请选择需回避的团队或单位" in html and "请填写回避事由" in html and not Relation.objects.exists()
    client.post(url, {"unit": world.unit.pk, "reason": "在该单位兼职"})
    relation = Relation.objects.get()
    assert relation.unit_id == world.unit.pk and relation.declared_by == world["city_st"]
    assert_denied(url, allowed=["city_st"])
    delete = reverse("reviews:relation_delete", args=[relation.pk])
    assert login("renhua_st").post(delete).status_code == 404
    assert Relation.objects.exists()
    login("city_st").post(delete)
    assert not Relation.objects.exists()


def test_the_expert_declares_a_relation_on_their_own_entry(world, client):
    pool = make_pool(world)
    signed_in_expert(client, pool[0])
    response = client.post(reverse("reviews:relation_create", args=[pool[0].pk]),
                           {"unit": world.other_unit.pk, "reason": "曾在该单位任职"})
    assert response.status_code == 302 and Relation.objects.filter(expert=pool[0]).exists()
    relation = Relation.objects.get()
    assert client.post(reverse("reviews:relation_delete", args=[relation.pk])).status_code == 404


# ------------------------------------------------------------------------------------------------ import
def test_the_import_saves_a_good_file(world, login):
    client = login("renhua_st")
    page = client.get(reverse("reviews:expert_import"))
    assert page.status_code == 200 and "可参加评审" in page.content.decode()
    template = client.get(reverse("reviews:expert_import"), {"template": "1"})
    assert template.status_code == 200 and template["Content-Type"].startswith("application/vnd.openxml")
    response = client.post(reverse("reviews:expert_import"), {"file": xlsx(GOOD)}, follow=True)
    assert "导入成功：共 2 行" in response.content.decode()
    experts = {e.name: e for e in Expert.objects.all()}
    assert set(experts) == {"王稻", "李畜"}
    assert experts["王稻"].county_id == world.renhua.pk and experts["王稻"].unit_id == world.unit.pk
    assert not experts["李畜"].available and experts["李畜"].title_rank == "associate"


def test_an_import_with_one_bad_row_saves_nothing_and_names_the_row(world, login):
    bad = GOOD + [("张错", "植物保护", "", "", "", "韶关学院", "12345", "", "是"),
                  ("王重", "水稻栽培", "", "", "", "韶关学院", "13912340001", "", "是")]
    response = login("renhua_st").post(reverse("reviews:expert_import"), {"file": xlsx(bad)})
    html = response.content.decode()
    assert response.status_code == 200 and 'data-testid="import-errors"' in html
    assert "第4行" in html and "手机号码" in html
    assert "第5行" in html and "与第2行重复" in html
    assert not Expert.objects.exists()


def test_the_import_is_for_the_offices(world, assert_denied):
    assert_denied(reverse("reviews:expert_import"), allowed=["city_st", "renhua_st", "nanxiong_st"])


# ------------------------------------------------------------------------------------------------ review rules
def test_each_county_sets_its_own_mode_and_the_city_sees_and_sets_all(world, login, assert_denied):
    url = reverse("reviews:review_rules")
    html = login("renhua_st").get(url).content.decode()
    assert "仁化县" in html and "南雄市" not in html and 'data-testid="set-%d"' % world.renhua.pk in html
    login("renhua_st").post(url, {"county": world.renhua.pk, "cycle": world.cycle.pk, "mode": "single"})
    assert ReviewRule.objects.get(county=world.renhua).mode == "single"
    assert login("renhua_st").post(url, {"county": world.nanxiong.pk, "cycle": world.cycle.pk,
                                         "mode": "single"}).status_code == 404
    html = login("city_st").get(url).content.decode()
    assert "仁化县" in html and "南雄市" in html and "科技部门直接审批" in html
    login("city_st").post(url, {"county": world.nanxiong.pk, "cycle": world.cycle.pk, "mode": "single"})
    assert ReviewRule.objects.get(county=world.nanxiong).mode == "single"
    html = login("renhua_rural").get(url).content.decode()
    assert "仁化县" in html and 'data-testid="set-' not in html
    assert login("renhua_rural").post(url, {"county": world.renhua.pk, "cycle": world.cycle.pk,
                                            "mode": "panel"}).status_code == 404
    assert ReviewRule.objects.get(county=world.renhua).mode == "single"
    assert_denied(url, allowed=POOL_READERS)


def test_the_export_masks_contacts_for_a_non_keeper(world, login):
    from openpyxl import load_workbook

    pool = make_pool(world)
    for name, shown in (("city_rural", False), ("city_st", True)):
        response = login(name).get(reverse("reviews:expert_list"), {"export": "xlsx"})
        cells = {str(cell.value) for row in load_workbook(io.BytesIO(response.content)).active.iter_rows()
                 for cell in row}
        assert (pool[0].phone in cells) is shown and ("137****0001" in cells) is not shown, name
