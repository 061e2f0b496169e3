"""Demo data for calls: one open county call of 仁化县 over some of its towns, and one submitted application.

Idempotent; called by portal.demo after the regions, units, teams and users exist. Names are illustrative.
"""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from calls.choices import APPLICATION_WORKFLOW, CallStatus, OrganizerLevel
from calls.models import Application, ApplicationTown, Call
from core.china import make_id_number
from core.workflow import apply_transition
from regions.choices import OrganizingLevel
from regions.models import County, Town
from teams.choices import Education, Gender, MemberRole, TitleLevel
from teams.models import Commissioner, Team, TeamMembership
from teams.protect import digest

NOTICE = """为贯彻落实《韶关市农村科技特派员驻镇帮镇扶村行动方案》（韶科〔2021〕85号），现面向高校、科研院所、企业和农技推广机构公开征集农村科技特派员团队，结对帮扶我县巩固提升镇。

一、征集范围：本通知所列各镇，每镇选派1个团队，一对一结对帮扶。
二、申报条件：团队负责人及成员具有大学本科及以上学历或中级及以上职称；驻镇工作队队员不得申报。
三、申报方式：团队负责人在本平台注册并在线填报，上传派出单位推荐意见（盖章）。
（示意数据）"""

PEOPLE = [
    ("黄志强", Gender.MALE, "leader", MemberRole.LEADER, "研究员", TitleLevel.SENIOR, Education.DOCTOR, "果树学"),
    ("林秀英", Gender.FEMALE, "member", MemberRole.MEMBER, "副教授", TitleLevel.ASSOCIATE, Education.DOCTOR, "植物保护"),
    ("郭建华", Gender.MALE, None, MemberRole.MEMBER, "农艺师", TitleLevel.INTERMEDIATE, Education.BACHELOR, "土壤肥料"),
]


def _person(index, name, gender, username, title, level, education, specialty, unit):
    number = make_id_number("440104", dt.date(1975 + index, 3, 1 + index), 101 + index * 2)
    person = Commissioner.objects.filter(id_number_digest=digest(number)).first()
    if person is None:
        person = Commissioner(name=name, gender=gender, phone="1390751%04d" % (index + 1), unit=unit, title=title,
                              title_level=level, education=education, specialty=specialty,
                              expertise_keywords="柑橘、绿色防控", bio="（示意）")
        person.set_id_number(number)
    person.user = User.objects.filter(username=username).first() if username else None
    if person.user and not person.verified_at:
        person.verified_at = timezone.now()
    person.save()
    return person


@transaction.atomic
def load_calls_demo(current_cycle) -> Call | None:
    """Create (or refresh) the demo call of 仁化县 and the citrus team's application to it."""
    county = County.objects.filter(code="440224").first()
    team = Team.objects.filter(cycle=current_cycle, name="华农柑橘绿色栽培团队").first()
    if county is None or team is None:
        return None
    towns = list(Town.objects.filter(county=county, classifications__cycle=current_cycle,
                                     classifications__organizing_level=OrganizingLevel.COUNTY).order_by("code")[:4])
    today = timezone.localdate()
    official = User.objects.filter(username="renhua_st").first()
    call, _created = Call.objects.update_or_create(
        cycle=current_cycle, doc_number="仁科〔2025〕12号",
        defaults=dict(organizer_level=OrganizerLevel.COUNTY, city=county.city, county=county,
                      issuer="仁化县科学技术局", title="仁化县农村科技特派员团队公开征集通知（示意）", notice=NOTICE,
                      open_date=today - dt.timedelta(days=10), close_date=today + dt.timedelta(days=30),
                      contact="仁化县科学技术局 0751-6388888（示意）", status=CallStatus.PUBLISHED, created_by=official),
    )
    call.towns.set(towns)
    team.service_types = ["guidance", "training", "transfer"]
    team.expertise_summary = "柑橘类果树绿色高效栽培、病虫害绿色防控（示意）"
    team.save()
    for index, (name, gender, username, role, title, level, education, specialty) in enumerate(PEOPLE):
        person = _person(index, name, gender, username, title, level, education, specialty, team.lead_unit)
        TeamMembership.objects.get_or_create(commissioner=person, cycle=current_cycle,
                                             defaults={"team": team, "role": role})
    application, created = Application.objects.get_or_create(
        call=call, team=team, defaults={"service_plan": "围绕董塘镇柑橘产业需求，开展绿色栽培技术指导和技能培训（示意）。",
                                        "created_by": User.objects.filter(username="leader").first()})
    if created and towns:
        ApplicationTown.objects.create(application=application, town=towns[0], rank=1, visits=5, years=2,
                                       past_projects="2023年柑橘示范园建设（示意）")
        # The demo's application has no scanned endorsements, so it is submitted by the workflow step itself
        # rather than by application_submit (which checks completeness).
        application.submitted_at = timezone.now()
        apply_transition(workflow=APPLICATION_WORKFLOW, obj=application, action="submit",
                         actor=application.created_by, comment="演示数据", save_fields=["submitted_at"])
    return call
