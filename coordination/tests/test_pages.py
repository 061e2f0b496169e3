"""The pages of coordination: the user's groups with their figures, a group with members (phones masked to readers),
meetings with documents (uploaded, downloaded in scope, 404 out of it), follow-ups with overdue marked and the workflow
buttons — each page for the officials of the right level only (towns, teams, units, experts: 404)."""
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from coordination import services
from coordination.models import FollowUp, Group, Meeting
from coordination.tests.factories import city_group, county_group, days_ago, follow_up, meeting, member, pdf
from core.dashboard import todo_for
from core.menu import menu_for
from coordination.story import coordination_events

pytestmark = pytest.mark.django_db

OFFICIALS = ["province", "city_st", "city_rural", "renhua_st", "renhua_rural", "nanxiong_st", "nanxiong_rural"]
RENHUA_READERS = ["province", "city_st", "city_rural", "renhua_st", "renhua_rural"]
RENHUA_KEEPERS = ["renhua_st", "renhua_rural"]


def html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


@pytest.fixture
def renhua(world):
    group = county_group(world)
    person = member(world, group, actor="renhua_st", name="赵刚", organization="仁化县科技局")
    held = meeting(world, group, actor="renhua_st", attendees=[person], documents=[pdf()],
                   title="仁化县协调机制会议")
    item = follow_up(world, group, actor="renhua_st", meeting=held, owner=person, owner_text="", due_date=days_ago(-5))
    return group, person, held, item


def test_the_city_sees_its_group_and_each_countys_figures(world, renhua, login):
    group = city_group(world)
    follow_up(world, group, due_date=days_ago(-3))
    follow_up(world, renhua[0], actor="renhua_rural", title="过期事项", due_date=days_ago(0))
    FollowUp.objects.filter(title="过期事项").update(due_date=days_ago(2))  # test data: it was due two days ago
    page = html(login("city_st").get(reverse("coordination:home")))
    assert "韶关市农村科技特派员驻镇帮镇扶村工作协调指导小组" in page
    assert "仁化县农村科技特派员工作协调机制" in page and 'data-testid="county-overdue">1<' in page
    assert "南雄市" in page and "尚未建立协调机制" in page  # the county without one
    assert 'data-testid="create-group"' not in page  # the city's group exists
    page = html(login("nanxiong_st").get(reverse("coordination:home")))
    assert "仁化县" not in page and 'data-testid="create-group"' in page


def test_a_county_sets_up_its_mechanism_on_the_page(world, login):
    client = login("nanxiong_st")
    response = client.post(reverse("coordination:group_create"), {"name": "南雄市协调机制", "duties": "统筹本市工作"})
    group = Group.objects.get()
    assert response.status_code == 302 and response["Location"] == group.get_absolute_url()
    assert group.county == world.nanxiong and group.level == "county"
    page = html(client.post(reverse("coordination:group_create"), {"name": "又一个"}))
    assert "南雄市已建立“南雄市协调机制”，不能重复建立" in page


def test_a_meeting_with_two_attendees_and_a_pdf_is_recorded_and_its_document_served_in_scope(world, login, client):
    group = county_group(world)
    one = member(world, group, actor="renhua_st", name="赵刚", organization="仁化县科技局")
    two = member(world, group, actor="renhua_st", name="钱芳", organization="仁化县乡村振兴局", role_in_group="member")
    other = member(world, county_group(world, "nanxiong"), actor="nanxiong_st", name="孙丽")
    user = login("renhua_rural")
    page = html(user.get(reverse("coordination:meeting_create", args=[group.pk])))
    assert "赵刚" in page and "钱芳" in page and "孙丽" not in page  # only the group's members
    response = user.post(reverse("coordination:meeting_create", args=[group.pk]), {
        "date": days_ago(3).isoformat(), "place": "仁化县政府会议室", "title": "协调机制第二次会议",
        "attendees": [one.pk, two.pk], "agenda": "董塘镇帮扶", "decisions": "董塘镇宿舍月底前落实",
        "documents": [pdf("第二次会议纪要.pdf")]})
    held = Meeting.objects.get(title="协调机制第二次会议")
    assert response.status_code == 302 and response["Location"] == held.get_absolute_url()
    assert set(held.attendees.all()) == {one, two}
    document = held.documents.get()
    assert document.name == "第二次会议纪要"
    page = html(user.get(held.get_absolute_url()))
    assert "第二次会议纪要" in page and "赵刚、钱芳" in page
    # A member of another group is refused by name, nothing saved.
    page = html(user.post(reverse("coordination:meeting_create", args=[group.pk]), {
        "date": days_ago(2).isoformat(), "place": "会议室", "title": "越界会议", "attendees": [one.pk, other.pk]}))
    assert "出席成员：" in page and "不在可用的选项中" in page, page[page.find("error-summary"):][:600]
    assert not Meeting.objects.filter(title="越界会议").exists()
    url = reverse("coordination:document", args=[document.pk])
    for name in RENHUA_READERS:
        response = login(name).get(url)
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf", name
        assert b"".join(response.streaming_content).startswith(b"%PDF")
    for name in ("nanxiong_st", "nanxiong_rural", "renhua_county_town", "leader", "unit", "expert"):
        assert login(name).get(url).status_code == 404, name


def test_every_page_is_for_the_right_officials_only(world, renhua, assert_denied):
    group, person, held, item = renhua
    document = held.documents.get()
    assert_denied(reverse("coordination:home"), allowed=OFFICIALS)
    assert_denied(reverse("coordination:followup_list"), allowed=OFFICIALS)
    assert_denied(reverse("coordination:group_create"), allowed=["city_st", "renhua_st", "nanxiong_st"])
    for url in (group.get_absolute_url(), held.get_absolute_url(), item.get_absolute_url(),
                reverse("coordination:document", args=[document.pk])):
        assert_denied(url, allowed=RENHUA_READERS)
    # The city reads 仁化's mechanism but does not keep it; 南雄 does not even see it.
    assert_denied(reverse("coordination:group_edit", args=[group.pk]), allowed=["renhua_st"])
    for url in (reverse("coordination:member_create", args=[group.pk]),
                reverse("coordination:member_edit", args=[person.pk]),
                reverse("coordination:meeting_create", args=[group.pk]),
                reverse("coordination:meeting_edit", args=[held.pk]),
                reverse("coordination:followup_create", args=[group.pk]),
                reverse("coordination:followup_edit", args=[item.pk])):
        assert_denied(url, allowed=RENHUA_KEEPERS)


def test_the_city_reads_a_countys_group_without_editing_it(world, renhua, login):
    group, person, held, item = renhua
    page = html(login("city_st").get(group.get_absolute_url()))
    assert "赵刚" in page and "138****8000" in page and "13800138000" not in page  # masked to readers
    assert 'data-testid="add-member"' not in page and reverse("coordination:group_edit", args=[group.pk]) not in page
    page = html(login("renhua_rural").get(group.get_absolute_url()))
    assert "13800138000" in page and 'data-testid="add-member"' in page
    # A step posted by a reader is refused and changes nothing; the document delete is 404.
    client = login("city_st")
    client.post(reverse("coordination:followup_action", args=[item.pk, "cancel"]), {"comment": "越权"})
    item.refresh_from_db()
    assert item.status == "open"
    assert client.post(reverse("coordination:document_delete", args=[held.documents.get().pk])).status_code == 404
    for name in ("renhua_county_town", "leader", "unit", "expert"):
        login(name).post(reverse("coordination:followup_action", args=[item.pk, "complete"]), {"comment": "x"})
        item.refresh_from_db()
        assert item.status == "open"


def test_an_overdue_follow_up_is_shown_in_red_filtered_and_exported(world, renhua, login):
    group = renhua[0]
    late = follow_up(world, group, actor="renhua_st", title="逾期的事项", due_date=days_ago(0))
    FollowUp.objects.filter(pk=late.pk).update(due_date=days_ago(4))  # test data: due four days ago
    client = login("renhua_st")
    page = html(client.get(reverse("coordination:followup_list")))
    assert "逾期 1 项" in page and page.count('data-testid="overdue"') >= 1
    page = html(client.get(reverse("coordination:followup_list"), {"overdue": "yes"}))
    assert "逾期的事项" in page and "落实黄坑镇驻镇工作条件" not in page
    page = html(client.get(late.get_absolute_url()))
    assert 'data-testid="overdue"' in page and "办结" in page
    response = client.get(reverse("coordination:followup_list"), {"export": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0][:2] == ["督办事项", "小组"]
    assert any(row[0] == "逾期的事项" and "逾期" in row for row in rows[1:])
    # Nanxiong's official sees none of it.
    assert "逾期的事项" not in html(login("nanxiong_st").get(reverse("coordination:followup_list")))


def test_the_follow_up_workflow_on_the_page(world, renhua, login):
    item = renhua[3]
    client = login("renhua_rural")
    response = client.post(reverse("coordination:followup_action", args=[item.pk, "complete"]), {"comment": ""})
    item.refresh_from_db()
    assert response.status_code == 302 and item.status == "open"
    client.post(reverse("coordination:followup_action", args=[item.pk, "complete"]), {"comment": "宿舍已落实"})
    item.refresh_from_db()
    assert item.status == "done"
    page = html(client.get(item.get_absolute_url()))
    assert "宿舍已落实" in page and 'data-testid="action-reopen"' in page


def test_the_owner_account_sees_only_the_complete_button(world, login):
    group = city_group(world)
    owner = member(world, group, name="仁化科技局长", organization="仁化县科技局", user=world["renhua_st"])
    item = follow_up(world, group, owner=owner, owner_text="")
    page = html(login("renhua_st").get(item.get_absolute_url()))
    assert 'data-testid="action-complete"' in page and 'data-testid="action-cancel"' not in page
    assert reverse("coordination:followup_edit", args=[item.pk]) not in page
    assert login("renhua_st").get(group.get_absolute_url()).status_code == 404
    items = {entry.label: entry.count for entry in todo_for(world["renhua_st"], world.cycle)}
    assert items.get("您负责的督办事项") == 1


def test_the_menu_the_dashboard_and_the_story(world, renhua, login):
    labels = lambda name: [i["label"] for g in menu_for(world[name]) for i in g["items"]]  # noqa: E731
    assert "协调指导小组" in labels("city_st") and "督办事项" in labels("province")
    assert "协调指导小组" not in labels("renhua_county_town") and "督办事项" not in labels("leader")
    FollowUp.objects.filter(pk=renhua[3].pk).update(due_date=days_ago(1))
    items = {entry.label: entry.count for entry in todo_for(world["renhua_rural"], world.cycle)}
    assert items.get("1项督办事项已逾期") == 1
    assert not [entry for entry in todo_for(world["city_st"], world.cycle) if "督办" in entry.label]
    # 黄坑镇 (仁化县) is named in the meeting's agenda and the item's title: its story tells both, in scope.
    events = coordination_events(world.renhua_city_town, world["city_st"], "town")
    assert {e.category for e in events} == {"coordination"}
    assert {e.title for e in events} == {"仁化县农村科技特派员工作协调机制：仁化县协调机制会议",
                                         "督办事项：落实黄坑镇驻镇工作条件（办理中）"}
    assert coordination_events(world.renhua_city_town, world["renhua_county_town"], "town") == []
    assert coordination_events(world.nanxiong_city_town, world["city_st"], "town") == []
    services.follow_up_act(actor=world["renhua_st"], item=renhua[3], action="cancel", comment="并入其他事项")
