"""The demo's field work (驻镇服务 · 驻镇时间 · 跨镇帮扶): three years of it in the first cycle, the current cycle's first
weeks around today.

First cycle (``first_cycle_fieldwork``, while its pairings are active): every pairing's history bulk inserted by the
scale generator's ``portal.scale.FieldHistory`` (as ``fieldwork.services`` would have left it: every record with its
transitions — logged by the team's leader, confirmed by the work team of the town where it happened, a few queried and
corrected first — and its history row; the texts of ``portal.demo_data.FIELD_*`` for the pairing's industry): about
10 activities a year of the six service types, ~36 stays of the three people (the team's days near or above the 365
the cycle asks; a few teams short of it, two behind in the first year), a few cross-town activities and stays in
another town of the county, the work team's tasks (reported and accepted; one reopened now and then, one cancelled),
a third of the towns' working conditions and a sixth of the teams' requests (answered and closed). Then 黄坑镇's team
(the demo's ``huangkeng``) tells its autumn 2024 through the services: activities with phone photos (resized and read
in the background task, run at once here), one queried for a photo taken before the day and corrected, a task, a
request. The compliance monitor runs every quarter as on that day (the short and slow teams flagged behind the pace,
a flag closing when its team caught up) and once more when the pairings ended (closing the rest).

Current cycle (``current_cycle_fieldwork``, around today, all through the services): the province's three teams at
work (大布镇 and 坪石镇 for ten weeks, 隘子镇 for three): the towns' working conditions, stays of each member (confirmed;
the latest awaiting the town; one cross-town in 黄圃镇), activities with photos (confirmed; one awaiting confirmation,
one queried; a cross-town one in 游溪镇), tasks (one done, one open, 坪石镇's first one overdue), requests (one open,
one answered), 坪石镇's work team's non-cooperation report, then the monitor (坪石镇: tasks overdue).

Everything is invented (示意); the photos are drawn (a field under a sky) with the EXIF a phone writes.
"""
from __future__ import annotations

import datetime as dt
import io
import random
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from portal import demo_data as data
from portal.demo_clock import moment, on

D = dt.date
FIRST_CYCLE_LAST_DAY = D(2024, 11, 25)  # the last day of field work before the pairings end (2024-11-30)
# Approximate centre of each county (latitude, longitude): the photos' GPS position.
COUNTY_GPS = {"440203": (24.80, 113.58), "440204": (24.85, 113.65), "440205": (24.68, 113.60),
              "440222": (24.95, 114.07), "440224": (25.09, 113.75), "440229": (24.35, 114.13),
              "440232": (24.78, 113.28), "440233": (24.06, 114.21), "440281": (25.13, 113.35),
              "440282": (25.12, 114.31)}


# ------------------------------------------------------------------------------------------------ photos

def photo_bytes(seed: int, *, taken: dt.datetime | None = None, gps: tuple | None = None) -> bytes:
    """A small JPEG like a phone's (a field under a sky, rows of plants), with the EXIF time taken (DateTimeOriginal)
    and GPS position when given."""
    from PIL import Image, ImageDraw

    rng = random.Random(seed)
    width, height = 960, 720
    image = Image.new("RGB", (width, height), (150, 190, 230))
    draw = ImageDraw.Draw(image)
    horizon = rng.randint(220, 320)
    for y in range(horizon):  # the sky, lighter toward the horizon
        shade = 150 + y * 80 // horizon
        draw.line([(0, y), (width, y)], fill=(shade - 20, shade + 10, 235))
    draw.polygon([(0, horizon), (width // 3, horizon - rng.randint(40, 90)), (2 * width // 3, horizon - 20),
                  (width, horizon - rng.randint(30, 80)), (width, horizon)], fill=(70, 110, 80))
    green = (rng.randint(60, 100), rng.randint(130, 170), rng.randint(50, 80))
    draw.rectangle([0, horizon, width, height], fill=green)
    for row in range(8):  # rows of plants toward the viewer
        y = horizon + 20 + row * (height - horizon) // 8
        size = 6 + row * 4
        for x in range(rng.randint(0, 30), width, 20 + row * 12):
            draw.ellipse([x, y - size, x + size * 2, y + size], fill=(green[0] - 30, green[1] + 20, green[2]))
    for _ in range(rng.randint(1, 3)):  # people
        x, y = rng.randint(100, width - 100), rng.randint(horizon + 80, height - 160)
        draw.rectangle([x, y, x + 26, y + 70], fill=rng.choice([(40, 60, 140), (180, 60, 50), (230, 230, 230)]))
        draw.ellipse([x + 3, y - 22, x + 23, y - 2], fill=(220, 180, 140))
    out = io.BytesIO()
    exif = Image.Exif()
    if taken is not None:
        exif.get_ifd(0x8769)[36867] = taken.strftime("%Y:%m:%d %H:%M:%S")
    if gps is not None:
        lat, lon = gps
        gps_ifd = exif.get_ifd(0x8825)
        gps_ifd[1], gps_ifd[3] = "N", "E"
        gps_ifd[2] = (float(int(lat)), float(int((lat % 1) * 60)), round((lat * 3600) % 60, 2))
        gps_ifd[4] = (float(int(lon)), float(int((lon % 1) * 60)), round((lon * 3600) % 60, 2))
    image.save(out, "JPEG", quality=80, exif=exif)
    return out.getvalue()


def photo(town, day: dt.date, number: int, *, early_days: int = 0, exif: bool = True) -> SimpleUploadedFile:
    """A phone photo of an activity in ``town`` on ``day`` (``early_days`` before it: an old photo)."""
    lat, lon = COUNTY_GPS.get(town.county.code, (24.8, 113.6))
    seed = int(town.code) * 100 + number
    rng = random.Random(seed)
    taken = moment(day - dt.timedelta(days=early_days), rng.randint(9, 16), rng.randint(0, 59))
    body = photo_bytes(seed, taken=taken if exif else None,
                       gps=(lat + rng.uniform(-0.05, 0.05), lon + rng.uniform(-0.05, 0.05)) if exif else None)
    return SimpleUploadedFile("IMG_%s_%02d.jpg" % (taken.strftime("%Y%m%d"), number), body, content_type="image/jpeg")


def _process(activity) -> None:
    """Run the photo task now (``make run``'s worker would; the demo shows processed photos without it)."""
    from fieldwork.tasks import process_photos

    process_photos.call(activity_id=activity.pk)


# ------------------------------------------------------------------------------------------------ helpers

def _context(story, pairing):
    """(leader account, town account, people [(commissioner, role)], topic, category) of a pairing."""
    from portal.demo_story import _leader_account, _staff, town_account

    people = _staff(pairing.team)
    roles = ["leader"] + ["member"] * (len(people) - 1)
    topic, _title, _description, category, _services = story.needs_for(pairing.town, 1)[0]
    return (_leader_account(pairing.team), town_account(story, pairing.town), list(zip(people, roles)), topic,
            category)


def _values(pairing, topic: str, category: str, day: dt.date, index: int, **extra) -> dict:
    """Activity values from the industry's texts (the ``index``-th fitting entry; every fourth a common one)."""
    pool = data.FIELD_COMMON if index % 4 == 3 else data.FIELD_ACTIVITIES.get(category, data.FIELD_ACTIVITIES["其他"])
    fitting = [row for row in pool if row[4] is None or day.month in row[4]] or pool
    service, title, description, technologies, _months = fitting[index % len(fitting)]
    village = data.FIELD_VILLAGES[(int(pairing.town.code) + index) % len(data.FIELD_VILLAGES)]
    fmt = {"topic": topic, "town": pairing.town.name, "village": village}
    values = {"date": day, "service_type": service, "title": (title % fmt)[:100], "description": description % fmt,
              "technologies": technologies % fmt, "village_name": village, "people_trained": 0,
              "households_served": 0, "enterprises_served": 0, "demo_area_mu": Decimal("0")}
    if service == "training":
        values.update(people_trained=30 + index * 7 % 40, households_served=15 + index * 3 % 20)
    elif service == "transfer":
        values.update(demo_area_mu=Decimal(10 + index * 11 % 50), enterprises_served=1 + index % 2)
    elif service in ("guidance", "policy"):
        values.update(households_served=8 + index * 5 % 30)
    else:
        values.update(enterprises_served=1 + index % 3)
    values.update(extra)
    return values


def _neighbour(pairing, towns_with_pairings):
    """Another town of the pairing's county that had a team in the cycle (it has a work team's account)."""
    others = [t for t in towns_with_pairings if t.county_id == pairing.town.county_id and t.pk != pairing.town_id]
    return others[int(pairing.town.code) % len(others)] if others else None


# ------------------------------------------------------------------------------------------------ the first cycle

def first_cycle_fieldwork(story, cycle, *, cut=None, steps=()) -> None:
    """Three years of every active pairing's field work (bulk), 黄坑镇's autumn 2024 through the services and the
    quarterly monitor runs. Called while the cycle's pairings are active (before they end). ``cut``: {pairing pk:
    its team's last day of field work} (a team that stopped coming); ``steps``: [(moment, callable)] taken in date
    order between the monitor runs (``portal.demo_oversight``)."""
    from core.roles import Role
    from accounts.models import User
    from fieldwork import monitor
    from matching.models import Pairing
    from portal.demo_story import town_account
    from portal.scale import FieldDensity, FieldHistory, Writer, historical_timestamps
    from projects.models import Project
    from projects.selectors import registered_on

    pairings = list(Pairing.objects.filter(cycle=cycle, status__in=("registered", "active"))
                    .select_related("town__county", "team", "cycle").order_by("town__code"))
    towns = [p.town for p in pairings]
    rural = {u.county_id: u for u in User.objects.filter(role=Role.COUNTY_RURAL, is_active=True)}
    city_rural = User.objects.filter(role=Role.CITY_RURAL, is_active=True).first()
    writer = Writer()
    field = FieldHistory(writer, random.Random(20211201), cycle, horizon=FIRST_CYCLE_LAST_DAY, closed=True,
                         density=FieldDensity(activities_per_year=(8, 12), stays=(34, 38), flags=False))
    showcase = None
    for number, pairing in enumerate(pairings):
        leader, town_user, people, topic, category = _context(story, pairing)
        if pairing.town.code == "440224111":  # 黄坑镇: its autumn is told through the services below
            showcase = pairing
        neighbour = _neighbour(pairing, towns) if number % 3 == 1 else None
        projects = list(Project.objects.filter(pairing=pairing, status__in=("accepted", "approved"))
                        .order_by("start_date", "pk"))
        answerer = (town_user if number % 3 else rural.get(pairing.town.county_id)) or city_rural or town_user
        profile = "short" if number % 16 == 5 else "slow" if number % 37 == 9 else "normal"
        field.add(pairing, people=people, leader=leader, town_user=town_user, topic=topic, category=category,
                  start=registered_on(pairing) + dt.timedelta(days=6),
                  end=(cut or {}).get(pairing.pk, FIRST_CYCLE_LAST_DAY), projects=projects,
                  neighbour=(neighbour, town_account(story, neighbour)) if neighbour else None, profile=profile,
                  answerer=answerer, conditions=number % 3 == 0 and pairing != showcase,
                  requests=number % 6 == 1 and pairing != showcase)
    with historical_timestamps():
        field.flush()
        writer.flush_transitions()
    if showcase is not None:
        _huangkeng_autumn(story, showcase)
    pending = sorted(steps, key=lambda step: step[0])
    day = D(2022, 4, 1)
    while day < FIRST_CYCLE_LAST_DAY:  # the compliance monitor, every quarter as on that day
        while pending and pending[0][0] < moment(day, 2):
            when, step = pending.pop(0)
            with on(when):
                step()
        with on(day, 2):
            monitor.run(today=day, cycles=[cycle])
        day = D(day.year + (day.month + 2) // 12, (day.month + 2) % 12 + 1, 1)
    for when, step in pending:
        with on(when):
            step()


def first_cycle_fieldwork_end(cycle) -> None:
    """The monitor's run once the pairings ended (2024-11-30): their open flags close."""
    from fieldwork import monitor

    with on(moment(D(2024, 11, 30), 17, 30)):
        monitor.run(today=D(2024, 11, 30), cycles=[cycle])


def _huangkeng_autumn(story, pairing) -> None:
    """黄坑镇's team in autumn 2024, through the services: the town records its working conditions; activities with
    photos confirmed by ``huangkeng`` (one queried for a photo taken ten days before the day, corrected and
    confirmed; one photo without EXIF); a task assigned, reported with an activity and accepted; a request about
    lodging answered and closed."""
    from fieldwork import services as field
    from projects.models import Project

    leader, town_user, people, topic, category = _context(story, pairing)
    town, staff = pairing.town, [person for person, _role in people]
    project = Project.objects.filter(pairing=pairing, status__in=("accepted", "approved")).order_by("pk").first()
    with on(D(2022, 1, 20), 15):
        field.conditions_save(actor=town_user, values={
            "office": "provided", "office_note": "镇政府办公楼三楼办公室1间", "lodging": "provided",
            "lodging_note": "镇政府周转房2间", "transport": "partial", "transport_note": "镇农业办协调下村用车",
            "meals": "provided", "meals_note": "镇政府食堂就餐", "note": "镇里每季度召开一次团队工作对接会。"})
    with on(D(2024, 9, 2), 9):
        task = field.task_save(actor=town_user, values={
            "title": "为全镇种植户举办一期%s秋冬管理培训班" % topic, "due_date": D(2024, 9, 30),
            "description": "培训不少于50人，提供签到表、培训照片和课件。"})
    steps = [  # (day, index into the texts, photos [(early days, exif)], extra values)
        (D(2024, 9, 10), 1, [(0, True), (0, True)], {}),
        (D(2024, 9, 24), 2, [(0, True)], {"task": task, "title": "%s秋冬管理技术培训班" % topic,
                                          "service_type": "training", "people_trained": 56, "households_served": 41}),
        (D(2024, 10, 15), 7, [(10, True), (0, False)], {}),
        (D(2024, 11, 6), 4, [(0, True), (0, True)], {}),
    ]
    for number, (day, index, shots, extra) in enumerate(steps):
        uploads = [photo(town, day, number * 10 + k, early_days=early, exif=exif)
                   for k, (early, exif) in enumerate(shots)]
        values = _values(pairing, topic, category, day, index, town=town, project=project, **extra)
        with on(day, 19):
            activity = field.activity_save(actor=leader, values=values, participants=staff[:2 + number % 2],
                                           photos=uploads)
        _process(activity)
        if any(early for early, _exif in shots):  # the work team asks about the old photo; the team explains
            with on(day + dt.timedelta(days=1), 10):
                field.record_act(actor=town_user, record=activity, action="query",
                                 comment="第一张照片拍摄时间早于活动日期10天，请说明或更换现场照片。")
            with on(day + dt.timedelta(days=2), 20):
                field.activity_save(actor=leader, activity=activity, values={
                    "description": values["description"] + "（第一张照片为活动前踏勘时拍摄的示范基地，现场照片见第二张。）"})
        if extra.get("task") is not None:
            with on(day + dt.timedelta(days=1), 18):
                field.task_act(actor=leader, task=task, action="report",
                               comment="培训班已举办，56人参加，签到表、照片和课件已随服务活动上传。")
        with on(day + dt.timedelta(days=3), 16):
            field.record_act(actor=town_user, record=activity, action="confirm")
        if extra.get("task") is not None:
            with on(day + dt.timedelta(days=3), 17):
                field.task_act(actor=town_user, task=task, action="accept")
    with on(D(2024, 10, 28), 17):
        request = field.request_save(actor=leader, values={
            "category": "lodging", "title": "宿舍热水器损坏，冬季洗浴困难",
            "description": "驻镇宿舍热水器损坏已两周，天气转冷，成员洗浴困难，请协助维修。"})
    with on(D(2024, 10, 31), 10):
        field.request_act(actor=town_user, request=request, action="answer", comment="已联系镇后勤维修，热水器已更换。")
    with on(D(2024, 11, 2), 9):
        field.request_act(actor=leader, request=request, action="close")


# ------------------------------------------------------------------------------------------------ the current cycle

def current_cycle_fieldwork(story, cycle, *, today: dt.date) -> None:
    """The current cycle's working pairings (the province's teams) at work, through the services, then the monitor."""
    from fieldwork import monitor
    from matching.models import Pairing
    from projects.selectors import registered_on
    from regions.models import Town

    pairings = list(Pairing.objects.filter(cycle=cycle, status__in=("registered", "active"))
                    .select_related("town__county", "team", "cycle").order_by("town__code"))
    cross = {"440281108": "440281110", "440232108": "440232112"}  # 坪石镇 → 黄圃镇, 大布镇 → 游溪镇
    for pairing in pairings:
        registered = registered_on(pairing) or today
        elsewhere = Town.objects.filter(code=cross.get(pairing.town.code)).select_related("county").first()
        _at_work(story, pairing, registered=registered, today=today, elsewhere=elsewhere,
                 lagging=pairing.town.code == "440281108")
    monitor.run(today=today, cycles=[cycle])


def _at_work(story, pairing, *, registered: dt.date, today: dt.date, elsewhere=None, lagging=False) -> None:
    """One team's weeks in its town since ``registered``: the town's conditions, stays, activities, tasks, requests
    (``elsewhere``: a town of the county where one stay or activity was; ``lagging``: its first task left overdue
    and its work team reports it does not cooperate)."""
    from fieldwork import services as field
    from portal.demo_story import town_account
    from projects.models import Project

    leader, town_user, people, topic, category = _context(story, pairing)
    town, staff = pairing.town, [person for person, _role in people]
    project = Project.objects.filter(pairing=pairing).exclude(status="draft").order_by("pk").first()
    other_user = town_account(story, elsewhere) if elsewhere is not None else None
    weeks = (today - registered).days // 7
    ago = lambda days: today - dt.timedelta(days=days)  # noqa: E731
    after = lambda days: registered + dt.timedelta(days=days)  # noqa: E731

    with on(after(4), 15):
        field.conditions_save(actor=town_user, values={
            "office": "provided", "office_note": "镇政府办公楼办公室1间", "lodging": "provided",
            "lodging_note": "镇政府周转房%d间" % (1 + len(staff) // 2), "transport": "partial" if lagging else "none",
            "transport_note": "镇农业办协调用车" if lagging else "无公务用车，下村靠自驾",
            "meals": "provided", "meals_note": "镇政府食堂就餐"})

    # Tasks: the first (given in the second week) done or, for a lagging team, overdue; a second one open.
    first_task = None
    if weeks >= 6:
        with on(after(9), 10):
            first_task = field.task_save(actor=town_user, values={
                "title": "协助编制%s%s产业发展规划" % (town.name, topic), "due_date": after(40),
                "description": "结合镇产业基础，提出%s产业三年发展思路和重点项目，形成书面材料报镇农业办。" % topic})
    with on(ago(5) if weeks >= 2 else after(3), 10):
        field.task_save(actor=town_user, values={
            "title": "为全镇种植户举办一期%s技术培训班" % topic, "due_date": today + dt.timedelta(days=25),
            "description": "培训不少于50人，提供签到表、培训照片和课件。"})

    # Stays: each person in turn, about a week at a time; confirmed by the town (the latest still awaiting it).
    stays, day = [], after(2)
    while day + dt.timedelta(days=4) <= ago(2):
        for offset, person in enumerate(staff):
            begin = day + dt.timedelta(days=offset * 2)
            end = min(begin + dt.timedelta(days=4 + (offset + len(stays)) % 3), ago(2))
            if end >= begin:
                stays.append((person, begin, end))
        day += dt.timedelta(days=11)
    away = next((i for i in range(len(stays) // 2, len(stays)) if stays[i][0] != staff[0]), None)
    for number, (person, begin, end) in enumerate(stays):
        abroad = other_user is not None and number == away  # a member's stay in the other town (跨镇帮扶)
        where = elsewhere if abroad else town
        with on(end, 20):
            stay = field.stay_save(actor=leader, values={
                "commissioner": person, "town": where, "start_date": begin, "end_date": end,
                "place": "%s驻镇工作队宿舍" % where.name if not abroad else "%s村委会" % where.name,
                "purpose": (data.FIELD_CROSS_PURPOSES[0] if abroad else
                            data.FIELD_PURPOSES[number % len(data.FIELD_PURPOSES)]) % {"topic": topic}})
        if number == len(stays) - 1:
            continue  # the latest: awaiting the town
        with on(min(end + dt.timedelta(days=2), today), 9):
            field.record_act(actor=other_user if abroad else town_user, record=stay, action="confirm")

    # Activities: every eight days or so; confirmed by the town the next days (one queried, the latest waiting).
    days = list(range(5, (today - registered).days - 1, 8))
    for number, offset in enumerate(days):
        day = after(offset)
        latest, queried = number == len(days) - 1, number == len(days) - 3
        abroad = other_user is not None and number == 1
        extra = {"town": elsewhere if abroad else town, "project": project}
        if first_task is not None and not lagging and number == 3:
            extra.update(task=first_task, service_type="planning", title="%s%s产业发展规划座谈" % (town.name, topic))
        values = _values(pairing, topic, category, day, number * 3 + len(town.name), **extra)
        if abroad:
            values["village_name"] = "%s新村" % elsewhere.name[:-1]
        shots = 2 if number in (0, 2) else 1 if latest else 0
        uploads = [photo(values["town"], day, number * 10 + k) for k in range(shots)]
        with on(day, 19):
            activity = field.activity_save(actor=leader, values=values, participants=staff[:1 + number % 3],
                                           photos=uploads)
        if uploads:
            _process(activity)
        if latest:
            continue
        answer_day = min(day + dt.timedelta(days=2), today)
        with on(answer_day, 10):
            if queried:
                field.record_act(actor=town_user, record=activity, action="query",
                                 comment=data.FIELD_QUERIES[1])
            else:
                field.record_act(actor=other_user if abroad else town_user, record=activity, action="confirm")
        if extra.get("task") is not None:
            with on(answer_day, 17):
                field.task_act(actor=leader, task=first_task, action="report",
                               comment="规划座谈已开展，产业发展思路已形成书面材料报镇农业办。")
            with on(min(answer_day + dt.timedelta(days=2), today), 11):
                field.task_act(actor=town_user, task=first_task, action="accept")

    # Requests: one open; one answered by the city's rural-revitalization bureau (awaiting the team's close).
    if weeks >= 4:
        from accounts.models import User

        with on(ago(12), 17):
            field.request_save(actor=leader, values={
                "category": "transport" if lagging else "lodging",
                "title": "下村交通不便，希望协调用车" if lagging else "宿舍缺少热水器",
                "description": "示范基地离镇区较远，团队成员下村主要靠步行和搭便车，希望在集中培训期间协调用车。" if lagging
                else "驻镇周转房没有热水器，天气转冷，成员洗浴困难，请协助解决。"})
        with on(after(12), 16):
            request = field.request_save(actor=leader, values={
                "category": "work", "title": "培训场地和农户组织需要支持",
                "description": "计划举办%s技术培训班，需要镇里协助落实场地并组织农户参加。" % topic})
        answerer = User.objects.filter(username="city_rural").first() or town_user
        with on(after(15), 10):
            field.request_act(actor=answerer, request=request, action="answer",
                              comment="已请镇里安排文化站会议室，村委会负责通知农户，培训日期请提前一周告知镇农业办。")
    if lagging:
        with on(ago(2), 16):
            field.flag_report(actor=town_user, detail=data.FIELD_NONCOOPERATION)
