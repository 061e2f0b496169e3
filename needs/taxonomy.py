"""The industry taxonomy in the database, in the matching engine's file format, and its analyzer.

The database is the source of truth (city officials edit it in the platform); ``export`` writes the
file the matching engine loads (``matching/engine/data/taxonomy.json`` by default).
"""
from __future__ import annotations

import json
from pathlib import Path

from django.db import transaction
from django.db.models import Count, Max

from matching.engine.taxonomy import DEFAULT_TAXONOMY_PATH, Taxonomy
from matching.engine.tokens import Analyzer

_cache: dict = {}


def taxonomy_dict() -> dict:
    """The taxonomy as the engine's file format: categories → products with synonyms and children."""
    from needs.models import IndustryCategory, IndustryProduct

    children: dict[int, list[str]] = {}
    for parent_id, child_name in IndustryProduct.parents.through.objects.values_list(
        "to_industryproduct_id", "from_industryproduct__name"
    ):
        children.setdefault(parent_id, []).append(child_name)
    products_by_category: dict[int, list[dict]] = {}
    for product in IndustryProduct.objects.order_by("name"):
        products_by_category.setdefault(product.category_id, []).append({
            "name": product.name, "synonyms": list(product.synonyms or []),
            "children": sorted(children.get(product.pk, [])),
        })
    return {"version": 1, "categories": [
        {"name": category.name, "products": products_by_category.get(category.pk, [])}
        for category in IndustryCategory.objects.order_by("order", "name")
    ]}


def _version_key():
    from needs.models import IndustryCategory, IndustryProduct

    products = IndustryProduct.objects.aggregate(n=Count("pk"), last=Max("updated_at"))
    categories = IndustryCategory.objects.aggregate(n=Count("pk"), last=Max("updated_at"))
    links = IndustryProduct.parents.through.objects.count()
    return (products["n"], products["last"], categories["n"], categories["last"], links)


def current_analyzer() -> Analyzer:
    """An analyzer over the database taxonomy, rebuilt only when the taxonomy changed."""
    key = _version_key()
    if _cache.get("key") != key:
        data = taxonomy_dict()
        if not data["categories"]:
            data = json.loads(DEFAULT_TAXONOMY_PATH.read_text(encoding="utf-8"))
        _cache["analyzer"] = Analyzer(Taxonomy(data))
        _cache["key"] = key
    return _cache["analyzer"]


def export(path: Path | str = DEFAULT_TAXONOMY_PATH) -> Path:
    """Write the taxonomy file the matching engine loads."""
    path = Path(path)
    path.write_text(json.dumps(taxonomy_dict(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return path


@transaction.atomic
def load(data: dict, *, replace: bool = False) -> tuple[int, int]:
    """Load a taxonomy in file format into the database (validated by the engine's parser first)."""
    from needs.models import IndustryCategory, IndustryProduct

    Taxonomy(data)  # raises a Chinese error for a malformed file
    if replace:
        IndustryProduct.objects.all().delete()
    by_name = {}
    for order, category_data in enumerate(data["categories"]):
        category, _created = IndustryCategory.objects.update_or_create(name=category_data["name"],
                                                                      defaults={"order": order})
        for product_data in category_data.get("products", []):
            product, _created = IndustryProduct.objects.update_or_create(
                name=product_data["name"],
                defaults={"category": category, "synonyms": list(product_data.get("synonyms", []))},
            )
            by_name[product.name] = (product, product_data.get("children", []))
    for product, children in by_name.values():
        for child in children:
            if child in by_name:
                by_name[child][0].parents.add(product)
    return IndustryCategory.objects.count(), IndustryProduct.objects.count()
