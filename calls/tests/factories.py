"""Test data for calls and applications: a published county call, a complete team, uploads by content."""
import datetime as dt
import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from calls import services
from calls.models import Application
from teams.choices import MemberRole
from teams.models import TeamMembership
from teams.tests.factories import make_commissioner

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def pdf_file(name="推荐意见.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def fake_pdf(name="推荐意见.pdf"):
    """A file called .pdf that is really text."""
    return SimpleUploadedFile(name, b"this is not a pdf at all", content_type="application/pdf")


def docx_file(name="推荐函.docx"):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return SimpleUploadedFile(name, buffer.getvalue())


def make_call(world, *, actor="renhua_st", towns=None, publish=True, days_open=30, **fields):
    today = timezone.localdate()
    call = services.call_create(
        actor=world[actor], cycle=world.cycle,
        towns=towns if towns is not None else [world.renhua_county_town],
        title=fields.pop("title", "仁化县2025年农村科技特派员团队公开征集通知"), issuer="仁化县科学技术局",
        doc_number=fields.pop("doc_number", "仁科〔2025〕12号"), notice="现公开征集农村科技特派员团队。",
        open_date=fields.pop("open_date", today - dt.timedelta(days=1)),
        close_date=fields.pop("close_date", today + dt.timedelta(days=days_open)), contact="科技股 0751-6388888",
    )
    if publish:
        services.call_transition(actor=world[actor], call=call, action="publish", confirmed=True)
    return call


def staff_team(world, team=None, *, leader_user="leader", size=3, verified=True):
    """Give the team a leader (linked to the named user) and members up to ``size``."""
    team = team or world.team
    leader = make_commissioner(world.unit, name="黄志强", user=world[leader_user],
                               verified_at=timezone.now() if verified else None)
    TeamMembership.objects.create(team=team, commissioner=leader, cycle=team.cycle, role=MemberRole.LEADER)
    for index in range(size - 1):
        person = make_commissioner(world.unit, name="成员%d" % index)
        TeamMembership.objects.create(team=team, commissioner=person, cycle=team.cycle, role=MemberRole.MEMBER)
    return leader


def complete_application(world, call, *, team=None, leader_user="leader"):
    """A draft application with everything needed to submit."""
    team = team or world.team
    application = Application.objects.create(call=call, team=team)
    services.application_town_add(actor=world[leader_user], application=application, town=call.towns.first(), rank=1,
                                  past_projects="2023年贡柑示范基地", visits=6, years=2)
    services.application_update(actor=world[leader_user], application=application,
                                service_plan="针对柑橘黄龙病防控需求开展技术指导。", unit_endorsement=pdf_file())
    return application
