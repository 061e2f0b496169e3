"""Entering needs and the organizer's decisions: confirm, return with a reason, bulk, scope."""
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import Notification
from core.workflow import transitions_for
from needs.models import Need
from needs.services import need_create, need_transition, needs_bulk_transition, needs_system_move


def test_a_town_user_enters_a_need_for_its_own_town_only(world, categories):
    need = need_create(actor=world["renhua_county_town"], cycle=world.cycle, town=world.renhua_county_town,
                       title="马蹄种苗提纯复壮", description="马蹄种性退化", category=categories["蔬菜"],
                       service_types=["guidance", "training"])
    assert need.status == "submitted" and need.created_by == world["renhua_county_town"]
    with pytest.raises(PermissionDenied):
        need_create(actor=world["renhua_county_town"], cycle=world.cycle, town=world.nanxiong_county_town,
                    title="x", description="x", category=categories["蔬菜"], service_types=["guidance"])
    with pytest.raises(PermissionDenied):
        need_create(actor=world["leader"], cycle=world.cycle, town=world.renhua_county_town,
                    title="x", description="x", category=categories["蔬菜"], service_types=["guidance"])


def test_rural_revitalization_users_enter_needs_in_their_scope(world, categories):
    need = need_create(actor=world["renhua_rural"], cycle=world.cycle, town=world.renhua_county_town, title="茶园改造",
                       description="低产茶园", category=categories["茶叶"], service_types=["guidance"])
    assert need.pk


def test_it_names_a_missing_service_type(world, categories):
    with pytest.raises(ValidationError) as error:
        need_create(actor=world["renhua_st"], cycle=world.cycle, town=world.renhua_county_town, title="x",
                    description="y", category=categories["蔬菜"], service_types=[])
    assert error.value.message_dict["service_types"] == ["请至少选择一种服务类型。"]
    assert not Need.objects.exists()


def test_the_county_confirms_a_county_organized_towns_need_and_it_is_recorded(world, make_need):
    need = make_need()
    need_transition(actor=world["renhua_st"], need=need, action="confirm")
    need.refresh_from_db()
    assert need.status == "confirmed"
    step = transitions_for(need).get()
    assert (step.from_state, step.to_state, step.actor) == ("submitted", "confirmed", world["renhua_st"])


def test_only_the_organizer_confirms(world, make_need):
    county_need = make_need()
    city_need = make_need(town=world.renhua_city_town)
    for actor, need in [(world["city_st"], county_need), (world["renhua_st"], city_need),
                        (world["nanxiong_st"], county_need), (world["renhua_county_town"], county_need)]:
        with pytest.raises(PermissionDenied):
            need_transition(actor=actor, need=need, action="confirm")
    need_transition(actor=world["city_st"], need=city_need, action="confirm")
    assert Need.objects.get(pk=city_need.pk).status == "confirmed"


def test_returning_needs_a_reason_and_tells_the_town(world, make_need):
    need = make_need()
    with pytest.raises(ValidationError):
        need_transition(actor=world["renhua_st"], need=need, action="return", comment="")
    need_transition(actor=world["renhua_st"], need=need, action="return", comment="请补充受灾面积")
    need.refresh_from_db()
    assert need.status == "returned" and need.status_reason == "请补充受灾面积"
    assert Notification.objects.filter(recipient=world["renhua_county_town"], title__contains="被退回").exists()
    need_transition(actor=world["renhua_county_town"], need=need, action="resubmit")
    assert Need.objects.get(pk=need.pk).status == "submitted"


def test_bulk_confirm_skips_what_is_not_yours_with_the_reason_and_does_the_rest(world, make_need):
    ours = [make_need(title="需求%d" % i) for i in range(3)]
    city_town = make_need(town=world.renhua_city_town, title="城区镇需求")  # the city organizes it
    result = needs_bulk_transition(actor=world["renhua_st"], needs=ours + [city_town], action="confirm")
    assert len(result.done) == 3 and result.refused == []
    assert [(need, str(reason)) for need, reason in result.skipped] == [(city_town, "该镇不由您所在层级组织，由其组织单位处理")]
    assert Need.objects.filter(status="confirmed").count() == 3
    assert Need.objects.get(pk=city_town.pk).status == "submitted"
    again = needs_bulk_transition(actor=world["renhua_st"], needs=ours, action="confirm")
    assert again.done == [] and len(again.skipped) == 3 and "已确认" in str(again.skipped[0][1])


def test_bulk_return_is_all_or_nothing(world, make_need):
    ours = [make_need(title="需求%d" % i) for i in range(2)]
    result = needs_bulk_transition(actor=world["renhua_st"], needs=ours, action="return", comment="")
    assert result.done == [] and len(result.refused) == 2  # a return needs a reason: none is returned
    assert set(Need.objects.values_list("status", flat=True)) == {"submitted"}


def test_pairing_marks_confirmed_needs_matched(world, make_need):
    need = make_need()
    need_transition(actor=world["renhua_st"], need=need, action="confirm")
    assert needs_system_move(needs=[need], move="match") == 1
    need.refresh_from_db()
    assert need.status == "matched"
    assert transitions_for(need).last().action == "match"


def test_closing_works_from_any_open_state_with_a_reason(world, make_need):
    need = make_need()
    need_transition(actor=world["renhua_st"], need=need, action="close", comment="已由其他项目解决")
    assert Need.objects.get(pk=need.pk).status == "closed"


def test_need_pages_and_api_respect_scope(world, make_need, assert_denied, login):
    need = make_need()
    assert_denied(f"/needs/{need.pk}/", allowed=["province", "city_st", "city_rural", "renhua_st", "renhua_rural",
                                                  "renhua_county_town"])
    assert_denied(f"/api/v1/needs/{need.pk}/", allowed=["province", "city_st", "city_rural", "renhua_st",
                                                         "renhua_rural", "renhua_county_town"])
    response = login("renhua_st").post(f"/needs/{need.pk}/act/confirm/", {"comment": ""})
    assert response.status_code == 302
    assert Need.objects.get(pk=need.pk).status == "confirmed"
    assert login("nanxiong_st").post(f"/needs/{need.pk}/act/close/", {"comment": "x"}).status_code == 404


def test_the_bulk_page_action_confirms_the_ticked_needs(world, make_need, login):
    needs = [make_need(title="需求%d" % i) for i in range(2)]
    client = login("renhua_st")
    client.post("/needs/bulk/", {"action": "confirm", "ids": [n.pk for n in needs]})
    assert Need.objects.filter(status="confirmed").count() == 2


def test_the_api_creates_and_confirms_needs(world, categories, login):
    client = login("renhua_county_town")
    response = client.post("/api/v1/needs/", {
        "cycle": world.cycle.pk, "town": world.renhua_county_town.pk, "title": "香芋种植技术",
        "description": "香芋产量低", "category": categories["蔬菜"].pk, "service_types": ["guidance"]},
        content_type="application/json")
    assert response.status_code == 201, response.content
    need_id = response.json()["id"]
    assert client.post(f"/api/v1/needs/{need_id}/confirm/").status_code == 403
    response = login("renhua_st").post("/api/v1/needs/bulk/", {"action": "confirm", "ids": [need_id]},
                                       content_type="application/json")
    assert response.json() == {"done": [need_id], "skipped": []}
    response = login("renhua_county_town").post("/api/v1/needs/", {
        "cycle": world.cycle.pk, "town": world.nanxiong_county_town.pk, "title": "x", "description": "y",
        "category": categories["蔬菜"].pk, "service_types": ["guidance"]}, content_type="application/json")
    assert response.status_code == 403


def test_a_confirmed_need_is_edited_by_its_organizer_or_the_administrator_not_the_town(world, make_need):
    from needs.services import need_update

    need = make_need()
    need_transition(actor=world["renhua_st"], need=need, action="confirm")
    with pytest.raises(PermissionDenied):
        need_update(actor=world["renhua_county_town"], need=Need.objects.get(pk=need.pk), title="镇改标题")
    need_update(actor=world["renhua_st"], need=Need.objects.get(pk=need.pk), title="县改标题")
    need_update(actor=world["admin"], need=Need.objects.get(pk=need.pk), title="管理员更正标题")
    assert Need.objects.get(pk=need.pk).title == "管理员更正标题"


def test_the_to_do_link_opens_only_the_needs_the_county_may_act_on(world, make_need, login):
    make_need(title="县组团镇需求")
    make_need(town=world.renhua_city_town, title="市组团镇需求")
    client = login("renhua_st")
    home = client.get("/home/").content.decode()
    assert "mine=1" in home
    page = client.get("/needs/?status=submitted&mine=1&cycle=%d" % world.cycle.pk).content.decode()
    assert "县组团镇需求" in page and "市组团镇需求" not in page and 'data-testid="mine"' in page
    assert "市组团镇需求" in client.get("/needs/?status=submitted").content.decode()  # still readable


def test_a_survey_date_after_today_is_refused_naming_the_field(world, make_need):
    import datetime as dt

    from django.utils import timezone

    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        make_need(surveyed_on=tomorrow)
    assert "调研日期不能晚于今天" in error.value.message_dict["surveyed_on"][0]
    assert not Need.objects.exists()
    assert make_need(surveyed_on=timezone.localdate()).surveyed_on == timezone.localdate()
