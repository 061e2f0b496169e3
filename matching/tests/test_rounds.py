"""Selection rounds: running the engine over a call, adjusting, comparing runs, finalizing into pairings."""
import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import Notification
from matching import services
from matching.models import Pairing, SelectionRun
from matching.selectors import compare, proposal, round_inputs
from needs.models import Need
from portal.testing import CYCLE_YEAR


def run_round(world, selection_round, actor="renhua_st", **weights):
    run = services.run_create(actor=world[actor], selection_round=selection_round, weights=weights or None)
    return services.run_execute(run)


def assigned(run):
    return {a["town_code"]: a["team_id"] for a in run.result["assignments"]}


@pytest.fixture
def opened(world, selection):
    return services.round_open(actor=world["renhua_st"], call=selection.call)


def test_the_engine_sees_confirmed_needs_and_accepted_teams_only(world, selection, opened):
    inputs = round_inputs(opened)
    assert [t["name"] for t in inputs["towns"]] == ["红山镇", "石塘镇", "董塘镇"]
    assert "未确认的需求" not in [n["title"] for n in inputs["needs"]]
    assert len(inputs["teams"]) == 4
    citrus = next(t for t in inputs["teams"] if t["name"] == "柑橘团队")
    assert citrus["preferred_towns"] == ["440224108"] and citrus["prior_towns"] == ["440224108"]


def test_a_run_proposes_the_fitting_team_per_town_with_reasons_and_alternates(world, selection, opened):
    run = run_round(world, opened)
    assert run.status == "done"
    teams = selection.teams
    assert assigned(run) == {"440224108": str(teams["柑橘团队"].pk), "440224106": str(teams["茶叶团队"].pk),
                             "440224107": str(teams["生猪健康养殖团队"].pk)}
    rows = {row["town"]["name"]: row for row in proposal(run)}
    assert rows["董塘镇"]["assignment"]["rank"] == 1
    assert any("黄龙病" in reason or "柑橘" in reason for reason in rows["董塘镇"]["assignment"]["reasons"])
    assert [alt["team"]["name"] for alt in rows["董塘镇"]["alternates"]][:1] == ["柑橘团队"]
    assert len(rows["董塘镇"]["alternates"]) >= 2


def test_a_lock_holds_and_the_page_says_why_a_team_missed_its_first_choice(world, selection, opened):
    teams, towns = selection.teams, selection.towns
    services.constraint_set(actor=world["renhua_st"], selection_round=opened, town=towns["董塘镇"],
                            team=teams["柑橘栽培第二团队"], kind="lock", reason="会议决定由第二团队帮扶")
    run = run_round(world, opened)
    assert assigned(run)["440224108"] == str(teams["柑橘栽培第二团队"].pk)
    assert str(teams["柑橘团队"].pk) not in assigned(run).values()  # it applied to 董塘镇 only
    rows = {row["town"]["name"]: row for row in proposal(run)}
    assert rows["董塘镇"]["assignment"]["constraint"] == "lock"


def test_an_exclusion_holds_and_can_leave_a_gap_shown_in_red(world, selection, opened):
    teams, towns = selection.teams, selection.towns
    services.constraint_set(actor=world["renhua_st"], selection_round=opened, town=towns["石塘镇"],
                            team=teams["生猪健康养殖团队"], kind="exclude", reason="团队成员另有任务")
    run = run_round(world, opened)
    assert "440224107" not in assigned(run)
    rows = {row["town"]["name"]: row for row in proposal(run)}
    assert rows["石塘镇"]["gap"] is True


def test_reasons_are_required_for_locks_and_exclusions(world, selection, opened):
    with pytest.raises(ValidationError):
        services.constraint_set(actor=world["renhua_st"], selection_round=opened, town=selection.towns["石塘镇"],
                                team=selection.teams["生猪健康养殖团队"], kind="exclude", reason=" ")


def test_every_run_is_kept_and_two_runs_compare(world, selection, opened):
    first = run_round(world, opened)
    services.constraint_set(actor=world["renhua_st"], selection_round=opened, town=selection.towns["董塘镇"],
                            team=selection.teams["柑橘栽培第二团队"], kind="lock", reason="会议决定")
    second = run_round(world, opened, fit=2.0)
    assert opened.runs.count() == 2 and second.weights["fit"] == 2.0 and first.weights["fit"] == 1.0
    rows = {row["town"]: row for row in compare(first, second)}
    assert rows["董塘镇"]["changed"] and rows["董塘镇"]["b"] == "柑橘栽培第二团队"
    assert not rows["石塘镇"]["changed"]


def test_finalize_creates_exactly_the_pairings_shown_and_marks_needs_matched(world, selection, opened):
    run = run_round(world, opened)
    with pytest.raises(ValidationError) as error:
        services.finalize(actor=world["renhua_st"], selection_round=opened, run=run)
    assert "遴选会议" in error.value.messages[0]
    services.meeting_record(actor=world["renhua_st"], selection_round=opened, meeting_date=dt.date(CYCLE_YEAR, 2, 10),
                            participants="县科技局、县乡村振兴局、专家3人")
    pairings = services.finalize(actor=world["renhua_st"], selection_round=opened, run=run)
    shown = {(a["town_code"], a["team_id"]) for a in run.result["assignments"]}
    assert {(p.town.code, str(p.team_id)) for p in pairings} == shown
    assert set(Pairing.objects.values_list("status", flat=True)) == {"proposed"}
    assert all(p.alternates for p in pairings if p.town.code == "440224108")
    assert Need.objects.get(title="贡柑黄龙病防控").status == "matched"
    assert Need.objects.get(title="未确认的需求").status == "submitted"
    assert Notification.objects.filter(recipient=world["leader"], title__contains="遴选结果").exists()
    opened.refresh_from_db()
    assert opened.status == "finalized"
    with pytest.raises(ValidationError):
        run_round(world, opened)


def test_a_paired_team_and_town_are_not_offered_again_in_a_new_round(world, selection, opened):
    run = run_round(world, opened)
    services.meeting_record(actor=world["renhua_st"], selection_round=opened, meeting_date=dt.date(CYCLE_YEAR, 2, 10),
                            participants="会议")
    services.finalize(actor=world["renhua_st"], selection_round=opened, run=run)
    second = services.round_open(actor=world["renhua_st"], call=selection.call)
    with pytest.raises(ValidationError) as error:
        services.run_create(actor=world["renhua_st"], selection_round=second)
    assert "均已结对" in error.value.messages[0]
    # When a pairing ends, its town comes back into a new round.
    pairing = Pairing.objects.get(town__name="石塘镇")
    pairing.status = "replaced"
    pairing.save()
    inputs = round_inputs(second)
    assert [t["name"] for t in inputs["towns"]] == ["石塘镇"]
    assert {t["name"] for t in inputs["teams"]} == {"生猪健康养殖团队"}


def test_the_database_refuses_a_second_live_pairing_for_a_town(world, selection):
    from django.db import IntegrityError, transaction

    Pairing.objects.create(cycle=world.cycle, town=selection.towns["董塘镇"], team=world.team, organizer_level="county")
    with pytest.raises(IntegrityError), transaction.atomic():
        Pairing.objects.create(cycle=world.cycle, town=selection.towns["董塘镇"], team=world.other_team,
                               organizer_level="county")


def test_another_county_cannot_open_or_see_the_round(world, selection, opened, assert_denied):
    with pytest.raises(PermissionDenied):
        services.round_open(actor=world["nanxiong_st"], call=selection.call)
    with pytest.raises(PermissionDenied):
        services.run_create(actor=world["nanxiong_st"], selection_round=opened)
    with pytest.raises(PermissionDenied):
        services.run_create(actor=world["city_st"], selection_round=opened)
    allowed = ["province", "city_st", "city_rural", "renhua_st", "renhua_rural"]
    assert_denied(opened.get_absolute_url(), allowed=allowed)
    assert_denied(f"/api/v1/selection-rounds/{opened.pk}/", allowed=allowed)


def test_the_pages_run_lock_and_finalize(world, selection, opened, login):
    client = login("renhua_st")
    response = client.post(f"/matching/rounds/{opened.pk}/run/", {"fit": 1, "service": 0.15, "prior": 0.35,
                                                                  "preference": 0.25, "panel": 0.5})
    assert response.status_code == 302 and "/tasks/" in response.url
    run = opened.runs.get()
    page = client.get(opened.get_absolute_url()).content.decode()
    assert "柑橘团队" in page and "备选团队" in page
    client.post(f"/matching/rounds/{opened.pk}/meeting/", {"meeting_date": f"{CYCLE_YEAR}-02-10", "meeting_participants": "专家"})
    client.post(f"/matching/rounds/{opened.pk}/finalize/{run.pk}/")
    assert Pairing.objects.count() == 3
    assert login("nanxiong_st").post(f"/matching/rounds/{opened.pk}/run/", {}).status_code == 404


def test_the_api_runs_and_finalizes(world, selection, opened, login):
    client = login("renhua_st")
    response = client.post(f"/api/v1/selection-rounds/{opened.pk}/run/", {}, content_type="application/json")
    assert response.status_code == 202
    run_id = response.json()["run"]["id"]
    run_json = client.get(f"/api/v1/selection-runs/{run_id}/").json()
    assert run_json["status"] == "done"
    # The run says which taxonomy (the officials' edited one, by version) it matched with.
    assert run_json["taxonomy_version"] == SelectionRun.objects.get(pk=run_id).taxonomy_version != ""
    proposal_rows = client.get(f"/api/v1/selection-runs/{run_id}/proposal/").json()
    assert len(proposal_rows) == 3
    client.post(f"/api/v1/selection-rounds/{opened.pk}/meeting/", {"meeting_date": f"{CYCLE_YEAR}-02-10",
                                                                    "meeting_participants": "专家"})
    response = client.post(f"/api/v1/selection-rounds/{opened.pk}/finalize/", {"run": run_id},
                           content_type="application/json")
    assert response.status_code == 200 and len(response.json()["pairings"]) == 3
    assert login("leader").get("/api/v1/pairings/").json()["count"] == 1
    assert login("other_leader").get("/api/v1/pairings/").json()["count"] == 1
    assert login("nanxiong_st").get("/api/v1/pairings/").json()["count"] == 0


def test_a_gap_names_each_team_that_listed_the_town_and_where_it_went():
    from types import SimpleNamespace
    run = SimpleNamespace(
        inputs={"towns": [{"code": "A", "name": "甲镇"}, {"code": "B", "name": "乙镇"}, {"code": "C", "name": "丙镇"}],
                "teams": [{"team_id": "1", "name": "柑橘团队", "preferred_towns": ["A", "B"]},
                          {"team_id": "2", "name": "茶叶团队", "preferred_towns": ["C", "A"]}],
                "constraints": [{"town": "B", "team": "1", "kind": "lock"}]},
        result={"assignments": [{"town_code": "B", "team_id": "1", "score": 1.0, "reasons": []},
                                {"town_code": "C", "team_id": "2", "score": 0.8, "reasons": []}],
                "unassigned_reasons": {"A": "没有符合条件的团队：可派往本镇的 1 个团队已锁定到其他镇"}})
    rows = {row["town"]["name"]: row for row in proposal(run)}
    assert rows["甲镇"]["gap"]
    assert rows["甲镇"]["gap_teams"] == ["“柑橘团队”（第1志愿）已锁定到乙镇",
                                       "“茶叶团队”（第2志愿）安排到了丙镇，整体覆盖更多镇、总分更高"]


def test_a_meeting_date_after_today_is_refused(world, selection, opened):
    from django.utils import timezone

    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        services.meeting_record(actor=world["renhua_st"], selection_round=opened, meeting_date=tomorrow,
                                participants="县科技局")
    assert "遴选会议日期不能晚于今天" in error.value.message_dict["meeting_date"][0]
    opened.refresh_from_db()
    assert opened.meeting_date is None


def test_a_meeting_date_before_the_call_opened_is_refused(world, selection, opened):
    early = selection.call.open_date - dt.timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        services.meeting_record(actor=world["renhua_st"], selection_round=opened, meeting_date=early,
                                participants="县科技局")
    assert "遴选会议日期不能早于征集开始日期" in error.value.message_dict["meeting_date"][0]


def test_a_team_locked_away_from_its_first_choice_is_told_so():
    from types import SimpleNamespace

    run = SimpleNamespace(
        inputs={"towns": [{"code": "A", "name": "甲镇"}, {"code": "B", "name": "乙镇"}],
                "teams": [{"team_id": "1", "name": "柑橘团队", "preferred_towns": ["A", "B"], "first_choice": "A"}],
                "constraints": [{"town": "B", "team": "1", "kind": "lock"}]},
        result={"assignments": [{"town_code": "B", "team_id": "1", "score": 1.0, "reasons": []}],
                "unassigned_reasons": {}})
    rows = {row["town"]["name"]: row for row in proposal(run)}
    assert rows["乙镇"]["why_not_first"] == "该团队第一志愿为甲镇，遴选中已锁定到本镇。"
