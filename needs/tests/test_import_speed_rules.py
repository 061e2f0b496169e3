"""The fast import keeps its rules: history rows, village links, search tokens, all or nothing, constant queries."""
import datetime
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.models import TaskRun
from needs import services
from needs.models import Need, NeedToken
from needs.search import id_ranges, need_features, reindex_needs, search_needs
from needs.services import needs_import

HEADER = ["镇代码", "镇名称", "涉及行政村", "需求标题", "需求描述", "产业类别", "服务类型", "优先级", "预期成效", "调研人", "调研日期"]
TOPICS = [("贡柑黄龙病防控", "果树"), ("白毛茶加工提质", "茶叶"), ("香菇栽培技术", "食用菌"), ("马蹄种苗复壮", "蔬菜")]


def sheet(rows) -> bytes:
    book = openpyxl.Workbook(write_only=True)
    page = book.create_sheet("需求")
    page.append(HEADER)
    for row in rows:
        page.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def need_rows(count, code="440224108", villages=""):
    rows = []
    for index in range(count):
        title, category = TOPICS[index % len(TOPICS)]
        rows.append([code, "", villages, "%s（%d）" % (title, index), "全镇%s面临瓶颈，第%d户反映需要指导。" % (title, index),
                     category, "技术指导、技能培训", "高" if index % 2 else "", "亩产提高一成", "调研组", "2025-03-01"])
    return rows


def run(world, content, actor="renhua_st", **kwargs):
    return needs_import(actor=world[actor], cycle=world.cycle, file=io.BytesIO(content), filename="需求.xlsx", **kwargs)


def test_each_imported_need_has_its_creation_history_with_the_actor_and_its_values(world):
    before = timezone.now()
    report = run(world, sheet(need_rows(3)))
    assert report.errors == [] and report.saved == 3
    history = Need.history.model
    tracked = [field.attname for field in history.tracked_fields]
    for need in Need.objects.all():
        rows = list(history.objects.filter(id=need.pk))
        assert len(rows) == 1
        row = rows[0]
        assert row.history_type == "+" and row.history_user_id == world["renhua_st"].pk
        assert row.history_change_reason == "导入 需求.xlsx"
        assert before <= row.history_date <= timezone.now()
        assert {name: getattr(row, name) for name in tracked} == {name: getattr(need, name) for name in tracked}
    assert Need.objects.get(title="香菇栽培技术（2）").service_types == ["guidance", "training"]
    assert set(Need.objects.values_list("priority", flat=True)) == {"high", "medium"}
    assert Need.objects.filter(surveyed_on=datetime.date(2025, 3, 1), created_by=world["renhua_st"]).count() == 3
    # The history the record pages show: one creation entry by the importer.
    need = Need.objects.first()
    assert [(h.history_type, h.history_user) for h in need.history.all()] == [("+", world["renhua_st"])]


def test_the_villages_are_linked(world):
    from regions.models import Village

    town = world.renhua_county_town
    Village.objects.create(town=town, name="董塘村")
    Village.objects.create(town=town, name="江头村")
    report = run(world, sheet(need_rows(2, villages="董塘村、江头村")))
    assert report.saved == 2
    for need in Need.objects.all():
        assert sorted(need.villages.values_list("name", flat=True)) == ["江头村", "董塘村"]


def test_a_small_import_is_searchable_at_once(world):
    report = run(world, sheet(need_rows(4)))
    assert report.saved == 4 and report.index_run is None
    assert NeedToken.objects.filter(need__in=Need.objects.all()).values("need").distinct().count() == 4
    assert list(search_needs(Need.objects.all(), "黄龙病").values_list("title", flat=True)) == ["贡柑黄龙病防控（0）"]
    assert search_needs(Need.objects.all(), "柑橘").count() == 1  # the taxonomy's broader product finds 贡柑


def test_a_large_import_builds_its_index_in_a_follow_up_task(world, monkeypatch):
    monkeypatch.setattr(services, "IMPORT_INDEX_INLINE_ROWS", 2)
    report = run(world, sheet(need_rows(6)))  # the tests' task backend runs the task at once
    assert report.saved == 6 and report.index_run is not None
    index_run = TaskRun.objects.get(pk=report.index_run.pk)
    assert index_run.kind == "search_index" and index_run.status == TaskRun.Status.DONE
    assert index_run.created_by == world["renhua_st"] and index_run.result["tokens"] > 0
    assert NeedToken.objects.values("need").distinct().count() == 6
    assert sorted(search_needs(Need.objects.all(), "马蹄").values_list("title", flat=True)) == ["马蹄种苗复壮（3）"]


def test_with_a_worker_the_index_waits_for_the_commit_and_the_literal_search_works_meanwhile(
        world, monkeypatch, settings, django_capture_on_commit_callbacks):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    monkeypatch.setattr(services, "IMPORT_INDEX_INLINE_ROWS", 2)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        report = run(world, sheet(need_rows(5)))
    assert report.saved == 5 and len(callbacks) == 1  # the task is queued once the needs are committed
    assert NeedToken.objects.count() == 0 and report.index_run.status == TaskRun.Status.PENDING
    assert search_needs(Need.objects.all(), "贡柑黄龙病防控").count() == 2  # title text itself, before the index
    reindex_needs(id_ranges(Need.objects.values_list("pk", flat=True)))  # what the worker runs
    assert search_needs(Need.objects.all(), "柑橘").count() == 2


def test_the_import_page_says_the_index_is_being_built_then_that_it_is_built(world, login, monkeypatch):
    monkeypatch.setattr(services, "IMPORT_INDEX_INLINE_ROWS", 1)
    upload = io.BytesIO(sheet(need_rows(3)))
    upload.name = "需求.xlsx"
    response = login("renhua_st").post("/needs/import/", {"file": upload})
    run_ = TaskRun.objects.get(kind="import")
    assert run_.result["saved"] == 3 and TaskRun.objects.get(pk=run_.result["index_run"]).status == "done"
    page = login("renhua_st").get(response.url).content.decode()
    assert "导入成功：共 3 行" in page and "检索索引已建立" in page


def test_the_index_task_resolves_by_its_path_in_the_worker():
    from django.utils.module_loading import import_string

    from needs.tasks import index_needs_task

    assert import_string(index_needs_task.module_path) is index_needs_task


def test_reindexing_replaces_tokens_and_skips_needs_that_are_gone(world):
    run(world, sheet(need_rows(4)))
    pks = list(Need.objects.order_by("pk").values_list("pk", flat=True))
    before = NeedToken.objects.count()
    assert reindex_needs(id_ranges(pks + [max(pks) + 50])) == before == NeedToken.objects.count()
    assert id_ranges([7, 3, 4, 5, 9, 10]) == [[3, 5], [7, 7], [9, 10]]


@pytest.mark.parametrize("text", [
    "贡柑黄龙病防控 全镇贡柑受黄龙病影响，需要绿色防控技术 果树 ",
    "白毛茶（2）加工提质；第12户反映：养猪场粪污、沼气池 畜牧 亩产提高10%",
    "马蹄种苗复壮 荸荠品种退化【急】“乡村旅游”规划/民宿 蔬菜 ABC-3 提升",
    "",
])
def test_the_piecewise_cache_gives_exactly_the_analyzers_features(db, text):
    from needs.taxonomy import current_analyzer

    analyzer = current_analyzer()
    cache = {}
    assert need_features(analyzer, text, cache) == need_features(analyzer, text)
    assert need_features(analyzer, text, cache) == need_features(analyzer, text)  # from the cache the second time


def test_a_bad_last_row_of_2000_saves_nothing_and_names_its_row_and_column(world):
    rows = need_rows(2000)
    rows[-1][10] = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()  # a survey date in the future
    report = run(world, sheet(rows))
    messages = [str(error) for error in report.errors]
    assert report.saved == 0 and len(messages) == 1
    assert messages[0].startswith("第2001行 “调研日期”") and "不能晚于今天" in messages[0]
    assert Need.objects.count() == 0 and Need.history.model.objects.count() == 0 and NeedToken.objects.count() == 0
    assert not TaskRun.objects.filter(kind="search_index").exists()


def test_an_unknown_town_at_the_end_of_2000_rows_saves_nothing(world):
    rows = need_rows(2000)
    rows[-1][0] = "440299999"
    report = run(world, sheet(rows))
    assert report.saved == 0 and [str(e) for e in report.errors] == ["第2001行 “镇代码”：未知的镇代码“440299999”"]
    assert Need.objects.count() == 0 and Need.history.model.objects.count() == 0


def test_the_models_rules_are_reported_row_by_row(world):
    rows = need_rows(3)
    future = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    rows[0][10] = future
    rows[1][9] = "调" * 101  # longer than the model allows
    rows[2][10] = future
    messages = [str(error) for error in run(world, sheet(rows)).errors]
    # The file's own checks first (as before), then the model's rules row by row.
    assert [m.split("：")[0] for m in messages] == ["第3行 “调研人”", "第2行 “调研日期”", "第4行 “调研日期”"]


@pytest.mark.parametrize("inline", [True, False])
def test_the_import_issues_no_query_per_row(world, monkeypatch, inline):
    monkeypatch.setattr(services, "IMPORT_INDEX_INLINE_ROWS", 10 ** 6 if inline else 0)
    counts = []
    for size in (500, 2000):
        with CaptureQueriesContext(connection) as queries:
            report = run(world, sheet(need_rows(size)))
        assert report.saved == size
        counts.append(len(queries))
        Need.objects.all().delete()
    # Only the batches grow (1,000 needs per insert and per history insert, 5,000 tokens per executemany).
    assert counts[0] < 60 and counts[1] - counts[0] <= 8, counts
