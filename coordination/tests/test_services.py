"""The services of coordination: one group per city and per county, set up by its level's S&T office; members,
meetings and follow-ups kept by the S&T and rural offices of the group's level; the follow-up workflow (complete,
cancel, reopen) with its rules; scope on every write, with Chinese messages and nothing half-saved."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.exceptions import PermissionDenied, ValidationError

from coordination import services
from coordination.models import FollowUp, Group, GroupMember, Meeting
from coordination.tests.factories import city_group, county_group, days_ago, follow_up, meeting, member, pdf
from core.models import Transition
from core.scoping import VIEW, restrict
from portal.testing import ALL_USERS

pytestmark = pytest.mark.django_db


def messages_of(error) -> str:
    return "；".join(error.value.messages)


def test_it_sets_up_one_group_per_city_and_one_per_county(world):
    group = city_group(world)
    assert group.level == "city" and group.city == world.city and group.county is None
    renhua = county_group(world)
    assert renhua.level == "county" and renhua.county == world.renhua and renhua.city == world.city
    with pytest.raises(ValidationError) as error:
        city_group(world, name="另一个小组")
    assert "韶关市已建立“韶关市农村科技特派员驻镇帮镇扶村工作协调指导小组”，不能重复建立" in messages_of(error)
    with pytest.raises(ValidationError) as error:
        county_group(world, name="仁化县第二机制")
    assert "仁化县已建立" in messages_of(error)
    assert Group.objects.count() == 2


def test_only_the_s_and_t_office_of_the_level_sets_up_and_edits_the_group(world):
    for name in ("city_rural", "renhua_rural", "province", "renhua_county_town", "leader", "unit", "expert"):
        with pytest.raises(PermissionDenied):
            services.group_save(actor=world[name], values={"name": "越权小组"})
    group = city_group(world)
    renhua = county_group(world)
    # A county official cannot edit the city's group nor another county's; the city cannot edit a county's.
    for name, target in (("renhua_st", group), ("nanxiong_st", renhua), ("city_st", renhua), ("city_rural", group)):
        with pytest.raises(PermissionDenied):
            services.group_save(actor=world[name], values={"name": "改名"}, group=target)
    services.group_save(actor=world["city_st"], values={"name": "韶关市协调指导小组"}, group=group)
    group.refresh_from_db()
    assert group.name == "韶关市协调指导小组"
    assert Group.objects.get(pk=renhua.pk).name == "仁化县农村科技特派员工作协调机制"


def test_a_city_group_is_read_by_the_city_and_the_province_and_a_county_group_by_its_county_too(world):
    group, renhua = city_group(world), county_group(world)
    readers = {name for name in ALL_USERS if restrict(Group, world[name], VIEW).filter(pk=group.pk).exists()}
    assert readers == {"admin", "province", "city_st", "city_rural"}
    readers = {name for name in ALL_USERS if restrict(Group, world[name], VIEW).filter(pk=renhua.pk).exists()}
    assert readers == {"admin", "province", "city_st", "city_rural", "renhua_st", "renhua_rural"}


def test_the_rural_office_of_the_level_keeps_members_meetings_and_follow_ups(world):
    group = city_group(world)
    person = member(world, group, actor="city_rural", name="张华", organization="市乡村振兴局")
    assert person.group == group
    held = meeting(world, group, actor="city_rural", attendees=[person])
    assert list(held.attendees.all()) == [person]
    item = follow_up(world, group, actor="city_rural", meeting=held, owner=person, owner_text="", owner_organization="")
    assert item.owner_organization == "市乡村振兴局"  # taken from the owner
    for name in ("renhua_st", "renhua_rural", "province"):
        with pytest.raises(PermissionDenied):
            member(world, group, actor=name)
    renhua = county_group(world)
    with pytest.raises(PermissionDenied):
        meeting(world, renhua, actor="city_st")
    with pytest.raises(PermissionDenied):
        follow_up(world, renhua, actor="nanxiong_rural")
    assert GroupMember.objects.count() == 1 and Meeting.objects.count() == 1 and FollowUp.objects.count() == 1


def test_a_meeting_lists_only_the_groups_members_and_checks_its_documents(world):
    group, renhua = city_group(world), county_group(world)
    ours = member(world, group)
    theirs = member(world, renhua, actor="renhua_st", name="赵刚", organization="仁化县科技局")
    with pytest.raises(ValidationError) as error:
        meeting(world, group, attendees=[ours, theirs])
    assert "出席成员须是本小组成员：赵刚不是。" in messages_of(error)
    fake = SimpleUploadedFile("伪装.pdf", b"MZ not a pdf at all", content_type="application/pdf")
    with pytest.raises(ValidationError) as error:
        meeting(world, group, documents=[fake])
    assert "只接受" in messages_of(error)
    assert Meeting.objects.count() == 0  # nothing half-saved
    held = meeting(world, group, attendees=[ours], documents=[pdf()])
    assert [d.name for d in held.documents.all()] == ["会议纪要"]


def test_a_due_date_before_the_meeting_is_refused(world):
    group = city_group(world)
    held = meeting(world, group)
    with pytest.raises(ValidationError) as error:
        follow_up(world, group, meeting=held, due_date=days_ago(12))
    assert "完成期限（%s）不能早于来源会议的日期（%s）" % (days_ago(12), days_ago(10)) in messages_of(error)
    with pytest.raises(ValidationError) as error:
        follow_up(world, group, owner_text="")
    assert "请选择责任人（小组成员），或填写非小组成员的责任人。" in messages_of(error)
    assert FollowUp.objects.count() == 0
    item = follow_up(world, group, meeting=held, due_date=days_ago(5))
    # Moving the meeting after the item's due date is refused too.
    with pytest.raises(ValidationError) as error:
        services.meeting_save(actor=world["city_st"], values={"date": days_ago(1)}, meeting=held)
    assert "会议日期不能晚于本次会议督办事项“落实黄坑镇驻镇工作条件”的完成期限" in messages_of(error)
    assert item.is_overdue()


def test_a_follow_up_is_completed_reopened_and_cancelled_through_the_workflow(world):
    group = city_group(world)
    item = follow_up(world, group)
    assert item.status == "open"
    with pytest.raises(ValidationError) as error:
        services.follow_up_act(actor=world["city_st"], item=item, action="complete")
    assert "请填写“办结”的理由" in messages_of(error)
    services.follow_up_act(actor=world["city_rural"], item=item, action="complete", comment="宿舍已落实")
    item.refresh_from_db()
    assert item.status == "done" and item.completion_note == "宿舍已落实" and item.done_at is not None
    services.follow_up_act(actor=world["city_st"], item=item, action="reopen", comment="办公室未落实")
    item.refresh_from_db()
    assert item.status == "open"
    services.follow_up_act(actor=world["city_st"], item=item, action="cancel", comment="已由县里统筹")
    item.refresh_from_db()
    assert item.status == "cancelled" and item.cancelled_at is not None
    with pytest.raises(ValidationError) as error:
        services.follow_up_act(actor=world["city_st"], item=item, action="reopen", comment="再办")
    assert "当前状态为“已撤销”" in messages_of(error)
    assert [t.action for t in Transition.objects.filter(object_id=str(item.pk)).order_by("pk")] == [
        "open", "complete", "reopen", "cancel"]
    with pytest.raises(ValidationError):
        services.follow_up_save(actor=world["city_st"], values={"title": "改"}, item=item)


def test_the_owners_own_account_completes_but_does_not_cancel_or_edit(world):
    group = city_group(world)
    owner = member(world, group, name="仁化科技局长", organization="仁化县科技局", user=world["renhua_st"])
    item = follow_up(world, group, owner=owner, owner_text="")
    assert restrict(FollowUp, world["renhua_st"]).filter(pk=item.pk).exists()  # outside the city's group, own item
    assert not restrict(Meeting, world["renhua_st"]).exists()
    with pytest.raises(PermissionDenied):
        services.follow_up_act(actor=world["renhua_st"], item=item, action="cancel", comment="不办")
    with pytest.raises(PermissionDenied):
        services.follow_up_save(actor=world["renhua_st"], values={"title": "改"}, item=item)
    with pytest.raises(PermissionDenied):
        services.follow_up_act(actor=world["nanxiong_st"], item=item, action="complete", comment="代办")
    services.follow_up_act(actor=world["renhua_st"], item=item, action="complete", comment="已办结")
    item.refresh_from_db()
    assert item.status == "done"


def test_a_linked_account_must_be_an_office_of_the_groups_city(world):
    group = city_group(world)
    with pytest.raises(ValidationError) as error:
        member(world, group, user=world["leader"])
    assert "平台账号须为韶关市（或其上级市）的科技或乡村振兴部门的在用账号。" in messages_of(error)
    with pytest.raises(ValidationError) as error:
        member(world, group, phone="12345")
    assert "电话号码格式不正确" in messages_of(error)
    person = member(world, group)
    services.member_save(actor=world["city_st"], values={"left_on": days_ago(3)}, member=person)
    person.refresh_from_db()
    assert person.active is False


def test_a_county_mechanism_links_no_other_countys_account(world):
    """A linked owner reads the items they own: 仁化's mechanism never links 南雄's office (review finding)."""
    group = county_group(world)
    with pytest.raises(ValidationError) as error:
        member(world, group, actor="renhua_st", user=world["nanxiong_st"])
    assert "仁化县" in messages_of(error)
    assert member(world, group, actor="renhua_st", user=world["city_st"]).user == world["city_st"]
