"""The demo's annual reports (信息报送 · 年度工作总结), told through ``reports.services`` as on the days they happened.

First cycle (``first_cycle_steps``: dated steps ``portal.demo_fieldwork`` takes in date order among the first cycle's
other steps, so each report keeps its figures as they were on the day it was sent):

* 2022 and 2023: each of the ten counties writes its report in early January (a short narrative on its towns' own
  industries: 仁化县's 贡柑, 白毛茶, 黄烟 and 生猪, 南雄市's 银杏, 黄烟, 优质稻 and 食用菌, …) and sends it to the city
  around mid-January, two of them after the due date (31 January); the city (``city_st``) accepts each, one of them
  returned first with a comment, revised and sent again. With every county accepted the city writes and sends its own
  report, which the province (``province``) accepts.
* A figure of 2023 that changed after its report was locked: 仁化县's team in 董塘镇 logged a training of 26 December
  2023 that its town's work team queried (no sign-in sheet); the team added it in February 2024 and the town
  confirmed it — after 仁化县's 2023 report was accepted, so its 2024 report shows the correction. (南雄市's member
  change of March 2024 also changes its 2023 people by title and education: the same kind of correction.)
* 董塘镇's team's autumn 2024 activities with phone photos (the photos 仁化县 picks for its 2024 typical case).

End of the load (``annual_reports``): 2024's reports, sent in January 2025 — six counties accepted (仁化县 with its
typical case's photos chosen from its activities' photos), 南雄市's sent and awaiting the city (``city_st``'s to-do),
曲江区's returned with a comment (awaiting the county), 新丰县's still a draft, 武江区's not yet opened; the city's 2024
report a draft with a note on 武江区's missing one, so the city's completeness panel shows every state. A database
whose first cycle was told before reports existed gets its 2022 and 2023 reports here too (without the field steps:
a closed cycle's records are read-only).

The numbers in a narrative are the report's own figures; the yields, incomes and prices in it are invented (示意).
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from portal.demo_clock import moment, on

D = dt.date
CITY_CODE = "4402"
# County code -> the prefix of its S&T bureau's document numbers.
PREFIX = {"440203": "武科", "440204": "浈科", "440205": "曲科", "440222": "始科", "440224": "仁科",
          "440229": "翁科", "440232": "乳科", "440233": "新科", "440281": "乐科", "440282": "南科"}
RENHUA, NANXIONG = "440224", "440282"
DONGTANG = "440224108"  # 董塘镇 (仁化县, county-organized): the late activity and the autumn 2024 photos

# The two years of the first cycle told in its timeline: {year: (late counties {code: day sent},
# (the county returned once, the city's comment, what the county adds, the day it sends it again))}.
FIRST_YEARS = {
    2022: ({"440281": D(2023, 2, 2), "440233": D(2023, 2, 6)},
           ("440205", "“典型案例”只列了活动名称，缺少帮扶前后的对比和成效；“存在问题”过于笼统，请补充后重新报送。",
            "<p>补充：罗坑茶示范茶园春茶单产较帮扶前提高约15%（示意），大塘镇优质稻统一供种面积约2000亩（示意）。</p>",
            D(2023, 1, 30))),
    2023: ({"440229": D(2024, 2, 5), "440203": D(2024, 2, 1)},
           ("440222", "请补充说明驻镇时间落后于进度的团队的整改情况，并核对服务活动的月度分布后重新报送。",
            "<p>补充：驻镇时间落后的团队已由县科技局约谈，均已报送补足计划，第四季度驻镇天数已追上进度。</p>",
            D(2024, 1, 29))),
}
# 2024 (sent in January 2025): what each county's report comes to by the end of the demo.
ACCEPTED_2024 = ("440204", "440222", RENHUA, "440229", "440232", "440281")
SUBMITTED_2024 = NANXIONG
RETURNED_2024 = ("440205", "“下一年度工作计划”未结合第二批团队选派和需求调研安排，请补充完善后重新报送。")
DRAFT_2024 = "440233"
MISSING_2024 = ("440203", "武江区科技局反映2025年1月机构调整，年度报告延期至2月底报送，已督促尽快报送（示意）。")

# What the teams did for each industry (the towns' topics in ``portal.demo_data``), for the narratives.
TOPIC_WORK = {
    "高山蔬菜": "引进耐热高山蔬菜品种，推广避雨栽培和绿色防控",
    "油茶": "开展油茶低产林高接换冠和水肥管理示范",
    "柑橘": "推广沙糖桔黄龙病统防统治和健康种苗",
    "竹产业": "指导毛竹林丰产培育和竹笋初加工",
    "蔬菜": "推广城郊蔬菜土壤改良和设施栽培",
    "沙田柚": "开展沙田柚老果园修剪、配方施肥和保果技术指导",
    "罗坑茶": "推进罗坑茶标准化加工和电商营销",
    "优质稻": "推广优质稻统一供种和机械化种植",
    "林下养殖": "指导林下家禽生态养殖和防疫",
    "中药材": "开展黄精等南药林下种植和种苗繁育示范",
    "枇杷杨梅": "推广枇杷、杨梅提质栽培和采后保鲜",
    "烤烟": "推广密集烤房和烟稻轮作技术",
    "贡柑": "推广贡柑黄龙病统防统治和无病种苗",
    "白毛茶": "指导白毛茶加工提质，试制红茶、白茶",
    "黄烟": "推进黄烟生产机械化和节能烤房改造",
    "生猪": "推广猪场粪污资源化利用和种养结合",
    "兰花": "建设兰花组培快繁示范，培训温室管理",
    "三华李": "开展三华李保花保果和冷链保鲜示范",
    "九仙桃": "推进九仙桃品种改良和病虫害绿色防控",
    "马蹄": "推广马蹄脱毒种苗和高产栽培",
    "瑶山茶": "建设瑶山生态茶园，编制茶旅融合规划",
    "彩色稻": "选育彩色稻品种，策划稻田农旅活动",
    "佛手瓜": "开发佛手瓜加工产品，培训电商营销",
    "鹤鸣茶": "推进云髻山茶叶标准化加工和品牌策划",
    "凉粉草": "推广凉粉草规范种植和烘干加工",
    "香芋": "开展香芋轮作换茬和土壤改良示范",
    "黄金柰李": "开展黄金柰李保花保果和品种改良",
    "高山茶": "指导高山云雾茶茶园管理和加工",
    "银杏": "开发银杏（白果）精深加工产品，规划银杏旅游",
    "食用菌": "推广林下香菇、灵芝栽培和菌种选育",
    "乡村旅游": "编制农文旅融合规划，开展民宿运营培训",
}
# Each county's problems and, per reporting year, its plan for the next year (short; 示意 where invented).
PROBLEMS = {
    "440203": "部分高山蔬菜基地交通不便，团队驻镇往返时间长；油茶加工设备投入不足。",
    "440204": "竹笋加工企业规模小，带动能力有限；城郊蔬菜基地土地流转不稳定。",
    "440205": "罗坑茶品牌分散，统一标准推进较慢；个别团队驻镇时间集中在春秋两季。",
    "440222": "南药种植周期长，短期收益不明显，农户积极性有待提高。",
    "440224": "贡柑黄龙病防控需要连片统防，个别村组配合不够；白毛茶加工以家庭作坊为主，品质不够稳定。",
    "440229": "兰花组培苗成本偏高，散户采用率低；三华李冷链设施不足。",
    "440232": "马蹄脱毒种苗繁育能力不足；瑶山茶园分散，茶旅融合基础设施薄弱。",
    "440233": "佛手瓜加工产品市场尚未打开；凉粉草烘干设备不足。",
    "440281": "北乡马蹄初加工仍以手工为主；高山茶茶园道路等基础条件差。",
    "440282": "黄烟烘烤环节能耗仍偏高；银杏精深加工企业少，产业链短。",
}
NEXT_PLAN = {
    2022: "2023年：督促各团队按进度完成驻镇天数，办好每个镇的示范基地，每季度召开一次镇、团队对接会，做好中期检查。",
    2023: "2024年是首批帮扶的最后一年：各团队完成三年驻镇任务和帮扶项目验收，总结可推广的技术和模式，做好第二批需求调研。",
    2024: "2025年：做好第二批需求调研和团队选派，把首批示范基地交由镇和合作社接续管理，建立帮扶成效跟踪回访机制。",
}
CITY_NEXT_PLAN = {
    2022: "2023年：开展首批帮扶中期检查，推动各县（市、区）落实驻镇时间通报制度，组织团队经验交流。",
    2023: "2024年：完成首批帮扶期满考核和成效评估，谋划第二批团队选派，完善平台的驻镇、活动和项目统计。",
    2024: "2025年：组织第二批需求调研和团队选派（市级重点帮扶镇由市统一征集），推动首批成果转化和示范基地接续运营。",
}


# ------------------------------------------------------------------------------------------------ actors and texts

class Actors:
    """The S&T offices that write, send and receive the reports."""

    def __init__(self):
        from accounts.models import User
        from core.roles import Role
        from regions.models import City, County

        self.city = City.objects.get(code=CITY_CODE)
        self.counties = {c.code: c for c in County.objects.filter(city=self.city).order_by("code")}
        self.city_st = User.objects.get(username="city_st")
        self.province = User.objects.get(username="province")
        by_county = {u.county_id: u for u in User.objects.filter(role=Role.COUNTY_ST, is_active=True,
                                                                 county__city=self.city).order_by("pk")}
        self.county_st = {code: by_county[county.pk] for code, county in self.counties.items()
                          if county.pk in by_county}


def _topic(town) -> str:
    """The town's industry as the demo's needs name it (``portal.demo_story.Story.needs_for``)."""
    from portal import demo_data as data

    own = data.TOWN_NEEDS.get(town.code)
    if own:
        return own[0][0]
    palette = data.COUNTY_INDUSTRIES.get(town.county.code) or [("特色产业",)]
    return palette[int(town.code[-2:]) % len(palette)][0]


def _towns_by_topic(year: int, county) -> dict:
    """{topic: [town names]} of the county's towns it organized with a team at work in ``year``."""
    from reports import figures as F

    out: dict = {}
    rows = (F.SOURCES["covered"].queryset(F.county_scope(year, county)).select_related("county")
            .order_by("code"))
    for town in rows:
        out.setdefault(_topic(town), []).append(town.name)
    return out


def _numbers(scope) -> dict:
    from reports import figures as F

    keys = ["activities.total", "activities.trainings", "activities.people_trained", "activities.households",
            "activities.demo_area", "towns.covered", "teams.total", "people.total"]
    values = F.compute(scope, keys=keys)
    values["activities.demo_area"] = Decimal(str(values["activities.demo_area"]))
    return values


def _county_narrative(year: int, county) -> dict:
    """The four narratives of a county's report of ``year``: its towns' industries and the year's own figures."""
    from reports import figures as F

    n = _numbers(F.county_scope(year, county))
    by_topic = _towns_by_topic(year, county)
    if not by_topic:
        achievements = ("<p>%d年本县（市、区）组织的镇没有在岗的农村科技特派员团队，未开展驻镇帮扶，"
                        "本报告统计数据为零。</p>" % year)
        return {"achievements": achievements, "typical_cases": "", "problems": "<p>%s</p>" % PROBLEMS.get(
            county.code, "暂无。"), "next_plan": "<p>%s</p>" % NEXT_PLAN.get(year, "")}
    industries = "、".join(list(by_topic)[:4])
    work = "".join("<li>%s：%s。</li>" % ("、".join(towns[:3]) + ("等" if len(towns) > 3 else ""),
                                         TOPIC_WORK.get(topic, "开展%s技术指导和培训" % topic))
                   for topic, towns in by_topic.items())
    achievements = (
        "<p>%(y)d年，%(c)s%(teams)d个农村科技特派员团队、%(people)d名特派员在%(towns)d个镇驻镇帮扶，围绕%(ind)s等"
        "产业开展服务活动%(acts)d次，其中培训%(tr)d场、%(pt)d人次，服务农户%(hh)d户次，示范面积%(area)s亩。</p>"
        "<ul>%(work)s</ul>" % {
            "y": year, "c": county.name, "teams": n["teams.total"], "people": n["people.total"],
            "towns": n["towns.covered"], "ind": industries, "acts": n["activities.total"],
            "tr": n["activities.trainings"], "pt": n["activities.people_trained"], "hh": n["activities.households"],
            "area": n["activities.demo_area"].quantize(Decimal("0.1")), "work": work})
    topic, towns = next(iter(by_topic.items()))
    typical = ("<h4>%(town)s：%(topic)s</h4><p>团队驻镇后%(work)s，建成示范点并组织现场观摩，示范户亩均增收约"
               "%(gain)d元（示意），周边农户跟进采用。</p>" % {
                   "town": towns[0], "topic": topic, "work": TOPIC_WORK.get(topic, "开展%s技术指导" % topic),
                   "gain": 300 + (int(county.code[-2:]) * 37 + year) % 500})
    return {"achievements": achievements, "typical_cases": typical,
            "problems": "<p>%s</p>" % PROBLEMS.get(county.code, "暂无。"),
            "next_plan": "<p>%s</p>" % NEXT_PLAN.get(year, "")}


def _city_narrative(year: int, city) -> dict:
    from reports import figures as F

    n = _numbers(F.city_scope(year, city))
    return {
        "achievements": (
            "<p>%(y)d年，全市%(teams)d个农村科技特派员团队、%(people)d名特派员在%(towns)d个镇驻镇帮扶（市级组织19个"
            "重点帮扶镇，省级组织3个，其余由各县（市、区）组织），开展服务活动%(acts)d次，培训%(pt)d人次，服务农户"
            "%(hh)d户次，示范面积%(area)s亩。</p><p>各县（市、区）围绕柑橘（贡柑、沙糖桔）、茶叶（白毛茶、罗坑茶、"
            "高山茶）、黄烟、马蹄、银杏、兰花、优质稻等特色产业开展技术指导、示范推广和农民培训，驻镇时间和服务"
            "活动按季度通报。</p>" % {
                "y": year, "teams": n["teams.total"], "people": n["people.total"], "towns": n["towns.covered"],
                "acts": n["activities.total"], "pt": n["activities.people_trained"],
                "hh": n["activities.households"], "area": n["activities.demo_area"].quantize(Decimal("0.1"))}),
        "typical_cases": ("<p>仁化县黄坑镇贡柑黄龙病绿色防控、南雄市银杏（白果）精深加工、乐昌市北乡马蹄脱毒种苗推广"
                          "三个案例详见各县（市、区）报告。</p>"),
        "problems": "<p>部分团队驻镇时间集中、服务连续性不足；县级配套资金到位较慢；示范成果的推广机制有待完善。</p>",
        "next_plan": "<p>%s</p>" % CITY_NEXT_PLAN.get(year, ""),
    }


# ------------------------------------------------------------------------------------------------ the steps

def _number(code: str, year: int, serial: int) -> str:
    return "%s〔%d〕%d号" % (PREFIX.get(code, "科"), year + 1, serial)


def _report(year: int, county=None):
    from reports.models import AnnualReport

    if county is None:
        return AnnualReport.objects.get(year=year, level="city", city__code=CITY_CODE)
    return AnnualReport.objects.get(year=year, level="county", county=county)


def _write_county(actors, code: str, year: int, *, narrative: bool = True):
    from reports import services as reports

    county = actors.counties[code]
    actor = actors.county_st[code]
    report = reports.report_create(actor=actor, year=year, level="county", county=county)
    values = _county_narrative(year, county) if narrative else {
        "achievements": "<p>%d年工作总结正在汇总各镇材料（草稿）。</p>" % year}
    return reports.report_update(actor=actor, report=report, doc_number=_number(code, year, 3 + int(code[-1])),
                                 **values)


def _revise(actors, code: str, year: int, addition: str, field: str = "typical_cases"):
    from reports import services as reports

    report = _report(year, actors.counties[code])
    return reports.report_update(actor=actors.county_st[code], report=report,
                                 **{field: (getattr(report, field) or "") + addition})


def _send(actors, code: str, year: int):
    from reports import services as reports

    return reports.report_submit(actor=actors.county_st[code], report=_report(year, actors.counties[code]))


def _receive(actors, code: str | None, year: int, action: str, comment: str = ""):
    from reports import services as reports

    county = actors.counties[code] if code else None
    actor = actors.city_st if code else actors.province
    return reports.report_transition(actor=actor, report=_report(year, county), action=action, comment=comment)


def _write_city(actors, year: int):
    from reports import services as reports

    report = reports.report_create(actor=actors.city_st, year=year, level="city")
    return reports.report_update(actor=actors.city_st, report=report, doc_number="韶科〔%d〕%d号" % (year + 1, 12),
                                 **_city_narrative(year, actors.city))


def _send_city(actors, year: int):
    from reports import services as reports

    return reports.report_submit(actor=actors.city_st, report=_report(year))


def year_steps(actors, year: int) -> list:
    """The dated steps [(moment, callable)] of a first-cycle year's reports: every county writes, sends (two late) and
    is accepted (one returned first); then the city's report, sent to and accepted by the province."""
    late, (returned, comment, addition, again) = FIRST_YEARS[year]
    steps: list = []

    def at_(day, hour, step):
        steps.append((moment(day, hour), step))

    last = D(year + 1, 2, 1)
    for index, code in enumerate(actors.county_st):
        at_(D(year + 1, 1, 4 + index % 5), 15, lambda code=code: _write_county(actors, code, year))
        sent = late.get(code) or D(year + 1, 1, 17 + index % 4)
        at_(sent, 10 + index % 6, lambda code=code: _send(actors, code, year))
        if code == returned:
            at_(sent + dt.timedelta(days=2), 16,
                lambda code=code: _receive(actors, code, year, "return", comment))
            at_(again - dt.timedelta(days=1), 17, lambda code=code: _revise(actors, code, year, addition))
            at_(again, 9, lambda code=code: _send(actors, code, year))
            accepted = again + dt.timedelta(days=2)
        else:
            accepted = sent + dt.timedelta(days=2 + index % 3)
        at_(accepted, 15, lambda code=code: _receive(actors, code, year, "accept"))
        last = max(last, accepted)
    at_(last + dt.timedelta(days=5), 10, lambda: _write_city(actors, year))
    sent = D(year + 1, 2, 24 if year == 2022 else 27)
    sent = max(sent, last + dt.timedelta(days=8))
    at_(sent, 10, lambda: _send_city(actors, year))
    at_(sent + dt.timedelta(days=7), 10, lambda: _receive(actors, None, year, "accept"))
    return steps


def first_cycle_steps(story, cycle) -> list:
    """The first cycle's dated steps: 2022's and 2023's reports, 董塘镇's late 2023 training (confirmed after 仁化县's
    2023 report was accepted) and its autumn 2024 activities with photos. ``portal.demo_fieldwork`` takes them in date
    order among the others, while the cycle is open."""
    actors = Actors()
    steps = [step for year in FIRST_YEARS for step in year_steps(actors, year)]
    steps += _dongtang_steps(story, cycle)
    return sorted(steps, key=lambda step: step[0])


def _dongtang_pairing(cycle):
    from matching.models import Pairing

    working = Pairing.objects.filter(cycle=cycle, status__in=("registered", "active")).select_related(
        "town__county", "team", "cycle")
    return (working.filter(town__code=DONGTANG).first()
            or working.filter(town__county__code=RENHUA, organizer_level="county").order_by("town__code").first())


def _dongtang_steps(story, cycle) -> list:
    """董塘镇's team (仁化县, county-organized): a training of 2023-12-26 logged two days later, queried by the town for
    its sign-in sheet, completed with a photo in February 2024 and confirmed; two activities with photos in autumn
    2024, confirmed."""
    from fieldwork import services as field
    from portal.demo_fieldwork import _context, _process, _values, photo

    steps: list = []
    state: dict = {}

    def at_(day, hour, step):
        steps.append((moment(day, hour), step))

    def context():
        if "pairing" not in state:
            pairing = _dongtang_pairing(cycle)
            if pairing is None:
                return None
            state["pairing"] = pairing
            state["context"] = _context(story, pairing)
        return state["pairing"], state["context"]

    def log(key, day, index, extra, shots):
        found = context()
        if found is None:
            return
        pairing, (leader, _town_user, people, topic, category) = found
        values = _values(pairing, topic, category, day, index, **{k: (v % {"topic": topic} if isinstance(v, str) else v)
                                                                  for k, v in extra.items()})
        uploads = [photo(pairing.town, day, 60 + index * 10 + k) for k in range(shots)]
        state[key] = field.activity_save(actor=leader, values=values, participants=[p for p, _r in people[:2]],
                                         photos=uploads)
        if uploads:
            _process(state[key])

    def town_act(key, action, comment=""):
        found = context()
        if found is None or key not in state:
            return
        _pairing, (_leader, town_user, _people, _topic, _category) = found
        field.record_act(actor=town_user, record=state[key], action=action, comment=comment)

    def complete(key):
        found = context()
        if found is None or key not in state:
            return
        pairing, (leader, _town_user, _people, _topic, _category) = found
        activity = state[key]
        state[key] = field.activity_save(
            actor=leader, activity=activity, photos=[photo(pairing.town, activity.date, 99)],
            values={"description": activity.description + "（已补充培训签到表和现场照片，参训38人。）"})
        _process(state[key])

    late = {"service_type": "training", "title": "%(topic)s冬季清园与病虫害统防统治培训",
            "description": "在村委会讲解%(topic)s冬季清园、病虫害统防统治和病株清除要点，现场示范喷药和修剪。",
            "technologies": "冬季清园、统防统治", "people_trained": 38, "households_served": 26,
            "enterprises_served": 0, "demo_area_mu": Decimal("0")}
    at_(D(2023, 12, 28), 19, lambda: log("late", D(2023, 12, 26), 1, late, 0))
    at_(D(2024, 1, 3), 10, lambda: town_act("late", "query", "请补充培训签到表和现场照片，核实参训人数后重新提交。"))
    at_(D(2024, 2, 20), 20, lambda: complete("late"))
    at_(D(2024, 2, 22), 16, lambda: town_act("late", "confirm"))

    autumn = [
        (D(2024, 9, 19), 2, {"service_type": "guidance", "title": "%(topic)s秋梢期病虫害统防统治现场指导",
                             "description": "在示范园查看秋梢抽发和虫口密度，指导果农统一用药时间和药剂轮换。",
                             "technologies": "统防统治、秋梢管理", "households_served": 22, "people_trained": 0,
                             "enterprises_served": 0, "demo_area_mu": Decimal("0")}, 2),
        (D(2024, 10, 24), 3, {"service_type": "transfer", "title": "%(topic)s无病种苗示范园观摩会",
                              "description": "组织种植户观摩无病种苗示范园，讲解种苗选择、定植和幼树管理。",
                              "technologies": "无病种苗、配方施肥", "demo_area_mu": Decimal("30"),
                              "enterprises_served": 2, "people_trained": 0, "households_served": 35}, 2),
    ]
    for number, (day, index, extra, shots) in enumerate(autumn):
        key = "autumn%d" % number
        at_(day, 18, lambda key=key, day=day, index=index, extra=extra, shots=shots: log(key, day, index, extra, shots))
        at_(day + dt.timedelta(days=3), 16, lambda key=key: town_act(key, "confirm"))
    return steps


# ------------------------------------------------------------------------------------------------ 2024 and the load

def _steps_2024(actors) -> list:
    """2024's reports (January–February 2025), left at every state of the completeness panel."""
    from reports import selectors
    from reports import services as reports

    steps: list = []

    def at_(day, hour, step):
        steps.append((moment(day, hour), step))

    def photos_for_renhua():
        report = _report(2024, actors.counties[RENHUA])
        chosen = list(selectors.photos_for(report).values_list("pk", flat=True)[:3])
        if chosen:
            reports.report_update(actor=actors.county_st[RENHUA], report=report, photos=chosen,
                                  typical_cases=report.typical_cases + "<p>（配图：董塘镇团队秋季现场指导和种苗示范园观摩。）</p>")

    returned, comment = RETURNED_2024
    for index, code in enumerate(actors.county_st):
        if code == MISSING_2024[0]:
            continue
        if code == DRAFT_2024:
            at_(D(2025, 1, 8), 16, lambda code=code: _write_county(actors, code, 2024, narrative=False))
            continue
        at_(D(2025, 1, 6 + index % 4), 15, lambda code=code: _write_county(actors, code, 2024))
        if code == RENHUA:
            at_(D(2025, 1, 13), 11, photos_for_renhua)
        sent = D(2025, 1, 20) if code == SUBMITTED_2024 else D(2025, 1, 14 + index % 4)
        at_(sent, 10 + index % 6, lambda code=code: _send(actors, code, 2024))
        if code == returned:
            at_(sent + dt.timedelta(days=6), 16, lambda code=code: _receive(actors, code, 2024, "return", comment))
        elif code in ACCEPTED_2024:
            at_(sent + dt.timedelta(days=3 + index % 3), 15, lambda code=code: _receive(actors, code, 2024, "accept"))

    def city_draft():
        report = _write_city(actors, 2024)
        missing, note = MISSING_2024
        if missing in actors.counties:
            reports.missing_note(actor=actors.city_st, report=report, county=actors.counties[missing], note=note)

    at_(D(2025, 2, 10), 10, city_draft)
    return steps


def _take(steps) -> None:
    for when, step in sorted(steps, key=lambda step: step[0]):
        with on(when):
            step()


def annual_reports() -> None:
    """The reports at the end of the load: 2024's (and 2022's and 2023's if the first cycle's timeline did not tell
    them: a database from before the reports). Told once: skipped when the year's reports exist."""
    from reports.models import AnnualReport

    actors = Actors()
    if not actors.county_st:
        return
    told = set(AnnualReport.objects.filter(city=actors.city).values_list("year", flat=True))
    steps = [step for year in FIRST_YEARS if year not in told for step in year_steps(actors, year)]
    if 2024 not in told:
        steps += _steps_2024(actors)
    _take(steps)
