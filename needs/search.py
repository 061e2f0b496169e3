"""Chinese full-text search over needs on any database.

Each need's text is cut by jieba (taxonomy terms kept whole) into features — words, canonical products,
their broader products and categories — stored as :class:`NeedToken` rows with an index on the token.
A query token matches its canonical feature, so 柑橘 finds needs about 贡柑 and 荸荠 finds 马蹄.
"""
from __future__ import annotations

from django.db.models import Q

from needs.models import Need, NeedToken
from needs.taxonomy import current_analyzer

MAX_TOKEN = 64


def need_text(need: Need, category_name: str = "") -> str:
    return " ".join([need.title or "", need.description or "", category_name, need.expected_outcome or ""])


def need_features(analyzer, text: str) -> set[str]:
    return {feature[:MAX_TOKEN] for feature in analyzer.features(text)}


def index_needs(needs, *, analyzer=None, fresh: bool = False) -> int:
    """(Re)build the search tokens of the given needs in one pass (``fresh``: they have none yet)."""
    from django.db import connection

    analyzer = analyzer or current_analyzer()
    needs = list(needs)
    if not needs:
        return 0
    if not fresh:
        NeedToken.objects.filter(need__in=needs).delete()
    rows = []
    for need in needs:
        category_name = need.category.name if need.category_id else ""
        rows.extend((need.pk, token) for token in need_features(analyzer, need_text(need, category_name)))
    # Plain executemany: an import writes ~10 tokens per need, and model instances would dominate the time.
    table = connection.ops.quote_name(NeedToken._meta.db_table)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 5000):
            cursor.executemany(f"INSERT INTO {table} (need_id, token) VALUES (%s, %s)", rows[start:start + 5000])
    return len(rows)


def query_features(query: str, analyzer=None) -> list[str]:
    """The feature each query token must match (its canonical product for taxonomy terms)."""
    analyzer = analyzer or current_analyzer()
    features = []
    for token in analyzer.tokens(query):
        concepts = analyzer.concepts(token)
        feature = (concepts[0].feature if concepts else token)[:MAX_TOKEN]
        if feature not in features:
            features.append(feature)
    return features


def search_needs(queryset, query: str):
    """Needs matching every meaningful word of ``query`` (with synonyms and broader products), or containing it."""
    query = (query or "").strip()
    if not query:
        return queryset
    features = query_features(query)
    literal = Q(title__icontains=query) | Q(description__icontains=query)
    if not features:
        return queryset.filter(literal)
    matched = Q()
    for feature in features:
        matched &= Q(pk__in=NeedToken.objects.filter(token=feature).values("need_id"))
    return queryset.filter(matched | literal)
