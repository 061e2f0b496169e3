"""The authorization matrix's world: two cities of two counties each, one record of every model on each side.

It starts from :func:`portal.testing.build_world` (韶关市: 仁化县 and 南雄市, the users of ``ALL_USERS``) and adds
清远市 (4418) with 英德市 (441881) and 连州市 (441882), their real towns, classifications, work teams, a dispatching
unit with a team of its own and users for every role there. Then, on three *sides* — ``rh`` (仁化县, the in-scope
side of the Shaoguan users), ``nx`` (南雄市, the other county of the same city) and ``qy`` (英德市, the other city) —
it runs the programme once through the apps' services: village, profile, survey campaign, needs, a county call
(published and a draft, with attachments and an amendment), a staffed team, a complete accepted application, a
selection round run by the engine and finalized, the pairing on a public notice with an objection, a registration
submission (confirmed by the city and the province: the pairing is active), the background task run and the
notifications those services post; then the pairing's agreement (signed, awaiting the town), a submitted project
(``project``), an accepted one (``project_accepted``) with a pending change request (``change``) and a draft
(``project_draft``); then the expert review and funding of ``project_accepted`` by the side's county S&T office
(reviews.services): its pool (``expert``; on ``rh`` the world's ``expert`` account, given 仁化县 as its scope, so it
sits on the 仁化 panel only), a declared relation (``relation``), the county's review mode (``review_rule``), the
review (``review``: a panel of three, every expert submitted, approved — the project is 已立项) with the expert's
seat (``seat``), the year's envelope (``envelope``), the grant (``grant``) and a tranche with its voucher
(``disbursement``); then the field work, replacements, evaluations and coordination of issues 18–19, and the annual
reports of issue 20: the side's county's report in each state (``ar_draft``, ``ar_submitted``, ``ar_accepted``,
``ar_returned``) with its author's export (``ar_run``), and each city's own (``ar_city`` sent to the province,
``ar_city_draft``).

Every record carries a marker in a text field, ``<SIDE>X<key>X`` (``QYXneedX``, ``NXXcallX`` …), so a page, an
export or an API answer shows which record leaked. Region names are markers too (``REGION_MARKERS``).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

SIDES = ("rh", "nx", "qy")
SIDE_LABEL = {"rh": "仁化县", "nx": "南雄市", "qy": "清远市英德市"}

# Names that identify a side's region (city, counties, towns). Shown by pages of that side's records only.
REGION_MARKERS = {
    "rh": ["董塘镇", "黄坑镇"],  # not 仁化县: form help texts use it as an example
    "nx": ["南雄市", "珠玑镇", "百顺镇"],
    "qy": ["清远市", "英德市", "连州市", "九龙镇", "浛洸镇", "西岸镇", "星子镇"],
}


def marker(side: str, key: str) -> str:
    """The marker of one record: ``QYXneedX``. No marker is a substring of another."""
    return "%sX%sX" % (side.upper(), key)


@dataclass
class MatrixWorld:
    base: object  # portal.testing.World
    users: dict = field(default_factory=dict)  # every named user, both cities
    objects: dict = field(default_factory=dict)  # side -> key -> model instance
    shared: dict = field(default_factory=dict)  # records every city shares (cycle, taxonomy)

    def __getitem__(self, name):
        return self.users[name]

    def obj(self, side: str, key: str):
        if side == "shared":
            return self.shared[key]
        return self.objects[side][key]


def _pdf(name="材料.pdf"):
    from calls.tests.factories import pdf_file

    return pdf_file(name)


def _qingyuan(base):
    """清远市 with 英德市 and 连州市, real towns, classes for the world's cycle, work teams, unit, team, users."""
    from core.roles import Role
    from core.china import make_credit_code
    from portal.testing import _user
    from regions import services as regions
    from regions.choices import OrganizingLevel, TownClass, TownKind
    from regions.models import City, County, Town
    from teams.models import Team
    from units.models import DispatchingUnit

    city = City.objects.create(code="4418", name="清远市", province_code="44", province_name="广东省")
    yingde = County.objects.create(city=city, code="441881", name="英德市")
    lianzhou = County.objects.create(city=city, code="441882", name="连州市")
    users = {
        "qy_city_st": _user("qy_city_st", Role.CITY_ST, city=city),
        "qy_city_rural": _user("qy_city_rural", Role.CITY_RURAL, city=city),
        "yingde_st": _user("yingde_st", Role.COUNTY_ST, county=yingde),
        "yingde_rural": _user("yingde_rural", Role.COUNTY_RURAL, county=yingde),
        "lianzhou_st": _user("lianzhou_st", Role.COUNTY_ST, county=lianzhou),
        "lianzhou_rural": _user("lianzhou_rural", Role.COUNTY_RURAL, county=lianzhou),
    }
    towns = {}
    for key, county, code, name, town_class, level in [
        ("yingde_city_town", yingde, "441881112", "浛洸镇", TownClass.KEY, OrganizingLevel.CITY),
        ("yingde_town", yingde, "441881111", "九龙镇", TownClass.CONSOLIDATION, OrganizingLevel.COUNTY),
        ("lianzhou_city_town", lianzhou, "441882101", "星子镇", TownClass.KEY, OrganizingLevel.CITY),
        ("lianzhou_town", lianzhou, "441882104", "西岸镇", TownClass.CONSOLIDATION, OrganizingLevel.COUNTY),
    ]:
        town = Town.objects.create(county=county, code=code, name=name, kind=TownKind.TOWN)
        regions.town_classification_set(actor=users["qy_city_st"], cycle=base.cycle, town=town, town_class=town_class,
                                        organizing_level=level)
        organizer = users["yingde_st" if county == yingde else "lianzhou_st"]
        regions.work_team_save(actor=organizer, town=town, leader_name="%s队长" % name, contact_phone="0763-8888888")
        towns[key] = town
    users["yingde_town"] = _user("yingde_town", Role.TOWN, town=towns["yingde_town"], county=yingde)
    users["yingde_city_town"] = _user("yingde_city_town", Role.TOWN, town=towns["yingde_city_town"], county=yingde)
    users["lianzhou_town"] = _user("lianzhou_town", Role.TOWN, town=towns["lianzhou_town"], county=lianzhou)
    unit = DispatchingUnit.objects.create(name="岭南现代农业职业学院", kind="university",
                                          credit_code=make_credit_code("12441800455416301"))
    team = Team.objects.create(cycle=base.cycle, name="丝苗米团队", lead_unit=unit, leader_name="梁志远")
    users["qy_leader"] = _user("qy_leader", Role.TEAM_LEADER, team=team)
    users["qy_member"] = _user("qy_member", Role.TEAM_MEMBER, team=team)
    users["qy_unit"] = _user("qy_unit", Role.UNIT, unit=unit)
    users["qy_expert"] = _user("qy_expert", Role.EXPERT, city=city)  # the city's expert pool
    users["yingde_town"].organization = marker("qy", "user")
    users["yingde_town"].save()
    return {"city": city, "county": yingde, "other_county": lianzhou, "unit": unit, "team": team, **towns}, users


def _side(world, side, *, county, town, city_town, organizer, town_user, team, leader, member, unit, ip):
    """Run the programme once on one side, through the services; returns key -> record."""
    from calls import services as calls
    from calls.models import CallAmendment
    from matching import services as selection
    from matching.tasks import start_run
    from needs import services as needs
    from needs.models import CampaignTown, IndustryCategory
    from notices import services as notices
    from regions import services as regions
    from regions.models import TownClassification, WorkTeam, WorkTeamMember
    from registrations import services as registrations
    from teams.choices import MemberRole
    from teams.models import TeamMembership
    from teams.tests.factories import make_commissioner
    from accounts.models import Notification

    m = lambda key: marker(side, key)  # noqa: E731
    org = world[organizer]
    cycle = world.base.cycle
    today = timezone.localdate()
    o = {"county": county, "town": town, "city_town": city_town, "team": team, "unit": unit,
         "user": world[town_user]}

    # Regions: class note, work team with a member, a village.
    o["classification"] = regions.town_classification_set(
        actor=world["city_st" if side != "qy" else "qy_city_st"], cycle=cycle, town=town,
        town_class=TownClassification.objects.get(cycle=cycle, town=town).town_class,
        organizing_level="county", note=m("classification"))
    o["work_team"] = regions.work_team_save(actor=org, town=town, leader_name="队长", note=m("work_team"),
                                            contact_phone="0751-8888888")
    o["wtmember"] = regions.work_team_member_add(actor=org, town=town, name=m("wtmember"), position="队员")
    o["village"] = regions.village_create(actor=world[town_user], town=town, name=m("village") + "村")

    # Needs: profile, campaign, a confirmed need (it goes to matching) and a submitted one, the town submits.
    o["profile"] = needs.profile_save(actor=org, cycle=cycle, town=town, population=12000, households=3500,
                                      main_problems=m("profile"), leading_industries="水稻、柑橘")
    o["campaign"] = needs.campaign_open(actor=org, cycle=cycle, title=m("campaign") + "需求调研",
                                        due_date=today + dt.timedelta(days=30), towns=[town],
                                        instructions="请各镇填报。")
    categories = {c.name: c for c in IndustryCategory.objects.all()}
    o["need"] = needs.need_create(actor=org, cycle=cycle, town=town, title=m("need") + "柑橘黄龙病防控",
                                  description="全镇柑橘受黄龙病影响，需要绿色防控技术", category=categories["果树"],
                                  service_types=["guidance"], villages=[o["village"]], campaign=o["campaign"])
    needs.need_transition(actor=org, need=o["need"], action="confirm")
    o["need_open"] = needs.need_create(actor=world[town_user], cycle=cycle, town=town,
                                       title=m("need_open") + "茶叶加工", description=m("need_open") + "茶叶加工工艺落后",
                                       category=categories["茶叶"], service_types=["training"])
    needs.campaign_submit_town(actor=org, campaign=o["campaign"], town=town)
    o["campaign_town"] = CampaignTown.objects.get(campaign=o["campaign"], town=town)

    # The team: a verified leader (the named leader user), a member (the named member user, if any), a third.
    leader_person = make_commissioner(unit, name="%s负责人" % team.name[:2], user=world[leader],
                                      verified_at=timezone.now(), bio=m("leaderperson"))
    TeamMembership.objects.create(team=team, commissioner=leader_person, cycle=cycle, role=MemberRole.LEADER)
    member_person = make_commissioner(unit, name="%s成员" % team.name[:2], user=world[member] if member else None,
                                      bio=m("commissioner"), expertise_keywords=m("commissioner"))
    o["membership"] = TeamMembership.objects.create(team=team, commissioner=member_person, cycle=cycle,
                                                    role=MemberRole.MEMBER)
    third = make_commissioner(unit, name="%s骨干" % team.name[:2])
    TeamMembership.objects.create(team=team, commissioner=third, cycle=cycle, role=MemberRole.MEMBER)
    o["commissioner"] = member_person
    team.summary = m("team")
    team.research_directions = m("team")
    team.save()

    # The call: a draft and a published one (with attachments and an amendment).
    code = {"rh": "仁科", "nx": "南科", "qy": "英科"}[side]
    o["call_draft"] = calls.call_create(
        actor=org, cycle=cycle, towns=[town], title=m("call_draft") + "征集通知（草稿）", issuer="科学技术局",
        doc_number="%s〔2025〕7号" % code, notice=m("call_draft"), open_date=today - dt.timedelta(days=1),
        close_date=today + dt.timedelta(days=30), contact="科技股")
    o["attachment_draft"] = calls.call_attachment_add(actor=org, call=o["call_draft"], name=m("attachment_draft"),
                                                      file=_pdf())
    o["call"] = calls.call_create(
        actor=org, cycle=cycle, towns=[town], title=m("call") + "农村科技特派员团队公开征集通知", issuer="科学技术局",
        doc_number="%s〔2025〕12号" % code, notice=m("call") + "现公开征集农村科技特派员团队。",
        open_date=today - dt.timedelta(days=1), close_date=today + dt.timedelta(days=30), contact="科技股 0751-6388888")
    o["attachment"] = calls.call_attachment_add(actor=org, call=o["call"], name=m("attachment"), file=_pdf())
    calls.call_transition(actor=org, call=o["call"], action="publish")
    calls.call_amend(actor=org, call=o["call"], summary=m("amendment"), close_date=today + dt.timedelta(days=31))
    o["amendment"] = CallAmendment.objects.get(call=o["call"])

    # The application: started by the leader, complete, submitted, accepted by the organizer.
    application = calls.application_start(actor=world[leader], call=o["call"])
    o["app_town"] = calls.application_town_add(actor=world[leader], application=application, town=town, rank=1,
                                               past_projects=m("app_town"), visits=3, years=2, evidence=_pdf())
    calls.application_update(actor=world[leader], application=application, service_plan=m("application") + "帮扶思路",
                             unit_endorsement=_pdf(), recommendation_letter=_pdf())
    calls.application_submit(actor=world[leader], application=application)
    calls.application_review(actor=org, application=application, action="accept")
    o["application"] = application

    # Selection: a round with a lock and a panel score, one engine run (as the background task), the meeting, final.
    o["round"] = selection.round_open(actor=org, call=o["call"], title=m("round") + "遴选",
                                      early_reason="测试：申报截止前遴选")
    o["constraint"] = selection.constraint_set(actor=org, selection_round=o["round"], town=town, team=team, kind="lock",
                                               reason=m("constraint"))
    o["panel"] = selection.panel_score_set(actor=org, selection_round=o["round"], town=town, team=team, score=90,
                                           note=m("panel"))
    run = selection.run_create(actor=org, selection_round=o["round"])
    o["taskrun"] = start_run(actor=org, run=run)
    run.refresh_from_db()
    assert run.status == "done", (side, run.status, run.error)
    o["run"] = run
    selection.meeting_record(actor=org, selection_round=o["round"], meeting_date=today,
                             participants=m("meeting"), minutes=_pdf("会议纪要.pdf"))
    (o["pairing"],) = selection.finalize(actor=org, selection_round=o["round"], run=run)
    o["round"].refresh_from_db()

    # The notice (its period is over), an objection filed in the period and dismissed; the notice closes.
    notice = notices.notice_publish(actor=org, cycle=cycle, pairings=[o["pairing"]], title=m("notice") + "选派名单公示",
                                    start_date=today - dt.timedelta(days=30), contact="科技股 0751-6381234",
                                    doc_number="%s〔2025〕9号" % code, today=today - dt.timedelta(days=30))
    o["entry"] = notice.entries.get()
    in_period = timezone.make_aware(dt.datetime.combine(notice.first_day, dt.time(10, 0)))
    objection = notices.objection_file(notice=notice, entry=o["entry"], name="张%s" % side, phone="1390013900%d" % ip,
                                       grounds=m("objection") + "该团队负责人已调离。", evidence=_pdf("证明.pdf"),
                                       ip="10.9.9.%d" % ip, now=in_period)
    o["objection"] = notices.objection_handle(actor=org, objection=objection, action="dismiss",
                                              finding=m("finding"))
    o["notice"] = notices.notice_refresh(notice)
    o["pairing"].refresh_from_db()
    assert o["notice"].status == "closed" and o["pairing"].status == "notice_cleared", (side, o["pairing"].status)

    # Registration: the county sends its cleared pairing to the province.
    submission = registrations.submission_create(actor=org, cycle=cycle, recipient="province", pairings=[o["pairing"]],
                                                 doc_number="%s〔2025〕20号" % code, contact=m("submission"))
    o["submission"] = registrations.submission_act(actor=org, submission=submission, action="send", sent_on=today)
    o["submission"].refresh_from_db()

    o["notification"] = Notification.objects.filter(recipient=org).order_by("pk").first()
    o["wtmember"] = WorkTeamMember.objects.get(pk=o["wtmember"].pk)
    o["work_team"] = WorkTeam.objects.get(pk=o["work_team"].pk)
    _assistance(world, side, o, org=org, leader=leader, code=code)
    return o


def _assistance(world, side, o, *, org, leader, code):
    """Registration completed (the city and the province confirm: the pairing is active), then the agreement (signed,
    awaiting the town), a submitted project and an accepted project with a pending change request (projects app)."""
    from needs import services as needs
    from needs.models import IndustryCategory
    from projects import services as projects
    from registrations import services as registrations
    from teams.models import TeamMembership

    m = lambda key: marker(side, key)  # noqa: E731
    cycle = world.base.cycle
    today = timezone.localdate()
    city_st = world["city_st" if side != "qy" else "qy_city_st"]
    # A county-organized pairing is registered once the city and the province have both confirmed it.
    to_city = registrations.submission_create(actor=org, cycle=cycle, recipient="city", pairings=[o["pairing"]],
                                              doc_number="%s〔2025〕21号" % code, contact=m("submission"))
    to_city = registrations.submission_act(actor=org, submission=to_city, action="send", sent_on=today)
    registrations.submission_act(actor=city_st, submission=to_city, action="confirm", confirmed_on=today,
                                 reference_number="市科备〔2025〕%d号" % SIDES.index(side))
    registrations.submission_act(actor=world["province"], submission=o["submission"], action="confirm",
                                 confirmed_on=today, reference_number="粤科备〔2025〕%d号" % SIDES.index(side))
    o["submission"].refresh_from_db()
    o["pairing"].refresh_from_db()
    assert o["pairing"].status in ("registered", "active"), (side, o["pairing"].status)

    # The agreement: drafted and signed by the leader, awaiting the town (its confirm/return can be tried).
    agreement = projects.agreement_create(
        actor=world[leader], pairing=o["pairing"], summary=m("agreement") + "围绕柑橘产业开展技术指导。",
        team_duties="每月驻镇开展技术服务。", town_duties="协调示范基地和农户。", work_team_duties="督促落实。",
        conditions="提供办公室一间、宿舍两间。")
    o["agreement"] = projects.agreement_sign(actor=world[leader], agreement=agreement, scan=_pdf("协议.pdf"),
                                             signed_on=today)
    assert o["agreement"].status == "signed", (side, o["agreement"].status)

    # A confirmed need of the town for the projects, and the team's people.
    o["project_need"] = needs.need_create(actor=org, cycle=cycle, town=o["town"], title=m("need") + "贡柑绿色防控",
                                          description="需要绿色防控技术", service_types=["guidance"],
                                          category=IndustryCategory.objects.get(name="果树"))
    needs.need_transition(actor=org, need=o["project_need"], action="confirm")
    people = [row.commissioner for row in TeamMembership.objects.filter(team=o["team"], cycle=cycle)
              .select_related("commissioner").order_by("role", "pk")][:2]  # the leader first
    year = cycle.start_date.year + 1

    def content(title, total="100000.00"):
        half = (Decimal(total) / 2).quantize(Decimal("0.01"))
        return {
            "values": {"title": title, "objectives": "建立示范基地，推广绿色防控技术。", "content": "引进抗病砧木，开展培训。",
                       "start_date": dt.date(year, 1, 1), "end_date": dt.date(year, 12, 31), "trainings": 6,
                       "people_trained": 300, "technologies": 2, "varieties": 1, "demo_bases": 1,
                       "demo_area_mu": Decimal("50.0"), "households": 120, "enterprises": 3,
                       "income_raised": Decimal("600000.00"), "total_budget": Decimal(total)},
            "needs": [o["project_need"]],
            "years": [{"year": year, "plan": "建设示范园，开展6场培训。"}],
            "budget_lines": [{"category": "materials", "amount": half, "source": "city", "note": "种苗农资"},
                             {"category": "training", "amount": Decimal(total) - half, "source": "unit", "note": ""}],
            "members": [{"commissioner": people[0], "duty": "项目负责"}, {"commissioner": people[1], "duty": "示范基地"}],
        }

    # A submitted project (the organizer's return/accept can be tried).
    project = projects.project_create(actor=world[leader], pairing=o["pairing"],
                                      **content(m("project") + "柑橘绿色防控示范"))
    o["project"] = projects.project_submit(actor=world[leader], project=project, confirmed=True)
    # An accepted project with a pending change request.
    # Its own marker: the expert seated on its review reads it (and no other project of the side).
    accepted = projects.project_create(actor=world[leader], pairing=o["pairing"],
                                       **content(m("project_accepted") + "柑橘品种改良", total="80000.00"))
    projects.project_submit(actor=world[leader], project=accepted, confirmed=True)
    o["project_accepted"] = projects.project_accept(actor=org, project=accepted)
    o["change"] = projects.change_request(actor=world[leader], project=o["project_accepted"],
                                          reason=m("change") + "扩大示范面积", values={"demo_area_mu": Decimal("80.0")})
    # A draft project (its edits are tried on it: the submitted one refuses any edit by its state).
    o["project_draft"] = projects.project_create(actor=world[leader], pairing=o["pairing"],
                                                 **content(m("project") + "柑橘技术培训", total="60000.00"))
    for key in ("project", "project_accepted", "project_draft", "project_need"):
        o[key].refresh_from_db()
    assert (o["project"].status, o["project_accepted"].status, o["project_draft"].status, o["change"].status) == (
        "submitted", "accepted", "draft", "pending"), side
    _review_and_funding(world, side, o, org=org)
    _fieldwork(world, side, o, leader=leader, town=o["user"])
    _replacements(world, side, o, org=org)
    _evaluations(world, side, o)
    _coordination(world, side, o, org=org)
    _reports(world, side, o, org=org)


# Phones of the side's experts (mobile numbers no team member has).
EXPERT_PHONES = {"rh": "1371234%04d", "nx": "1372234%04d", "qy": "1373234%04d"}


def _review_and_funding(world, side, o, *, org):
    """The expert review and the funding of the side's accepted project, through reviews.services (issue 17).

    The side's projects are county-organized: the county S&T office (``org``) keeps the pool, reviews and funds.
    Its pool: ``expert`` (on ``rh`` the world's ``expert`` account, given 仁化县 as its scope; elsewhere an account the
    pool's office opened), two more experts with accounts and a fourth with a declared relation to the side's team
    (``relation``: excluded from the panel). The county reviews with a panel (``review_rule``); the review of
    ``project_accepted`` (``review``) seats the three (``seat``: ``expert``'s seat), every expert submits, the office
    approves (the project becomes 已立项); the year's envelope (``envelope``), the grant (``grant``) and its first
    tranche with a PDF voucher (``disbursement``)."""
    from reviews import services as reviews
    from reviews.models import Expert

    m = lambda key: marker(side, key)  # noqa: E731
    cycle = world.base.cycle
    today = timezone.localdate()
    phone = EXPERT_PHONES[side]
    account = None
    if side == "rh":
        account = world["expert"]
        account.county = o["county"]
        account.city = None
        account.save()
    o["review_rule"] = reviews.review_rule_set(actor=org, cycle=cycle, county=o["county"], mode="panel")
    rows = [("林果", "果树栽培", "柑橘、黄龙病、" + m("expert"), "仲恺农业工程学院", account),
            ("郑植", "植物保护", "柑橘病虫害、绿色防控", "广东省农业技术推广中心", None),
            ("周蔬", "蔬菜栽培", "设施蔬菜、育苗", "广东省农业科学院", None),
            ("吴菌", "食用菌", "香菇、菌种", "华南理工大学", None)]
    experts = []
    for index, (name, field_name, keywords, unit_name, user) in enumerate(rows):
        expert, _password = reviews.expert_save(
            actor=org, values={"name": "%s%s" % (name, side), "field": field_name, "keywords": keywords,
                               "title": "研究员", "unit_name": unit_name, "phone": phone % (index + 1)},
            account=user, create_account=user is None and index < 3)
        experts.append(expert)
    o["expert"] = Expert.objects.get(pk=experts[0].pk)
    o["relation"] = reviews.relation_add(actor=org, expert=experts[3], team=o["team"], reason=m("relation"))

    review = reviews.review_start(actor=org, project=o["project_accepted"])
    seats = [reviews.seat_add(actor=org, review=review, expert=expert) for expert in experts[:3]]
    reviews.review_open(actor=org, review=review)
    for index, seat in enumerate(seats):
        seat.refresh_from_db()
        value = 80 + index * 2
        reviews.seat_submit(actor=Expert.objects.get(pk=seat.expert_id).user, seat=seat,
                            scores={"score_fit": value, "score_feasibility": value, "score_benefit": value,
                                    "score_team": value, "score_budget": value},
                            comment=(m("seat") if index == 0 else "") + "同意立项。")
    review.refresh_from_db()
    assert review.status == "scored", (side, review.status)
    o["review"] = reviews.review_decide(actor=org, review=review, action="approve", amount="60000.00",
                                        opinion=m("review") + "专家组同意立项。")
    o["seat"] = seats[0]
    o["seat"].refresh_from_db()
    o["envelope"] = reviews.envelope_save(actor=org, values={"fiscal_year": today.year, "budgeted": "500000.00",
                                                            "note": m("envelope")})
    o["grant"] = reviews.grant_create(actor=org, review=o["review"], values={
        "project_number": reviews.next_project_number(o["review"], today.year), "fiscal_year": today.year,
        "budget_source": "county", "amount": "60000.00", "granted_on": today, "note": m("grant")})
    o["disbursement"] = reviews.disbursement_add(actor=org, grant=o["grant"], amount="20000.00", paid_on=today,
                                                 voucher=_pdf("拨付凭证.pdf"), note=m("disbursement"))
    o["project_accepted"].refresh_from_db()
    assert o["project_accepted"].status == "approved", (side, o["project_accepted"].status)


def _jpeg() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 48), (90, 140, 60)).save(out, "JPEG")
    return out.getvalue()


def _fieldwork(world, side, o, *, leader, town):
    """The field work of the side's pairing, through fieldwork.services (issue 18): an activity in the paired town
    (``activity``, awaiting the town's confirmation) with a photo (``photo``), a cross-town activity done in the
    side's city-organized town (``activity_cross``: that town's work team confirms it and reads it), a stay of the
    member commissioner (``stay``, recorded by the leader, awaiting confirmation), the work team's task (``task``), its
    report that the team does not cooperate (``flag``), the working conditions it records (``conditions``) and the
    team's request about them (``request``)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from fieldwork import services as fieldwork

    m = lambda key: marker(side, key)  # noqa: E731
    today = timezone.localdate()
    lead = world[leader]
    values = {"date": today, "service_type": "guidance", "description": "果园病虫害田间诊断。", "people_trained": 10,
              "households_served": 5}
    o["activity"] = fieldwork.activity_save(actor=lead, values={**values, "title": m("activity") + "柑橘技术指导"},
                                            photos=[SimpleUploadedFile("现场.jpg", _jpeg(), "image/jpeg")])
    o["photo"] = o["activity"].photos.get()
    o["activity_cross"] = fieldwork.activity_save(
        actor=lead, values={**values, "town": o["city_town"], "title": m("activity_cross") + "跨镇柑橘培训"})
    assert o["activity_cross"].cross_town, side
    o["stay"] = fieldwork.stay_save(actor=lead, values={
        "commissioner": o["commissioner"], "start_date": today - dt.timedelta(days=10),
        "end_date": today - dt.timedelta(days=4), "place": "镇驻镇工作队宿舍", "purpose": m("stay") + "驻村指导"})
    o["task"] = fieldwork.task_save(actor=town, values={"title": m("task") + "冬季清园指导",
                                                        "description": "组织冬季清园。",
                                                        "due_date": today + dt.timedelta(days=10)})
    o["flag"] = fieldwork.flag_report(actor=town, detail=m("flag") + "多次通知未到镇开展工作。")
    o["conditions"] = fieldwork.conditions_save(actor=town, values={"note": m("conditions") + "提供宿舍两间。"})
    o["request"] = fieldwork.request_save(actor=lead, values={"category": "lodging", "title": m("request") + "宿舍漏雨",
                                                             "description": "宿舍屋顶漏雨，请协调维修。"})


def _replacements(world, side, o, *, org):
    """Adjustment and replacement (issue 19): the organizer's case against the side's pairing with an evidence file
    (``case``, ``casefile``), a member change of the side's team awaiting registration (``memberchange``, written
    directly: the world's teams keep their people) and the figures a pairing closed with (``figures``, on the side's
    pairing as if it had ended)."""
    from replacements import services as replacements
    from replacements.models import Case, MemberChange, PairingFigures

    m = lambda key: marker(side, key)  # noqa: E731
    today = timezone.localdate()
    pairing = o["pairing"]
    o["case"] = replacements.case_open(actor=org, pairing=pairing, cause="noncooperation",
                                       summary=m("case") + "多次不配合驻镇工作队安排。",
                                       files=[_pdf("证据.pdf")])
    o["casefile"] = o["case"].files.get()
    # A decided warning (警告) on the same pairing, as the decision service leaves it: its decision document is served.
    o["case_decided"] = Case.objects.create(
        pairing=pairing, cycle=pairing.cycle, team=pairing.team, home_town=pairing.town,
        organizer_level=pairing.organizer_level, cause="no_work", summary=m("case") + "连续两月未开展活动。",
        answer_due=today, status="decided", decision="warning", decision_reason="予以警告。", decided_at=timezone.now(),
        decided_by=org, opened_at=timezone.now(), doc_number="仁科〔2025〕40号")
    change = MemberChange(leaving=o["commissioner"], effective_date=today, reason=m("memberchange") + "工作调动",
                          size_before=3, size_after=3)
    change.copy_pairing(pairing)
    change.save()
    o["memberchange"] = change
    o["figures"] = PairingFigures.objects.create(
        pairing=pairing, cycle=pairing.cycle, team=pairing.team, town=pairing.town,
        organizer_level=pairing.organizer_level, ended_on=today, outcome="ended", stationed_days=7)


def _evaluations(world, side, o):
    """A unit's records of its people (issue 19): the submitted evaluation of the side's member commissioner
    (``evaluation``), a reward with its award document (``reward``) and a training the member attended with a material
    (``training``, ``material``). On ``rh`` through evaluations.services as the ``unit`` account; the other sides' units
    have no account: written directly, placed on the side's pairing as the services would."""
    from evaluations import services as evaluations
    from evaluations.models import Evaluation, Reward, Training, TrainingMaterial
    from portal.testing import CYCLE_YEAR

    m = lambda key: marker(side, key)  # noqa: E731
    today = timezone.localdate()
    person = o["commissioner"]

    pdf = _pdf

    if side == "rh":
        unit = world["unit"]
        evaluation = evaluations.evaluation_save(
            actor=unit, commissioner=person, year=CYCLE_YEAR,
            values={"grade": "excellent", "comments": m("evaluation") + "驻镇服务成效明显。", "evaluator": "科研处"})
        o["evaluation"] = evaluations.evaluation_act(actor=unit, evaluation=evaluation, action="submit")
        o["reward"] = evaluations.reward_save(actor=unit, document=pdf("奖励文件.pdf"), values={
            "commissioner": person, "date": today, "title": "优秀特派员", "level": "city",
            "grounds": m("reward") + "驻镇服务成效突出。"})
        o["training"] = evaluations.training_save(actor=unit, attendees=[person], materials=[pdf("课件.pdf")], values={
            "kind": "training", "date": today, "topic": "绿色防控培训", "place": "学校", "hours": "8.0",
            "external_attendees": 2, "summary": m("training") + "病害识别。"})
        o["material"] = o["training"].materials.get()
        o["material"].name = m("material") + "课件"
        o["material"].save()
    else:
        placed = {"unit": o["unit"], "commissioner": person, "team": o["team"]}
        evaluation = Evaluation(**placed, year=CYCLE_YEAR, cycle=world.base.cycle, grade="excellent",
                                comments=m("evaluation") + "驻镇服务成效明显。", status="submitted",
                                evaluated_on=today, submitted_at=timezone.now())
        evaluation.copy_pairing(o["pairing"])
        evaluation.save()
        o["evaluation"] = evaluation
        reward = Reward(**placed, date=today, title="优秀特派员", level="city", grounds=m("reward") + "驻镇服务成效突出。",
                        document=pdf("奖励文件.pdf"), document_name="奖励文件.pdf")
        reward.copy_pairing(o["pairing"])
        reward.save()
        o["reward"] = reward
        o["training"] = Training.objects.create(unit=o["unit"], kind="training", date=today, topic="绿色防控培训",
                                                place="学校", hours=Decimal("8.0"), summary=m("training") + "病害识别。")
        o["training"].attendees.set([person])
        o["material"] = TrainingMaterial.objects.create(training=o["training"], name=m("material") + "课件",
                                                        file=pdf("课件.pdf"), size=100)
    for key in ("evaluation", "reward", "training", "material"):
        o[key].refresh_from_db()
    assert o["evaluation"].status == "submitted" and o["evaluation"].pairing_id == o["pairing"].pk, side


def _coordination(world, side, o, *, org):
    """Coordination (issue 19), through coordination.services by the side's county S&T office: the county's
    coordination mechanism (``cgroup``) with a member (``cmember``, no account), a meeting (``cmeeting``) with a
    document (``cdocument``) and a follow-up item of the meeting owned by that member (``followup``, open)."""
    from coordination import services as coordination

    m = lambda key: marker(side, key)  # noqa: E731
    today = timezone.localdate()
    o["cgroup"] = coordination.group_save(actor=org, values={"name": m("cgroup") + "县协调机制",
                                                             "duties": "统筹协调科技特派员工作。"})
    o["cmember"] = coordination.member_save(actor=org, group=o["cgroup"], values={
        "name": m("cmember"), "organization": "县科技局", "position": "局长", "role_in_group": "leader"})
    o["cmeeting"] = coordination.meeting_save(
        actor=org, group=o["cgroup"], attendees=[o["cmember"]], documents=[_pdf("会议纪要.pdf")],
        values={"date": today, "place": "县政府会议室", "title": m("cmeeting") + "协调会", "agenda": "年度工作",
                "decisions": "加强驻镇服务。"})
    o["cdocument"] = o["cmeeting"].documents.get()
    o["cdocument"].name = m("cdocument") + "纪要"
    o["cdocument"].save()
    o["followup"] = coordination.follow_up_save(actor=org, group=o["cgroup"], values={
        "meeting": o["cmeeting"], "title": m("followup") + "落实驻镇宿舍", "owner": o["cmember"],
        "due_date": today + dt.timedelta(days=10)})
    for key in ("cgroup", "cmember", "cmeeting", "cdocument", "followup"):
        o[key].refresh_from_db()


def _reports(world, side, o, *, org):
    """Annual reports (issue 20), through reports.services: the side's county's report of four years, one in each
    state — ``ar_draft`` (this year: its author's own), ``ar_submitted`` (last year: with the city), ``ar_accepted``
    (the year before: accepted by the city, locked) and ``ar_returned`` (three years ago: returned with comments) —
    with the marker in the title and the narrative; and the author's finished export of the accepted one as XLSX
    (``ar_run``: served to that author only)."""
    from core.models import TaskRun
    from reports import services as reports
    from reports.tasks import start_export

    m = lambda key: marker(side, key)  # noqa: E731
    city_st = world["city_st" if side != "qy" else "qy_city_st"]
    year = timezone.localdate().year

    def report(key, year):
        made = reports.report_create(actor=org, year=year, level="county", county=o["county"])
        return reports.report_update(actor=org, report=made, title=m(key) + "年度工作总结",
                                     achievements="<p>%s全年开展驻镇技术服务。</p>" % m(key))

    o["ar_draft"] = report("ar_draft", year)
    o["ar_submitted"] = reports.report_submit(actor=org, report=report("ar_submitted", year - 1))
    accepted = reports.report_submit(actor=org, report=report("ar_accepted", year - 2))
    o["ar_accepted"] = reports.report_accept(actor=city_st, report=accepted)
    returned = reports.report_submit(actor=org, report=report("ar_returned", year - 3))
    o["ar_returned"] = reports.report_return(actor=city_st, report=returned, comment="请补充典型案例。")
    # Of the accepted report: the matrix's export POSTs (on the submitted one) drop their user's earlier file of the
    # same report and format, in storage, which no savepoint rolls back.
    o["ar_run"] = TaskRun.objects.get(pk=start_export(actor=org, report=o["ar_accepted"], fmt="xlsx").pk)
    for key in ("ar_draft", "ar_submitted", "ar_accepted", "ar_returned"):
        o[key].refresh_from_db()
    assert [o[key].status for key in ("ar_draft", "ar_submitted", "ar_accepted", "ar_returned")] == [
        "draft", "submitted", "accepted", "returned"], side
    assert o["ar_run"].status == "done", (side, o["ar_run"].status, o["ar_run"].message)


def _city_reports(world):
    """Each city's annual reports (issue 20), by its S&T bureau: this year's draft (``ar_city_draft``: the city's own)
    and the report of two years ago submitted to the province (``ar_city``: 韶关's counties are both accepted that
    year; 清远's 连州市 has none, with a missing note). 韶关's reports are both sides' (``rh`` and ``nx``), with the
    ``rh`` marker; 清远's carry the ``qy`` marker."""
    from reports import services as reports

    year = timezone.localdate().year
    for sides, username, missing in ((("rh", "nx"), "city_st", None), (("qy",), "qy_city_st", "lianzhou_st")):
        m = lambda key: marker(sides[0], key)  # noqa: E731
        actor = world[username]
        draft = reports.report_create(actor=actor, year=year, level="city")
        draft = reports.report_update(actor=actor, report=draft, title=m("ar_city_draft") + "全市年度工作总结",
                                      achievements="<p>%s全市成效。</p>" % m("ar_city_draft"))
        sent = reports.report_create(actor=actor, year=year - 2, level="city")
        sent = reports.report_update(actor=actor, report=sent, title=m("ar_city") + "全市年度工作总结",
                                     achievements="<p>%s全市成效。</p>" % m("ar_city"))
        if missing:
            sent = reports.missing_note(actor=actor, report=sent, county=world[missing].county, note="因机构调整未报送。")
        sent = reports.report_submit(actor=actor, report=sent)
        draft.refresh_from_db()
        sent.refresh_from_db()
        assert (draft.status, sent.status) == ("draft", "submitted"), sides
        for side in sides:
            world.objects[side]["ar_city_draft"] = draft
            world.objects[side]["ar_city"] = sent


def build_matrix_world() -> MatrixWorld:
    import importlib

    from django.apps import apps

    from portal.testing import build_world
    from needs.models import IndustryCategory, IndustryProblem, IndustryProduct

    # The browser tests (transactional) flush every table when they end, the taxonomy seeded by a data migration
    # included: seed it again (idempotent), as tests/e2e/conftest.py does.
    importlib.import_module("needs.migrations.0002_seed_taxonomy").seed(apps, None)
    importlib.import_module("needs.migrations.0006_seed_problems").seed(apps, None)
    base = build_world()
    world = MatrixWorld(base=base, users=dict(base.users))
    qy, qy_users = _qingyuan(base)
    world.users.update(qy_users)
    world.objects["rh"] = _side(world, "rh", county=base.renhua, town=base.renhua_county_town,
                                city_town=base.renhua_city_town, organizer="renhua_st", town_user="renhua_county_town",
                                team=base.team, leader="leader", member="member", unit=base.unit, ip=1)
    world.objects["nx"] = _side(world, "nx", county=base.nanxiong, town=base.nanxiong_county_town,
                                city_town=base.nanxiong_city_town, organizer="nanxiong_st",
                                town_user="nanxiong_county_town", team=base.other_team, leader="other_leader",
                                member=None, unit=base.other_unit, ip=2)
    world.objects["qy"] = _side(world, "qy", county=qy["county"], town=qy["yingde_town"],
                                city_town=qy["yingde_city_town"],
                                organizer="yingde_st", town_user="yingde_town", team=qy["team"], leader="qy_leader",
                                member="qy_member", unit=qy["unit"], ip=3)
    world.objects["qy"]["city"] = qy["city"]
    world.objects["rh"]["city"] = world.objects["nx"]["city"] = base.city
    _city_reports(world)
    world.shared = {"cycle": base.cycle, "category": IndustryCategory.objects.order_by("pk").first(),
                    "product": IndustryProduct.objects.order_by("pk").first(),
                    "problem": IndustryProblem.objects.order_by("pk").first()}
    return world


def add_extras(world, side: str) -> None:
    """More records on ``nx`` or ``qy`` (inside the caller's savepoint): a new classified town with its work team, a
    need, a village, a draft call and a campaign there, an objection on the side's notice, an ended pairing of the
    side's team with an agreement, a project and a change request, the project's review (with a seat of a new pool
    entry) and grant, an envelope of another year, a notification and a task run of the side's organizer.

    Pages a user outside that side's audience gets must not change at all (counts, totals, pagination)."""
    from accounts.models import Notification
    from calls.models import Call
    from core.models import TaskRun
    from matching.models import Pairing
    from needs.models import CampaignTown, IndustryCategory, Need, SurveyCampaign
    from notices.models import Objection
    from projects.models import Agreement, Project, ProjectChange
    from regions.models import Town, TownClassification, Village, WorkTeam

    o = world.objects[side]
    cycle = world.base.cycle
    today = timezone.localdate()
    code, name = {"nx": ("440282100", "乌迳镇"), "qy": ("441882105", "保安镇")}[side]
    county = o["county"] if side == "nx" else world.users["lianzhou_st"].county
    town = Town.objects.create(county=county, code=code, name=name)
    TownClassification.objects.create(cycle=cycle, town=town, town_class="consolidation", organizing_level="county")
    WorkTeam.objects.create(town=town, leader_name="队长")
    Village.objects.create(town=town, name="新增村")
    Need.objects.create(cycle=cycle, town=town, title="新增需求", description="新增", service_types=["guidance"],
                        category=IndustryCategory.objects.order_by("pk").first())
    call = Call.objects.create(cycle=cycle, organizer_level="county", city=county.city, county=county,
                               issuer="科学技术局", title="新增征集", doc_number="新科〔2025〕1号", notice="新增",
                               open_date=today, close_date=today + dt.timedelta(days=10))
    call.towns.set([town])
    campaign = SurveyCampaign.objects.create(cycle=cycle, title="新增调研", organizer_level="county",
                                             city=county.city, county=county, due_date=today)
    CampaignTown.objects.create(campaign=campaign, town=town)
    Objection.objects.create(notice=o["notice"], entry=o["entry"], name="李四", phone="13900000000", grounds="新增")
    pairing = Pairing.objects.create(cycle=cycle, town=town, team=o["team"], organizer_level="county",
                                     status="replaced")
    # The ended pairing's agreement, project and change request (as if signed and submitted before it ended).
    shared = {"pairing": pairing, "cycle": cycle, "town": town, "team": o["team"], "organizer_level": "county",
              "due_date": today}
    Agreement.objects.create(**shared, town_party="新增镇人民政府", term_start=today, term_end=cycle.end_date,
                             summary="新增", team_duties="新增", town_duties="新增", conditions="新增", status="signed")
    project = Project.objects.create(**shared, title="新增项目", objectives="新增", content="新增", start_date=today,
                                     end_date=cycle.end_date, total_budget=1000, status="accepted")
    ProjectChange.objects.create(project=project, reason="新增变更", before={}, after={}, from_version=1)
    # Its review (approved, with a seat of a new pool entry) and grant, and the county's envelope of another year.
    from reviews.models import Envelope, Expert, Grant, Review, ReviewSeat

    keeper = {"organizer_level": "county", "city": county.city, "county": county}
    expert = Expert.objects.create(**keeper, name="新增专家", field="果树", unit_name="新增单位", phone="13700009999")
    review = Review.objects.create(project=project, cycle=cycle, town=town, team=o["team"], organizer_level="county",
                                   status="approved", approved_amount=1000)
    ReviewSeat.objects.create(review=review, expert=expert, status="submitted")
    Grant.objects.create(**keeper, cycle=cycle, town=town, team=o["team"], review=review, project=project,
                         project_number="新增-%s" % side, fiscal_year=2099, budget_source="county", amount=1000,
                         granted_on=today)
    Envelope.objects.create(**keeper, fiscal_year=2099, budgeted=100000)
    # Field work of the ended pairing (as if logged while it was active).
    from fieldwork.models import Activity, ConditionRequest, Flag, Stay, Task

    paired = {"pairing": pairing, "cycle": cycle, "team": o["team"], "home_town": town}
    Activity.objects.create(**paired, town=town, date=today, service_type="guidance", title="新增活动",
                            description="新增", status="confirmed")
    Stay.objects.create(**paired, town=town, commissioner=o["commissioner"], start_date=today, end_date=today,
                        first_day=today.toordinal(), last_day=today.toordinal(), place="新增", purpose="新增",
                        status="confirmed")
    Task.objects.create(**paired, title="新增任务", due_date=today)
    Flag.objects.create(**paired, organizer_level="county", kind="pace", detail="新增预警", opened_at=timezone.now())
    ConditionRequest.objects.create(**paired, category="other", title="新增问题", description="新增")
    organizer = world.users["nanxiong_st" if side == "nx" else "yingde_st"]
    Notification.objects.create(recipient=organizer, title="新增通知")
    TaskRun.objects.create(kind="import", label="新增任务", created_by=organizer)
    # A decided case on the ended pairing, a registered member change and its closing figures (issue 19).
    from replacements.models import Case, MemberChange, PairingFigures

    Case.objects.create(**paired, organizer_level="county", cause="no_work", summary="新增案件", answer_due=today,
                        status="decided", decision="replacement", opened_at=timezone.now())
    MemberChange.objects.create(**paired, organizer_level="county", effective_date=today, reason="新增变更",
                                status="registered")
    PairingFigures.objects.create(pairing=pairing, cycle=cycle, team=o["team"], town=town, organizer_level="county",
                                  ended_on=today, outcome="replaced", stationed_days=3)
    # An annual report of an earlier year, sent to the city (issue 20): the side's county's (南雄市, 连州市).
    from reports.models import AnnualReport, default_due

    AnnualReport.objects.create(year=2022, level="county", city=county.city, county=county, title="新增年度报告",
                                due_date=default_due(2022, "county"), status="submitted", submitted_at=timezone.now(),
                                achievements="<p>新增</p>")
