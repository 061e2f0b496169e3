"""The industry taxonomy: categories, products, synonyms and parent/child products.

File format (shared with the needs app, which edits and exports it):
{"version": 1, "categories": [{"name": "果树", "products": [
    {"name": "柑橘", "synonyms": ["柑桔"], "children": ["贡柑", "沙糖桔"]}, ...]}, ...],
 "problems": [{"name": "青枯病", "category": "蔬菜", "products": ["辣椒", "番茄"],
               "phrases": ["中午 蔫", "整株 死"], "terms": ["青枯病", "青枯菌"]}, ...]}

``problems`` (optional) is the problem knowledge (see ``problems.py``): each problem's lay phrasings (how towns say
it) and disciplinary terms (how teams say it) become one feature, so "中午就蔫" in a need meets "青枯病" in a team.

A taxonomy is identified by its content: ``taxonomy_version(data)`` is the SHA-256 of its canonical JSON
(the file's own ``"version": 1`` is the format number, ``Taxonomy.format_version``). Loaded taxonomies
are cached by that hash, never for the life of the process: an edited taxonomy (in the database or in
the file) is a new hash and is used by the very next match, and equal content is parsed once.

The shipped file ``data/taxonomy.json`` seeds the platform's database taxonomy (needs migration 0002)
and is the command line's default.
"""
from __future__ import annotations

import copy
import hashlib
import json
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from .errors import EngineInputError
from .problems import PROBLEM_PREFIX, ProblemIndex, fragments_of

DEFAULT_TAXONOMY_PATH = Path(__file__).with_name("data") / "taxonomy.json"
SHORT_VERSION_LENGTH = 12
# Taxonomies are small (a few hundred products); keep a handful of versions parsed.
TAXONOMY_CACHE_SIZE = 8
CATEGORY_PREFIX = "类:"
ANCESTOR_DECAY = 0.5
CATEGORY_WEIGHT = 0.2
# Catch-all categories group unrelated topics (pest control, soil, machinery): sharing one says nothing.
CATCH_ALL_CATEGORIES = frozenset({"其他"})
# A shared problem is as strong a sign of fit as a shared product.
PROBLEM_WEIGHT = 1.0


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
        self.format_version = data.get("version", 1) if isinstance(data, dict) else None
        self.products: dict[str, dict] = {}
        self.category_of: dict[str, str] = {}
        self.term_to_product: dict[str, str] = {}
        self.category_terms: dict[str, str] = {}
        self.parents: dict[str, list[str]] = {}
        self.problems: dict[str, dict] = {}
        self._parse(data)
        self._parse_problems(data.get("problems") or [])
        # A private copy: the content hash must keep describing what this object parsed.
        self.data = copy.deepcopy(data)
        self.version = taxonomy_version(self.data)
        self._concepts: dict[str, tuple[Concept, ...]] = {}
        self._problem_index: ProblemIndex | None = None

    @property
    def short_version(self) -> str:
        """The first characters of the content hash, for pages and logs."""
        return self.version[:SHORT_VERSION_LENGTH]

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

    def _parse_problems(self, problems: list) -> None:
        if not isinstance(problems, list):
            self._fail("problems 必须是列表")
        categories = {str(category["name"]).strip() for category in self.data["categories"]}
        for problem in problems:
            name = str(problem.get("name", "")).strip() if isinstance(problem, dict) else ""
            if not name:
                self._fail("存在没有名称的问题")
            if name in self.problems:
                self._fail("问题“%s”重复出现" % name)
            category = str(problem.get("category", "") or "").strip()
            if category not in categories:
                self._fail("问题“%s”的产业类别“%s”不存在" % (name, category))
            products = [str(p).strip() for p in problem.get("products", []) or [] if str(p).strip()]
            for product in products:
                if product not in self.products:
                    self._fail("问题“%s”涉及的产品“%s”没有作为产品列出" % (name, product))
            phrases = [" ".join(fragments_of(p)) for p in problem.get("phrases", []) or [] if fragments_of(p)]
            terms = [" ".join(fragments_of(t)) for t in problem.get("terms", []) or [] if fragments_of(t)]
            if not phrases and not terms:
                self._fail("问题“%s”至少需要一条群众说法或专业术语" % name)
            self.problems[name] = {"category": category, "products": products, "phrases": phrases, "terms": terms}

    @property
    def problem_index(self) -> ProblemIndex:
        """Finds the problems a text speaks of (built on first use)."""
        if self._problem_index is None:
            self._problem_index = ProblemIndex(self.problems)
        return self._problem_index

    def problem_concept(self, problem: str) -> Concept:
        """The feature a problem stands for."""
        return Concept(PROBLEM_PREFIX + problem, PROBLEM_WEIGHT, "problem", problem)

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
        """The taxonomy in its file format (a copy: parsed taxonomies are shared through the cache)."""
        return copy.deepcopy(self.data)


def canonical_json(data: dict) -> str:
    """The canonical JSON text of a taxonomy: sorted keys, no spacing, UTF-8 characters kept.

    List order is kept: category order and the first product claiming a shared synonym change the meaning.
    """
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def taxonomy_version(data: dict) -> str:
    """The version of a taxonomy: the SHA-256 (hex) of its canonical JSON, stable across processes."""
    return hashlib.sha256(canonical_json(data).encode("utf-8")).hexdigest()


_cache_lock = threading.Lock()
_taxonomies: "OrderedDict[str, Taxonomy]" = OrderedDict()


def taxonomy_for(data: dict, *, source: str = "") -> Taxonomy:
    """The parsed taxonomy for ``data``, shared by every caller with the same content (cached by version)."""
    if not isinstance(data, dict):
        return Taxonomy(data, source=source)  # raises the Chinese format error
    try:
        version = taxonomy_version(data)
    except (TypeError, ValueError):
        return Taxonomy(data, source=source)
    with _cache_lock:
        cached = _taxonomies.get(version)
        if cached is not None:
            _taxonomies.move_to_end(version)
            return cached
    taxonomy = Taxonomy(data, source=source)
    with _cache_lock:
        taxonomy = _taxonomies.setdefault(taxonomy.version, taxonomy)
        _taxonomies.move_to_end(taxonomy.version)
        while len(_taxonomies) > TAXONOMY_CACHE_SIZE:
            _taxonomies.popitem(last=False)
    return taxonomy


def load_taxonomy(path: str | Path | None = None) -> Taxonomy:
    """Load a taxonomy file; without a path, the default one shipped with the engine.

    The file is read on every call (it is small) and parsed once per content version, so an edited file is
    picked up without restarting the process.
    """
    return _read_taxonomy(Path(path) if path is not None else DEFAULT_TAXONOMY_PATH)


def _read_taxonomy(path: Path) -> Taxonomy:
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise EngineInputError("找不到行业分类文件“%s”" % path) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise EngineInputError("行业分类文件“%s”不是有效的 UTF-8 JSON：%s" % (path, error)) from None
    return taxonomy_for(data, source=str(path))


def as_taxonomy(value: "Taxonomy | dict | str | Path | None") -> Taxonomy:
    """Accept a Taxonomy, its dict form, a file path or None (the default)."""
    if isinstance(value, Taxonomy):
        return value
    if isinstance(value, dict):
        return taxonomy_for(value)
    return load_taxonomy(value)
