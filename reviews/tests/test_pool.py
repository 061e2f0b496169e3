"""Expert pools: conflicts of interest, the panel proposal (field fit less load) and who sees which pool."""
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.scoping import restrict
from reviews import selectors, services
from reviews.models import Expert, ReviewSeat
from reviews.tests.factories import (accepted_project, expert_user, extra_team, extra_town, make_pool, qingyuan,
                                     start_panel)
from teams.models import Commissioner, TeamMembership
from teams.tests.factories import make_commissioner

pytestmark = pytest.mark.django_db

# Experts equally fit for a fruit-tree project, to compare everything else.
FRUIT = ("柑橘", "果树栽培", "柑橘、黄龙病、绿色防控")


def expert(world, name, *, actor="city_st", field="果树栽培", keywords="柑橘、黄龙病", unit_name="韶关市农业科学研究所",
           phone=None, account=True, **values):
    phone = phone or "1380000%04d" % (sum(map(ord, name)) % 10000)
    made, _password = services.expert_save(actor=world[actor], values={
        "name": name, "field": field, "keywords": keywords, "title": "研究员", "unit_name": unit_name, "phone": phone,
        **values}, create_account=account)
    return made


def reasons(project, *experts):
    return selectors.conflicts(project, experts)


# ------------------------------------------------------------------------------------------------ conflicts
def test_a_member_of_the_team_is_excluded_by_account_or_phone(world):
    project, people = accepted_project(world)
    by_account = expert(world, "甲")
    by_phone = expert(world, "乙", phone=people[1].phone)
    free = expert(world, "丙")
    Commissioner.objects.filter(pk=people[2].pk).update(user=expert_user(by_account))
    assert reasons(project, by_account, by_phone, free) == {by_account.pk: "是该团队成员", by_phone.pk: "是该团队成员"}


def test_an_expert_of_a_members_unit_is_excluded_by_the_unit_or_its_name(world):
    project, _people = accepted_project(world)  # the team's people are all of 华南农业大学 (world.unit)
    by_unit = expert(world, "甲", unit=world.unit, unit_name="华农")
    by_name = expert(world, "乙", unit_name=" 华南农业大学 ")
    other = expert(world, "丙", unit=world.other_unit, unit_name="韶关学院")
    assert reasons(project, by_unit, by_name, other) == {
        by_unit.pk: "与团队成员同一单位（华农）", by_name.pk: "与团队成员同一单位（华南农业大学）"}
    # A member joining from 韶关学院 brings that unit in too.
    TeamMembership.objects.create(team=world.team, commissioner=make_commissioner(world.other_unit, name="韶院人"),
                                  cycle=world.cycle, role="member")
    assert other.pk in reasons(project, other)


def test_a_declared_relation_with_the_team_or_a_members_unit_excludes(world):
    project, _people = accepted_project(world)
    with_team = expert(world, "甲")
    with_unit = expert(world, "乙")
    with_other_team = expert(world, "丙")
    with_other_unit = expert(world, "丁")
    city = world["city_st"]
    services.relation_add(actor=city, expert=with_team, team=world.team, reason="曾与团队负责人合作")
    services.relation_add(actor=city, expert=with_unit, unit=world.unit, reason="曾在该校任职")
    services.relation_add(actor=city, expert=with_other_team, team=world.other_team, reason="合作")
    services.relation_add(actor=city, expert=with_other_unit, unit=world.other_unit, reason="兼职")
    assert reasons(project, with_team, with_unit, with_other_team, with_other_unit) == {
        with_team.pk: "已登记回避关系（柑橘团队：曾与团队负责人合作）",
        with_unit.pk: "已登记回避关系（华南农业大学：曾在该校任职）"}


def test_a_relation_names_a_team_or_a_unit(world):
    someone = expert(world, "甲")
    with pytest.raises(ValidationError) as error:
        services.relation_add(actor=world["city_st"], expert=someone, reason="亲属")
    assert error.value.message_dict["team"] == ["请选择需回避的团队或单位。"]
    with pytest.raises(PermissionDenied):
        services.relation_add(actor=world["renhua_st"], expert=someone, team=world.team, reason="亲属")


def test_seat_add_refuses_a_conflicted_expert_naming_the_reason(world):
    project, people = accepted_project(world)
    make_pool(world)
    member = expert(world, "成员专家", phone=people[0].phone)
    colleague = expert(world, "同事专家", unit_name="华南农业大学")
    review = services.review_start(actor=world["city_st"], project=project)
    for barred, reason in ((member, "成员专家须回避：是该团队成员。"), (colleague, "同事专家须回避：与团队成员同一单位（华南农业大学）。")):
        with pytest.raises(ValidationError) as error:
            services.seat_add(actor=world["city_st"], review=review, expert=barred)
        assert error.value.message_dict["expert"] == [reason]
    assert not ReviewSeat.objects.exists()
    by_reason = {c.expert.name: c.excluded for c in selectors.candidates(review)}
    assert by_reason["成员专家"] == "是该团队成员"
    assert by_reason["同事专家"] == "与团队成员同一单位（华南农业大学）"


def test_seat_add_takes_only_the_reviews_own_pool_and_refuses_twice(world):
    project, _people = accepted_project(world)
    county_expert = expert(world, "县专家", actor="renhua_st")
    city_expert = expert(world, "市专家")
    review = services.review_start(actor=world["city_st"], project=project)
    with pytest.raises(ValidationError) as error:
        services.seat_add(actor=world["city_st"], review=review, expert=county_expert)
    assert error.value.message_dict["expert"] == ["只能从本级专家库中选择专家。"]
    services.seat_add(actor=world["city_st"], review=review, expert=city_expert)
    with pytest.raises(ValidationError) as error:
        services.seat_add(actor=world["city_st"], review=review, expert=city_expert)
    assert "不能重复选入" in error.value.message_dict["expert"][0]
    for outsider in ("renhua_st", "city_rural", "province", "leader"):
        with pytest.raises(PermissionDenied):
            services.seat_add(actor=world[outsider], review=review, expert=city_expert)


# ------------------------------------------------------------------------------------------------ proposals
def test_the_proposal_prefers_fruit_tree_and_plant_protection_over_mushrooms(world):
    project, _people = accepted_project(world)
    make_pool(world)
    review = services.review_start(actor=world["city_st"], project=project)
    ranked = selectors.candidates(review)
    names = [c.expert.name for c in ranked]
    fit = {c.expert.name: c.fit for c in ranked}
    assert names.index("林果") < names.index("吴菌") and names.index("郑植") < names.index("吴菌"), ranked
    assert fit["林果"] > fit["吴菌"] and fit["郑植"] > fit["吴菌"]
    assert {c.expert.name for c in selectors.proposal(review)} >= {"林果", "郑植"}
    assert all(not c.excluded for c in ranked)
    # A proposal whose field hardly fits the project says so (the panel is still filled).
    weak = {c.expert.name: c.reasons for c in ranked if "专业领域与项目关联弱，请人工确认" in c.reasons}
    assert "吴菌" in weak and "林果" not in weak and "郑植" not in weak


def test_the_proposal_skips_unavailable_and_account_less_experts(world):
    project, _people = accepted_project(world)
    busy = expert(world, "出差专家", available=False, availability_note="12月出差")
    no_account = expert(world, "无账号专家", account=False)
    inactive = expert(world, "停用专家")
    type(expert_user(inactive)).objects.filter(pk=inactive.user_id).update(is_active=False)
    ready = [expert(world, name, phone="1390000000%d" % i) for i, name in enumerate(("甲", "乙", "丙"))]
    review = services.review_start(actor=world["city_st"], project=project)
    excluded = {c.expert.name: c.excluded for c in selectors.candidates(review) if c.excluded}
    assert excluded == {"出差专家": "暂不能参加评审（12月出差）", "无账号专家": "尚无可用的平台账号",
                        "停用专家": "尚无可用的平台账号"}
    assert {c.expert.pk for c in selectors.proposal(review)} == {e.pk for e in ready}
    for refused, words in ((busy, "暂不能参加评审"), (no_account, "尚无可用的平台账号")):
        with pytest.raises(ValidationError) as error:
            services.seat_add(actor=world["city_st"], review=review, expert=refused)
        assert words in error.value.message_dict["expert"][0]


def test_open_seats_elsewhere_push_an_equally_fit_expert_down(world):
    """Two experts of the same field: the one with two reviews yet to score ranks below the free one."""
    loaded = expert(world, "忙专家", phone="13900000001")
    free = expert(world, "闲专家", phone="13900000002")
    city = world["city_st"]
    # Two other city-organized projects on which 忙专家 sits, not yet scored.
    for town, team in ((world.nanxiong_city_town, world.other_team), (extra_town(world), extra_team(world))):
        other, _people = accepted_project(world, town=town, team=team)
        services.seat_add(actor=city, review=services.review_start(actor=city, project=other), expert=loaded)
    project, _people = accepted_project(world)
    review = services.review_start(actor=city, project=project)
    ranked = {c.expert.pk: c for c in selectors.candidates(review)}
    assert ranked[loaded.pk].fit == ranked[free.pk].fit
    assert (ranked[loaded.pk].load, ranked[free.pk].load) == (2, 0)
    assert ranked[loaded.pk].score < ranked[free.pk].score
    order = [c.expert.pk for c in selectors.candidates(review)]
    assert order.index(free.pk) < order.index(loaded.pk)
    assert [c.expert.pk for c in selectors.proposal(review)] == [free.pk, loaded.pk]  # both needed for a panel of 3


def test_the_panel_is_filled_to_the_cycles_size(world):
    cycle = world.cycle
    cycle.review_panel_size = 4
    cycle.save()
    project, _people = accepted_project(world)
    make_pool(world)
    review, seats = start_panel(world, project)
    assert review.panel_size == 4 and len(seats) == 4
    assert selectors.proposal(review) == []
    assert services.panel_fill(actor=world["city_st"], review=review) == []  # full: nothing more
    cycle.review_panel_size = 2
    cycle.save()
    review.refresh_from_db()
    assert review.panel_size == 4  # the size was taken when the review started


def test_a_pool_too_small_for_the_panel_cannot_open(world):
    project, _people = accepted_project(world)
    make_pool(world, rows=[("林果", "果树栽培", "柑橘", "仲恺农业工程学院"), ("郑植", "植物保护", "柑橘", "广东省农科院")])
    review, seats = start_panel(world, project)
    assert len(seats) == 2
    with pytest.raises(ValidationError) as error:
        services.review_open(actor=world["city_st"], review=review)
    assert error.value.messages == ["专家组人数不足：已选2人，至少需要3人。"]
    review.refresh_from_db()
    assert review.status == "forming"
    empty = services.review_start(actor=world["city_st"], project=accepted_project(
        world, town=world.nanxiong_city_town, team=world.other_team)[0])
    # Both experts are free for the other team, so they are proposed there too; with them seated nothing is left.
    services.panel_fill(actor=world["city_st"], review=empty)
    with pytest.raises(ValidationError) as error:
        services.panel_fill(actor=world["city_st"], review=empty)
    assert "专家库中没有可选的专家" in error.value.messages[0]


# ------------------------------------------------------------------------------------------------ pools and scope
def test_each_office_keeps_its_own_pool_and_the_city_reads_its_counties(world):
    qingyuan(world)
    city_expert = expert(world, "市专家")
    renhua_expert = expert(world, "仁化专家", actor="renhua_st")
    nanxiong_expert = expert(world, "南雄专家", actor="nanxiong_st")
    assert (renhua_expert.organizer_level, renhua_expert.county_id) == ("county", world.renhua.pk)
    seen = {name: set(restrict(Expert, world[name]).values_list("name", flat=True)) for name in (
        "city_st", "city_rural", "renhua_st", "nanxiong_st", "qy_city_st", "yingde_st", "qy_expert", "leader",
        "renhua_city_town", "unit")}
    assert seen["city_st"] == seen["city_rural"] == {"市专家", "仁化专家", "南雄专家"}
    assert seen["renhua_st"] == {"仁化专家"} and seen["nanxiong_st"] == {"南雄专家"}
    for nobody in ("qy_city_st", "yingde_st", "qy_expert", "leader", "renhua_city_town", "unit"):
        assert seen[nobody] == set(), nobody
    assert set(restrict(Expert, expert_user(city_expert)).values_list("name", flat=True)) == {"市专家"}
    # Only the keeping office changes an entry: the city does not edit a county's pool.
    with pytest.raises(PermissionDenied):
        services.expert_save(actor=world["city_st"], expert=renhua_expert, values={"title": "教授"})
    with pytest.raises(PermissionDenied):
        services.expert_save(actor=world["nanxiong_st"], expert=renhua_expert, values={"title": "教授"})
    for outsider in ("province", "city_rural", "leader", "expert"):
        with pytest.raises(PermissionDenied):
            services.expert_save(actor=world[outsider], values={"name": "某", "field": "果树", "unit_name": "某单位",
                                                                "phone": "13911112222"})


def test_an_expert_changes_only_their_contacts_and_availability(world):
    own = expert(world, "本人")
    user = expert_user(own)
    updated, password = services.expert_save(actor=user, expert=own, values={
        "available": False, "availability_note": "出国访问", "name": "改名", "field": "食用菌"})
    assert password == ""
    updated.refresh_from_db()
    assert (updated.available, updated.availability_note, updated.name, updated.field) == (
        False, "出国访问", "本人", "果树栽培")
    other = expert(world, "他人", phone="13900001111")
    with pytest.raises(PermissionDenied):
        services.expert_save(actor=user, expert=other, values={"available": False})


def test_a_pool_entry_gets_its_account_and_no_duplicate_phone(world):
    made, password = services.expert_save(actor=world["renhua_st"], values={
        "name": "李专家", "field": "果树", "unit_name": "仁化县农业农村局", "phone": "139 0751 0001"},
        create_account=True)
    assert made.phone == "13907510001" and password
    account = expert_user(made)
    assert (account.role, account.county_id) == ("expert", world.renhua.pk)
    with pytest.raises(ValidationError) as error:
        services.expert_save(actor=world["renhua_st"], values={
            "name": "重复", "field": "果树", "unit_name": "某单位", "phone": "13907510001"})
    assert error.value.message_dict["phone"] == ["本专家库已有使用该手机号码的专家。"]
    # Another pool may hold the same person.
    services.expert_save(actor=world["nanxiong_st"], values={
        "name": "李专家", "field": "果树", "unit_name": "仁化县农业农村局", "phone": "13907510001"})
    assert Expert.objects.count() == 2
