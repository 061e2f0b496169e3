"""The demo's story, told through the services (``<app>/services.py`` with ``actor=``), as on the days it happened.

First cycle (第一批, 2021-12 to 2024-11): every organized town surveyed, a city call and one call per county, teams
apply and are accepted, selection rounds finalized, notices (仁化县: an objection upheld and a replacement team on a
second notice; the city: an objection dismissed), registration with the city and the province (南雄市: returned once),
every working pairing's assistance agreement (signed scan, confirmed by the town: one returned once, a few late) and
one or two projects (submitted, accepted; a few late, one returned and resubmitted, a change approved and one
rejected in 2023; texts invented, 示意), the expert review and funding (the city's, 仁化县's and 南雄市's expert pools;
every city- and province-organized project, and 仁化县's, 南雄市's and 乳源's, reviewed — 乳源 in a single approval step
— decided and funded in two tranches within the 2022 and 2023 envelopes), three years of field work
(``portal.demo_fieldwork``: activities, stays, tasks, working conditions and requests; the monitor's flags), pairings
active for three years and ended; meanwhile (``portal.demo_units``) three units' annual evaluations of their people,
rewards and trainings, and the city's coordination group (协调指导小组) meeting; the cycle closed.

Current cycle (第二批, 2025–2027), around today: the city's survey, needs everywhere, the city's call selected and its
notice in its period with an objection being investigated, 仁化县's call open with applications submitted, accepted,
returned and a draft, 南雄市's round finalized with proposed pairings, the rest of the counties at the needs step; the
team the province sent to one town has its agreement signed (awaiting the town) and a draft project; its teams in
the two other towns have three projects under the city's review: one approved (awaiting its grant), one scored
(awaiting the decision), one being scored (the demo's ``expert`` yet to score); the province's three teams at work
in their towns (``portal.demo_fieldwork``: activities and stays confirmed, awaiting the town or queried, cross-town
work, tasks open and overdue, requests, a non-cooperation report, the monitor's flags); the city's coordination group
with an overdue follow-up item and 仁化县's and 南雄市's coordination mechanisms (``portal.demo_units``).
"""
from __future__ import annotations

import datetime as dt
import itertools
from contextlib import contextmanager
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import User
from calls import services as calls
from core.roles import Role
from matching import services as selection
from matching.models import Pairing
from needs import services as needs
from needs.models import IndustryCategory, Need
from notices import services as notices
from portal import demo_data as data
from portal.demo_clock import moment, on
from regions.models import Town
from registrations import services as registrations
from teams import services as teams
from teams.models import Commissioner

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
D = dt.date


def pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


# The first cycle's county calls may be cut to this many towns each (None: every organized town, 97 with the city's 19
# and the province's 3 recorded; the whole demo loads in about 30 s on a 2-core machine).
COUNTY_TOWNS_FIRST_CYCLE = None


@contextmanager
def one_taxonomy():
    """Read the industry taxonomy once for the whole load.

    ``needs.services.need_create`` indexes each need with ``needs.search.index_needs``, which calls
    ``needs.taxonomy.current_analyzer()``: that re-reads every category and product from the database (~20 ms a
    need). The taxonomy does not change while the demo loads, so the analyzer is built once and reused.
    """
    from needs import search, taxonomy

    real, real_taxonomy = search.current_analyzer, taxonomy.current_taxonomy
    analyzer, fixed = real(), real_taxonomy()
    search.current_analyzer = lambda: analyzer
    taxonomy.current_taxonomy = lambda: fixed  # the review's panel proposals score experts with it
    try:
        yield
    finally:
        search.current_analyzer, taxonomy.current_taxonomy = real, real_taxonomy


class Story:
    """What every chapter needs: the actors, the password hash, counters for people and teams."""

    def __init__(self, *, password_hash: str, units: dict, unit_users: dict, people_start: int = 0):
        self.password_hash = password_hash
        self.units = units  # name -> DispatchingUnit
        self.unit_users = unit_users  # unit name -> its account
        self.people = itertools.count(people_start)
        self.users = {u.username: u for u in User.objects.filter(role__in=[Role.CITY_ST, Role.COUNTY_ST, Role.ADMIN,
                                                                           Role.CITY_RURAL, Role.COUNTY_RURAL])}
        self.categories = {c.name: c for c in IndustryCategory.objects.all()}
        self.city_st = self.users["city_st"]
        self.county_st = {u.county_id: u for u in self.users.values() if u.role == Role.COUNTY_ST}

    def organizer(self, level: str, town: Town) -> User:
        return self.city_st if level == "city" else self.county_st[town.county_id]

    # ------------------------------------------------------------------ needs

    def needs_for(self, town: Town, count: int = 2) -> list[tuple]:
        own = data.TOWN_NEEDS.get(town.code)
        palette = data.COUNTY_INDUSTRIES[town.county.code]
        if own:
            return own[:count]
        start = int(town.code[-2:]) % len(palette)
        rows = [palette[(start + k) % len(palette)] for k in range(min(count, len(palette)))]
        return [(topic, "%s%s" % (town.name, title), description, category, services)
                for topic, title, description, category, services in rows]

    def enter_needs(self, *, cycle, town, actor, rows, surveyed_on, confirm_by=None) -> list[Need]:
        created = []
        for _topic, title, description, category, services in rows:
            if Need.objects.filter(cycle=cycle, town=town, title=title).exists():
                continue
            need = needs.need_create(actor=actor, cycle=cycle, town=town, title=title, description=description,
                                     category=self.categories[category], service_types=services,
                                     surveyed_by="%s农业办" % town.name, surveyed_on=surveyed_on)
            if confirm_by is not None:
                needs.need_transition(actor=confirm_by, need=need, action="confirm")
            created.append(need)
        return created

    # ------------------------------------------------------------------ people and teams

    def person(self, unit, topic: str, *, user=None) -> Commissioner:
        """A new registry entry, registered by the person's dispatching unit."""
        index = next(self.people)
        fields = data.person_fields(index, unit, topic)
        actor = self.unit_users.get(unit.name) or self.users["admin"]
        return teams.commissioner_create(actor=actor, id_number=data.person_id(index), user=user, **fields)

    def team(self, *, cycle, topic: str, category: str, unit_name: str, username: str, name: str | None = None):
        """A staffed team: the leader registered by the unit, the team, the leader's account, two members added by the
        leader, the leader verified by the unit. Returns (team, leader account)."""
        from teams.models import Team

        unit = self.units[unit_name]
        short = next(row[3] for row in data.UNITS if row[0] == unit_name)
        name = name or "%s%s科技服务团队" % (short, topic)
        base, number = name, 2
        while Team.objects.filter(cycle=cycle, name=name).exists():
            name = base.replace("团队", "%s组团队" % "零一二三四五六七八九"[number]) if number < 10 else "%s%d" % (base, number)
            number += 1
        leader = self.person(unit, topic)
        expertise = data.TOPIC_EXPERTISE.get(topic, topic)
        team = teams.team_create(actor=self.users["admin"], cycle=cycle, name=name, lead_unit=unit, leader=leader,
                                 summary="%s团队，围绕%s开展技术指导、技能培训和成果转化。" % (unit_name, expertise),
                                 expertise_summary=expertise, service_types=["guidance", "training", "transfer"])
        account = User(username=username, role=Role.TEAM_LEADER, team=team, full_name=leader.name, phone=leader.phone,
                       organization=unit.name, must_change_password=False, password=self.password_hash)
        account.full_clean()
        account.save()
        # The registry entry is linked to the account the demo made for it (no service links an existing account:
        # a leader's account normally comes from leader_signup, which hashes a password per account and is too slow).
        Commissioner.objects.filter(pk=leader.pk).update(user=account)
        for _ in range(2):
            index = next(self.people)
            teams.team_member_add(actor=account, team=team, id_number=data.person_id(index), create_account=False,
                                  **data.person_fields(index, unit if index % 2 else self.units[unit_name], topic))
        leader.refresh_from_db()
        verifier = self.unit_users.get(unit_name)
        if verifier is not None:
            teams.commissioner_verify(actor=verifier, commissioner=leader)
        return team, account

    def unit_for(self, category: str, turn: int) -> str:
        choices = data.TOPIC_UNITS.get(category, ["华南农业大学"])
        return choices[turn % len(choices)]

    # ------------------------------------------------------------------ calls and applications

    def post_call(self, *, organizer, cycle, towns, place: str, issuer: str, doc_number: str, title: str,
                  opened: dt.date, closing: dt.date, contact: str, short_reason: str = ""):
        """An organizer drafts a call and publishes it on the morning it opens (a short window only with a reason:
        the page asks the official to confirm it)."""
        with on(opened, 9):
            call = calls.call_create(actor=organizer, cycle=cycle, towns=towns, title=title, issuer=issuer,
                                     doc_number=doc_number, open_date=opened, close_date=closing,
                                     notice=CALL_NOTICE % {"place": place}, contact=contact)
            calls.call_transition(actor=organizer, call=call, action="publish", confirmed=bool(short_reason),
                                  comment=short_reason)
        return call

    def competition(self, *, call, organizer, towns, staffed, applied: dt.date, accepted: dt.date,
                    contested=None, comment: str = ""):
        """One engaged team applies for each town, one more team lists the ``contested`` towns (it becomes their
        alternate), and the organizer accepts them all. ``staffed(town)`` makes a team: (team, leader, topic)."""
        applications = []
        with on(applied):
            for town in towns:
                _team, leader, topic = staffed(town)
                applications.append(self.apply(leader=leader, call=call, towns=[town], topic=topic, today=applied))
            if contested:
                _team, leader, topic = staffed(contested[0])
                applications.append(self.apply(leader=leader, call=call, towns=contested, topic=topic, today=applied,
                                               engaged_first=False))
        with on(accepted, 9):
            for application in applications:
                calls.application_review(actor=organizer, application=application, action="accept", comment=comment)
        return applications

    def apply(self, *, leader, call, towns, topic: str, today, submit=True, engaged_first=True):
        application = calls.application_start(actor=leader, call=call)
        for rank, town in enumerate(towns, start=1):
            engaged = engaged_first and rank == 1
            calls.application_town_add(
                actor=leader, application=application, town=town, rank=rank,
                past_projects="%d年起在%s建设%s示范基地" % (today.year - 2, town.name, topic) if engaged else "",
                visits=8 if engaged else 1, years=2 if engaged else 0,
                engagement_note="团队成员多次到镇开展技术指导和培训" if engaged else "")
        calls.application_update(
            actor=leader, application=application,
            service_plan="围绕%s的%s需求，派驻团队成员累计驻镇不少于365天，建设示范基地，开展技术指导、技能培训和成果转化，"
                         "每年举办培训班不少于4期。" % (towns[0].name, topic),
            unit_endorsement=pdf("派出单位推荐意见.pdf"),
            recommendation_letter=pdf("驻镇工作队队长推荐函.pdf") if call.cycle.require_recommendation_letter else None)
        if submit:
            calls.application_submit(actor=leader, application=application, today=today)
        return application

    # ------------------------------------------------------------------ selection and notice

    def select(self, *, call, organizer, opened: dt.date, meeting: dt.date, participants: str):
        with on(opened):
            selection_round = selection.round_open(actor=organizer, call=call, today=opened)
            run = selection.run_execute(selection.run_create(actor=organizer, selection_round=selection_round))
        with on(meeting):
            selection.meeting_record(actor=organizer, selection_round=selection_round, meeting_date=meeting,
                                     participants=participants)
            return selection.finalize(actor=organizer, selection_round=selection_round, run=run)

    def publish(self, *, organizer, cycle, pairings, title, doc_number, start: dt.date, contact: str):
        with on(start, 9):
            return notices.notice_publish(actor=organizer, cycle=cycle, pairings=pairings, title=title,
                                          doc_number=doc_number, start_date=start, contact=contact, today=start)

    def register(self, *, organizer, cycle, pairings, recipient, doc_number, sent: dt.date, confirmed: dt.date,
                 reference: str, confirmer, returned: dt.date | None = None):
        with on(sent):
            submission = registrations.submission_create(actor=organizer, cycle=cycle, recipient=recipient,
                                                         pairings=pairings, doc_number=doc_number,
                                                         contact="%s 0751-%s" % (organizer.full_name, "8868001"))
            registrations.submission_send(actor=organizer, submission=submission, sent_on=sent)
        if returned:
            with on(returned):
                registrations.submission_return(actor=confirmer, submission=submission,
                                                comment="报送函未写明公示情况，请补充公示起止日期及异议处理情况后重新报送。")
            with on(returned, 16):
                registrations.submission_send(actor=organizer, submission=submission, sent_on=returned,
                                              comment="已补充公示情况说明")
        with on(confirmed):
            registrations.submission_confirm(actor=confirmer, submission=submission, confirmed_on=confirmed,
                                             reference_number=reference)
        return submission


# ====================================================================== the first cycle

def organized(cycle, level: str):
    return list(Town.objects.filter(classifications__cycle=cycle, classifications__organizing_level=level)
                .select_related("county").order_by("code"))


def first_cycle_story(story: Story, cycle) -> None:
    city_st = story.city_st
    city_towns = organized(cycle, "city")
    county_towns = organized(cycle, "county")
    by_county: dict = {}
    for town in county_towns:
        by_county.setdefault(town.county, []).append(town)
    for county, towns in by_county.items():  # the towns with the best-known industries first
        towns.sort(key=lambda t: (t.code not in ("440224108", "440224107"), t.code not in data.TOWN_NEEDS,
                                  t.kind != "town", t.code))
        if COUNTY_TOWNS_FIRST_CYCLE:
            del towns[COUNTY_TOWNS_FIRST_CYCLE:]
    county_towns = [town for towns in by_county.values() for town in towns]

    # 1. Needs survey (2021-11/12): the organizer of each town enters two needs and confirms them.
    with on(D(2021, 12, 2)):
        for town in city_towns + county_towns:
            organizer = story.organizer("city" if town in city_towns else "county", town)
            story.enter_needs(cycle=cycle, town=town, actor=organizer,
                              rows=story.needs_for(town, 2 if town in city_towns else 1),
                              surveyed_on=D(2021, 11, 26), confirm_by=organizer)

    # 2. Calls (published 2021-12-03, closing 2021-12-13): the city's over its 19 key towns, each county's over its towns.
    call_specs = [(city_st, city_towns, "韶关市科学技术局", "韶科〔2021〕92号", "韶关市")]
    for number, (county, towns) in enumerate(sorted(by_county.items(), key=lambda item: item[0].code), start=31):
        prefix = {"440203": "武科", "440204": "浈科", "440205": "曲科", "440222": "始科", "440224": "仁科",
                  "440229": "翁科", "440232": "乳科", "440233": "新科", "440281": "乐科", "440282": "南科"}[county.code]
        call_specs.append((story.county_st[county.pk], towns, "%s科学技术局" % county.name,
                           "%s〔2021〕%d号" % (prefix, number), county.name))
    calls_made = []
    for organizer, towns, issuer, doc_number, place in call_specs:
        # The first batch was due by 2021-12-31: a 7-working-day window, confirmed knowingly (the page warns).
        call = story.post_call(organizer=organizer, cycle=cycle, towns=towns, place=place, issuer=issuer,
                               doc_number=doc_number, title="%s2021年农村科技特派员驻镇帮镇扶村团队公开征集通知" % place,
                               opened=D(2021, 12, 3), closing=D(2021, 12, 13),
                               contact="%s农村科技股 0751-8868%03d" % (issuer, len(calls_made)),
                               short_reason="首批选派须于2021年底前完成，申报期较短，经研究同意发布。")
        calls_made.append((organizer, call, towns))

    # 3. Teams apply (2021-12-06..10): one team per town, engaged with it; in 仁化县, 南雄市 and the city a few more teams
    #    compete for two towns each (they become the towns' alternates).
    turn = itertools.count()
    extra_for = {"440224": 2, "440282": 1, None: 2}
    leaders = itertools.count(1)
    for organizer, call, towns in calls_made:
        county_code = towns[0].county.code if call.organizer_level == "county" else None
        day = D(2021, 12, 6)
        applications = []
        with on(day):
            for index, town in enumerate(towns):
                topic, _title, _d, category, _s = story.needs_for(town, 1)[0]
                team, leader = story.team(cycle=cycle, topic=topic, category=category,
                                          unit_name=story.unit_for(category, next(turn)), username="tp2021_%03d" % next(leaders))
                applications.append(story.apply(leader=leader, call=call, towns=[town], topic=topic, today=day))
            for extra in range(extra_for.get(county_code, 0)):
                if county_code == "440224":  # both list 董塘镇 and 石塘镇: 董塘镇's alternates
                    contested = sorted([t for t in towns if t.code in ("440224108", "440224107")],
                                       key=lambda t: t.code, reverse=extra == 0)
                else:
                    contested = towns[extra * 2: extra * 2 + 2]
                topic, _title, _d, category, _s = story.needs_for(contested[0], 1)[0]
                team, leader = story.team(cycle=cycle, topic=topic, category=category,
                                          unit_name=story.unit_for(category, next(turn) + 1), username="tp2021_%03d" % next(leaders))
                applications.append(story.apply(leader=leader, call=call, towns=contested, topic=topic, today=day,
                                                engaged_first=False))
        with on(D(2021, 12, 14), 9):
            for application in applications:
                calls.application_review(actor=organizer, application=application, action="accept",
                                         comment="材料齐全，符合申报条件，予以受理。")

    # 4. Selection (2021-12-14/15): each organizer runs the engine, meets and finalizes.
    proposed = {}
    for organizer, call, towns in calls_made:
        proposed[call.pk] = story.select(call=call, organizer=organizer, opened=D(2021, 12, 14), meeting=D(2021, 12, 15),
                                         participants="%s、%s农业农村局、乡村振兴局及特邀专家5人" % (
                                             call.issuer, call.organizer_name))

    # 5. Public notices from 2021-12-16 (5 working days). 仁化县: an objection upheld, the alternate noticed again.
    notice_of = {}
    for organizer, call, towns in calls_made:
        number = call.doc_number.replace("〔2021〕", "〔2021〕1")
        notice_of[call.pk] = story.publish(
            organizer=organizer, cycle=cycle, pairings=proposed[call.pk], doc_number=number, start=D(2021, 12, 16),
            title="%s农村科技特派员驻镇帮镇扶村团队拟选派名单公示" % call.organizer_name,
            contact="%s农村科技股 0751-8868100，邮箱 nckj@sg.gov.cn（示例）" % call.issuer)
    renhua_call = next(call for _o, call, towns in calls_made if call.county_id and call.county.code == "440224")
    city_call = next(call for _o, call, _t in calls_made if call.organizer_level == "city")
    renhua_st = story.county_st[renhua_call.county_id]
    renhua_notice = notice_of[renhua_call.pk]
    entry = renhua_notice.entries.select_related("pairing").filter(town__code="440224108").first() \
        or renhua_notice.entries.select_related("pairing").first()
    with on(D(2021, 12, 17), 15):
        objection = notices.objection_file(notice=renhua_notice, entry=entry, name="刘建国", phone="13902751234",
                                           grounds="该团队负责人已确定于2022年初调往省外工作，无法保证驻镇帮扶时间。",
                                           ip="203.0.113.17", now=timezone.now())
    with on(D(2021, 12, 18)):
        notices.objection_handle(actor=renhua_st, objection=objection, action="investigate")
    with on(D(2021, 12, 20)):
        notices.objection_handle(actor=renhua_st, objection=objection, action="uphold",
                                 finding="经向派出单位核实，团队负责人2022年起借调外省工作，无法驻镇，异议成立，取消该团队结对资格。")
    removed = Pairing.objects.get(pk=entry.pairing_id)
    candidates = notices.replacement_candidates(removed)
    replacement = None
    if candidates:
        with on(D(2021, 12, 21)):
            replacement = notices.replacement_propose(actor=renhua_st, pairing=removed, team_id=candidates[0]["team_id"])
        story.publish(organizer=renhua_st, cycle=cycle, pairings=[replacement], doc_number="仁科〔2021〕136号",
                      start=D(2021, 12, 22), title="仁化县农村科技特派员驻镇帮镇扶村团队递补人选公示",
                      contact="仁化县科学技术局农村科技股 0751-6381234")
    city_notice = notice_of[city_call.pk]
    city_entry = city_notice.entries.order_by("pk")[1]
    with on(D(2021, 12, 20), 11):
        dismissed = notices.objection_file(notice=city_notice, entry=city_entry, name="王秀兰", phone="13719751888",
                                           grounds="反映该团队一名成员是驻镇工作队队员的亲属，可能影响帮扶工作公正。",
                                           ip="198.51.100.20", now=timezone.now())
    with on(D(2021, 12, 21)):
        notices.objection_handle(actor=city_st, objection=dismissed, action="dismiss",
                                 finding="经核实，该成员与驻镇工作队队员不存在亲属关系，且亲属关系不属于申报限制条件，异议不成立。")
    with on(D(2021, 12, 23), 0):
        notices.notices_close_due(now=timezone.now())
    with on(D(2021, 12, 29), 0):
        notices.notices_close_due(now=timezone.now())

    # 6. Registration: the city with the province; each county with the city (南雄市 returned once) and the province,
    #    which confirms with its own account.
    province = User.objects.get(username="province")
    cleared = lambda call: list(Pairing.objects.filter(round__call=call, status="notice_cleared").order_by("town__code"))  # noqa: E731
    story.register(organizer=city_st, cycle=cycle, pairings=cleared(city_call), recipient="province",
                   doc_number="韶科〔2021〕98号", sent=D(2021, 12, 24), confirmed=D(2022, 1, 7),
                   reference="粤科农字〔2022〕6号", confirmer=province)
    for number, (organizer, call, towns) in enumerate(calls_made[1:], start=1):
        pairings = cleared(call)
        prefix = call.doc_number.split("〔")[0]
        nanxiong = call.county.code == "440282"
        sent = D(2021, 12, 30) if call == renhua_call else D(2021, 12, 27)
        story.register(organizer=organizer, cycle=cycle, pairings=pairings, recipient="city",
                       doc_number="%s〔2021〕%d号" % (prefix, 150 + number), sent=sent,
                       confirmed=D(2021, 12, 31), reference="韶科备〔2021〕%d号" % (20 + number), confirmer=city_st,
                       returned=D(2021, 12, 29) if nanxiong else None)
        story.register(organizer=organizer, cycle=cycle, pairings=pairings, recipient="province",
                       doc_number="%s〔2021〕%d号" % (prefix, 160 + number), sent=sent,
                       confirmed=D(2022, 1, 10), reference="粤科农字〔2022〕%d号" % (10 + number), confirmer=province)

    # 7. Province-organized towns: the city records the teams the province's own call sent.
    with on(D(2022, 1, 12)):
        for index, town in enumerate(organized(cycle, "province")):
            topic, _t, _d, category, _s = story.needs_for(town, 1)[0]
            team, _leader = story.team(cycle=cycle, topic=topic, category=category, unit_name="广东省农业科学院",
                                       username="tp2021_p%02d" % index,
                                       name="省派%s%s帮扶团队" % (town.name, topic))
            registrations.province_team_record(actor=city_st, cycle=cycle, town=town, team=team, status="active",
                                               comment="省科技厅粤科农字〔2022〕2号选派，市科技局登记")

    # 8. Each working pairing's assistance agreement and projects (2022-01 → 2023), while the cycle is open.
    with on(D(2022, 1, 13)):  # the province's teams came with no need in the library: the city records the towns'
        for town in organized(cycle, "province"):
            story.enter_needs(cycle=cycle, town=town, actor=city_st, rows=story.needs_for(town, 1),
                              surveyed_on=D(2022, 1, 12), confirm_by=city_st)
    assistance_story(story, cycle)

    # 9. Three years of field work (驻镇服务): activities, stays, tasks, conditions and requests; the monitor's flags.
    #    Oversight among it (``portal.demo_oversight``): a team that stopped coming in 2023 is flagged, reported, its
    #    case decided as a replacement and the alternate noticed, registered and at work; a warning; a member change.
    #    The units' annual evaluations, rewards and trainings and the city's coordination group (``portal.demo_units``)
    #    among it too, while the cycle is open (a closed cycle's evaluations are read-only), and the annual reports
    #    of 2022–2024 (``portal.demo_reports``), sent up each January while the cycle's records can still change.
    from portal import demo_fieldwork, demo_oversight, demo_reports, demo_units

    plan = demo_oversight.first_cycle_plan(cycle)
    demo_fieldwork.first_cycle_fieldwork(
        story, cycle, cut={plan["replace"].pk: demo_oversight.STOPPED_COMING} if plan["replace"] else None,
        steps=demo_oversight.first_cycle_steps(story, cycle, plan) + demo_units.first_cycle_steps(story, cycle)
        + demo_reports.first_cycle_steps(story, cycle))

    # 10. Three years later the cycle ends: the scheduled step ends every working pairing on the cycle's last day (the
    #     system, with each pairing's figures kept), then the city closes the cycle.
    with on(D(2024, 11, 30), 17):
        demo_oversight.first_cycle_end(cycle)
        demo_fieldwork.first_cycle_fieldwork_end(cycle)
        from accounts.services import notifications_mark_read

        for user in User.objects.filter(notifications__read_at__isnull=True).distinct():
            notifications_mark_read(user=user)


# ====================================================================== agreements and projects

def town_account(story: Story, town: Town) -> User:
    """The town's account (its stationed work team's), made as ``portal.demo`` makes ``huangkeng`` (one password hash;
    no service creates an official's account for the demo). 黄坑镇's is ``huangkeng``, the others ``town_<code>``."""
    username = "huangkeng" if town.code == "440224111" else "town_%s" % town.code
    account = User.objects.filter(username=username).first()
    if account is None:
        account = User(username=username, role=Role.TOWN, town=town, county=town.county,
                       full_name="%s驻镇工作队" % town.full_name, organization="%s驻镇工作队" % town.full_name,
                       must_change_password=False, password=story.password_hash)
        account.full_clean()
        account.save()
    return account


def _leader_account(team) -> User:
    return User.objects.get(role=Role.TEAM_LEADER, team=team, is_active=True)


def _staff(team) -> list:
    """The team's people, leader first."""
    from teams.models import TeamMembership

    rows = TeamMembership.objects.filter(team=team).select_related("commissioner").order_by("pk")
    return [row.commissioner for row in sorted(rows, key=lambda row: row.role != "leader")]


def _budget(total: int, lines: list, count: int, main_source: str) -> list[dict]:
    """``count`` budget lines (the practice's first ones) adding up to ``total`` yuan exactly."""
    shares = {2: (60, 40), 3: (50, 30, 20), 4: (40, 25, 20, 15)}[count]
    amounts = [Decimal(total * share // 100) for share in shares[:-1]]
    amounts.append(Decimal(total) - sum(amounts))
    sources = (main_source, "unit", main_source, "enterprise")
    return [{"category": category, "amount": amount.quantize(Decimal("0.01")), "source": sources[k], "note": note}
            for k, ((category, note), amount) in enumerate(zip(lines[:count], amounts))]


def project_content(*, pairing, linked, people, topic: str, category: str, number: int, start: dt.date,
                    end: dt.date, second: bool = False) -> dict:
    """The whole content of an invented project (示意) for ``project_create``: a budget of 50,000–300,000 yuan over
    2–4 lines adding up, quantified targets, one plan per year, 2–3 members' duties."""
    _practice, _demo, _plans, varieties, lines = data.PRACTICE.get(category, data.PRACTICE["蔬菜"])
    text = data.project_text(town=pairing.town, need=linked[0], topic=topic, category=category, second=second)
    total = 50000 + ((number * 7 + (3 if second else 0)) % 26) * 10000
    trainings = (4 + number % 5) * (2 if second else 1)
    years = list(range(start.year, end.year + 1))
    duties = ["项目负责人，统筹技术方案，驻镇指导示范基地建设", "%s技术示范与农户培训" % topic, "示范基地田间管理与数据记录"]
    return {
        "values": {
            "title": text["title"], "objectives": text["objectives"], "content": text["content"], "start_date": start,
            "end_date": end, "trainings": trainings, "people_trained": trainings * 40,
            "technologies": 0 if second else 2 + number % 3, "varieties": (1 + number % 3) if varieties and not second
            else 0, "demo_bases": 0 if second else 1 + number % 2,
            "demo_area_mu": Decimal(0 if second or category == "乡村旅游" else 30 + (number * 13) % 170),
            "households": 60 + (number * 17) % 240, "enterprises": 1 + number % 5,
            "income_raised": Decimal(total * (3 + number % 5)), "total_budget": Decimal(total)},
        "needs": list(linked),
        "years": [{"year": year, "plan": "%d年：%s。" % (year, text["plans"][k % len(text["plans"])])}
                  for k, year in enumerate(years)],
        "budget_lines": _budget(total, [("training", "技能培训%d期" % trainings), ("publication", "培训教材、品牌设计")]
                                if second else lines, 2 if second else 2 + number % 3,
                                "county" if pairing.organizer_level == "county" else "city"),
        "members": [{"commissioner": person, "duty": duty}
                    for person, duty in zip(people, duties[:2 + number % 2])],
    }


def assistance_story(story: Story, cycle) -> None:
    """For every working pairing: the leader drafts the agreement with the town and its work team, uploads the signed
    scan, the town confirms it (within 30 days of registration; one returned and signed again, a few late); the leader
    writes one or two projects from the town's needs and submits them (within 60 days; a few late); the organizing
    S&T office accepts them (one returned with reasons first). In 2023 one change is approved and one rejected.

    Each pairing's steps are dated from its registration; all steps are then taken in the order of their dates (the
    inboxes and the transition tabs read as they happened)."""
    from projects.selectors import registered_on

    pairings = list(Pairing.objects.filter(cycle=cycle, status__in=("registered", "active"))
                    .select_related("town__county", "team", "cycle").order_by("town__code"))
    events: list = []  # (moment, order, step)

    def at_(day: dt.date, hour: int, step) -> None:
        events.append((moment(day, hour), len(events), step))

    for number, pairing in enumerate(pairings):
        _assistance_steps(story, cycle, number, pairing, registered_on(pairing), at_)
    first_cycle_reviews(story, cycle, at_)
    for when, _order, step in sorted(events, key=lambda event: event[:2]):
        with on(when):
            step()


def _assistance_steps(story: Story, cycle, number: int, pairing, registered: dt.date, at_) -> None:
    """Schedule one pairing's agreement and project steps (``at_(day, hour, step)``)."""
    from projects import services as projects

    town, team = pairing.town, pairing.team
    leader, people = _leader_account(team), _staff(team)
    town_user = town_account(story, town)
    organizer = story.city_st if pairing.organizer_level in ("city", "province") else story.county_st[town.county_id]
    linked = list(Need.objects.filter(cycle=cycle, town=town, status__in=("confirmed", "matched")).order_by("pk"))
    topic, _t, _d, category, _s = story.needs_for(town, 1)[0]
    day = lambda offset: registered + dt.timedelta(days=offset)  # noqa: E731
    state: dict = {}
    texts = {name: text % {"town": town.name, "topic": topic, "rooms": 2 + number % 2, "mu": 20 + number % 5 * 10}
             for name, text in data.AGREEMENT_TEXT.items()}

    # The agreement: drafted within days, the signed scan uploaded, confirmed by the town (a few late: past 30 days).
    late = number % 16 == 7
    drafted = day(4 + number % 6)
    signed = day(33 + number % 5) if late else drafted + dt.timedelta(days=5 + number % 7)
    at_(drafted, 15, lambda: state.update(agreement=projects.agreement_create(actor=leader, pairing=pairing, **texts)))
    at_(signed, 11, lambda: projects.agreement_sign(actor=leader, agreement=state["agreement"],
                                                    scan=pdf("帮扶协议签署件.pdf"), signed_on=signed))
    confirmed = signed + dt.timedelta(days=1 + number % 3)
    if number == 3:  # the town sends it back once; the leader corrects it and signs again
        at_(confirmed, 10, lambda: projects.agreement_return(actor=town_user, agreement=state["agreement"],
                                                            comment=data.AGREEMENT_RETURN))
        at_(confirmed + dt.timedelta(days=2), 9, lambda: projects.agreement_update(
            actor=leader, agreement=state["agreement"], team_duties=texts["team_duties"] + data.AGREEMENT_FIX))
        resigned = confirmed + dt.timedelta(days=3)
        at_(resigned, 9, lambda: projects.agreement_sign(
            actor=leader, agreement=state["agreement"], scan=pdf("帮扶协议签署件（修改）.pdf"), signed_on=resigned,
            comment="已按镇意见修改后重新签署"))
        confirmed = resigned + dt.timedelta(days=1)
    at_(confirmed, 16, lambda: projects.agreement_confirm(actor=town_user, agreement=state["agreement"],
                                                         comment="协议内容与镇、驻镇工作队商定一致。"))

    # The projects (a second one, on training and the brand, for every fourth pairing): written from the town's needs,
    # submitted within 60 days of registration (a few late), accepted by the organizing office.
    written = confirmed + dt.timedelta(days=2 if late else 3 + number % 8)
    submitted = day(62 + number % 6) if number % 19 == 11 else \
        written + dt.timedelta(days=3 if late else 4 + number % 9)
    start = (D(submitted.year, submitted.month, 1) + dt.timedelta(days=32)).replace(day=1)
    specs = [(False, cycle.end_date)] + ([(True, D(2023, 12, 31))] if number % 4 == 1 else [])
    for second, end in specs:
        key = "second" if second else "first"

        def content(second=second, end=end):
            return project_content(pairing=pairing, linked=linked, people=people, topic=topic, category=category,
                                   number=number, start=start, end=end, second=second)

        def create(key=key, content=content):
            state[key] = projects.project_create(actor=leader, pairing=pairing, **content())

        def submit(key=key):
            project = state[key]
            projects.project_submit(actor=leader, project=project, confirmed=submitted > project.due_date)

        at_(written + dt.timedelta(days=1 if second else 0), 15, create)
        at_(submitted, 10 + second, submit)
        accepted = submitted + dt.timedelta(days=6 + number % 10)
        if number == 8 and not second:  # returned with reasons, revised and resubmitted
            def revise(key=key, content=content):
                revised = content()
                extra = "建设示范面积%s亩，举办培训%d场。" % (revised["values"]["demo_area_mu"],
                                                      max(1, revised["values"]["trainings"] // 3))
                for row in revised["years"]:
                    row["plan"] += extra
                revised["budget_lines"][-1]["note"] += "（按每期50人、每人每天150元测算）"
                projects.project_update(actor=leader, project=state[key], **revised)

            at_(submitted + dt.timedelta(days=5), 15, lambda key=key: projects.project_return(
                actor=organizer, project=state[key], comment=data.PROJECT_RETURN))
            at_(submitted + dt.timedelta(days=9), 10, revise)
            at_(submitted + dt.timedelta(days=10), 10, lambda key=key: projects.project_submit(
                actor=leader, project=state[key], comment="已按意见修改。"))
            accepted = submitted + dt.timedelta(days=16)
        at_(accepted, 15 + second, lambda key=key: projects.project_accept(
            actor=organizer, project=state[key], comment="材料齐全，受理，进入专家论证。"))

    # 2023: a change approved (a larger demonstration), another refused (equipment the project does not need).
    if number in (2, 5):
        approve = number == 2

        def change_asked():
            from projects.models import Project

            project = Project.objects.get(pk=state["first"].pk)
            lines = [{"category": b.category, "amount": b.amount, "source": b.source, "note": b.note}
                     for b in project.budget_lines.order_by("pk")]
            if approve:
                lines[0]["amount"] += 30000
                values = {"total_budget": project.total_budget + 30000, "demo_area_mu": project.demo_area_mu + 50,
                          "households": project.households + 40}
            else:
                lines[0]["amount"] -= 20000
                lines.append({"category": "equipment", "amount": 20000, "source": lines[0]["source"],
                              "note": "通用办公设备"})
                values = {}
            state["change"] = projects.change_request(actor=leader, project=project, values=values, budget_lines=lines,
                                                      reason=data.CHANGE_APPROVED if approve else data.CHANGE_REJECTED)

        at_(D(2023, 3, 15) if approve else D(2023, 6, 10), 10, change_asked)
        at_(D(2023, 3, 28) if approve else D(2023, 6, 20), 15, lambda: projects.change_decide(
            actor=organizer, change=state["change"], action="approve" if approve else "reject",
            comment="同意扩大示范面积，新增经费由派出单位和镇配套解决。" if approve else "拟购设备与项目目标关联不大，维持原预算。"))


CALL_NOTICE = """为贯彻落实《韶关市农村科技特派员驻镇帮镇扶村行动方案》（韶科〔2021〕85号），现面向高校、科研院所、企业和农技推广机构公开征集农村科技特派员团队，结对帮扶%(place)s相关镇（街道）。

一、征集范围：本通知所列各镇（街道），每镇选派1个团队，一对一结对帮扶，帮扶周期3年。
二、申报条件：团队负责人及成员具有大学本科及以上学历或中级及以上职称；驻镇工作队队员不得申报；团队成员累计驻镇帮扶时间原则上1年以上。
三、申报方式：团队负责人在本平台注册并在线填报，上传派出单位推荐意见（盖章）。
四、遴选办法：根据团队与镇的前期对接基础和需求匹配情况择优遴选，结果公示5个工作日。"""


# ====================================================================== the current cycle

def current_cycle_story(story: Story, cycle, *, team_a, team_a_leader, today: dt.date) -> None:
    from needs.models import SurveyCampaign
    from regions.models import County

    city_st = story.city_st
    T = today
    ago = lambda days: T - dt.timedelta(days=days)  # noqa: E731
    city_towns = organized(cycle, "city")
    county_towns = organized(cycle, "county")
    huangkeng_user = User.objects.filter(username="huangkeng").first()

    # 1. The city's survey of its 19 key towns: profiles, needs (most confirmed, one returned, one awaiting review).
    with on(ago(75)):
        campaign = needs.campaign_open(actor=city_st, cycle=cycle, title="%d年市级组团重点帮扶镇科技需求调研" % T.year,
                                       due_date=ago(45), towns=city_towns,
                                       instructions="请各镇填写镇域发展情况，并逐条填报产业发展中的科技需求。")
    with on(ago(65)):
        for index, town in enumerate(city_towns):
            actor = huangkeng_user if huangkeng_user and town.pk == huangkeng_user.town_id else city_st
            rows = story.needs_for(town, 2)
            needs.profile_save(actor=actor, cycle=cycle, town=town, population=18000 + index * 1370,
                               households=4800 + index * 310, leading_industries="、".join(r[0] for r in rows),
                               characteristic_products="、".join("%s%s" % (town.name[:-1], r[0]) for r in rows[:1]),
                               technical_base="有农民专业合作社%d家、家庭农场%d家" % (3 + index % 5, 8 + index % 7),
                               main_problems=rows[0][2], contact_name="%s农业办" % town.name,
                               contact_phone="0751-88%05d" % (66000 + index))
            made = story.enter_needs(cycle=cycle, town=town, actor=actor, rows=rows, surveyed_on=ago(66))
            for number, need in enumerate(made):
                if index == 5 and number == 0:
                    needs.need_transition(actor=city_st, need=need, action="return",
                                          comment="请补充种植面积、受害程度和希望解决的具体问题。")
                elif not (index == 9 and number == 1):
                    needs.need_transition(actor=city_st, need=need, action="confirm")
    with on(ago(50)):
        for town in city_towns[:14]:
            needs.campaign_submit_town(actor=city_st, campaign=campaign, town=town)

    # 2. Needs in every county's towns, entered by the county (仁化县 with its rural-revitalization bureau).
    with on(ago(60)):
        renhua_rural = story.users.get("renhua_rural")
        for index, town in enumerate(county_towns):
            organizer = story.county_st[town.county_id]
            enterer = renhua_rural if renhua_rural and town.county_id == renhua_rural.county_id else organizer
            made = story.enter_needs(cycle=cycle, town=town, actor=enterer, rows=story.needs_for(town, 1 + index % 2),
                                     surveyed_on=ago(62))
            for need in made:
                if index % 7 != 3:
                    needs.need_transition(actor=organizer, need=need, action="confirm")

    turn = itertools.count(5)
    leaders = itertools.count(1)

    def staffed(town, *, name=None):
        topic, _t, _d, category, _s = story.needs_for(town, 1)[0]
        team, leader = story.team(cycle=cycle, topic=topic, category=category, name=name,
                                  unit_name=story.unit_for(category, next(turn)), username="tp%d_%03d" % (T.year, next(leaders)))
        return team, leader, topic

    # 3. The city's call over six key towns: selected, now on notice (in its period), an objection under investigation.
    picked = [t for t in city_towns if t.code in ("440224111", "440224106", "440224104", "440282120", "440282122",
                                                  "440205109")]
    city_call = story.post_call(organizer=city_st, cycle=cycle, towns=picked, place="韶关市", issuer="韶关市科学技术局",
                                title="韶关市%d年农村科技特派员驻镇帮镇扶村团队公开征集通知" % T.year,
                                doc_number="韶科〔%d〕41号" % T.year, opened=ago(45), closing=ago(15),
                                contact="韶关市科学技术局农村科技科 0751-8868100")
    story.competition(call=city_call, organizer=city_st, towns=picked, staffed=staffed, applied=ago(30),
                      accepted=ago(14), contested=picked[:2])
    pairings = story.select(call=city_call, organizer=city_st, opened=ago(12), meeting=ago(10),
                            participants="市科技局、市农业农村局、市乡村振兴局及特邀专家5人")
    city_notice = story.publish(organizer=city_st, cycle=cycle, pairings=pairings, start=ago(3),
                                doc_number="韶科〔%d〕52号" % T.year,
                                title="韶关市%d年农村科技特派员驻镇帮镇扶村团队拟选派名单公示" % T.year,
                                contact="韶关市科学技术局农村科技科 0751-8868100")
    now = timezone.now()
    if city_notice.first_day <= timezone.localdate() and now <= city_notice.ends_at:
        entry = city_notice.entries.order_by("pk").last()
        objection = notices.objection_file(notice=city_notice, entry=entry, name="陈志坚", phone="13827519876",
                                           grounds="该团队一名成员同时在其他县申报团队，请核实是否重复申报。",
                                           ip="192.0.2.55", now=now)
        notices.objection_handle(actor=city_st, objection=objection, action="investigate")

    # 4. 仁化县: its call is open; applications submitted (the demo leader's), accepted, returned, and a draft.
    renhua = County.objects.get(code="440224")
    renhua_st = story.county_st[renhua.pk]
    renhua_towns = [t for t in county_towns if t.county_id == renhua.pk and t.code in
                    ("440224108", "440224107", "440224102", "440224103")]
    renhua_call = story.post_call(organizer=renhua_st, cycle=cycle, towns=renhua_towns, place="仁化县",
                                  issuer="仁化县科学技术局", title="仁化县%d年农村科技特派员团队公开征集通知" % T.year,
                                  doc_number="仁科〔%d〕18号" % T.year, opened=ago(10), closing=T + dt.timedelta(days=20),
                                  contact="仁化县科学技术局农村科技股 0751-6381234")
    dongtang = next(t for t in renhua_towns if t.code == "440224108")
    others = [t for t in renhua_towns if t != dongtang]
    with on(ago(4)):
        story.apply(leader=team_a_leader, call=renhua_call, towns=[dongtang], topic="柑橘", today=ago(4))
        accepted_team, leader, topic = staffed(others[0])
        accepted = story.apply(leader=leader, call=renhua_call, towns=[others[0]], topic=topic, today=ago(4))
        _team, leader, topic = staffed(others[1])
        returned = story.apply(leader=leader, call=renhua_call, towns=[others[1], dongtang], topic=topic, today=ago(4))
        _team, leader, topic = staffed(others[2])
        story.apply(leader=leader, call=renhua_call, towns=[others[2]], topic=topic, today=ago(4), submit=False)
    with on(ago(2)):
        calls.application_review(actor=renhua_st, application=accepted, action="accept", comment="材料齐全，予以受理。")
        calls.application_review(actor=renhua_st, application=returned, action="return",
                                 comment="派出单位推荐意见未加盖公章，请重新上传盖章扫描件后再提交。")

    # 5. 南雄市: its call closed, the selection round finalized: pairings proposed, not yet on notice.
    nanxiong = County.objects.get(code="440282")
    nanxiong_st = story.county_st[nanxiong.pk]
    nanxiong_towns = [t for t in county_towns if t.county_id == nanxiong.pk][:4]
    nanxiong_call = story.post_call(organizer=nanxiong_st, cycle=cycle, towns=nanxiong_towns, place="南雄市",
                                    issuer="南雄市科学技术局", title="南雄市%d年农村科技特派员团队公开征集通知" % T.year,
                                    doc_number="南科〔%d〕9号" % T.year, opened=ago(50), closing=ago(20),
                                    contact="南雄市科学技术局 0751-3822345")
    story.competition(call=nanxiong_call, organizer=nanxiong_st, towns=nanxiong_towns, staffed=staffed,
                      applied=ago(35), accepted=ago(18), contested=nanxiong_towns[1:3])
    story.select(call=nanxiong_call, organizer=nanxiong_st, opened=ago(15), meeting=ago(6),
                 participants="南雄市科学技术局、农业农村局、乡村振兴局及特邀专家3人")

    # 6. A province-organized town: the city records the team the province sent this cycle.
    recorded = []
    with on(ago(20)):
        for index, town in enumerate(organized(cycle, "province")[:1]):
            topic, _t, _d, category, _s = story.needs_for(town, 1)[0]
            team, province_leader = story.team(cycle=cycle, topic=topic, category=category, unit_name="广东省农业科学院",
                                               username="tp%d_p%02d" % (T.year, index),
                                               name="省派%s%s帮扶团队" % (town.name, topic))
            recorded.append((registrations.province_team_record(
                actor=city_st, cycle=cycle, town=town, team=team, status="active", comment="省科技厅选派，市科技局登记"),
                province_leader, topic, category))

    # 7. Its team at work: the city records the town's need, the leader drafts the agreement and uploads the signed
    #    scan (the town has yet to confirm it) and is writing the first project (a draft).
    from projects import services as projects

    for pairing, province_leader, topic, category in recorded:
        town = pairing.town
        with on(ago(19)):
            made = story.enter_needs(cycle=cycle, town=town, actor=city_st, rows=story.needs_for(town, 1),
                                     surveyed_on=ago(19), confirm_by=city_st)
        texts = {name: text % {"town": town.name, "topic": topic, "rooms": 2, "mu": 30}
                 for name, text in data.AGREEMENT_TEXT.items()}
        with on(ago(14), 15):
            agreement = projects.agreement_create(actor=province_leader, pairing=pairing, **texts)
        with on(ago(6), 11):
            projects.agreement_sign(actor=province_leader, agreement=agreement, scan=pdf("帮扶协议签署件.pdf"),
                                    signed_on=ago(7))
        start = min((T.replace(day=1) + dt.timedelta(days=32)).replace(day=1), cycle.end_date)
        with on(ago(3), 16):
            projects.project_create(actor=province_leader, pairing=pairing, **project_content(
                pairing=pairing, linked=made, people=_staff(pairing.team), topic=topic, category=category, number=1,
                start=start, end=cycle.end_date))

    # 8. The expert review of the province's other two towns' projects (one approved, one scored, one being scored).
    current_cycle_reviews(story, cycle, today=T)

    # 9. The province's three teams at work in their towns (驻镇服务), then the compliance monitor.
    from portal import demo_fieldwork

    demo_fieldwork.current_cycle_fieldwork(story, cycle, today=T)

    # 10. Oversight: a case awaiting 坪石镇's team's answer, one answered awaiting the city's decision.
    from portal import demo_oversight

    demo_oversight.current_cycle_cases(story, cycle, today=T)

    # 11. Coordination: the city's group meets (an item overdue, one open); 仁化县's and 南雄市's mechanisms.
    from portal import demo_units

    demo_units.current_cycle_coordination(story, today=T)
    del SurveyCampaign


# ====================================================================== expert review and funding (专家论证 · 立项资助)

def voucher(name: str = "拨付凭证.pdf") -> SimpleUploadedFile:
    """A voucher scan: a small, whole PDF (ends in %%EOF, no markup)."""
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def expert_account(story: Story, username: str, name: str, *, city=None, county=None) -> User:
    """An expert's account, made as the demo makes the towns' (one password hash; a pool's office creating each
    account through ``expert_save(create_account=True)`` hashes a password per expert, which is too slow here)."""
    account = User.objects.filter(username=username).first()
    if account is None:
        account = User(username=username, role=Role.EXPERT, city=city, county=county, full_name=name,
                       organization="评审专家", must_change_password=False, password=story.password_hash)
        account.full_clean()
        account.save()
    return account


def pools_create(story: Story, cycle) -> dict:
    """The city's pool (12 experts, ``expert`` among them, one away) and 仁化县's and 南雄市's (4–5 each), each with
    an account; one declared relation; 乳源's single approval step for the cycle. Returns {"city": [...], county: [...]}."""
    from regions.models import County
    from reviews import services as reviews
    from reviews.models import Expert

    city = story.city_st.city
    pools = {"city": []}
    specs = [("city", None, row) for row in data.CITY_EXPERTS]
    counties = {c.code: c for c in County.objects.filter(code__in=list(data.COUNTY_EXPERTS) + [data.SINGLE_STEP_COUNTY])}
    for code, rows in data.COUNTY_EXPERTS.items():
        pools[counties[code].pk] = []
        specs += [("county", counties[code], row) for row in rows]
    for number, (level, county, (username, name, field, keywords, title, rank, unit_name)) in enumerate(specs):
        actor = story.city_st if level == "city" else story.county_st[county.pk]
        existing = Expert.objects.filter(user__username=username).first()
        if existing is not None:
            pools["city" if level == "city" else county.pk].append(existing)
            continue
        account = expert_account(story, username, name, city=city if level == "city" else None, county=county)
        if account.full_name != name:  # the demo login ``expert`` made before with a generic name
            account.full_name = name
            account.save(update_fields=["full_name"])
        away = data.CITY_EXPERT_AWAY[1] if username == data.CITY_EXPERT_AWAY[0] else ""
        expert, _password = reviews.expert_save(actor=actor, account=account, values={
            "name": name, "field": field, "keywords": keywords, "title": title, "title_rank": rank,
            "unit": story.units.get(unit_name), "unit_name": unit_name, "phone": "1867510%04d" % (number + 1),
            "email": "%s@example.org" % username.replace("zj_", ""), "available": not away,
            "availability_note": away})
        pools["city" if level == "city" else county.pk].append(expert)
    # A declared relation: 钟文辉 (韶关学院) once worked with a city team from another unit.
    zhong = next(e for e in pools["city"] if e.user.username == "zj_zhongwenhui")
    from projects.models import Project

    team = (Project.objects.filter(cycle=cycle, organizer_level="city", status="accepted")
            .exclude(team__lead_unit__name="韶关学院").order_by("town__code").values_list("team", flat=True).first())
    if team is not None:
        from teams.models import Team

        reviews.relation_add(actor=story.city_st, expert=zhong, team=Team.objects.get(pk=team),
                             reason=data.RELATION_REASON)
    single = counties[data.SINGLE_STEP_COUNTY]
    reviews.review_rule_set(actor=story.county_st[single.pk], cycle=cycle, county=single, mode="single")
    return pools


def _scores(base: int, seat: int, project: int, outlier: bool = False) -> dict:
    """Five varied scores around ``base`` (an outlier marks the project down by about 25 points)."""
    shift = -25 if outlier else 0
    keys = ("score_fit", "score_feasibility", "score_benefit", "score_team", "score_budget")
    return {key: max(40, min(98, base + shift + ((project * 5 + seat * 7 + k * 3) % 11) - 5))
            for k, key in enumerate(keys)}


def _fiscal_share(project) -> Decimal:
    """What the funder is asked for: the budget lines paid from the city's or the county's funds."""
    share = sum((line.amount for line in project.budget_lines.all() if line.source in ("city", "county")), Decimal("0"))
    return share or project.total_budget


def first_cycle_reviews(story: Story, cycle, at_) -> None:
    """Schedule the first cycle's expert review and funding (``at_(day, hour, step)``), among the projects' steps.

    2022-04: the pools, a declared relation, 乳源's single step. The organizing S&T office starts the review of every
    accepted project it funds — the city for its and the province's towns (a panel of 3 from its pool, proposed by the
    platform), 仁化县 and 南雄市 with their own pools, 乳源 in one approval step (the other counties' projects are not
    reviewed on the platform in the demo: their offices had no pool yet). One city expert declares a conflict and
    withdraws, the platform proposes the substitute; the experts score (one outlier); the office decides (mostly
    approved, one with changes, one rejected). Funding: the yearly envelopes (2022, 2023), a grant per approved
    project (the first projects in fiscal 2022, the one-year training projects in 2023), two tranches each with
    vouchers."""
    from projects.models import Project
    from reviews import services as reviews
    from reviews.choices import ReviewMode
    from reviews.models import Review, ReviewSeat

    state: dict = {"reviews": []}
    reviewed_counties = set(data.COUNTY_EXPERTS) | {data.SINGLE_STEP_COUNTY}

    def organizer(project):
        return story.city_st if project.organizer_level in ("city", "province") else story.county_st[
            project.town.county_id]

    def pools():
        state["pools"] = pools_create(story, cycle)

    def start():
        projects = [p for p in Project.objects.filter(cycle=cycle, status="accepted").select_related(
            "town__county", "team").order_by("organizer_level", "town__code", "pk")
            if p.organizer_level != "county" or p.town.county.code in reviewed_counties]
        for project in projects:
            review = reviews.review_start(actor=organizer(project), project=project)
            if review.mode == ReviewMode.PANEL:
                reviews.panel_fill(actor=organizer(project), review=review)
                reviews.review_open(actor=organizer(project), review=review)
            state["reviews"].append(review)
        city = [r for r in state["reviews"] if r.organizer_level != "county"]
        second = [r for r in city if r.project.end_date.year == 2023]
        # The story's exceptions, all in the city's reviews: a withdrawal (with its substitute), an outlier, a
        # project approved with changes and one rejected (a one-year training project, never a changed one).
        state["decline"] = city[1]
        state["outlier"] = city[4]
        state["changes"] = city[6]
        state["reject"] = second[-1] if second else city[-1]

    def decline():
        review = state["decline"]
        seat = review.seats.select_related("expert__user").order_by("pk").first()
        reviews.seat_decline(actor=seat.expert.user, seat=seat, comment=data.DECLINE_REASON)
        with on(timezone.localtime() + dt.timedelta(days=1)):
            reviews.panel_fill(actor=organizer(review.project), review=review)

    def score(day_index):
        def step():
            for number, review in enumerate(state["reviews"]):
                if review.mode != ReviewMode.PANEL:
                    continue
                seats = list(ReviewSeat.objects.filter(review=review, status__in=("assigned", "submitted"))
                             .select_related("expert__user").order_by("pk"))
                base = 74 + (number * 7) % 17
                for index, seat in enumerate(seats):
                    if seat.status != "assigned" or (number + index) % 3 != day_index:
                        continue
                    outlier = review.pk == state["outlier"].pk and index == 2
                    reviews.seat_submit(actor=seat.expert.user, seat=seat, scores=_scores(base, index, number, outlier),
                                        comment=data.OUTLIER_COMMENT if outlier else
                                        data.REVIEW_COMMENTS[(number + index) % len(data.REVIEW_COMMENTS)])
        return step

    def decide():
        from reviews.selectors import score_sheet

        for review in state["reviews"]:
            review = Review.objects.select_related("project", "town").get(pk=review.pk)
            project = Project.objects.prefetch_related("budget_lines").get(pk=review.project_id)
            actor = organizer(project)
            share = _fiscal_share(project)
            topic = story.needs_for(project.town, 1)[0][0]
            if review.mode == ReviewMode.SINGLE:
                reviews.review_decide(actor=actor, review=review, action="approve", amount=share,
                                      comment=data.SINGLE_COMMENT)
            elif review.pk == state["reject"].pk:
                reviews.review_decide(actor=actor, review=review, action="reject", opinion=data.REJECT_OPINION,
                                      comment=data.REJECT_COMMENT)
            elif review.pk == state["changes"].pk:
                amount = (share * Decimal("0.85") / 1000).quantize(Decimal("1")) * 1000
                reviews.review_decide(actor=actor, review=review, action="approve_changes", amount=amount,
                                      opinion=data.CHANGES_OPINION, comment=data.CHANGES_COMMENT)
            else:
                mean = score_sheet(review)["mean"]
                reviews.review_decide(actor=actor, review=review, action="approve", amount=share,
                                      opinion=data.PANEL_OPINION % {"town": project.town.name, "topic": topic,
                                                                    "mean": mean})

    def approved(year):
        rows = Review.objects.filter(cycle=cycle, status__in=("approved", "approved_changes")).select_related(
            "project", "town__county").order_by("organizer_level", "town__code", "pk")
        return [r for r in rows if (r.project.end_date.year == 2023) == (year == 2023)]

    def funder(review):
        return story.city_st if review.organizer_level != "county" else story.county_st[review.town.county_id]

    def envelopes(year):
        def step():
            needed: dict = {}
            for review in approved(year):
                needed[funder(review)] = needed.get(funder(review), Decimal("0")) + review.approved_amount
            for actor, amount in needed.items():
                budget = ((amount * Decimal("1.15")) / 100000).quantize(Decimal("1"), rounding="ROUND_CEILING") * 100000
                where = "韶关市" if actor.role == Role.CITY_ST else actor.county.name
                reviews.envelope_save(actor=actor, values={
                    "fiscal_year": year, "budgeted": budget,
                    "note": "%s%d年农村科技特派员项目资助资金（示意）" % (where, year)})
        return step

    def grants(year):
        def step():
            for review in approved(year):
                number = reviews.next_project_number(review, year)
                state.setdefault("grants", {}).setdefault(year, []).append(reviews.grant_create(
                    actor=funder(review), review=review, values={
                        "project_number": number, "fiscal_year": year,
                        "budget_source": "city_st" if review.organizer_level != "county" else "county",
                        "amount": review.approved_amount, "granted_on": timezone.localdate(),
                        "note": "按论证核定金额立项"}))
        return step

    def tranche(year, first: bool):
        def step():
            for grant in state.get("grants", {}).get(year, []):
                actor = story.city_st if grant.organizer_level == "city" else story.county_st[grant.county_id]
                part = (grant.amount * Decimal("0.6")).quantize(Decimal("0.01")) if first else \
                    grant.amount - (grant.amount * Decimal("0.6")).quantize(Decimal("0.01"))
                reviews.disbursement_add(actor=actor, grant=grant, amount=part, paid_on=timezone.localdate(),
                                         voucher=voucher("拨付凭证-%s-%d.pdf" % (grant.project_number, 1 if first else 2)),
                                         note="首期拨付（60%）" if first else "尾款拨付（中期检查合格）")
        return step

    at_(D(2022, 4, 15), 9, pools)
    at_(D(2022, 4, 20), 9, start)
    at_(D(2022, 4, 22), 10, decline)
    for day_index, day in enumerate((D(2022, 4, 27), D(2022, 4, 29), D(2022, 5, 5))):
        at_(day, 15, score(day_index))
    at_(D(2022, 5, 16), 10, decide)
    at_(D(2022, 5, 25), 10, envelopes(2022))
    at_(D(2022, 6, 10), 10, grants(2022))
    at_(D(2022, 7, 5), 10, tranche(2022, True))
    at_(D(2023, 1, 6), 10, envelopes(2023))
    at_(D(2023, 1, 16), 10, grants(2023))
    at_(D(2023, 2, 20), 10, tranche(2023, True))
    at_(D(2023, 6, 30), 10, tranche(2022, False))
    at_(D(2023, 10, 20), 10, tranche(2023, False))


def current_cycle_reviews(story: Story, cycle, *, today: dt.date) -> None:
    """The current cycle's review, around today: the teams the province sent to its two other towns have been at work
    for two months (agreements confirmed, three projects accepted). The city reviews them: one approved (awaiting its
    grant: the year's envelope is set), one scored by its panel (awaiting the decision), one being scored — the demo
    login ``expert`` (曾德明) assigned and yet to score, one expert submitted."""
    from projects import services as projects
    from reviews import services as reviews
    from reviews.models import Review, ReviewSeat

    city_st = story.city_st
    T = today
    ago = lambda days: T - dt.timedelta(days=days)  # noqa: E731
    made_projects = []
    with on(ago(70)):
        teams_made = []
        for index, town in enumerate(organized(cycle, "province")[1:3], start=1):
            topic, _t, _d, category, _s = story.needs_for(town, 1)[0]
            team, leader = story.team(cycle=cycle, topic=topic, category=category, unit_name="广东省农业科学院",
                                      username="tp%d_p%02d" % (T.year, index), name="省派%s%s帮扶团队" % (town.name, topic))
            pairing = registrations.province_team_record(actor=city_st, cycle=cycle, town=town, team=team,
                                                         status="active", comment="省科技厅选派，市科技局登记")
            made = story.enter_needs(cycle=cycle, town=town, actor=city_st, rows=story.needs_for(town, 1),
                                     surveyed_on=ago(71), confirm_by=city_st)
            teams_made.append((pairing, leader, topic, category, made))
    for number, (pairing, leader, topic, category, made) in enumerate(teams_made):
        town = pairing.town
        texts = {name: text % {"town": town.name, "topic": topic, "rooms": 2, "mu": 40}
                 for name, text in data.AGREEMENT_TEXT.items()}
        with on(ago(66), 15):
            agreement = projects.agreement_create(actor=leader, pairing=pairing, **texts)
        with on(ago(62), 11):
            projects.agreement_sign(actor=leader, agreement=agreement, scan=pdf("帮扶协议签署件.pdf"), signed_on=ago(63))
        with on(ago(60), 16):
            projects.agreement_confirm(actor=town_account(story, town), agreement=agreement,
                                       comment="协议内容与镇、驻镇工作队商定一致。")
        start = min((ago(50).replace(day=1) + dt.timedelta(days=32)).replace(day=1), cycle.end_date)
        for second in (False, True):  # the second team's second project stays accepted, awaiting its review
            content = project_content(pairing=pairing, linked=made, people=_staff(pairing.team), topic=topic,
                                      category=category, number=3 + number, start=start, end=cycle.end_date,
                                      second=second)
            with on(ago(58 - second), 15):
                project = projects.project_create(actor=leader, pairing=pairing, **content)
            with on(ago(52 - second), 10):
                projects.project_submit(actor=leader, project=project)
            with on(ago(47), 15 + second):
                projects.project_accept(actor=city_st, project=project, comment="材料齐全，受理，进入专家论证。")
            made_projects.append(project)
    approved, scored, scoring, _waiting = made_projects
    expert = User.objects.get(username="expert").expert_profile

    def panel(project, day, *, first=None):
        with on(ago(day), 9):
            review = reviews.review_start(actor=city_st, project=project)
            if first is not None:
                reviews.seat_add(actor=city_st, review=review, expert=first)
            reviews.panel_fill(actor=city_st, review=review)
            reviews.review_open(actor=city_st, review=review)
        return review

    def submit(review, day, count=None):
        """The panel's experts (other than the demo's ``expert``) submit, one a day; ``count`` of them only."""
        seats = list(ReviewSeat.objects.filter(review=review, status="assigned").exclude(expert=expert)
                     .select_related("expert__user").order_by("pk"))
        for index, seat in enumerate(seats[:count]):
            with on(ago(day - index), 15):
                reviews.seat_submit(actor=seat.expert.user, seat=seat, scores=_scores(82, index, 7),
                                    comment=data.REVIEW_COMMENTS[index % len(data.REVIEW_COMMENTS)])

    from reviews.selectors import score_sheet

    review = panel(approved, 40)
    submit(review, 34)
    with on(ago(25), 10):
        review = Review.objects.get(pk=review.pk)
        project = type(approved).objects.prefetch_related("budget_lines").get(pk=approved.pk)
        reviews.review_decide(actor=city_st, review=review, action="approve", amount=_fiscal_share(project),
                              opinion=data.PANEL_OPINION % {"town": project.town.name, "topic": teams_made[0][2],
                                                            "mean": score_sheet(review)["mean"]})
        reviews.envelope_save(actor=city_st, values={"fiscal_year": T.year, "budgeted": Decimal("3000000"),
                                                     "note": "韶关市%d年农村科技特派员项目资助资金（示意）" % T.year})
    review = panel(scored, 20)
    submit(review, 8)
    review = panel(scoring, 9, first=expert)
    submit(review, 3, count=1)
