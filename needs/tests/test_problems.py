"""The problem knowledge officials edit: pages, API, checks, history, search, and the engine using their version."""
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from needs.models import IndustryCategory, IndustryProblem, IndustryProduct, Need
from needs.search import index_needs, search_needs
from needs.services import problem_save
from needs.taxonomy import current_taxonomy, taxonomy_dict

PAGE = "/needs/taxonomy/problems/"


def form(**fields):
    data = {"category": IndustryCategory.objects.get(name="蔬菜").pk, "name": "辣椒疫霉测试",
            "phrases_text": "辣椒 根颈 水渍\n雨后 成片 倒", "terms_text": "辣椒疫病测试\n疫霉菌测试",
            "products": [IndustryProduct.objects.get(name="辣椒").pk]}
    data.update(fields)
    return data


def test_the_seeded_knowledge_is_in_the_database_and_in_the_taxonomy_the_engine_uses(db):
    assert IndustryProblem.objects.count() >= 150
    data = taxonomy_dict()
    assert len(data["problems"]) == IndustryProblem.objects.count()
    assert set(current_taxonomy().problems) == set(IndustryProblem.objects.values_list("name", flat=True))


def test_the_city_adds_a_problem_on_the_page_and_the_next_match_uses_it(world, login):
    from matching.engine import Need as EngineNeed, Team as EngineTeam, match

    before = current_taxonomy()
    client = login("city_st")
    assert "新增" in client.get(PAGE).content.decode()
    response = client.post(PAGE + "new/", form())
    assert response.status_code == 302, response.content.decode()[:2000]
    problem = IndustryProblem.objects.get(name="辣椒疫霉测试")
    assert problem.phrases == ["辣椒 根颈 水渍", "雨后 成片 倒"] and problem.terms == ["辣椒疫病测试", "疫霉菌测试"]
    assert [p.name for p in problem.products.all()] == ["辣椒"]
    assert problem.history.count() == 1
    after = current_taxonomy()
    assert after.version != before.version and "辣椒疫霉测试" in after.problems
    needs = [EngineNeed("440224111", "黄坑镇", "辣椒死苗", "下了几天雨后，辣椒一片一片成片倒下")]
    teams = [EngineTeam("A", "甲", specialties="辣椒疫病测试综合防控"), EngineTeam("B", "乙", specialties="茄果类蔬菜栽培")]
    result = match(needs, teams, taxonomy=after)
    assert result.assignments[0].team_id == "A"
    assert any("均指问题“辣椒疫霉测试”" in reason for reason in result.assignments[0].reasons)
    # Edited: the history keeps both versions.
    response = client.post(PAGE + "%d/" % problem.pk, form(phrases_text="辣椒 根颈 水渍\n雨后 成片 倒\n茎 基部 黑"))
    assert response.status_code == 302
    assert IndustryProblem.objects.get(pk=problem.pk).phrases[-1] == "茎 基部 黑"
    assert problem.history.count() == 2


@pytest.mark.parametrize("fields, message", [
    ({"phrases_text": "死\n雨后 成片 倒"}, "“死”太短"),
    ({"terms_text": "a"}, "“a”太短"),
    ({"phrases_text": "", "terms_text": ""}, "请至少填写一条群众说法或专业术语"),
    ({"phrases_text": "长" * 41}, "过长"),
    ({"phrases_text": "的 了\n雨后 成片 倒"}, "“的 了”只有虚词、标点"),
    ({"terms_text": "技术"}, "“技术”只有虚词、标点"),
    ({"phrases_text": "，。 ！！"}, "只有虚词、标点"),
])
def test_bad_phrasings_are_refused_with_the_line_named_and_nothing_saved(world, login, fields, message):
    response = login("city_st").post(PAGE + "new/", form(**fields))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not IndustryProblem.objects.filter(name="辣椒疫霉测试").exists()


def test_only_the_city_edits_problems(world, login):
    problem = IndustryProblem.objects.order_by("pk").first()
    with pytest.raises(PermissionDenied):
        problem_save(actor=world["renhua_st"], problem=problem, phrases=problem.phrases, terms=problem.terms)
    for role in ("renhua_st", "renhua_county_town", "nanxiong_st"):
        client = login(role)
        page = client.get(PAGE + "?q=%s" % problem.name).content.decode()
        assert problem.name in page and 'href="%s%d/"' % (PAGE, problem.pk) not in page
        assert client.get(PAGE + "%d/" % problem.pk).status_code in (403, 404)
        assert client.post(PAGE + "new/", form()).status_code in (403, 404)
    assert not IndustryProblem.objects.filter(name="辣椒疫霉测试").exists()
    assert 'href="%s%d/"' % (PAGE, problem.pk) in login("city_st").get(PAGE + "?q=%s" % problem.name).content.decode()


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    response = client.get(PAGE)
    assert response.status_code == 302 and "/login" in response.url


def test_the_api_reads_for_everyone_and_writes_for_the_city(world, login):
    problem = IndustryProblem.objects.order_by("pk").first()
    assert login("renhua_county_town").get(f"/api/v1/industry-problems/{problem.pk}/").status_code == 200
    denied = login("renhua_st").patch(f"/api/v1/industry-problems/{problem.pk}/", {"terms": ["新术语测试"]},
                                      content_type="application/json")
    assert denied.status_code in (403, 404)
    response = login("city_st").patch(f"/api/v1/industry-problems/{problem.pk}/",
                                      {"terms": [*problem.terms, "新术语测试"]}, content_type="application/json")
    assert response.status_code == 200, response.content
    assert "新术语测试" in IndustryProblem.objects.get(pk=problem.pk).terms
    bad = login("city_st").post("/api/v1/industry-problems/", {"category": "蔬菜", "name": "空问题", "phrases": ["x"]},
                                content_type="application/json")
    assert bad.status_code == 400 and "太短" in bad.content.decode()
    assert not IndustryProblem.objects.filter(name="空问题").exists()


def test_searching_a_problem_finds_needs_told_in_farmers_words(world, make_need):
    problem = IndustryProblem.objects.create(category=IndustryCategory.objects.get(name="蔬菜"), name="青枯测试病",
                                             phrases=["中午 蔫 早上"], terms=["青枯测试病"])
    make_need(title="辣椒苗死得多", description="辣椒苗一到中午就蔫，早上又好了，过几天整株死", category="蔬菜")
    make_need(title="贡柑黄龙病防控")
    index_needs(Need.objects.all())
    assert list(search_needs(Need.objects.all(), problem.name).values_list("title", flat=True)) == ["辣椒苗死得多"]


def test_a_problem_without_any_phrasing_or_term_is_refused_by_the_service(world):
    with pytest.raises(ValidationError):
        problem_save(actor=world["city_st"], problem=IndustryProblem(category=IndustryCategory.objects.first(),
                                                                      name="x"), phrases="", terms="")


def test_a_need_and_a_team_show_the_problems_they_speak_of(world, make_need, login):
    IndustryProblem.objects.create(category=IndustryCategory.objects.get(name="蔬菜"), name="青枯测试病",
                                   phrases=["中午 蔫 早上"], terms=["青枯测试病"])
    need = make_need(title="辣椒苗死得多", description="辣椒苗一到中午就蔫，早上又好了，过几天整株死", category="蔬菜")
    index_needs([need])
    page = login("renhua_st").get(f"/needs/{need.pk}/").content.decode()
    assert "对应的产业问题" in page and "青枯测试病" in page
    team = world.team
    team.expertise_summary = "茄科青枯测试病综合防控"
    team.save()
    page = login("renhua_st").get(f"/teams/{team.pk}/").content.decode()
    assert "专长对应的产业问题" in page and "青枯测试病" in page


def test_a_new_phrasing_finds_needs_saved_before_it(world, make_need):
    """Editing a problem re-indexes the needs in the background: search follows the edit both ways."""
    need = make_need(title="鸡群不对劲", description="土鸡一棚一棚地打喷嚏、甩头，脸肿起来", category="畜牧")
    problem = IndustryProblem.objects.create(category=IndustryCategory.objects.get(name="畜牧"), name="鸡测试呼吸病",
                                             phrases=["鸡 咳嗽 测试"], terms=["鸡测试呼吸病"])
    assert not search_needs(Need.objects.all(), problem.name).filter(pk=need.pk).exists()
    problem_save(actor=world["city_st"], problem=problem, phrases="鸡 咳嗽 测试\n打喷嚏 甩头", terms="鸡测试呼吸病")
    assert search_needs(Need.objects.all(), problem.name).filter(pk=need.pk).exists()
    problem_save(actor=world["city_st"], problem=problem, phrases="鸡 咳嗽 测试", terms="鸡测试呼吸病")
    assert not search_needs(Need.objects.all(), problem.name).filter(pk=need.pk).exists()


def test_a_problem_is_found_by_its_name_even_when_no_phrasing_repeats_it(world, make_need):
    IndustryProblem.objects.create(category=IndustryCategory.objects.get(name="畜牧"), name="禽呼吸测试综合征",
                                   phrases=["打喷嚏 甩头"], terms=["慢性测试呼吸道病"])
    need = make_need(title="鸡群不对劲", description="土鸡一棚一棚地打喷嚏、甩头", category="畜牧")
    index_needs([need])
    assert list(search_needs(Need.objects.all(), "禽呼吸测试综合征")) == [need]


def test_a_duplicate_name_and_a_bad_phrasing_are_told_together(world, login):
    taken = IndustryProblem.objects.order_by("pk").first().name
    response = login("city_st").post(PAGE + "new/", form(name=taken, phrases_text="死"))
    page = response.content.decode()
    assert response.status_code == 200 and "已存在" in page and "“死”太短" in page
