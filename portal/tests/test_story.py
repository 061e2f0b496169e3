"""The story pages (一镇一档 · 团队履历): a town's and a team's history across cycles on one time line, drawn only from
what the user may view, filtered by cycle and category, 50 events a page, at a cost that does not grow with the
records."""
import datetime as dt
import re
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from calls.models import Application, Call
from core.models import Transition
from cycles.models import Cycle
from fieldwork.models import Activity, Flag, Stay, Task
from matching.models import Pairing
from needs.models import IndustryCategory, Need, TownProfile
from notices.models import NoticeEntry, PublicNotice
from portal.testing import CYCLE_YEAR
from projects.models import Agreement, Project
from registrations.models import RegistrationSubmission, SubmissionItem
from regions.models import TownClassification
from reviews.models import Disbursement, Grant, Review
from teams.models import Team, TeamMembership
from teams.tests.factories import make_commissioner

pytestmark = pytest.mark.django_db

OLD_YEAR = CYCLE_YEAR - 3


def aware(day: dt.date, hour=10):
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, hour, 0))


def day(year, month, dom=15):
    return dt.date(year, month, dom)


class Story:
    """黄坑镇 (仁化县, city-organized) over two cycles: the old cycle's 老柑橘团队 (led by the same person as 柑橘团队)
    ended; in the current cycle 茶叶团队 was replaced and 柑橘团队 took its place."""

    def __init__(self, world):
        self.world = world
        town = self.town = world.renhua_city_town
        self.old_cycle = Cycle.objects.create(
            name="上一周期", status=Cycle.Status.CLOSED, start_date=day(OLD_YEAR, 1, 1),
            end_date=day(OLD_YEAR + 2, 12, 28), dispatch_deadline=day(OLD_YEAR, 3, 31))
        TownClassification.objects.create(cycle=self.old_cycle, town=town, town_class="key", organizing_level="city")
        self.leader = make_commissioner(world.unit, name="黄志强", user=world["leader"])
        TeamMembership.objects.create(team=world.team, commissioner=self.leader, cycle=world.cycle, role="leader")
        self.old_team = Team.objects.create(cycle=self.old_cycle, name="老柑橘团队", lead_unit=world.unit,
                                            leader_name="黄志强")
        TeamMembership.objects.create(team=self.old_team, commissioner=self.leader, cycle=self.old_cycle,
                                      role="leader")
        self.ended = Pairing.objects.create(
            cycle=self.old_cycle, town=town, team=self.old_team, organizer_level="city", status="ended",
            proposed_at=aware(day(OLD_YEAR, 2, 1)), registered_at=aware(day(OLD_YEAR, 3, 1)),
            active_from=day(OLD_YEAR, 3, 1), ended_at=aware(day(OLD_YEAR + 2, 12, 28)),
            ended_on=day(OLD_YEAR + 2, 12, 28), end_reason="周期结束")
        self.replaced = Pairing.objects.create(
            cycle=world.cycle, town=town, team=world.other_team, organizer_level="city", status="replaced",
            proposed_at=aware(day(CYCLE_YEAR, 1, 5)), registered_at=aware(day(CYCLE_YEAR, 1, 20)),
            active_from=day(CYCLE_YEAR, 1, 20), ended_at=aware(day(CYCLE_YEAR, 4, 30)),
            ended_on=day(CYCLE_YEAR, 4, 30), end_reason="不配合驻镇工作队安排")
        self.active = Pairing.objects.create(
            cycle=world.cycle, town=town, team=world.team, organizer_level="city", status="active",
            replaces=self.replaced, proposed_at=aware(day(CYCLE_YEAR, 5, 5)),
            registered_at=aware(day(CYCLE_YEAR, 5, 20)), active_from=day(CYCLE_YEAR, 5, 20))
        self.category = IndustryCategory.objects.get(name="果树")
        for cycle, when in ((self.old_cycle, day(OLD_YEAR, 1, 10)), (world.cycle, day(CYCLE_YEAR, 1, 3))):
            profile = TownProfile.objects.create(cycle=cycle, town=town, population=30000)
            TownProfile.objects.filter(pk=profile.pk).update(created_at=aware(when))
        self.add_needs(self.old_cycle, 3, day(OLD_YEAR, 1, 20), status="confirmed")
        self.add_needs(world.cycle, 2, day(CYCLE_YEAR, 1, 4), status="submitted")
        self.call = Call.objects.create(
            cycle=world.cycle, organizer_level="city", city=world.city, issuer="韶关市科学技术局",
            title="韶关市团队公开征集通知", doc_number="韶科〔%d〕1号" % CYCLE_YEAR, notice="征集。",
            open_date=day(CYCLE_YEAR, 1, 2), close_date=day(CYCLE_YEAR, 1, 30), status="published")
        self.call.towns.add(town)
        application = Application.objects.create(call=self.call, team=world.team, status="accepted",
                                                 submitted_at=aware(day(CYCLE_YEAR, 1, 25)))
        Transition.objects.create(content_type=ContentType.objects.get_for_model(Application),
                                  object_id=str(application.pk), action="accept", from_state="submitted",
                                  to_state="accepted")
        self.draft_call = Call.objects.create(
            cycle=world.cycle, organizer_level="city", city=world.city, issuer="韶关市科学技术局",
            title="尚未发布的征集", doc_number="韶科〔%d〕9号" % CYCLE_YEAR, notice="草稿。",
            open_date=day(CYCLE_YEAR, 6, 1), close_date=day(CYCLE_YEAR, 6, 30), status="draft")
        self.draft_call.towns.add(town)
        self.notice = PublicNotice.objects.create(
            cycle=world.cycle, organizer_level="city", city=world.city, issuer="韶关市科学技术局",
            title="递补团队公示", body="公示。", contact="市科技局", start_date=day(CYCLE_YEAR, 5, 8),
            working_days=5, first_day=day(CYCLE_YEAR, 5, 8), last_day=day(CYCLE_YEAR, 5, 14),
            ends_at=aware(day(CYCLE_YEAR, 5, 14), 17), status="closed")
        NoticeEntry.objects.create(notice=self.notice, pairing=self.active, town=town, team_name=world.team.name,
                                   leader="黄志强", town_label="仁化县黄坑镇", county_name="仁化县", outcome="cleared")
        submission = RegistrationSubmission.objects.create(
            cycle=world.cycle, organizer_level="city", city=world.city, recipient="province", status="confirmed",
            doc_number="韶科〔%d〕20号" % CYCLE_YEAR, sent_on=day(CYCLE_YEAR, 5, 16),
            confirmed_on=day(CYCLE_YEAR, 5, 19), reference_number="粤科备〔%d〕3号" % CYCLE_YEAR)
        SubmissionItem.objects.create(submission=submission, pairing=self.active)
        common = {"pairing": self.active, "cycle": world.cycle, "town": town, "team": world.team,
                  "organizer_level": "city"}
        self.agreement = Agreement.objects.create(
            **common, due_date=day(CYCLE_YEAR, 6, 30), town_party="黄坑镇人民政府", term_start=day(CYCLE_YEAR, 6, 1),
            term_end=day(CYCLE_YEAR + 2, 12, 1), summary="帮扶", team_duties="服务", town_duties="配合",
            conditions="宿舍", status="confirmed", signed_on=day(CYCLE_YEAR, 6, 1),
            confirmed_at=aware(day(CYCLE_YEAR, 6, 3)))
        self.project = self.add_project("贡柑黄龙病绿色防控示范", accepted=day(CYCLE_YEAR, 7, 10), status="approved")
        self.review = Review.objects.create(
            project=self.project, cycle=world.cycle, town=town, team=world.team, organizer_level="city",
            status="approved", decided_at=aware(day(CYCLE_YEAR, 8, 1)), approved_amount=Decimal("80000"))
        self.grant = Grant.objects.create(
            organizer_level="city", city=world.city, cycle=world.cycle, town=town, team=world.team,
            review=self.review, project=self.project, project_number="KTP-1", fiscal_year=CYCLE_YEAR,
            budget_source="city_st", amount=Decimal("80000"), granted_on=day(CYCLE_YEAR, 8, 10))
        for amount, paid in ((Decimal("40000"), day(CYCLE_YEAR, 8, 20)), (Decimal("30000"), day(CYCLE_YEAR, 10, 20))):
            Disbursement.objects.create(grant=self.grant, amount=amount, paid_on=paid, voucher="vouchers/x.pdf")
        self.people = [self.leader, make_commissioner(world.unit, name="成员甲")]
        self.add_activities(day(CYCLE_YEAR, 6, 1), 3, cross=1)
        self.add_stays(day(CYCLE_YEAR, 6, 2), 2)
        self.flag = Flag.objects.create(
            pairing=self.active, cycle=world.cycle, team=world.team, home_town=town, organizer_level="city",
            kind="inactive", detail="60天无已确认服务活动", status="closed", opened_at=aware(day(CYCLE_YEAR, 9, 1)),
            closed_at=aware(day(CYCLE_YEAR, 9, 20)))
        Task.objects.create(pairing=self.active, cycle=world.cycle, team=world.team, home_town=town,
                            title="组织培训", due_date=day(CYCLE_YEAR, 7, 30), status="done",
                            done_at=aware(day(CYCLE_YEAR, 7, 25)))

    def add_needs(self, cycle, count, when, status="confirmed"):
        for index in range(count):
            need = Need.objects.create(cycle=cycle, town=self.town, title="需求%d" % index, description="描述",
                                       category=self.category, service_types=["guidance"], status=status)
            Need.objects.filter(pk=need.pk).update(created_at=aware(when))

    def add_project(self, title, accepted, status="accepted"):
        return Project.objects.create(
            pairing=self.active, cycle=self.world.cycle, town=self.town, team=self.world.team, organizer_level="city",
            due_date=day(CYCLE_YEAR, 7, 20), title=title, objectives="目标", content="内容",
            start_date=day(CYCLE_YEAR + 1, 1, 1), end_date=day(CYCLE_YEAR + 1, 12, 31),
            total_budget=Decimal("100000"), status=status, submitted_at=aware(accepted - dt.timedelta(days=5)),
            last_submitted_at=aware(accepted - dt.timedelta(days=5)), accepted_at=aware(accepted))

    def add_activities(self, first, count, cross=0):
        for index in range(count):
            elsewhere = index < cross
            Activity.objects.create(
                pairing=self.active, cycle=self.world.cycle, team=self.world.team, home_town=self.town,
                town=self.world.renhua_county_town if elsewhere else self.town, cross_town=elsewhere,
                date=first + dt.timedelta(days=index), service_type="guidance", title="田间指导%d" % index,
                description="指导", status="confirmed", people_trained=20, households_served=5)

    def add_stays(self, first, count):
        for index in range(count):
            start = first + dt.timedelta(days=7 * index)
            Stay.objects.create(
                pairing=self.active, cycle=self.world.cycle, team=self.world.team, home_town=self.town,
                town=self.town, commissioner=self.people[index % 2], start_date=start,
                end_date=start + dt.timedelta(days=4), place="宿舍", purpose="指导", status="confirmed")


@pytest.fixture
def story(world):
    return Story(world)


def town_url(story, **query):
    url = reverse("portal:town_story", args=[story.town.pk])
    return url + ("?" + "&".join("%s=%s" % item for item in query.items()) if query else "")


def team_url(story, team=None):
    return reverse("portal:team_story", args=[(team or story.world.team).pk])


def events_of(response):
    """(date, category, title) of each event shown, in page order."""
    html = response.content.decode()
    return [(found[0], found[1], re.sub(r"<[^>]+>", "", found[2]).strip()) for found in re.findall(
        r'data-testid="event" data-category="([a-z]+)">.*?<time datetime="([\d-]+)">.*?'
        r'<div class="fw-semibold kj-event-title">(.*?)</div>', html, re.S)]


def titles(response):
    return [title for _category, _date, title in events_of(response)]


# ------------------------------------------------------------------------------------------------ the town's story
def test_it_tells_both_cycles_newest_first(story, login):
    response = login("city_st").get(town_url(story))
    assert response.status_code == 200
    shown = events_of(response)
    dates = [date for _category, date, _title in shown]
    assert dates == sorted(dates, reverse=True)
    text = titles(response)
    assert "拟结对：老柑橘团队" in text and "帮扶结束：老柑橘团队" in text  # the old cycle
    assert "调整更换：茶叶团队，由柑橘团队递补" in text
    assert "递补结对：柑橘团队（接替茶叶团队）" in text
    assert "摸底需求 3 条：已确认 3 条" in text and "摸底需求 2 条：已确认 0 条" in text
    assert "帮扶协议镇已确认" in text
    assert "专家论证通过：贡柑黄龙病绿色防控示范" in text
    assert "资金拨付 2 笔：KTP-1" in text
    assert "%d年6月 服务活动 3 次（跨镇 1 次）" % CYCLE_YEAR in text
    assert "%d年第2季度 驻镇 10 人天（已确认）" % CYCLE_YEAR in text
    assert "履职预警：长期无已确认服务活动" in text and "预警解除：长期无已确认服务活动" in text
    assert "公示：柑橘团队" in text and "韶关市报送省科技厅备案：柑橘团队" in text
    html = response.content.decode()
    assert re.search(r"<dt>县（市、区）</dt><dd>仁化县</dd>", html)  # the header names the county
    assert "<dt>累计拨付（元）</dt> <dd>70,000.00</dd>" in html  # tranches summed per grant
    assert 'data-testid="current-pairing"><a href="%s">柑橘团队</a>' % story.active.get_absolute_url() in html


def test_the_replaced_pairing_is_a_warning_with_its_reason(story, login):
    html = login("city_st").get(town_url(story, category="pairing")).content.decode()
    line = re.search(r'<li class="kj-event kj-event-(\w+)"[^>]*>(?:(?!</li>).)*调整更换：茶叶团队(?:(?!</li>).)*</li>',
                     html, re.S)
    assert line.group(1) == "warning" and "不配合驻镇工作队安排" in line.group(0)


def test_the_cycle_filter_narrows_to_one_cycle(story, login):
    client = login("city_st")
    old = titles(client.get(town_url(story, cycle=story.old_cycle.pk)))
    assert "拟结对：老柑橘团队" in old and "摸底需求 3 条：已确认 3 条" in old
    assert not any("柑橘团队（接替" in title or "茶叶团队" in title for title in old)
    current = titles(client.get(town_url(story, cycle=story.world.cycle.pk)))
    assert "拟结对：老柑橘团队" not in current and "递补结对：柑橘团队（接替茶叶团队）" in current


def test_the_category_filter_narrows_and_the_chips_count(story, login):
    response = login("city_st").get(town_url(story, category="need"))
    assert {category for category, _date, _title in events_of(response)} == {"need"}
    assert len(events_of(response)) == 2
    html = response.content.decode()
    assert re.search(r'aria-current="true" data-category="need">需求 <span class="kj-chip-count">2</span>', html)
    everything = login("city_st").get(town_url(story, category="nonsense"))
    assert len(events_of(everything)) > 20  # an unknown category shows everything


def test_the_page_shows_fifty_events_and_a_more_link(story, login):
    months = [day(CYCLE_YEAR + 1, month, 1) for month in range(1, 13)] + [day(CYCLE_YEAR, m, 1) for m in range(7, 13)]
    for first in months:
        story.add_activities(first, 1)
    for index in range(30):
        story.add_project("项目%d" % index, accepted=day(CYCLE_YEAR, 11, 1) + dt.timedelta(days=index))
    client = login("city_st")
    first_page = client.get(town_url(story))
    assert len(events_of(first_page)) == 50
    html = first_page.content.decode()
    assert 'data-testid="more"' in html
    second = client.get(town_url(story, page=2))
    assert 0 < len(events_of(second)) <= 50
    assert events_of(first_page)[-1][1] >= events_of(second)[0][1]


# ------------------------------------------------------------------------------------------------ scope
def test_only_who_may_view_the_town_opens_its_story(story, assert_denied):
    assert_denied(town_url(story), allowed=["province", "city_st", "city_rural", "renhua_st", "renhua_rural",
                                            "renhua_city_town"])


def test_only_who_may_view_the_team_opens_its_story(story, assert_denied):
    # Officials read the registry; the team itself and its lead unit: another team's leader and the towns do not.
    assert_denied(team_url(story), allowed=["province", "city_st", "city_rural", "renhua_st", "renhua_rural",
                                            "nanxiong_st", "nanxiong_rural", "leader", "member", "unit"])


def test_a_county_official_sees_no_draft_call_and_no_grant_of_the_city(story, login):
    county = titles(login("renhua_st").get(town_url(story)))
    assert "发布征集通知：韶关市团队公开征集通知" in county
    assert not any("尚未发布的征集" in title for title in county)  # a draft is the city's own work
    assert not any(title.startswith("立项资助") for title in county)  # the city's grant: the city's ledger
    assert not any("备案" in title for title in county)  # the city's registration package
    city = titles(login("city_st").get(town_url(story)))
    assert "立项资助 KTP-1" in city
    assert not any("尚未发布的征集" in title for title in city)  # drafts are not history yet


def test_the_town_sees_its_story_without_the_notice_and_registration_files(story, login):
    text = titles(login("renhua_city_town").get(town_url(story)))
    assert "递补结对：柑橘团队（接替茶叶团队）" in text and "立项资助 KTP-1" in text
    assert not any(title.startswith("公示：") for title in text)  # notices are the organizers' records
    assert not any("备案" in title for title in text)


def test_the_team_member_reads_its_team_story_but_not_the_towns(story, login):
    client = login("member")
    assert client.get(town_url(story)).status_code == 404  # a town is not a team's record
    text = titles(client.get(team_url(story)))
    assert "递补结对：仁化县黄坑镇（接替茶叶团队）" in text
    assert "帮扶协议镇已确认" in text and "%d年6月 服务活动 3 次（跨镇 1 次）" % CYCLE_YEAR in text
    assert "提交申报：韶关市团队公开征集通知" in text and "申报已受理（进入遴选）：韶关市团队公开征集通知" in text
    assert not any("摸底需求" in title for title in text)  # the town's needs are not in a team's story
    assert not any("茶叶团队" in title and "调整更换" in title for title in text)  # the other team's pairing


def test_the_team_story_links_the_same_leaders_team_of_another_cycle(story, login):
    html = login("city_st").get(team_url(story)).content.decode()
    other = re.search(r'data-testid="other-teams">(.*?)</dd>', html, re.S).group(1)
    assert reverse("portal:team_story", args=[story.old_team.pk]) in other and "上一周期" in other
    old = titles(login("city_st").get(team_url(story, story.old_team)))
    assert old == ["帮扶结束：仁化县黄坑镇", "开始帮扶：仁化县黄坑镇", "拟结对：仁化县黄坑镇"]


def test_the_detail_pages_link_their_story(story, login):
    client = login("city_st")
    assert town_url(story) in client.get(story.town.get_absolute_url()).content.decode()
    assert team_url(story) in client.get(story.world.team.get_absolute_url()).content.decode()


# ------------------------------------------------------------------------------------------------ links and cost
def test_every_event_links_to_a_page_the_county_official_may_open(story, login):
    client = login("renhua_st")
    html = client.get(town_url(story)).content.decode()
    links = re.findall(r'<div class="fw-semibold kj-event-title"><a href="([^"]+)">', html)
    assert len(links) > 10
    for link in set(links):
        response = client.get(link.replace("&amp;", "&"), follow=True)
        assert response.status_code == 200, link


def test_the_number_of_queries_does_not_grow_with_the_records(story, login):
    client = login("city_st")
    client.get(town_url(story))  # warm caches (content types, the sources' registry)
    client.get(team_url(story))

    def count(url):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    before = count(town_url(story)), count(team_url(story))
    for month in range(7, 13):
        story.add_activities(day(CYCLE_YEAR, month, 3), 4, cross=1)
        story.add_stays(day(CYCLE_YEAR, month, 5), 3)
    story.add_needs(story.world.cycle, 15, day(CYCLE_YEAR, 2, 1))
    for index in range(5):
        story.add_project("更多项目%d" % index, accepted=day(CYCLE_YEAR, 10, 1 + index))
    Flag.objects.create(pairing=story.active, cycle=story.world.cycle, team=story.world.team, home_town=story.town,
                        organizer_level="city", kind="noncooperation", detail="不配合", status="open",
                        opened_at=aware(day(CYCLE_YEAR, 11, 1)))
    after = count(town_url(story)), count(team_url(story))
    assert after == before
