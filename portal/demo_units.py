"""The demo's dispatching units' records (派出单位考评奖励、培训交流) and the coordination groups (协调指导小组), told
through the services (``evaluations.services``, ``coordination.services``) as on the days they happened.

First cycle (``first_cycle_steps``: dated steps ``portal.demo_fieldwork`` takes between its quarterly monitor runs,
while the cycle is open — a closed cycle's evaluations are read-only):

* 华南农业大学 (``scau``), 韶关学院 (``sgu``) and 仲恺农业工程学院 (``zhku``) evaluate each of their people who served
  in a town that year (annual evaluations of 2022 and 2023 in January of the next year, 2024's at the end of the
  cycle): a draft prefilled with the year's figures, graded — mostly 合格, the year's best 优秀, the person with the
  fewest days in 2023 基本合格 — and submitted; three rewards (two 市级 年度优秀农村科技特派员, one 县级); five training
  and exchange events of the units with their people attending (the first with its programme as a PDF);
* the city's coordination and guidance group (``city_st``, ``city_rural``) is set up in November 2021 with members of
  市科技局 and 市乡村振兴局, meets in March 2022 (minutes as a PDF) and August 2023, its follow-up items done.

Current cycle (``current_cycle_coordination``, around today): the city's group meets at the first cycle's end and
some forty days ago (one item done, one overdue, one open); 仁化县's (``renhua_st``) and 南雄市's (``nanxiong_st``)
coordination mechanisms with their members, a meeting each and their items.

Every name of a person is invented (示意).
"""
from __future__ import annotations

import datetime as dt

from portal.demo_clock import moment, on

D = dt.date
EVALUATING_UNITS = ("华南农业大学", "韶关学院", "仲恺农业工程学院")
# When each year's evaluation is made and submitted: the next January; 2024's at the end of the cycle (before it closes).
EVALUATED_ON = {2022: D(2023, 1, 16), 2023: D(2024, 1, 15), 2024: D(2024, 11, 28)}
EXCELLENT_SHARE = 0.15
COMMENTS = {
    "excellent": "%(y)d年累计驻镇%(d)d天，开展服务活动%(a)d次，参与帮扶项目%(p)d个，服务成效突出，镇和驻镇工作队评价好。",
    "pass": "%(y)d年累计驻镇%(d)d天，开展服务活动%(a)d次，较好完成年度驻镇帮扶任务。",
    "basic": "%(y)d年驻镇%(d)d天、开展服务活动%(a)d次，驻镇时间和服务次数低于计划，请加强与镇的对接，按计划完成驻镇任务。",
}
TRAININGS = [  # (unit, kind, date, topic, place, hours, attendees, external, summary, material)
    ("华南农业大学", "training", D(2022, 5, 20), "农村科技特派员驻镇帮扶工作培训班", "华南农业大学（广州）", "16", 6, 12,
     "解读驻镇帮镇扶村行动方案和驻镇工作要求，讲授平台填报、驻镇记录和项目管理，交流柑橘、蔬菜产业帮扶经验。",
     "培训日程和课件目录.pdf"),
    ("韶关学院", "exchange", D(2022, 11, 18), "驻镇帮扶团队经验交流会", "韶关学院", "4", 5, 8,
     "各团队汇报驻镇帮扶进展，交流示范基地建设和农民培训的做法，研究解决驻镇时间安排的困难。", ""),
    ("广东省农业科学院", "seminar", D(2023, 4, 14), "茶叶加工与品牌建设技术研讨会", "韶关市仁化县", "8", 4, 20,
     "围绕白毛茶、红茶加工工艺和区域品牌建设研讨，现场观摩茶叶加工示范线。", ""),
    ("仲恺农业工程学院", "training", D(2023, 10, 26), "乡村产业规划与农产品品牌建设专题培训", "仲恺农业工程学院（广州）",
     "12", 5, 6, "讲授镇域产业规划编制、农产品品牌设计和电商营销，结合帮扶镇案例分组研讨。", ""),
    ("华南农业大学", "exchange", D(2024, 6, 21), "韶关柑橘产业科技帮扶现场交流会", "韶关市仁化县黄坑镇", "6", 5, 15,
     "现场观摩贡柑绿色高效栽培示范基地，交流黄龙病综合防控和无病种苗推广的经验。", ""),
]

CITY_GROUP = "韶关市农村科技特派员驻镇帮镇扶村工作协调指导小组"
CITY_DUTIES = ("统筹协调全市农村科技特派员驻镇帮镇扶村工作，研究解决团队选派、驻镇服务、项目资助和考核评价中的重大问题，"
               "督促各县（市、区）落实协调机制，定期调度工作进展。")
# (name, organization, position, role in the group, phone, the demo account linked or "")
CITY_MEMBERS = [
    ("陈国栋", "韶关市科学技术局", "局长", "leader", "13902281001", ""),
    ("刘志文", "韶关市乡村振兴局", "副局长", "deputy", "13902281002", ""),
    ("邓建明", "韶关市科学技术局", "副局长", "deputy", "13902281003", ""),
    ("张丽萍", "韶关市科学技术局", "农村科技科科长", "member", "13902281004", ""),
    ("何静", "韶关市乡村振兴局", "规划发展科科长", "member", "13902281005", "city_rural"),
    ("罗振华", "韶关市农业农村局", "科技教育科科长", "member", "13902281006", ""),
    ("李晓东", "韶关市科学技术局", "农村科技科副科长", "liaison", "13902281007", "city_st"),
]
COUNTY_GROUPS = {  # county code -> (name, document number, established, members)
    "440224": ("仁化县农村科技特派员驻镇帮镇扶村工作协调机制", "仁科〔2022〕3号", D(2022, 1, 10), [
        ("曾宪华", "仁化县科学技术局", "局长", "leader", "13802291001", ""),
        ("温丽娟", "仁化县乡村振兴局", "副局长", "deputy", "13802291002", "renhua_rural"),
        ("叶伟明", "仁化县农业农村局", "副局长", "member", "13802291003", ""),
        ("钟晓燕", "仁化县科学技术局", "农村科技股股长", "liaison", "13802291004", "renhua_st"),
    ]),
    "440282": ("南雄市农村科技特派员驻镇帮镇扶村工作协调机制", "南科〔2022〕2号", D(2022, 1, 12), [
        ("赖志强", "南雄市科学技术局", "局长", "leader", "13802821001", ""),
        ("邱海燕", "南雄市乡村振兴局", "副局长", "deputy", "13802821002", ""),
        ("萧永健", "南雄市科学技术局", "科员", "liaison", "13802821003", "nanxiong_st"),
    ]),
}


def _pdf(name: str):
    from portal.demo_story import pdf

    return pdf(name)


# ------------------------------------------------------------------------------------------------ the first cycle

def first_cycle_steps(story, cycle) -> list:
    """The dated steps [(moment, callable)] of the units' evaluations, rewards and trainings and of the city group's
    first-cycle meetings; ``portal.demo_fieldwork`` takes them in date order (the field history is in by then, so an
    evaluation's figures are the year's)."""
    steps: list = []
    state: dict = {"best": {}}

    def at_(day, hour, step):
        steps.append((moment(day, hour), step))

    for year, day in EVALUATED_ON.items():
        for hour, unit_name in enumerate(EVALUATING_UNITS, start=9):
            if unit_name in story.units and unit_name in story.unit_users:
                at_(day, hour, lambda year=year, unit_name=unit_name: _evaluate(story, cycle, unit_name, year, state))
    for spec in TRAININGS:
        if spec[0] in story.units and spec[0] in story.unit_users:
            at_(spec[2], 16, lambda spec=spec: _training(story, cycle, spec))
    at_(D(2023, 3, 20), 10, lambda: _reward(story, "华南农业大学", 2022, "city", D(2023, 3, 17),
                                            "2022年度优秀农村科技特派员", "韶科〔2023〕15号表扬通报.pdf", state))
    at_(D(2024, 3, 19), 10, lambda: _reward(story, "韶关学院", 2023, "city", D(2024, 3, 15),
                                            "2023年度优秀农村科技特派员", "", state))
    at_(D(2024, 1, 26), 10, lambda: _reward(story, "仲恺农业工程学院", 2023, "county", D(2024, 1, 24),
                                            "农村科技特派员驻镇帮扶工作先进个人", "", state))
    _city_group_first_cycle(story, at_, state)
    return steps


def _served(cycle, unit, year: int) -> list:
    """The unit's people in a team whose pairing worked in a town during ``year`` (registered before its end, not
    ended before its start), by name."""
    from matching.models import Pairing
    from teams.models import Commissioner

    worked = (Pairing.objects.filter(cycle=cycle, status__in=("registered", "active", "ended", "replaced"),
                                     registered_at__date__lte=D(year, 12, 31))
              .exclude(ended_at__date__lt=D(year, 1, 1)).values("team_id"))
    return list(Commissioner.objects.filter(unit=unit, memberships__cycle=cycle, memberships__team_id__in=worked)
                .distinct().order_by("name", "pk"))


def _evaluate(story, cycle, unit_name: str, year: int, state: dict) -> None:
    """The unit's evaluations of ``year``: each served person's draft (prefilled with the year's figures) graded and
    submitted. The best ``EXCELLENT_SHARE`` by days and activities 优秀; in 2023 the fewest days of the three units'
    people 基本合格 (chosen when the first unit grades: the lowest of all)."""
    from evaluations import selectors
    from evaluations import services as evaluations

    actor, unit = story.unit_users[unit_name], story.units[unit_name]
    people = _served(cycle, unit, year)
    if not people:
        return
    counts = selectors.figures([person.pk for person in people], year)
    if year == 2023 and "basic" not in state:
        everyone = [p for name in EVALUATING_UNITS if name in story.units for p in _served(cycle, story.units[name], 2023)]
        all_counts = selectors.figures([p.pk for p in everyone], 2023)
        state["basic"] = min(everyone, key=lambda p: (all_counts[p.pk]["days"], all_counts[p.pk]["activities"], p.pk)).pk
    ranked = sorted(people, key=lambda p: (-counts[p.pk]["days"] - 3 * counts[p.pk]["activities"], p.pk))
    excellent = {p.pk for p in ranked[:max(1, round(len(ranked) * EXCELLENT_SHARE))]}
    state["best"][(unit_name, year)] = ranked[0]
    for person in people:
        grade = ("basic" if year == 2023 and person.pk == state.get("basic")
                 else "excellent" if person.pk in excellent else "pass")
        figures = counts[person.pk]
        comments = COMMENTS[grade] % {"y": year, "d": figures["days"], "a": figures["activities"],
                                      "p": figures["projects"]}
        evaluation = evaluations.evaluation_save(
            actor=actor, commissioner=person, year=year,
            values={"grade": grade, "comments": comments, "evaluator": "%s科技处" % unit_name})
        evaluations.evaluation_act(actor=actor, evaluation=evaluation, action="submit")


def _reward(story, unit_name: str, year: int, level: str, date: dt.date, title: str, document: str,
            state: dict) -> None:
    """A reward for the unit's best person of ``year`` (the one its evaluation ranked first)."""
    from evaluations import services as evaluations

    person = state["best"].get((unit_name, year))
    if person is None:
        return
    from evaluations.models import Evaluation

    issuer, place = "韶关市科学技术局", ""
    if level == "county":
        evaluation = (Evaluation.objects.filter(commissioner=person, year=year, home_town__isnull=False)
                      .select_related("home_town__county").first())
        if evaluation is not None:
            place = evaluation.home_town.county.name
            issuer = "%s科学技术局" % place
        else:
            level = "city"
    title = place + title
    evaluations.reward_save(
        actor=story.unit_users[unit_name], document=_pdf(document) if document else None,
        values={"commissioner": person, "date": date, "title": title, "level": level,
                "grounds": "%s被%s评为%s：%d年驻镇服务时间长、服务活动多，示范基地建设成效明显，受到镇和群众好评。"
                           % (person.name, issuer, title, year)})


def _training(story, cycle, spec) -> None:
    from decimal import Decimal

    from evaluations import services as evaluations

    unit_name, kind, day, topic, place, hours, count, external, summary, material = spec
    people = _served(cycle, story.units[unit_name], day.year)
    step = max(1, len(people) // count) if people else 1
    evaluations.training_save(
        actor=story.unit_users[unit_name], attendees=people[::step][:count],
        materials=[_pdf(material)] if material else (),
        values={"kind": kind, "date": day, "topic": topic, "place": place, "hours": Decimal(hours),
                "external_attendees": external, "summary": summary})


# ------------------------------------------------------------------------------------------------ coordination

def _group(level_code: str):
    from coordination.models import Group

    if level_code == "city":
        return Group.objects.filter(level="city", city__code="4402").first()
    return Group.objects.filter(level="county", county__code=level_code).first()


def _members(actor, group, rows) -> dict:
    from accounts.models import User
    from coordination import services as coordination

    made = {}
    for name, organization, position, role, phone, username in rows:
        account = User.objects.filter(username=username).first() if username else None
        made[name] = coordination.member_save(
            actor=actor, group=group, values={"name": name, "organization": organization, "position": position,
                                              "role_in_group": role, "phone": phone, "user": account})
    return made


def _meeting(actor, group, *, date, title, place, agenda, decisions, minutes="", other="", absent=()):
    from coordination import services as coordination

    attendees = [m for m in group.members.filter(active=True).order_by("pk") if m.name not in absent]
    return coordination.meeting_save(
        actor=actor, group=group, attendees=attendees, documents=[_pdf(minutes)] if minutes else (),
        values={"date": date, "title": title, "place": place, "agenda": agenda, "decisions": decisions,
                "other_attendees": other})


def _item(actor, group, meeting, title, owner_name, due, detail=""):
    from coordination import services as coordination

    owner = group.members.filter(name=owner_name).first()
    return coordination.follow_up_save(actor=actor, group=group, values={
        "meeting": meeting, "title": title, "detail": detail, "owner": owner, "due_date": due})


def _done(actor, item, note):
    from coordination import services as coordination

    coordination.follow_up_act(actor=actor, item=item, action="complete", comment=note)


def _city_group_first_cycle(story, at_, state) -> None:
    """The city's group: set up as the first cycle starts, its 2022 plenary and 2023 mid-year meetings, items done."""
    from accounts.models import User
    from coordination import services as coordination

    city_st = story.city_st
    city_rural = User.objects.filter(username="city_rural").first() or city_st

    def setup():
        group = coordination.group_save(actor=city_st, values={
            "name": CITY_GROUP, "duties": CITY_DUTIES, "established_on": D(2021, 11, 25),
            "document_number": "韶科〔2021〕86号"})
        _members(city_st, group, CITY_MEMBERS)

    def plenary():
        group = _group("city")
        meeting = _meeting(city_st, group, date=D(2022, 3, 15), title="协调指导小组2022年第一次全体会议",
                           place="韶关市科学技术局三楼会议室", minutes="2022年第一次全体会议纪要.pdf",
                           other="各县（市、区）科技部门分管负责人",
                           agenda="一、通报首批农村科技特派员团队选派和结对情况；二、研究帮扶协议签订和驻镇工作安排；"
                                  "三、研究驻镇工作队与团队的对接机制。",
                           decisions="一、各结对团队3月底前完成帮扶协议签订并经镇确认；二、建立驻镇工作队与团队的对接机制，"
                                     "每季度召开一次镇级对接会；三、市科技局每季度通报驻镇时间和服务活动进度。")
        state["agreements"] = _item(city_st, group, meeting, "督促各结对团队完成帮扶协议签订", "张丽萍",
                                    D(2022, 3, 31), "各县（市、区）科技部门督促本级组织的结对团队按期签订帮扶协议。")
        state["liaison"] = _item(city_rural, group, meeting, "建立驻镇工作队与团队对接机制", "何静", D(2022, 5, 31),
                                 "市乡村振兴局指导各驻镇工作队明确对接人，每季度召开镇级对接会。")

    def midyear():
        group = _group("city")
        meeting = _meeting(city_st, group, date=D(2023, 8, 10), title="协调指导小组2023年年中工作推进会",
                           place="韶关市科学技术局三楼会议室", absent=("罗振华",),
                           agenda="一、通报上半年驻镇时间、服务活动和项目实施进度；二、研究驻镇时间不足团队的督促措施；"
                                  "三、听取调整更换团队的情况汇报。",
                           decisions="一、对驻镇时间落后于进度的团队由组织单位约谈提醒；二、调整更换后的新团队9月底前完成"
                                     "帮扶协议签订并进驻；三、第四季度开展年度考评前的工作检查。")
        state["laggards"] = _item(city_st, group, meeting, "约谈驻镇时间落后于进度的团队", "张丽萍", D(2023, 9, 30),
                                  "对照平台驻镇时间统计，由组织单位逐一约谈并督促制定补足计划。")

    at_(D(2021, 11, 26), 10, setup)
    at_(D(2022, 3, 15), 15, plenary)
    at_(D(2022, 4, 2), 10, lambda: _done(city_st, state["agreements"], "各结对团队帮扶协议均已签订并经镇确认。"))
    at_(D(2022, 5, 26), 16, lambda: _done(city_rural, state["liaison"],
                                          "各驻镇工作队均已明确对接人，第二季度镇级对接会已召开。"))
    at_(D(2023, 8, 10), 15, midyear)
    at_(D(2023, 9, 28), 11, lambda: _done(city_st, state["laggards"],
                                          "已约谈驻镇时间落后的团队，各团队均已报送补足计划。"))


# ------------------------------------------------------------------------------------------------ the current cycle

def current_cycle_coordination(story, *, today: dt.date) -> None:
    """The city's group at the first cycle's end and some forty days ago (an item done, one overdue, one open); the
    coordination mechanisms of 仁化县 and 南雄市 with a meeting each."""
    from accounts.models import User
    from coordination import services as coordination

    T = today
    ago = lambda days: T - dt.timedelta(days=days)  # noqa: E731
    city_st = story.city_st
    city_rural = User.objects.filter(username="city_rural").first() or city_st
    group = _group("city")
    if group is not None:
        with on(D(2024, 12, 18), 15):
            meeting = _meeting(city_st, group, date=D(2024, 12, 18), title="首批工作总结暨第二批工作部署会",
                               place="韶关市科学技术局三楼会议室", other="各县（市、区）科技部门、乡村振兴部门分管负责人",
                               agenda="一、总结首批农村科技特派员驻镇帮镇扶村工作；二、部署第二批需求调研和团队选派。",
                               decisions="一、市科技局2025年2月底前完成首批帮扶成效评估报告；二、第二批需求调研2025年"
                                         "上半年完成，团队选派按市、县两级分别组织。")
            report = _item(city_st, group, meeting, "完成首批帮扶成效评估报告", "张丽萍", D(2025, 2, 28),
                           "汇总各结对团队的驻镇时间、服务活动、项目和资金情况，形成评估报告报市政府。")
        with on(D(2025, 2, 20), 10):
            _done(city_st, report, "评估报告已印发（韶科〔2025〕9号），并报市政府。")
        day = ago(40)
        with on(day, 15):
            meeting = _meeting(city_st, group, date=day, title="协调指导小组%d年第一次全体会议" % day.year,
                               place="韶关市科学技术局三楼会议室", minutes="%d年第一次全体会议纪要.pdf" % day.year,
                               agenda="一、通报第二批需求调研和团队征集进展；二、研究各县（市、区）团队遴选进度；"
                                      "三、研究第二批团队岗前培训。",
                               decisions="一、各县（市、区）加快第二批团队遴选，按期报市备案；二、市科技局会同市乡村振兴局"
                                         "组织第二批团队岗前培训；三、镇需求调研结果按季度更新。")
            _item(city_rural, group, meeting, "汇总各镇需求调研结果", "何静", ago(25),
                  "汇总各镇（街道）需求调研结果，形成需求清单供团队征集使用。")
            _item(city_st, group, meeting, "督促各县（市、区）完成第二批团队遴选并报市备案", "张丽萍", ago(10),
                  "未完成遴选的县（市、区）说明原因和完成时限。")
            _item(city_st, group, meeting, "组织第二批团队岗前培训", "李晓东", T + dt.timedelta(days=30),
                  "会同派出单位制定培训方案，内容包括驻镇工作要求、平台填报和项目管理。")
        with on(ago(27), 16):
            item = group.follow_ups.filter(title="汇总各镇需求调研结果").first()
            _done(city_rural, item, "各镇需求清单已汇总，已在平台需求库发布。")

    for code, (name, number, established, members) in COUNTY_GROUPS.items():
        actor = User.objects.filter(role="county_st", county__code=code).first()
        if actor is None or _group(code) is not None:
            continue
        with on(established, 10):
            county_group = coordination.group_save(actor=actor, values={
                "name": name, "document_number": number, "established_on": established,
                "duties": "统筹协调本县（市）农村科技特派员驻镇帮镇扶村工作，落实市协调指导小组的部署，"
                          "协调解决团队驻镇服务中的问题。"})
            _members(actor, county_group, members)
        day = ago(25 if code == "440224" else 5)
        with on(day, 15):
            if code == "440224":
                meeting = _meeting(actor, county_group, date=day, title="仁化县协调机制%d年工作会议" % day.year,
                                   place="仁化县科学技术局会议室",
                                   agenda="一、研究第二批团队征集方案和征集范围；二、研究董塘镇等镇的团队对接安排。",
                                   decisions="一、征集通知经县政府同意后发布，征集截止后十个工作日内完成受理；"
                                             "二、各镇驻镇工作队提前准备对接材料。")
                _item(actor, county_group, meeting, "督促各镇驻镇工作队准备团队对接材料", "温丽娟",
                      T + dt.timedelta(days=20), "包括镇域产业情况、需求清单和驻镇工作条件。")
                done = _item(actor, county_group, meeting, "完成第二批征集通知的镇级宣传", "钟晓燕",
                             day + dt.timedelta(days=7))
            else:
                meeting = _meeting(actor, county_group, date=day, title="南雄市协调机制第二批团队遴选结果会商会",
                                   place="南雄市科学技术局会议室",
                                   agenda="一、通报第二批团队遴选结果；二、研究公示和报备安排。",
                                   decisions="一、遴选结果按程序公示；二、公示结束后报市、省备案。")
                done = _item(actor, county_group, meeting, "准备遴选结果公示材料", "萧永健", day + dt.timedelta(days=5))
        with on(day + dt.timedelta(days=2), 11):
            _done(actor, done, "材料已准备完毕。" if code == "440282" else "各镇已通过公告栏和微信群发布征集通知。")
