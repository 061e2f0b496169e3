"""One record of every model for the robustness tests, made through the apps' services and test factories.

Everything is in 仁化县 (董塘镇, the county-organized town of ``portal.testing.build_world``), so most named users
see it and the pages render their full content; the programme runs once: needs, a call with an accepted
application, a selection round run by the engine and finalized, the pairing's notice with a dismissed objection,
and the registration submission confirmed by the city and the province (the pairing is active); the pairing's
agreement (signed, awaiting the town), a submitted project, an accepted one with a pending change request and a
draft project; 仁化县's expert pool with reviews of the team's projects (approved and funded, approved, being
scored), the year's envelope, a grant and its tranche; the field work, replacements, evaluations and coordination of
issues 18–19; 仁化县's annual report of this year (a draft) with its author's export (issue 20).
"""
from __future__ import annotations

import datetime as dt

from django.utils import timezone


def build_records(world) -> dict:
    """Return ``{model label or key: instance}`` for the routes' path parameters."""
    from accounts.models import Notification
    from calls import services as calls
    from calls.models import CallAmendment
    from calls.tests.factories import complete_application, make_call, pdf_file, staff_team
    from matching import services as selection
    from matching.tasks import start_run
    from needs import services as needs
    from needs.models import CampaignTown, IndustryCategory, IndustryProblem, IndustryProduct
    from notices import services as notices
    from regions import services as regions
    from regions.models import TownClassification, WorkTeam
    from registrations import services as registrations
    from teams.models import TeamMembership

    org, town_user, leader = world["renhua_st"], world["renhua_county_town"], world["leader"]
    cycle, town, team = world.cycle, world.renhua_county_town, world.team
    today = timezone.localdate()
    r = {"cycle": cycle, "county": world.renhua, "town": town, "team": team, "unit": world.unit,
         "user": world["member"], "classification": TownClassification.objects.get(cycle=cycle, town=town),
         "work_team": WorkTeam.objects.get(town=town)}

    r["village"] = regions.village_create(actor=town_user, town=town, name="董塘村")
    r["wtmember"] = regions.work_team_member_add(actor=org, town=town, name="李队员", position="队员")

    categories = {category.name: category for category in IndustryCategory.objects.all()}
    r["category"] = categories["果树"]
    r["product"] = IndustryProduct.objects.order_by("pk").first()
    r["problem"] = IndustryProblem.objects.order_by("pk").first()
    r["profile"] = needs.profile_save(actor=org, cycle=cycle, town=town, population=12000, households=3500,
                                      main_problems="柑橘黄龙病", leading_industries="水稻、柑橘")
    r["campaign"] = needs.campaign_open(actor=org, cycle=cycle, title="仁化县需求调研", towns=[town],
                                        due_date=today + dt.timedelta(days=30), instructions="请各镇填报。")
    r["need"] = needs.need_create(actor=town_user, cycle=cycle, town=town, title="茶叶加工",
                                  description="茶叶加工工艺落后", category=categories["茶叶"],
                                  service_types=["training"], villages=[r["village"]])
    confirmed = needs.need_create(actor=org, cycle=cycle, town=town, title="柑橘黄龙病防控",
                                  description="全镇柑橘受黄龙病影响，需要绿色防控技术", category=categories["果树"],
                                  service_types=["guidance"], campaign=r["campaign"])
    needs.need_transition(actor=org, need=confirmed, action="confirm")
    needs.campaign_submit_town(actor=org, campaign=r["campaign"], town=town)
    r["campaign_town"] = CampaignTown.objects.get(campaign=r["campaign"], town=town)

    r["commissioner"] = staff_team(world)
    r["membership"] = TeamMembership.objects.filter(team=team, role="member").order_by("pk").first()

    r["call_draft"] = make_call(world, publish=False, title="仁化县征集通知（草稿）", doc_number="仁科〔2025〕7号")
    call = make_call(world, publish=False)
    r["attachment"] = calls.call_attachment_add(actor=org, call=call, name="申报指南", file=pdf_file("申报指南.pdf"))
    calls.call_transition(actor=org, call=call, action="publish")
    calls.call_amend(actor=org, call=call, summary="延长申报期", close_date=today + dt.timedelta(days=31))
    r["call"], r["amendment"] = call, CallAmendment.objects.get(call=call)
    application = complete_application(world, call)
    calls.application_submit(actor=leader, application=application)
    r["application"] = calls.application_review(actor=org, application=application, action="accept")
    r["app_town"] = application.towns.first()

    r["round"] = selection.round_open(actor=org, call=call, title="仁化县遴选", early_reason="测试：申报截止前遴选")
    r["constraint"] = selection.constraint_set(actor=org, selection_round=r["round"], town=town, team=team,
                                               kind="lock", reason="已有合作基础")
    r["panel"] = selection.panel_score_set(actor=org, selection_round=r["round"], town=town, team=team, score=90)
    run = selection.run_create(actor=org, selection_round=r["round"])
    r["taskrun"] = start_run(actor=org, run=run)
    run.refresh_from_db()
    assert run.status == "done", (run.status, run.error)
    r["run"] = run
    selection.meeting_record(actor=org, selection_round=r["round"], meeting_date=today,
                             participants="评审专家五人", minutes=pdf_file("会议纪要.pdf"))
    (pairing,) = selection.finalize(actor=org, selection_round=r["round"], run=run)
    r["round"].refresh_from_db()

    notice = notices.notice_publish(actor=org, cycle=cycle, pairings=[pairing], title="仁化县选派名单公示",
                                    start_date=today - dt.timedelta(days=30), contact="科技股 0751-6381234",
                                    doc_number="仁科〔2025〕9号", today=today - dt.timedelta(days=30))
    r["entry"] = notice.entries.get()
    in_period = timezone.make_aware(dt.datetime.combine(notice.first_day, dt.time(10, 0)))
    objection = notices.objection_file(notice=notice, entry=r["entry"], name="张三", phone="13900139001",
                                       grounds="该团队负责人已调离。", evidence=pdf_file("证明.pdf"), ip="10.9.9.1",
                                       now=in_period)
    r["objection"] = notices.objection_handle(actor=org, objection=objection, action="dismiss", finding="经核实不属实")
    r["notice"] = notices.notice_refresh(notice)
    pairing.refresh_from_db()
    r["pairing"] = pairing

    submission = registrations.submission_create(actor=org, cycle=cycle, recipient="province", pairings=[pairing],
                                                 doc_number="仁科〔2025〕20号", contact="科技股 李明 0751-6388888")
    r["submission"] = registrations.submission_act(actor=org, submission=submission, action="send", sent_on=today)
    r["notification"] = Notification.objects.filter(recipient=org).order_by("pk").first()
    _assistance(world, r, confirmed)
    return r


def _assistance(world, r, need):
    """The city and the province confirm (the pairing is active); the agreement (signed, awaiting the town), a
    submitted project, an accepted one with a pending change request, and a draft (the crawled ``project``)."""
    from decimal import Decimal

    from calls.tests.factories import pdf_file
    from projects import services as projects
    from projects.tests.factories import agreement_values, project_content
    from registrations import services as registrations
    from teams.models import TeamMembership

    org, leader, today = world["renhua_st"], world["leader"], timezone.localdate()
    pairing, submission = r["pairing"], r["submission"]
    to_city = registrations.submission_create(actor=org, cycle=world.cycle, recipient="city", pairings=[pairing],
                                              doc_number="仁科〔2025〕21号")
    registrations.submission_act(actor=org, submission=to_city, action="send", sent_on=today)
    registrations.submission_act(actor=world["city_st"], submission=to_city, action="confirm", confirmed_on=today,
                                 reference_number="韶科备〔2025〕1号")
    registrations.submission_act(actor=world["province"], submission=submission, action="confirm", confirmed_on=today,
                                 reference_number="粤科备〔2025〕1号")
    pairing.refresh_from_db()
    submission.refresh_from_db()
    assert pairing.status in ("registered", "active"), pairing.status

    agreement = projects.agreement_create(actor=leader, pairing=pairing, **agreement_values())
    r["agreement"] = projects.agreement_sign(actor=leader, agreement=agreement, scan=pdf_file("协议.pdf"),
                                             signed_on=today)
    people = [row.commissioner for row in TeamMembership.objects.filter(team=world.team).select_related(
        "commissioner").order_by("role", "pk")]
    project = projects.project_create(actor=leader, pairing=pairing, **project_content(world, people, [need]))
    projects.project_submit(actor=leader, project=project, confirmed=True)
    # The crawled project is a draft: its edit form renders with its lines and takes the malformed POSTs.
    r["project"] = projects.project_create(actor=leader, pairing=pairing,
                                           **project_content(world, people, [need], total="60000.00"))
    accepted = projects.project_create(actor=leader, pairing=pairing,
                                       **project_content(world, people, [need], total="80000.00"))
    projects.project_submit(actor=leader, project=accepted, confirmed=True)
    projects.project_accept(actor=org, project=accepted)
    r["change"] = projects.change_request(actor=leader, project=accepted, reason="扩大示范面积",
                                          values={"demo_area_mu": Decimal("80.0")})
    # The review's crawled records: the accepted project awaiting its review is ``accepted_project``.
    accepted.refresh_from_db()
    r["accepted_project"] = accepted
    _reviews(world, r, need, people)
    _fieldwork(world, r, people)
    _replacements(world, r, people)
    _evaluations(world, r, people)
    _coordination(world, r)
    _reports(world, r)


def _replacements(world, r, people):
    """An open case against the team's pairing with an evidence file, a member change awaiting registration, and the
    figures of a pairing closed (on the crawled pairing, as if ended)."""
    from calls.tests.factories import pdf_file
    from replacements import services as replacements
    from replacements.models import MemberChange, PairingFigures

    org, today, pairing = world["renhua_st"], timezone.localdate(), r["pairing"]
    r["case"] = replacements.case_open(actor=org, pairing=pairing, cause="no_work", summary="连续两月未开展活动。",
                                       files=[pdf_file("证据.pdf")])
    r["casefile"] = r["case"].files.get()
    change = MemberChange(leaving=people[2], effective_date=today, reason="工作调动", size_before=3, size_after=3)
    change.copy_pairing(pairing)
    change.save()
    r["memberchange"] = change
    r["figures"] = PairingFigures.objects.create(pairing=pairing, cycle=pairing.cycle, team=pairing.team,
                                                 town=pairing.town, organizer_level=pairing.organizer_level,
                                                 ended_on=today, outcome="ended")


def _fieldwork(world, r, people):
    """The team's field work in 董塘镇: an activity with a photo and a stay awaiting the town's confirmation, the work
    team's task, its non-cooperation report (a flag), the working conditions and the team's request."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from fieldwork import services as fieldwork

    leader, town_user, today = world["leader"], world["renhua_county_town"], timezone.localdate()
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (90, 140, 60)).save(out, "JPEG")
    r["activity"] = fieldwork.activity_save(actor=leader, values={
        "date": today, "service_type": "training", "title": "柑橘修剪培训", "description": "现场讲解修剪技术。",
        "people_trained": 30}, photos=[SimpleUploadedFile("现场.jpg", out.getvalue(), "image/jpeg")])
    r["photo"] = r["activity"].photos.get()
    r["stay"] = fieldwork.stay_save(actor=leader, values={
        "commissioner": people[1], "start_date": today - dt.timedelta(days=6), "end_date": today - dt.timedelta(days=2),
        "place": "董塘镇驻镇工作队宿舍", "purpose": "驻村指导"})
    r["fw_task"] = fieldwork.task_save(actor=town_user, values={"title": "冬季清园指导", "description": "组织清园。",
                                                               "due_date": today + dt.timedelta(days=10)})
    r["flag"] = fieldwork.flag_report(actor=town_user, detail="多次通知未到镇开展工作。")
    r["conditions"] = fieldwork.conditions_save(actor=town_user, values={"note": "提供宿舍两间。"})
    r["request"] = fieldwork.request_save(actor=leader, values={"category": "lodging", "title": "宿舍漏雨",
                                                               "description": "请协调维修。"})


def _reviews(world, r, need, people):
    """仁化县's expert pool (one declared relation) and three reviews of the team's projects: ``review`` approved and
    funded (a grant with a tranche and its voucher), ``approved_review`` approved and awaiting its grant, and one being
    scored (``seat``: an expert's seat yet to score); the year's envelope."""
    from calls.tests.factories import pdf_file
    from projects import services as projects
    from projects.tests.factories import project_content
    from reviews import services as reviews
    from reviews.tests.factories import expert_user, make_pool, scores

    org, leader, today = world["renhua_st"], world["leader"], timezone.localdate()
    pool = make_pool(world, actor="renhua_st", prefix="1371111")
    r["expert"] = pool[0]
    r["relation"] = reviews.relation_add(actor=org, expert=pool[-1], unit=world.other_unit, reason="曾在该单位兼职")

    def accepted(total):
        project = projects.project_create(actor=leader, pairing=r["pairing"],
                                          **project_content(world, people, [need], total=total))
        projects.project_submit(actor=leader, project=project, confirmed=True)
        return projects.project_accept(actor=org, project=project)

    def reviewed(total, submit=True):
        review = reviews.review_start(actor=org, project=accepted(total))
        seats = reviews.panel_fill(actor=org, review=review)
        reviews.review_open(actor=org, review=review)
        for seat in seats if submit else seats[:1]:
            reviews.seat_submit(actor=expert_user(seat.expert), seat=seat, scores=scores(), comment="同意立项。")
        review.refresh_from_db()
        if submit:
            reviews.review_decide(actor=org, review=review, action="approve", amount="50000.00", opinion="同意立项。")
            review.refresh_from_db()
        return review, seats

    r["review"], _seats = reviewed("90000.00")
    r["approved_review"], _seats = reviewed("70000.00")
    scoring, seats = reviewed("75000.00", submit=False)
    r["seat"] = seats[-1]
    r["envelope"] = reviews.envelope_save(actor=org, values={"fiscal_year": today.year, "budgeted": "500000.00"})
    r["grant"] = reviews.grant_create(actor=org, review=r["review"], values={
        "project_number": reviews.next_project_number(r["review"], today.year), "fiscal_year": today.year,
        "budget_source": "county", "amount": "50000.00", "granted_on": today})
    r["disbursement"] = reviews.disbursement_add(actor=org, grant=r["grant"], amount="20000.00", paid_on=today,
                                                 voucher=pdf_file("拨付凭证.pdf"))


def _evaluations(world, r, people):
    """华南农业大学's records (the ``unit`` account): a graded draft evaluation of its person (its edit form and submit
    step are crawled), a reward with its award document, a training the person attended with a material."""
    from calls.tests.factories import pdf_file
    from evaluations import services as evaluations
    from portal.testing import CYCLE_YEAR

    unit, today = world["unit"], timezone.localdate()
    r["evaluation"] = evaluations.evaluation_save(actor=unit, commissioner=people[1], year=CYCLE_YEAR, values={
        "grade": "excellent", "comments": "驻镇服务成效明显。", "evaluator": "科研处"})
    r["reward"] = evaluations.reward_save(actor=unit, document=pdf_file("奖励文件.pdf"), values={
        "commissioner": people[1], "date": today, "title": "优秀特派员", "level": "city", "grounds": "成效突出。"})
    r["training"] = evaluations.training_save(actor=unit, attendees=[people[1]], materials=[pdf_file("课件.pdf")],
                                              values={"kind": "training", "date": today, "topic": "绿色防控培训",
                                                      "place": "学校", "hours": "8.0", "external_attendees": 2})
    r["material"] = r["training"].materials.get()


def _coordination(world, r):
    """仁化县's coordination mechanism (by its S&T office) with a member, a meeting with its minutes and an open
    follow-up item of the meeting."""
    from calls.tests.factories import pdf_file
    from coordination import services as coordination

    org, today = world["renhua_st"], timezone.localdate()
    r["cgroup"] = coordination.group_save(actor=org, values={"name": "仁化县科技特派员协调机制"})
    r["cmember"] = coordination.member_save(actor=org, group=r["cgroup"], values={
        "name": "王局长", "organization": "县科技局", "role_in_group": "leader", "phone": "13800138000"})
    r["cmeeting"] = coordination.meeting_save(actor=org, group=r["cgroup"], attendees=[r["cmember"]],
                                              documents=[pdf_file("会议纪要.pdf")],
                                              values={"date": today, "place": "县政府", "title": "协调会"})
    r["cdocument"] = r["cmeeting"].documents.get()
    r["followup"] = coordination.follow_up_save(actor=org, group=r["cgroup"], values={
        "meeting": r["cmeeting"], "title": "落实驻镇宿舍", "owner": r["cmember"],
        "due_date": today + dt.timedelta(days=10)})


def _reports(world, r):
    """仁化县's annual report of this year (a draft with its summary written: its edit form, submit step and figures
    are crawled; the field work above counts in it) and the author's finished XLSX export of it (``report_run``)."""
    from reports import services as reports
    from reports.tasks import start_export

    org, today = world["renhua_st"], timezone.localdate()
    report = reports.report_create(actor=org, year=today.year, level="county", county=world.renhua)
    r["report"] = reports.report_update(actor=org, report=report, doc_number="仁科〔%d〕3号" % today.year,
                                        achievements="<p>全年开展驻镇技术服务。</p>")
    r["report_run"] = start_export(actor=org, report=r["report"], fmt="xlsx")
