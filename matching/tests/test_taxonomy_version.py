"""One taxonomy: runs use the taxonomy officials edit, record its version and snapshot, and re-compute with it."""
import hashlib
import json
import re
from pathlib import Path

import pytest
from django.urls import reverse

from matching import services
from matching.engine import Need as EngineNeed
from matching.engine import Team as EngineTeam
from matching.engine import match, taxonomy_for, taxonomy_version
from matching.engine.taxonomy import DEFAULT_TAXONOMY_PATH, canonical_json, load_taxonomy
from matching.engine.tokens import analyzer_for
from matching.models import SelectionRun
from needs.models import IndustryCategory, IndustryProduct
from needs.services import product_save
from needs.taxonomy import current_taxonomy, taxonomy_dict

REPO = Path(__file__).resolve().parents[2]
NEW_SYNONYM = "水栗"  # a local name of 马蹄 (荸荠) the shipped taxonomy does not know


def assigned(run):
    return {a["town_code"]: a["team_id"] for a in run.result["assignments"]}


def run_round(world, selection_round):
    run = services.run_create(actor=world["renhua_st"], selection_round=selection_round)
    return services.run_execute(run)


def add_synonym(world, product_name: str, synonym: str) -> None:
    """What the city official does on the taxonomy page: add another name to a product."""
    product = IndustryProduct.objects.get(name=product_name)
    product_save(actor=world["city_st"], product=product, synonyms=[*product.synonyms, synonym],
                 parents=list(product.parents.all()))


def remove_synonym(world, product_name: str, synonym: str) -> None:
    product = IndustryProduct.objects.get(name=product_name)
    product_save(actor=world["city_st"], product=product, synonyms=[s for s in product.synonyms if s != synonym],
                 parents=list(product.parents.all()))


@pytest.fixture
def water_chestnut(world, selection):
    """石塘镇 now asks about 水栗; a new vegetable team knows 马蹄 (石塘镇 its second choice, the pig team's first)."""
    from calls.models import Application, ApplicationTown
    from teams.models import Team

    need = selection.needs[2]
    need.title, need.description = "水栗种植", "水栗品种退化，产量低"
    need.category = IndustryCategory.objects.get(name="其他")
    need.save()
    team = Team.objects.create(cycle=world.cycle, name="水生蔬菜团队", lead_unit=world.other_unit,
                               expertise_summary="马蹄脱毒种苗繁育与高产栽培")
    application = Application.objects.create(call=selection.call, team=team, status="accepted", service_plan="帮扶思路")
    for rank, name in enumerate(["红山镇", "石塘镇"], start=1):
        ApplicationTown.objects.create(application=application, town=selection.towns[name], rank=rank)
    selection.teams[team.name] = team
    return services.round_open(actor=world["renhua_st"], call=selection.call)


def test_a_run_after_an_official_adds_a_synonym_uses_it_without_a_restart(world, selection, water_chestnut):
    teams, town = selection.teams, "440224107"  # 石塘镇
    before = run_round(world, water_chestnut)
    assert assigned(before)[town] == str(teams["生猪健康养殖团队"].pk)  # 水栗 means nothing yet

    add_synonym(world, "马蹄", NEW_SYNONYM)  # same process: the engine's caches must follow the edit
    after = run_round(world, water_chestnut)
    assert after.status == "done"
    assert assigned(after)[town] == str(teams["水生蔬菜团队"].pk)
    reasons = next(a for a in after.result["assignments"] if a["town_code"] == town)["reasons"]
    assert any(NEW_SYNONYM in reason and "马蹄" in reason for reason in reasons), reasons
    assert after.taxonomy_version != before.taxonomy_version


def test_a_run_records_the_version_and_a_snapshot_of_the_database_taxonomy(world, selection, water_chestnut, login):
    run = run_round(world, water_chestnut)
    data = taxonomy_dict()
    expected = hashlib.sha256(json.dumps(data, ensure_ascii=False, sort_keys=True,
                                         separators=(",", ":")).encode("utf-8")).hexdigest()
    assert run.taxonomy_version == expected == current_taxonomy().version
    assert run.taxonomy == data  # the snapshot itself, kept with the run's inputs
    assert run.engine_taxonomy().version == run.taxonomy_version
    page = login("renhua_st").get(run.get_absolute_url())
    assert page.status_code == 200
    text = page.content.decode()
    assert run.taxonomy_version[:12] in text and "产业分类版本" in text


def test_editing_the_taxonomy_changes_the_version_and_undoing_it_restores_it(world):
    original = current_taxonomy().version
    assert taxonomy_version(taxonomy_dict()) == original  # stable: the same content, the same hash
    add_synonym(world, "马蹄", NEW_SYNONYM)
    edited = current_taxonomy().version
    assert edited != original
    remove_synonym(world, "马蹄", NEW_SYNONYM)
    assert current_taxonomy().version == original
    category = IndustryCategory.objects.get(name="蔬菜")
    IndustryProduct.objects.create(category=category, name="水芹")  # a new product is a new version too
    assert current_taxonomy().version not in (original, edited)


def test_re_running_an_old_run_uses_its_recorded_taxonomy_and_reproduces_its_result(world, selection, water_chestnut):
    old = run_round(world, water_chestnut)
    old_result, old_version = old.result, old.taxonomy_version
    add_synonym(world, "马蹄", NEW_SYNONYM)
    new = run_round(world, water_chestnut)
    assert assigned(new) != assigned(old)

    old = SelectionRun.objects.get(pk=old.pk)
    assert old.taxonomy_version == old_version != new.taxonomy_version
    again = services.run_compute(old)  # the stored inputs and the recorded taxonomy, not today's
    assert again.to_dict() == old_result
    assert {a.town_code: a.team_id for a in again.assignments} == assigned(old)
    assert again.total_score == pytest.approx(old.total_score)
    assert services.run_compute(new).to_dict() == new.result


def test_an_old_run_without_a_snapshot_falls_back_to_the_shipped_file_and_says_so(world, selection, water_chestnut,
                                                                                 login):
    run = services.run_create(actor=world["renhua_st"], selection_round=water_chestnut)
    SelectionRun.objects.filter(pk=run.pk).update(taxonomy=None, taxonomy_version="")  # as before the migration
    run = services.run_execute(SelectionRun.objects.get(pk=run.pk))
    assert run.status == "done"
    assert run.engine_taxonomy().version == load_taxonomy(DEFAULT_TAXONOMY_PATH).version
    assert services.run_compute(run).to_dict() == run.result
    text = login("renhua_st").get(run.get_absolute_url()).content.decode()
    assert "未记录" in text and "内置分类文件" in text


def test_comparing_runs_on_different_taxonomies_says_so(world, selection, water_chestnut, login):
    a = run_round(world, water_chestnut)
    add_synonym(world, "马蹄", NEW_SYNONYM)
    b = run_round(world, water_chestnut)
    url = reverse("matching:compare", args=[water_chestnut.pk]) + "?a=%d&b=%d" % (a.pk, b.pk)
    text = login("renhua_st").get(url).content.decode()
    assert a.taxonomy_version[:12] in text and b.taxonomy_version[:12] in text
    assert "产业分类不同" in text


def test_the_engine_caches_by_version_not_by_process(tmp_path):
    data = load_taxonomy().to_dict()
    assert taxonomy_for(json.loads(canonical_json(data))) is taxonomy_for(data)  # key order does not matter
    changed = json.loads(json.dumps(data))
    changed["categories"][0]["products"][0]["synonyms"].append("新别名")
    assert taxonomy_for(changed).version != taxonomy_for(data).version
    assert analyzer_for(taxonomy_for(changed)).taxonomy.version == taxonomy_for(changed).version
    # A file edited in place is re-read by the next load (the shipped file too: it is no longer cached for life).
    path = tmp_path / "taxonomy.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    first = load_taxonomy(path)
    path.write_text(json.dumps(changed, ensure_ascii=False), encoding="utf-8")
    assert load_taxonomy(path).version == taxonomy_for(changed).version != first.version


def test_the_shipped_file_seeds_the_database_and_stays_the_command_line_default(db):
    shipped = json.loads(DEFAULT_TAXONOMY_PATH.read_text(encoding="utf-8"))
    seeded = taxonomy_dict()
    names = lambda data: {p["name"] for c in data["categories"] for p in c["products"]}  # noqa: E731
    assert names(seeded) == names(shipped)
    assert [c["name"] for c in seeded["categories"]] == [c["name"] for c in shipped["categories"]]
    # The engine's default (what `manage.py match` uses without --taxonomy) is the shipped file.
    assert load_taxonomy().version == taxonomy_version(shipped)
    needs = [EngineNeed("1", "甲镇", "荸荠种苗", "荸荠品种退化")]
    teams = [EngineTeam("T", "马蹄团队", specialties="马蹄脱毒种苗")]
    assert any("荸荠" in r and "马蹄" in r for r in match(needs, teams).assignments[0].reasons)


def test_service_types_come_from_one_list():
    from matching.engine import SERVICE_TYPES
    from matching.engine.service_types import SERVICE_TYPE_CHOICES
    from matching.engine.tokens import STOPWORDS
    from needs.choices import SERVICE_LABELS, ServiceType
    from teams.choices import ServiceType as TeamServiceType

    assert [(value, str(label)) for value, label in ServiceType.choices] == list(SERVICE_TYPE_CHOICES)
    assert TeamServiceType is ServiceType
    assert SERVICE_TYPES == tuple(label for _value, label in SERVICE_TYPE_CHOICES)
    assert {str(label) for label in SERVICE_LABELS.values()} == set(SERVICE_TYPES) <= STOPWORDS
    assert ServiceType.GUIDANCE == "guidance" and ServiceType.GUIDANCE.label == "技术指导"
    # No other source file spells a label out as its own string: they all import the list.
    label = re.compile(r"""["'](%s)["']""" % "|".join(SERVICE_TYPES))
    skipped = {"tests", "migrations", "bench", "node_modules", "static", "staticfiles", "var"}
    tops = [top for top in REPO.iterdir() if top.is_dir() and not top.name.startswith(".") and top.name not in skipped]
    sources = [path for top in tops for path in top.rglob("*.py") if not skipped & set(path.relative_to(REPO).parts)]
    spelled = sorted(str(path.relative_to(REPO)) for path in sources
                     if label.search(path.read_text(encoding="utf-8", errors="replace")))
    assert spelled == ["matching/engine/service_types.py"]
