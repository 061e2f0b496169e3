"""Chinese full-text search with synonyms and broader products; the taxonomy and its export."""
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from needs.models import IndustryProduct, Need
from needs.search import search_needs
from needs.services import product_save
from needs.taxonomy import export, taxonomy_dict


def titles(query, user=None):
    from core.scoping import restrict

    queryset = restrict(Need.objects.all(), user) if user else Need.objects.all()
    return sorted(search_needs(queryset, query).values_list("title", flat=True))


def test_the_seeded_taxonomy_knows_synonyms_and_broader_products(db):
    assert "荸荠" in IndustryProduct.objects.get(name="马蹄").synonyms
    gonggan = IndustryProduct.objects.get(name="贡柑")
    assert "柑橘" in [parent.name for parent in gonggan.parents.all()]


def test_citrus_finds_gonggan_and_water_chestnut_finds_its_other_name(world, make_need):
    make_need(title="贡柑黄龙病防控", description="贡柑树势衰弱")
    make_need(title="荸荠种苗退化", description="荸荠产量下降", category="蔬菜")
    make_need(title="白毛茶加工", description="白毛茶品质不稳定", category="茶叶")
    assert titles("柑橘") == ["贡柑黄龙病防控"]
    assert titles("马蹄") == ["荸荠种苗退化"]
    assert titles("茶叶 加工") == ["白毛茶加工"]
    assert titles("果树") == ["贡柑黄龙病防控"]
    assert titles("贡柑 病虫害 黄龙病") == ["贡柑黄龙病防控"]


def test_search_stays_in_scope(world, make_need):
    make_need(title="贡柑黄龙病防控")
    make_need(title="沙糖桔保果", town=world.nanxiong_county_town)
    assert titles("柑橘", world["renhua_st"]) == ["贡柑黄龙病防控"]
    assert titles("柑橘", world["city_st"]) == ["沙糖桔保果", "贡柑黄龙病防控"]


def test_the_list_page_and_api_search(world, make_need, login):
    make_need(title="贡柑黄龙病防控")
    page = login("renhua_st").get("/needs/?q=柑橘").content.decode()
    assert "贡柑黄龙病防控" in page
    assert login("renhua_st").get("/api/v1/needs/?q=柑橘").json()["count"] == 1


def test_only_the_city_edits_the_taxonomy_and_names_stay_unique(world):
    mati = IndustryProduct.objects.get(name="马蹄")
    with pytest.raises(PermissionDenied):
        product_save(actor=world["renhua_st"], product=mati, synonyms="荸荠")
    product = IndustryProduct(category=mati.category, name="乌芋")
    with pytest.raises(ValidationError) as error:
        product_save(actor=world["city_st"], product=product, synonyms="荸荠")
    assert "已属于“马蹄”" in str(error.value)
    product_save(actor=world["city_st"], product=mati, synonyms="荸荠、乌芋")
    assert IndustryProduct.objects.get(name="马蹄").synonyms == ["乌芋", "荸荠"]


def test_a_new_synonym_takes_effect_in_search(world, make_need):
    make_need(title="地栗种植", description="地栗产量低", category="蔬菜")
    mati = IndustryProduct.objects.get(name="马蹄")
    product_save(actor=world["city_st"], product=mati, synonyms=list(mati.synonyms) + ["地栗"])
    from needs.search import index_needs

    index_needs(Need.objects.all())
    assert titles("马蹄") == ["地栗种植"]


def test_the_export_is_the_engines_file_format(db, tmp_path):
    from matching.engine.taxonomy import Taxonomy

    path = export(tmp_path / "taxonomy.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    taxonomy = Taxonomy(data)
    assert taxonomy.term_to_product["荸荠"] == "马蹄"
    assert data == taxonomy_dict()


def test_product_api_is_read_for_all_and_written_by_the_city(world, login):
    mati = IndustryProduct.objects.get(name="马蹄")
    assert login("renhua_county_town").get(f"/api/v1/industry-products/{mati.pk}/").status_code == 200
    assert login("renhua_st").patch(f"/api/v1/industry-products/{mati.pk}/", {"synonyms": ["荸荠", "水芋"]},
                                    content_type="application/json").status_code == 404
    response = login("city_st").patch(f"/api/v1/industry-products/{mati.pk}/", {"synonyms": ["荸荠", "水芋"]},
                                      content_type="application/json")
    assert response.status_code == 200, response.content
    assert "水芋" in IndustryProduct.objects.get(pk=mati.pk).synonyms


def test_the_bulk_bar_has_a_labelled_comment_and_is_gone_when_nothing_is_listed(world, make_need, login):
    make_need()
    client = login("renhua_st")
    page = client.get("/needs/").content.decode()
    assert '<label class="text-muted" for="bulk-comment">意见</label>' in page and 'id="bulk-comment"' in page
    assert 'id="bulk-form"' not in client.get("/needs/?q=不存在的需求").content.decode()


def test_a_town_without_villages_is_told_so_on_the_need_form(world, login):
    page = login("renhua_county_town").get("/needs/new/").content.decode()
    assert world.renhua_county_town.villages.count() == 0
    assert 'data-testid="no-choices-villages">本镇尚未登记行政村（可在镇的页面添加）。' in page


def test_the_taxonomy_links_to_product_pages_only_for_those_who_edit_it(world, login):
    from needs.models import IndustryProduct

    product = IndustryProduct.objects.order_by("pk").first()
    link = 'href="/needs/taxonomy/products/%d/"' % product.pk
    assert link in login("city_st").get("/needs/taxonomy/?q=%s" % product.name).content.decode()
    for role in ("renhua_st", "renhua_county_town"):
        page = login(role).get("/needs/taxonomy/?q=%s" % product.name).content.decode()
        assert product.name in page and link not in page
        assert login(role).get("/needs/taxonomy/products/%d/" % product.pk).status_code in (403, 404)
