"""Cycles: rules, validation and copying town classes into the next cycle."""
import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from cycles.services import cycle_copy, cycle_create
from regions.models import TownClassification
from portal.testing import CYCLE_YEAR


def test_it_copies_town_classes_and_levels_into_the_next_cycle(world):
    new = cycle_copy(actor=world["city_st"], source=world.cycle, name="第三批", start_date=dt.date(CYCLE_YEAR + 3, 1, 1),
                     end_date=dt.date(CYCLE_YEAR + 5, 12, 31), dispatch_deadline=dt.date(CYCLE_YEAR + 3, 3, 31))
    copied = dict(TownClassification.objects.filter(cycle=new).values_list("town__name", "organizing_level"))
    assert copied == {"黄坑镇": "city", "董塘镇": "county", "百顺镇": "city", "珠玑镇": "county"}
    assert new.notice_working_days == 5 and new.team_size_min == 3
    assert TownClassification.history.filter(cycle_id=new.pk).count() == 4


def test_it_has_the_defaults_of_the_plan(world):
    assert (world.cycle.project_submission_days, world.cycle.required_stationed_days) == (60, 365)
    assert (world.cycle.team_size_min, world.cycle.team_size_max, world.cycle.notice_working_days) == (3, 3, 5)


def test_it_rejects_an_end_before_the_start_in_chinese(world):
    with pytest.raises(ValidationError) as error:
        cycle_create(actor=world["city_st"], name="错误周期", start_date=dt.date(CYCLE_YEAR, 1, 1),
                     end_date=dt.date(CYCLE_YEAR - 1, 1, 1), dispatch_deadline=dt.date(CYCLE_YEAR, 3, 1))
    assert error.value.message_dict["end_date"] == ["结束日期必须晚于开始日期。"]


def test_it_lets_only_the_city_edit_cycles_through_the_api(world, login):
    url = f"/api/v1/cycles/{world.cycle.pk}/"
    assert login("renhua_st").get(url).status_code == 200
    assert login("renhua_st").patch(url, {"notice_working_days": 7}, content_type="application/json").status_code == 404
    response = login("city_st").patch(url, {"notice_working_days": 7}, content_type="application/json")
    assert response.status_code == 200
    world.cycle.refresh_from_db()
    assert world.cycle.notice_working_days == 7


def test_it_refuses_a_bad_team_size_through_the_api_and_saves_nothing(world, login):
    url = f"/api/v1/cycles/{world.cycle.pk}/"
    response = login("city_st").patch(url, {"team_size_min": 5, "team_size_max": 3}, content_type="application/json")
    assert response.status_code == 400
    assert "团队最多人数不能少于最少人数" in response.content.decode()
    world.cycle.refresh_from_db()
    assert world.cycle.team_size_min == 3
