"""The demo's annual reports (``portal.demo_reports``): 2022 and 2023 sent up and accepted the whole way, 2024 left at
every state of the city's completeness panel, 仁化县's 2024 report locked with its kept figures and photos, a 2023
figure corrected after its report was locked, and the city's to-do.

The demo is loaded once for the module inside a transaction rolled back when the module ends (as
``tests/security/conftest.py`` loads its world); each test runs in a savepoint of it.
"""
import datetime as dt

import pytest
from django.db import connections, transaction
from django.test.utils import override_settings

pytestmark = pytest.mark.django_db

TEST_SETTINGS = {
    "TASKS": {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}},
    "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
}
COUNTIES = ("440203", "440204", "440205", "440222", "440224", "440229", "440232", "440233", "440281", "440282")


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo, loaded once for the module (about half a minute) and rolled back at its end."""
    media = str(tmp_path_factory.mktemp("demo-reports-media"))
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media, **TEST_SETTINGS):
        atomics = {alias: transaction.atomic(using=alias) for alias in connections}
        for atomic in atomics.values():
            atomic.__enter__()
        try:
            from portal.demo import load_demo

            load_demo()
            yield
        finally:
            for alias, atomic in atomics.items():
                transaction.set_rollback(True, using=alias)
                atomic.__exit__(None, None, None)


def reports(year, level="county"):
    from reports.models import AnnualReport

    return AnnualReport.objects.filter(year=year, level=level, city__code="4402").select_related("county")


def by_county(year):
    return {report.county.code: report for report in reports(year)}


def test_2022_and_2023_went_up_the_whole_way(demo):
    """Every county's report of the first cycle's full years accepted by the city (two sent late, one returned first
    with a comment and sent again), the city's report accepted by the province; each kept its figures."""
    from core.models import Transition

    for year in (2022, 2023):
        counties = by_county(year)
        assert sorted(counties) == list(COUNTIES)
        assert {report.status for report in counties.values()} == {"accepted"}
        assert all(report.figures and report.figures_at and report.accepted_at for report in counties.values())
        late = [code for code, report in counties.items() if not report.on_time]
        assert len(late) == 2, late
        sent = [report.submitted_at.date() for report in counties.values()]
        assert all(dt.date(year + 1, 1, 10) <= day <= dt.date(year + 1, 2, 10) for day in sent), sent
        returns = Transition.objects.filter(content_type__model="annualreport", action="return",
                                            object_id__in=[str(r.pk) for r in counties.values()])
        assert returns.count() == 1 and returns.get().comment
        (city,) = reports(year, "city")
        assert city.status == "accepted" and city.figures["values"]["activities.total"] > 0
        assert set(city.figures["parts"]) == {"own"} | {str(r.county_id) for r in counties.values()}
        accepts = Transition.objects.filter(content_type__model="annualreport", object_id=str(city.pk),
                                            action="accept")
        assert accepts.get().actor.username == "province"


def test_2024_is_left_at_every_state_of_the_completeness_panel(demo):
    from reports import selectors

    counties = by_county(2024)
    states = {code: report.status for code, report in counties.items()}
    assert states.pop("440282") == "submitted"  # 南雄市: awaiting the city
    assert states.pop("440224") == "accepted"  # 仁化县
    assert states.pop("440205") == "returned" and counties["440205"].return_comment
    assert states.pop("440233") == "draft"
    assert "440203" not in states  # 武江区: not opened yet
    assert set(states.values()) == {"accepted"} and len(states) >= 5
    assert counties["440282"].figures and counties["440282"].submitted_at.date() == dt.date(2025, 1, 20)
    assert counties["440233"].figures is None and counties["440205"].figures is None
    (city,) = reports(2024, "city")
    assert city.status == "draft" and city.achievements
    wujiang = next(row for row in selectors.completeness(city) if row["county"].code == "440203")
    assert wujiang["report"] is None and wujiang["note"] == city.missing_notes[str(wujiang["county"].pk)]
    panel = {row["status"] for row in selectors.completeness(city)}
    assert panel == {"未建立", "未报送", "已报送待审核", "已退回", "已接收（锁定）"}, panel
    # The city cannot send it yet: 南雄市, 曲江区 and 新丰县 are neither accepted nor noted.
    from core.workflow import guard_refusal
    from reports.choices import REPORT_WORKFLOW

    from accounts.models import User

    refusal = guard_refusal(REPORT_WORKFLOW, city, "submit", User.objects.get(username="city_st"))
    assert refusal and "南雄市" in refusal and "武江区" not in refusal


def test_renhua_2024_is_locked_with_its_kept_figures_and_case_photos(demo):
    """仁化县's 2024 report shows the figures kept when it was sent (nothing changed since: a count now agrees, and the
    traced activities are as many as the kept figure), photos of its own activities, and the 2023 correction."""
    from reports import figures as F
    from reports import selectors

    report = by_county(2024)["440224"]
    assert report.status == "accepted" and report.frozen
    assert selectors.figures_of(report) == report.figures
    kept = report.figures["values"]
    assert kept["activities.total"] > 0
    now = F.compute(selectors.scope_of(report))
    assert {key: value for key, value in kept.items() if key in now} == now
    _figure, _source, rows = F.trace("activities.total", selectors.scope_of(report))
    assert rows.count() == kept["activities.total"]
    photos = set(report.case_photos.values_list("pk", flat=True))
    assert 1 <= len(photos) <= 3
    assert photos <= set(selectors.photos_for(report).values_list("pk", flat=True))
    assert "贡柑" in report.achievements and "白毛茶" in report.achievements
    # 董塘镇's training of 26 December 2023 was confirmed in February 2024, after the 2023 report was locked.
    corrected = {row["key"]: (row["kept"], row["now"]) for row in selectors.corrections(report)}
    kept_2023, now_2023 = corrected["activities.total"]
    assert now_2023 == kept_2023 + 1
    assert by_county(2023)["440224"].figures["values"]["activities.total"] == kept_2023


def test_every_report_step_is_a_recorded_transition(demo):
    from core.models import Transition
    from reports.models import AnnualReport

    chains = {}
    for object_id, action, to_state, when in Transition.objects.filter(
            content_type__model="annualreport").order_by("pk").values_list("object_id", "action", "to_state",
                                                                            "created_at"):
        chains.setdefault(int(object_id), []).append((action, to_state, when))
    for report in AnnualReport.objects.all():
        chain = chains[report.pk]
        assert chain[0][0] == "create" and chain[-1][1] == report.status, (report, chain)
        assert [when for _a, _s, when in chain] == sorted(when for _a, _s, when in chain)
        assert chain[0][2].year == report.year + 1  # written in the next year, as on the day


def test_city_st_has_nanxiong_to_receive_and_its_own_to_write(demo):
    from accounts.models import User
    from core.dashboard import todo_for
    from core.scoping import restrict
    from cycles.models import Cycle
    from reports.models import AnnualReport

    city_st = User.objects.get(username="city_st")
    cycle = Cycle.objects.filter(status="open").first()
    items = {item.label: item for item in todo_for(city_st, cycle)}
    assert items["年度报告待审核接收"].count == 1 and items["年度报告待报送"].count == 1
    waiting = restrict(AnnualReport.objects.all(), city_st, "view").filter(status="submitted")
    assert [(r.year, r.county.code) for r in waiting] == [(2024, "440282")]
    # A county's draft is its own: the city does not see 新丰县's.
    assert not restrict(AnnualReport.objects.all(), city_st, "view").filter(status="draft", level="county").exists()
    qujiang = User.objects.get(role="county_st", county__code="440205")
    assert {item.label: item.count for item in todo_for(qujiang, cycle)}.get("年度报告待报送") == 1


def test_the_reports_are_told_once(demo):
    from portal import demo_reports
    from reports.models import AnnualReport

    before = AnnualReport.objects.count()
    demo_reports.annual_reports()
    assert AnnualReport.objects.count() == before
