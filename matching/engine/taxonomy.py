"""The industry taxonomy: categories, products, synonyms and parent/child products.

File format (shared with the needs app, which edits and exports it):
{"version": 1, "categories": [{"name": "果树", "products": [
    {"name": "柑橘", "synonyms": ["柑桔"], "children": ["贡柑", "沙糖桔"]}, ...]}, ...]}
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .errors import EngineInputError

DEFAULT_TAXONOMY_PATH = Path(__file__).with_name("data") / "taxonomy.json"
CATEGORY_PREFIX = "类:"
ANCESTOR_DECAY = 0.5
CATEGORY_WEIGHT = 0.2
# Catch-all categories group unrelated topics (pest control, soil, machinery): sharing one says nothing.
CATCH_ALL_CATEGORIES = frozenset({"其他"})


@dataclass(frozen=True)
class Concept:
    """What one surface term means: a product (with its synonyms folded in) or a whole category."""

    feature: str
    weight: float
    kind: str  # "term" | "synonym" | "parent" | "category"
    via: str  # the product or category name this feature comes from


class Taxonomy:
    """A loaded taxonomy with lookup tables from surface terms to canonical products."""

    def __init__(self, data: dict, *, source: str = "") -> None:
        self.source = source
        self.data = data
        self.version = data.get("version", 1) if isinstance(data, dict) else None
        self.products: dict[str, dict] = {}
        self.category_of: dict[str, str] = {}
        self.term_to_product: dict[str, str] = {}
        self.category_terms: dict[str, str] = {}
        self.parents: dict[str, list[str]] = {}
        self._parse(data)
        self._concepts: dict[str, tuple[Concept, ...]] = {}

    def _fail(self, message: str) -> None:
        raise EngineInputError("行业分类文件%s格式错误：%s" % (("“%s”" % self.source) if self.source else "", message))

    def _parse(self, data: dict) -> None:
        if not isinstance(data, dict) or not isinstance(data.get("categories"), list):
            self._fail("缺少 categories 列表")
        for category in data["categories"]:
            name = str(category.get("name", "")).strip() if isinstance(category, dict) else ""
            if not name:
                self._fail("存在没有名称的类别")
            for product in category.get("products", []) or []:
                self._add_product(name, product)
        for product, info in self.products.items():
            for child in info["children"]:
                if child not in self.products:
                    self._fail("产品“%s”的下级“%s”没有作为产品列出" % (product, child))
                if child == product:
                    self._fail("产品“%s”不能是自己的下级" % product)
                self.parents.setdefault(child, []).append(product)
        for category in data["categories"]:
            for part in str(category["name"]).replace("／", "/").split("/"):
                part = part.strip()
                if part and part not in self.term_to_product:
                    self.category_terms[part] = category["name"]

    def _add_product(self, category: str, product: dict) -> None:
        name = str(product.get("name", "")).strip() if isinstance(product, dict) else ""
        if not name:
            self._fail("类别“%s”中存在没有名称的产品" % category)
        if name in self.products:
            self._fail("产品“%s”重复出现" % name)
        synonyms = [str(s).strip() for s in product.get("synonyms", []) or [] if str(s).strip()]
        children = [str(c).strip() for c in product.get("children", []) or [] if str(c).strip()]
        self.products[name] = {"synonyms": synonyms, "children": children}
        self.category_of[name] = category
        for term in [name] + synonyms:
            # The first product that claims a term keeps it: a user-edited file may repeat a synonym.
            self.term_to_product.setdefault(term, name)

    @property
    def terms(self) -> list[str]:
        """Every surface term the tokenizer should keep whole."""
        return list(self.term_to_product) + list(self.category_terms)

    def ancestors(self, product: str) -> list[tuple[str, int]]:
        """Parent products of a product with their distance (1 = direct parent), nearest first."""
        seen: dict[str, int] = {}
        frontier = [product]
        depth = 0
        while frontier:
            depth += 1
            next_frontier = []
            for item in frontier:
                for parent in self.parents.get(item, []):
                    if parent not in seen and parent != product:
                        seen[parent] = depth
                        next_frontier.append(parent)
            frontier = next_frontier
        return sorted(seen.items(), key=lambda pair: pair[1])

    def concepts(self, term: str) -> tuple[Concept, ...]:
        """The weighted features a surface term stands for (empty when the term is not in the taxonomy)."""
        cached = self._concepts.get(term)
        if cached is None:
            cached = self._build_concepts(term)
            self._concepts[term] = cached
        return cached

    def _build_concepts(self, term: str) -> tuple[Concept, ...]:
        product = self.term_to_product.get(term)
        if product is None:
            category = self.category_terms.get(term)
            if category is None:
                return ()
            return (Concept(CATEGORY_PREFIX + category, 1.0, "category", category),)
        kind = "term" if term == product else "synonym"
        items = [Concept(product, 1.0, kind, product)]
        for parent, depth in self.ancestors(product):
            items.append(Concept(parent, ANCESTOR_DECAY ** depth, "parent", product))
        if self.category_of[product] not in CATCH_ALL_CATEGORIES:
            items.append(Concept(CATEGORY_PREFIX + self.category_of[product], CATEGORY_WEIGHT, "category", product))
        return tuple(items)

    def to_dict(self) -> dict:
        """The taxonomy in its file format."""
        return self.data


def load_taxonomy(path: str | Path | None = None) -> Taxonomy:
    """Load a taxonomy file; without a path, the default one shipped with the engine (cached)."""
    if path is None:
        return _default_taxonomy()
    return _read_taxonomy(Path(path))


@lru_cache(maxsize=1)
def _default_taxonomy() -> Taxonomy:
    return _read_taxonomy(DEFAULT_TAXONOMY_PATH)


def _read_taxonomy(path: Path) -> Taxonomy:
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise EngineInputError("找不到行业分类文件“%s”" % path) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise EngineInputError("行业分类文件“%s”不是有效的 UTF-8 JSON：%s" % (path, error)) from None
    return Taxonomy(data, source=str(path))


def as_taxonomy(value: "Taxonomy | dict | str | Path | None") -> Taxonomy:
    """Accept a Taxonomy, its dict form, a file path or None (the default)."""
    if isinstance(value, Taxonomy):
        return value
    if isinstance(value, dict):
        return Taxonomy(value)
    return load_taxonomy(value)
