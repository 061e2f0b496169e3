import pytest

from needs.models import IndustryCategory


@pytest.fixture
def categories(db):
    """The seeded taxonomy's categories by name (the data migration loads them)."""
    return {category.name: category for category in IndustryCategory.objects.all()}


@pytest.fixture
def make_need(world, categories):
    from needs.services import need_create

    def make(town=None, title="贡柑黄龙病防控", description="全镇贡柑受黄龙病影响，需要绿色防控技术", category="果树",
             actor=None, services=("guidance",), **fields):
        town = town or world.renhua_county_town
        actor = actor or world["renhua_st" if town.county_id == world.renhua.pk else "nanxiong_st"]
        if town in (world.renhua_city_town, world.nanxiong_city_town) and actor.role == "county_st":
            actor = world["city_st"]
        return need_create(actor=actor, cycle=world.cycle, town=town, title=title, description=description,
                           category=categories[category], service_types=list(services), **fields)

    return make
