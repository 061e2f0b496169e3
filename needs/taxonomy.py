"""The industry taxonomy in the database, in the matching engine's file format, and its analyzer.

The database is the source of truth: city officials edit it in the platform, needs search and selection
runs both use it (``current_taxonomy``). The file shipped with the engine
(``matching/engine/data/taxonomy.json``) is only the seed (needs migration 0002 loads it into an empty
database), the fallback while the database has no categories, and the default of ``manage.py match``.
Parsed taxonomies and their analyzers are cached by content version in the engine, so an edit is used by
the next search or run without restarting the worker.
"""
from __future__ import annotations

import json
from pathlib import Path

from django.db import transaction

from matching.engine.taxonomy import DEFAULT_TAXONOMY_PATH, Taxonomy, load_taxonomy, taxonomy_for
from matching.engine.tokens import Analyzer, analyzer_for

DATABASE_SOURCE = "平台产业分类"


def taxonomy_dict() -> dict:
    """The taxonomy as the engine's file format: categories → products with synonyms and children.

    Deterministic for the same content (products by name, synonyms and children sorted), so that its hash,
    the version selection runs record, changes only when the taxonomy does.
    """
    from needs.models import IndustryCategory, IndustryProduct

    children: dict[int, list[str]] = {}
    for parent_id, child_name in IndustryProduct.parents.through.objects.values_list(
        "to_industryproduct_id", "from_industryproduct__name"
    ):
        children.setdefault(parent_id, []).append(child_name)
    products_by_category: dict[int, list[dict]] = {}
    for product in IndustryProduct.objects.order_by("name"):
        products_by_category.setdefault(product.category_id, []).append({
            # Sorted like children: the same content is the same version, however it was entered.
            "name": product.name, "synonyms": sorted(product.synonyms or []),
            "children": sorted(children.get(product.pk, [])),
        })
    data = {"version": 1, "categories": [
        {"name": category.name, "products": products_by_category.get(category.pk, [])}
        for category in IndustryCategory.objects.order_by("order", "name")
    ]}
    problems = problems_list()
    if problems:  # left out when empty: a taxonomy without problems keeps the version it had before they existed
        data["problems"] = problems
    return data


def problems_list() -> list[dict]:
    """The problem knowledge in the file format, sorted (same content, same version)."""
    from needs.models import IndustryProblem

    products: dict[int, list[str]] = {}
    for problem_id, product_name in IndustryProblem.products.through.objects.values_list(
        "industryproblem_id", "industryproduct__name"
    ):
        products.setdefault(problem_id, []).append(product_name)
    return [
        {"name": problem.name, "category": problem.category.name, "products": sorted(products.get(problem.pk, [])),
         "phrases": sorted(problem.phrases or []), "terms": sorted(problem.terms or [])}
        for problem in IndustryProblem.objects.select_related("category").order_by("name")
    ]


def current_taxonomy() -> Taxonomy:
    """The taxonomy officials edit, as the engine's ``Taxonomy`` (its ``version`` is the content hash).

    While the database has no categories (before the seed migration ran), the shipped file.
    """
    data = taxonomy_dict()
    if not data["categories"]:
        return load_taxonomy()
    return taxonomy_for(data, source=DATABASE_SOURCE)


def current_analyzer() -> Analyzer:
    """An analyzer over the database taxonomy (shared per content version with the selection runs)."""
    return analyzer_for(current_taxonomy())


def export(path: Path | str = DEFAULT_TAXONOMY_PATH) -> Path:
    """Write the taxonomy file the matching engine loads."""
    path = Path(path)
    path.write_text(json.dumps(taxonomy_dict(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return path


@transaction.atomic
def load(data: dict, *, replace: bool = False) -> tuple[int, int]:
    """Load a taxonomy in file format into the database (validated by the engine's parser first)."""
    from needs.models import IndustryCategory, IndustryProblem, IndustryProduct

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
    if replace:
        IndustryProblem.objects.all().delete()
    categories = {category.name: category for category in IndustryCategory.objects.all()}
    products = {product.name: product for product in IndustryProduct.objects.all()}
    for problem_data in data.get("problems") or []:
        problem, _created = IndustryProblem.objects.update_or_create(
            name=problem_data["name"],
            defaults={"category": categories[problem_data["category"]],
                      "phrases": list(problem_data.get("phrases", [])), "terms": list(problem_data.get("terms", []))})
        problem.products.set([products[name] for name in problem_data.get("products", [])])
    return IndustryCategory.objects.count(), IndustryProduct.objects.count()
