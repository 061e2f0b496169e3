"""The demo's oversight (调整更换 · 成员变更 · 周期结束; evaluations and coordination when their apps are installed),
told through the services (``replacements.services`` …) as on the days it happened.

First cycle (``first_cycle_plan`` chooses, ``first_cycle_steps`` returns the dated steps ``portal.demo_fieldwork``
takes between its quarterly monitor runs): in one county-organized town whose pairing has an alternate left, the team
stops coming in spring 2023 (its field history is cut there), the monitor flags it, the town's work team reports it
does not cooperate, the county S&T bureau opens a case (不配合驻镇工作队工作安排) with those flags, the leader answers,
the county decides a replacement: the old pairing ends, its funding is stopped, the alternate is proposed, noticed
again, registered with the city and the province, signs its agreement and works to the end of the cycle. In another
county town a case for 不符合乡镇科技需求 ends with a warning; in a third a member leaves and another joins (the city and
the province confirm the change). The end of the cycle is the scheduled step (``cycle_end_pairings``, the system).

Current cycle (``current_cycle_cases``): a case against the province's team in 坪石镇 awaiting the team's answer (its
leader ``tp<year>_p02`` sees 待答复) and one against the team in 大布镇, answered, awaiting the city's decision.
"""
from __future__ import annotations

import datetime as dt
import random

from portal.demo_clock import on

D = dt.date
STOPPED_COMING = D(2023, 3, 31)  # the replaced team's last day of field work
CASE_TEXT = {
    "noncooperation": "驻镇工作队反映该团队自2023年4月起未到镇开展工作，两次布置的任务未按时反馈；平台显示近三个月无经确认的服务活动，"
                      "驻镇时间明显落后于进度。",
    "mismatch": "镇反映团队帮扶方向集中在品种引进，与镇确认的加工和品牌需求不符，示范基地建设进度滞后。",
    "answer_nc": "团队负责人2023年3月起借调参加省重点研发项目，团队成员未能按计划驻镇，团队承认未履行驻镇承诺，同意组织单位的处理意见。",
    "answer_mm": "团队已与镇农业办重新商定下半年计划，增加加工技术培训和品牌设计服务，并调整示范基地建设安排。",
    "decide_nc": "经调查，团队自2023年4月起未实际驻镇，未配合驻镇工作队工作安排，且无法保证后续驻镇时间。依据行动方案，更换帮扶团队，"
                 "由遴选时的备选团队递补，原团队已拨付资金不再追加。",
    "decide_mm": "团队已调整帮扶计划，增加对镇确认需求的服务，予以警示提醒，请于三个月内报送调整后的工作进展。",
}


# ------------------------------------------------------------------------------------------------ the first cycle

def _county_pairings(cycle):
    from matching.models import Pairing

    return list(Pairing.objects.filter(cycle=cycle, organizer_level="county", status__in=("registered", "active"))
                .select_related("town__county", "team", "cycle", "round").order_by("town__code"))


def first_cycle_plan(cycle) -> dict:
    """Which pairings the first cycle's oversight happens to: {"replace": pairing, "warn": pairing, "change":
    pairing} (each may be None). The replaced one is a county town whose pairing still has an alternate to take it."""
    from replacements.services import candidates

    pairings = _county_pairings(cycle)
    replace = next((p for p in pairings if p.alternates and candidates(p)), None)
    warn = next((p for p in pairings if p.town.county.code == "440224" and p != replace
                 and p.town.code != "440224111"), None)
    change = next((p for p in pairings if p.town.county.code == "440282" and p != replace), None)
    return {"replace": replace, "warn": warn, "change": change}


def first_cycle_steps(story, cycle, plan: dict) -> list:
    """The dated steps [(moment, callable)] of the first cycle's oversight; ``portal.demo_fieldwork`` takes each
    between its quarterly monitor runs (the case is opened on the flags the July 2023 run raised)."""
    from accounts.models import User
    from core.roles import Role
    from fieldwork import services as field
    from fieldwork.models import Flag
    from portal import demo_data as data
    from portal.demo_clock import moment
    from portal.demo_story import town_account
    from replacements import services as oversight

    steps: list = []
    state: dict = {}
    province = User.objects.filter(username="province").first()

    def at_(day, hour, step):
        steps.append((moment(day, hour), step))

    old = plan.get("replace")
    if old is not None:
        county_st = story.county_st[old.town.county_id]
        town_user = town_account(story, old.town)
        leader = User.objects.filter(role=Role.TEAM_LEADER, team=old.team).first()

        def report():
            field.flag_report(actor=town_user, detail=data.FIELD_NONCOOPERATION)

        def open_case():
            flags = list(Flag.objects.filter(pairing=old, status="open").values_list("pk", flat=True))
            state["case"] = oversight.case_open(actor=county_st, pairing=old, cause="noncooperation",
                                                summary=CASE_TEXT["noncooperation"], flag_ids=flags)

        def answer():
            oversight.case_answer(actor=leader, case=state["case"], answer=CASE_TEXT["answer_nc"])

        def decide():
            from replacements.services import open_grants

            alternate = oversight.candidates(old)[0]["team_id"]
            state["case"] = oversight.case_decide(
                actor=county_st, case=state["case"], decision="replacement", reason=CASE_TEXT["decide_nc"],
                doc_number="%s〔2023〕47号" % _prefix(old), end_date=D(2023, 8, 15), new_team=alternate,
                funding_action="stopped" if open_grants(old).exists() else "")
            # The decision closes the old pairing's open flags (the work team's report included).

        def notice():
            new = state["case"].new_pairing
            story.publish(organizer=county_st, cycle=cycle, pairings=[new], doc_number="%s〔2023〕52号" % _prefix(old),
                          start=D(2023, 8, 21), title="%s农村科技特派员团队调整更换递补人选公示" % old.town.county.name,
                          contact="%s科学技术局农村科技股 0751-8868100" % old.town.county.name)

        def close_notice():
            from django.utils import timezone
            from notices import services as notices

            notices.notices_close_due(now=timezone.now())

        def register():
            from matching.models import Pairing

            new = Pairing.objects.get(pk=state["case"].new_pairing_id)
            prefix = _prefix(old)
            story.register(organizer=county_st, cycle=cycle, pairings=[new], recipient="city",
                           doc_number="%s〔2023〕58号" % prefix, sent=D(2023, 8, 30), confirmed=D(2023, 9, 5),
                           reference="韶科备〔2023〕7号", confirmer=story.city_st)
            story.register(organizer=county_st, cycle=cycle, pairings=[new], recipient="province",
                           doc_number="%s〔2023〕59号" % prefix, sent=D(2023, 8, 30), confirmed=D(2023, 9, 8),
                           reference="粤科农字〔2023〕31号", confirmer=province)

        def agreement_and_work():
            _new_team_at_work(story, cycle, state["case"].new_pairing_id)

        at_(D(2023, 7, 10), 16, report)
        at_(D(2023, 7, 17), 10, open_case)
        at_(D(2023, 7, 28), 17, answer)
        at_(D(2023, 8, 15), 10, decide)
        at_(D(2023, 8, 21), 9, notice)
        at_(D(2023, 8, 29), 0, close_notice)
        at_(D(2023, 8, 30), 8, register)
        at_(D(2023, 9, 12), 9, agreement_and_work)

    warned = plan.get("warn")
    if warned is not None:
        warner = story.county_st[warned.town.county_id]
        warned_leader = User.objects.filter(role=Role.TEAM_LEADER, team=warned.team).first()
        at_(D(2023, 4, 10), 10, lambda: state.update(warning=oversight.case_open(
            actor=warner, pairing=warned, cause="mismatch", summary=CASE_TEXT["mismatch"])))
        at_(D(2023, 4, 19), 17, lambda: oversight.case_answer(actor=warned_leader, case=state["warning"],
                                                              answer=CASE_TEXT["answer_mm"]))
        at_(D(2023, 4, 26), 10, lambda: oversight.case_decide(
            actor=warner, case=state["warning"], decision="warning", reason=CASE_TEXT["decide_mm"],
            doc_number="%s〔2023〕21号" % _prefix(warned)))

    changed = plan.get("change")
    if changed is not None and province is not None:
        recorder = story.county_st[changed.town.county_id]

        def record():
            from portal.demo_story import _staff
            from teams import services as teams

            staff = _staff(changed.team)
            leaving = staff[-1]
            index = next(story.people)
            topic = story.needs_for(changed.town, 1)[0][0]
            fields = data.person_fields(index, changed.team.lead_unit, topic)
            actor = story.unit_users.get(changed.team.lead_unit.name) or story.users["admin"]
            teams.commissioner_create(actor=actor, id_number=data.person_id(index), **fields)
            state["change"] = oversight.member_change_record(
                actor=recorder, pairing=changed, effective_date=D(2024, 3, 1), leaving=leaving.pk,
                joining_id_number=data.person_id(index), joining_name=fields["name"], joining_phone=fields["phone"],
                reason="%s因工作调动退出团队，派出单位推荐%s接替，专业方向一致。" % (leaving.name, fields["name"]))

        at_(D(2024, 3, 4), 10, record)
        at_(D(2024, 3, 11), 15, lambda: oversight.member_change_confirm(
            actor=story.city_st, change=state["change"], action="confirm_city", comment="同意备案。"))
        at_(D(2024, 3, 18), 10, lambda: oversight.member_change_confirm(
            actor=province, change=state["change"], action="confirm_province", comment="已备案。"))
    return sorted(steps, key=lambda step: step[0])


def _prefix(pairing) -> str:
    return {"440224": "仁科", "440282": "南科"}.get(pairing.town.county.code, "%s科" % pairing.town.county.name[:1])


def _new_team_at_work(story, cycle, pairing_id) -> None:
    """The alternate that took the town: its agreement (drafted, signed, confirmed by the town) and three years' field
    work to the end of the cycle, bulk as the other teams' (``portal.scale.FieldHistory``)."""
    from matching.models import Pairing
    from portal import demo_data as data
    from portal.demo_fieldwork import FIRST_CYCLE_LAST_DAY, _context
    from portal.demo_story import pdf
    from portal.scale import FieldDensity, FieldHistory, Writer, historical_timestamps
    from projects import services as projects
    from projects.selectors import registered_on

    pairing = Pairing.objects.select_related("town__county", "team", "cycle").get(pk=pairing_id)
    leader, town_user, people, topic, category = _context(story, pairing)
    texts = {name: text % {"town": pairing.town.name, "topic": topic, "rooms": 2, "mu": 30}
             for name, text in data.AGREEMENT_TEXT.items()}
    agreement = projects.agreement_create(actor=leader, pairing=pairing, **texts)
    signed = registered_on(pairing) + dt.timedelta(days=10)
    with on(signed, 11):
        projects.agreement_sign(actor=leader, agreement=agreement, scan=pdf("帮扶协议签署件.pdf"), signed_on=signed)
    with on(signed + dt.timedelta(days=2), 16):
        projects.agreement_confirm(actor=town_user, agreement=agreement, comment="协议内容与镇、驻镇工作队商定一致。")
    writer = Writer()
    history = FieldHistory(writer, random.Random(20230912), cycle, horizon=FIRST_CYCLE_LAST_DAY, closed=True,
                           density=FieldDensity(activities_per_year=(8, 12), stays=(34, 38), flags=False))
    history.add(pairing, people=people, leader=leader, town_user=town_user, topic=topic, category=category,
                start=registered_on(pairing) + dt.timedelta(days=6), end=FIRST_CYCLE_LAST_DAY, projects=[])
    with historical_timestamps():
        history.flush()
        writer.flush_transitions()


def first_cycle_end(cycle) -> int:
    """The end of the cycle as the scheduled step takes it (the system): every working pairing ends on the cycle's
    last day with its figures kept."""
    from replacements.services import cycle_end_pairings

    return cycle_end_pairings(cycle=cycle, actor=None, today=cycle.end_date + dt.timedelta(days=1))


# ------------------------------------------------------------------------------------------------ the current cycle

def current_cycle_cases(story, cycle, *, today: dt.date) -> None:
    """Two open cases against the province's teams at work: 坪石镇's (its work team reported it does not cooperate:
    awaiting the team's answer) and 大布镇's (no confirmed work lately: answered, awaiting the city's decision)."""
    from accounts.models import User
    from core.roles import Role
    from fieldwork.models import Flag
    from matching.models import Pairing
    from replacements import services as oversight

    ago = lambda days: today - dt.timedelta(days=days)  # noqa: E731
    working = {p.town.code: p for p in Pairing.objects.filter(cycle=cycle, status__in=("registered", "active"))
               .select_related("town", "team")}
    pingshi, dabu = working.get("440281108"), working.get("440232108")
    if pingshi is not None:
        flags = list(Flag.objects.filter(pairing=pingshi, status="open").values_list("pk", flat=True))
        with on(ago(1), 10):
            oversight.case_open(actor=story.city_st, pairing=pingshi, cause="noncooperation", flag_ids=flags,
                                summary="驻镇工作队反映团队成员近一个月未参加镇产业工作例会，布置的规划任务逾期未完成，请团队说明情况。")
    if dabu is not None:
        leader = User.objects.filter(role=Role.TEAM_LEADER, team=dabu.team).first()
        with on(ago(12), 10):
            case = oversight.case_open(actor=story.city_st, pairing=dabu, cause="mismatch",
                                       summary="镇反映团队已开展的服务以品种展示为主，与镇确认的加工技术需求衔接不够，请说明下一步安排。")
        with on(ago(8), 17):
            oversight.case_answer(actor=leader, case=case, answer=CASE_TEXT["answer_mm"])
