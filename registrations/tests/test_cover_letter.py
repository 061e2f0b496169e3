"""The cover letter (报送函) says what the public notice came to: no objection, or how many, how each was handled and
which teams were replaced, from the records (issue 14, item 2)."""
import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from docx import Document

from core.china import SHANGHAI
from matching.models import Pairing
from notices.services import notice_publish, notice_refresh, objection_file, objection_handle, replacement_propose
from registrations.documents import letter_paragraphs
from registrations.tests.factories import prepare
from teams.models import Team


def at(*args):
    return dt.datetime(*args, tzinfo=SHANGHAI)


def publish(world, pairings, start):
    return notice_publish(actor=world["renhua_st"], cycle=world.cycle, pairings=pairings, title="仁化县选派名单公示",
                          start_date=start, contact="仁化县科学技术局 0751-6381234", today=start)


def close(notice):
    """The scheduled job's run after the period (2 weeks covers every period here)."""
    return notice_refresh(notice, now=notice.ends_at + dt.timedelta(days=1))


def object_to(notice, team_name, *, now, grounds="反映该团队负责人已调离原单位"):
    entry = notice.entries.get(team_name=team_name)
    return objection_file(notice=notice, entry=entry, name="张三", phone="13800138000", grounds=grounds, now=now)


def handle(world, objection, action, finding):
    objection_handle(actor=world["renhua_st"], objection=objection, action="investigate")
    return objection_handle(actor=world["renhua_st"], objection=objection, action=action, finding=finding)


@pytest.fixture
def spare(world):
    return Team.objects.create(cycle=world.cycle, name="备选柑橘团队", lead_unit=world.other_unit, leader_name="刘敏")


@pytest.fixture
def dongtang(world, spare):
    """柑橘团队 proposed for 董塘镇 (county-organized), with 备选柑橘团队 as its alternate."""
    return Pairing.objects.create(cycle=world.cycle, town=world.renhua_county_town, team=world.team,
                                  organizer_level="county", status="proposed",
                                  alternates=[{"team_id": spare.pk, "team_name": spare.name, "score": 0.9}])


def letter_text(login, submission) -> str:
    response = login("renhua_st").get("/registrations/%d/package/letter.docx" % submission.pk)
    assert response.status_code == 200
    return "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)


def opening(letter: str) -> str:
    """The letter's first paragraph (the one that says what the notice came to)."""
    return next(line for line in letter.splitlines() if line.startswith("根据《韶关市农村科技特派员"))


def test_no_objection_reads_no_objection(world, login, dongtang):
    close(publish(world, [dongtang], dt.date(2024, 9, 27)))
    submission = prepare(world, "renhua_st", [Pairing.objects.get(pk=dongtang.pk)], "city")
    first = opening(letter_text(login, submission))
    assert "经公开征集、遴选和公示，公示期内无异议。现将测试周期1个农村科技特派员团队选派情况报送贵局备案。" in first
    assert "异议1件" not in first and "更换" not in first


def test_a_dismissed_objection_is_reported_not_hidden(world, login, dongtang):
    notice = publish(world, [dongtang], dt.date(2024, 9, 27))
    handle(world, object_to(notice, "柑橘团队", now=at(2024, 10, 8, 10)), "dismiss", "经核实，该负责人仍在职")
    close(notice)
    assert Pairing.objects.get(pk=dongtang.pk).status == "notice_cleared"
    submission = prepare(world, "renhua_st", [Pairing.objects.get(pk=dongtang.pk)], "city")
    first = opening(letter_text(login, submission))
    assert "公示期内无异议" not in first
    assert ("经公开征集、遴选，并按程序进行公示。公示期间共收到异议1件，经核查，1件异议不成立。"
            "现将测试周期1个农村科技特派员团队选派情况报送贵局备案。") in first


def test_an_upheld_objection_names_the_replacement(world, login, dongtang, spare):
    notice = publish(world, [dongtang], dt.date(2024, 9, 27))
    handle(world, object_to(notice, "柑橘团队", now=at(2024, 10, 8, 10)), "uphold", "经核实，申报材料不实")
    old = Pairing.objects.get(pk=dongtang.pk)
    assert old.status == "withdrawn"
    new = replacement_propose(actor=world["renhua_st"], pairing=old, team_id=spare.pk)
    close(publish(world, [new], dt.date(2024, 10, 14)))
    submission = prepare(world, "renhua_st", [Pairing.objects.get(pk=new.pk)], "province", number="仁科〔2025〕21号")
    first = opening(letter_text(login, submission))
    assert "公示期内无异议" not in first
    assert ("公示期间共收到异议1件，经核查，1件异议成立，已按程序将董塘镇原拟选派的柑橘团队更换为备选柑橘团队。"
            "现将测试周期1个农村科技特派员团队选派情况报送贵厅备案。") in first


def test_objections_to_the_replacement_and_to_the_team_it_replaced_are_all_counted(world, dongtang, spare):
    notice = publish(world, [dongtang], dt.date(2024, 9, 27))
    handle(world, object_to(notice, "柑橘团队", now=at(2024, 10, 8, 9)), "uphold", "经核实，申报材料不实")
    new = replacement_propose(actor=world["renhua_st"], pairing=Pairing.objects.get(pk=dongtang.pk), team_id=spare.pk)
    second = publish(world, [new], dt.date(2024, 10, 14))
    handle(world, object_to(second, "备选柑橘团队", now=at(2024, 10, 15, 9)), "dismiss", "反映情况不属实")
    close(second)
    submission = prepare(world, "renhua_st", [Pairing.objects.get(pk=new.pk)], "city")
    assert letter_paragraphs(submission)[0].count("公示期间共收到异议2件，经核查，1件异议成立，已按程序将董塘镇原拟选派的"
                                                  "柑橘团队更换为备选柑橘团队；1件异议不成立。") == 1


def test_the_outcome_is_read_in_a_fixed_number_of_queries_whatever_the_number_of_towns(world, spare):
    """Five towns, each with an upheld objection and a replacement: the same queries as one town."""
    teams, towns = [], []
    for index in range(5):
        town = world.renhua.towns.create(code="4402241%02d" % (20 + index), name="测试%d镇" % index)
        world.cycle.town_classifications.create(town=town, town_class="consolidation", organizing_level="county")
        towns.append(town)
        teams.append((Team.objects.create(cycle=world.cycle, name="原团队%d" % index, lead_unit=world.unit,
                                          leader_name="甲%d" % index),
                      Team.objects.create(cycle=world.cycle, name="递补团队%d" % index, lead_unit=world.other_unit,
                                          leader_name="乙%d" % index)))
    pairings = [Pairing.objects.create(cycle=world.cycle, town=town, team=first, organizer_level="county",
                                       status="proposed", alternates=[{"team_id": second.pk, "team_name": second.name}])
                for town, (first, second) in zip(towns, teams)]
    notice = publish(world, pairings, dt.date(2024, 9, 27))
    objections = [object_to(notice, first.name, now=at(2024, 10, 8, 9, index))
                  for index, (first, _) in enumerate(teams)]
    for objection in objections:
        handle(world, objection, "uphold", "经核实，反映情况属实")
    replacements = [replacement_propose(actor=world["renhua_st"], pairing=Pairing.objects.get(pk=p.pk),
                                        team_id=second.pk) for p, (_, second) in zip(pairings, teams)]
    close(publish(world, replacements, dt.date(2024, 10, 14)))
    cleared = list(Pairing.objects.filter(pk__in=[p.pk for p in replacements]).order_by("town__code"))
    one = prepare(world, "renhua_st", cleared[:1], "city", number="仁科〔2025〕30号")
    five = prepare(world, "renhua_st", cleared, "province", number="仁科〔2025〕31号")
    with CaptureQueriesContext(connection) as one_queries:
        letter_paragraphs(one)
    with CaptureQueriesContext(connection) as five_queries:
        sentence = letter_paragraphs(five)[0]
    assert len(five_queries) == len(one_queries)
    assert ("公示期间共收到异议5件，经核查，5件异议成立，已按程序将测试0镇原拟选派的原团队0更换为递补团队0、"
            "将测试1镇原拟选派的原团队1更换为递补团队1、") in sentence
    assert "将测试4镇原拟选派的原团队4更换为递补团队4。现将测试周期5个农村科技特派员团队" in sentence
