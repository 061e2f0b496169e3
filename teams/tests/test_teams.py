"""Teams: the leader edits the team and adds members (with accounts) under the cycle's size and eligibility rules."""
from accounts.models import User
from teams.models import Commissioner, TeamMembership
from teams.tests.factories import id_number, make_commissioner
from calls.tests.factories import staff_team

MEMBER = {"name": "周敏", "gender": "female", "phone": "13712345678", "title": "农艺师", "title_level": "intermediate",
          "education": "college", "specialty": "茶叶", "expertise_keywords": "", "bio": "", "create_account": "on"}


def test_it_lets_the_leader_add_a_member_who_gets_an_account(world, login):
    staff_team(world, size=1)
    client = login("leader")
    response = client.post("/teams/%d/members/add/" % world.team.pk, {**MEMBER, "id_number": id_number(10),
                                                                      "unit": world.other_unit.pk}, follow=True)
    page = response.content.decode()
    assert "已为周敏开通账号：用户名 tp13712345678" in page
    member = User.objects.get(username="tp13712345678")
    assert (member.role, member.team_id, member.must_change_password) == ("team_member", world.team.pk, True)
    assert TeamMembership.objects.filter(team=world.team, commissioner__name="周敏", role="member").exists()


def test_it_refuses_a_person_already_in_another_team(world, login):
    staff_team(world, size=1)
    person = make_commissioner(world.other_unit, name="陈海燕")
    TeamMembership.objects.create(team=world.other_team, commissioner=person, role="leader")
    page = login("leader").post("/teams/%d/members/add/" % world.team.pk, {
        **MEMBER, "name": "陈海燕", "phone": person.phone, "id_number": person.id_number,
        "unit": world.other_unit.pk}).content.decode()
    assert "陈海燕已是本周期“茶叶团队”的成员，同一人不能同时加入两个团队" in page
    assert TeamMembership.objects.filter(commissioner=person).count() == 1


def test_an_id_number_alone_does_not_bring_someone_into_a_team(world, login):
    """A registry entry joins a team only when the leader also knows its registered name and mobile number."""
    staff_team(world, size=1)
    person = make_commissioner(world.other_unit, name="林秀英")
    page = login("leader").post("/teams/%d/members/add/" % world.team.pk, {
        **MEMBER, "name": "冒名", "id_number": person.id_number, "unit": world.other_unit.pk}).content.decode()
    assert "姓名或手机号码与登记信息不一致" in page and "林秀英" not in page and person.phone not in page
    assert not TeamMembership.objects.filter(commissioner=person).exists()
    response = login("leader").post("/teams/%d/members/add/" % world.team.pk, {
        **MEMBER, "name": "林秀英", "phone": person.phone, "id_number": person.id_number,
        "unit": world.other_unit.pk})
    assert response.status_code == 302
    assert TeamMembership.objects.filter(commissioner=person, team=world.team).exists()


def test_a_leader_keeps_members_details_but_not_who_they_are(world, login):
    from teams.services import commissioner_update

    staff_team(world, size=2)
    member = TeamMembership.objects.filter(team=world.team, role="member").get().commissioner
    import pytest
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        commissioner_update(actor=world["leader"], commissioner=member, phone="13800000000")
    assert "只能由本人或其派出单位修改" in str(error.value)
    commissioner_update(actor=world["leader"], commissioner=member, specialty="柑橘栽培")
    member.refresh_from_db()
    assert member.specialty == "柑橘栽培" and member.phone != "13800000000"
    commissioner_update(actor=world["unit"], commissioner=member, phone="13800000000")
    member.refresh_from_db()
    assert member.phone == "13800000000"


def test_it_refuses_a_member_beyond_the_cycle_team_size(world, login):
    staff_team(world, size=3)
    page = login("leader").post("/teams/%d/members/add/" % world.team.pk, {
        **MEMBER, "id_number": id_number(11), "unit": world.unit.pk}).content.decode()
    assert "团队人数已达本周期上限3人" in page
    assert not Commissioner.objects.filter(name="周敏").exists()
    assert not User.objects.filter(username="tp13712345678").exists()


def test_it_refuses_members_the_cycle_switches_exclude(world, login):
    staff_team(world, size=1)
    client = login("leader")
    url = "/teams/%d/members/add/" % world.team.pk
    page = client.post(url, {**MEMBER, "title_level": "junior", "id_number": id_number(12),
                             "unit": world.unit.pk}).content.decode()
    assert "周敏不符合申报条件：须具有大学本科及以上学历或中级及以上职称" in page
    page = client.post(url, {**MEMBER, "in_work_team": "on", "id_number": id_number(13),
                             "unit": world.unit.pk}).content.decode()
    assert "周敏是驻镇工作队队员，不能作为特派员申报" in page
    assert not Commissioner.objects.filter(name="周敏").exists()
    # With the switches off the same person may join.
    world.cycle.require_degree_or_title = False
    world.cycle.save()
    response = client.post(url, {**MEMBER, "title_level": "junior", "id_number": id_number(12), "unit": world.unit.pk})
    assert response.status_code == 302


def test_only_the_leader_of_the_team_manages_it(world, assert_denied, login):
    staff_team(world, size=1)
    assert_denied("/teams/%d/members/add/" % world.team.pk, allowed=["leader"])
    assert_denied("/teams/%d/edit/" % world.team.pk, allowed=["leader"])


def test_the_leader_edits_service_types(world, login):
    client = login("leader")
    response = client.post("/teams/%d/edit/" % world.team.pk, {"name": "柑橘团队", "summary": "", "expertise_summary": "柑橘",
                                                               "research_directions": "绿色防控",
                                                               "service_types": ["guidance", "training"]})
    assert response.status_code == 302
    world.team.refresh_from_db()
    assert world.team.service_types_display == "技术指导、技能培训"


def test_another_team_cannot_read_the_team(world, assert_denied):
    staff_team(world, size=1)
    assert_denied(world.team.get_absolute_url(), allowed=["leader", "member", "unit", "province", "city_st",
                                                          "city_rural", "renhua_st", "renhua_rural", "nanxiong_st",
                                                          "nanxiong_rural"])
