"""Chinese full-text search over needs on any database.

Each need's text is cut by jieba (taxonomy terms kept whole) into features — words, canonical products,
their broader products and categories — stored as :class:`NeedToken` rows with an index on the token.
A query token matches its canonical feature, so 柑橘 finds needs about 贡柑 and 荸荠 finds 马蹄; a query naming a
problem of the taxonomy (青枯病) finds the needs that describe it in farmers' words (中午就蔫、整株死).
"""
from __future__ import annotations

from django.db.models import Q

from matching.engine.tokens import _TEXT_SPLIT
from needs.models import Need, NeedToken
from needs.taxonomy import current_analyzer

MAX_TOKEN = 64
# The analyzer's own separators (it cuts each piece between them on its own): see need_features.
_PIECES = _TEXT_SPLIT


def need_text(need: Need, category_name: str = "") -> str:
    return text_of(need.title, need.description, category_name, need.expected_outcome)


def text_of(title, description, category_name, expected_outcome) -> str:
    """The text a need is indexed by (its title, description, category and expected outcome)."""
    return " ".join([title or "", description or "", category_name or "", expected_outcome or ""])


def need_features(analyzer, text: str, cache: dict | None = None) -> set[str]:
    """The features a need's text is indexed under.

    With ``cache`` (one dict per indexing pass), the text is cut at the analyzer's own separators and each distinct
    piece is analyzed once: the analyzer cuts every piece on its own, so the union over pieces is exactly the text's
    features, and an import's repeated titles, category names and phrases cost jieba nothing the second time.
    """
    if cache is None:
        return {feature[:MAX_TOKEN] for feature in analyzer.features(text)}
    # Problems are found per sentence, across the commas the pieces are cut at: from the whole text.
    features: set[str] = {feature[:MAX_TOKEN] for feature in _problem_features(analyzer, text)}
    for piece in _PIECES.split(text):
        if not piece:
            continue
        known = cache.get(piece)
        if known is None:
            known = cache[piece] = frozenset(feature[:MAX_TOKEN] for feature in analyzer.features(piece))
        features |= known
    return features


def _problem_features(analyzer, text: str) -> list[str]:
    return [analyzer.taxonomy.problem_concept(problem).feature for problem in analyzer.problems(text)]


def _query_problems(analyzer, query: str) -> list[str]:
    """The problems a query names: by name (鸡呼吸道病) or by one of their phrasings or terms (慢性呼吸道病)."""
    features = _problem_features(analyzer, query)
    if query in analyzer.taxonomy.problems:
        features.append(analyzer.taxonomy.problem_concept(query).feature)
    return features


def index_needs(needs, *, analyzer=None, fresh: bool = False) -> int:
    """(Re)build the search tokens of the given needs in one pass (``fresh``: they have none yet)."""
    needs = list(needs)
    if not needs:
        return 0
    if not fresh:
        NeedToken.objects.filter(need__in=needs).delete()
    texts = ((need.pk, need_text(need, need.category.name if need.category_id else "")) for need in needs)
    return index_texts(texts, analyzer=analyzer)


def index_texts(texts, *, analyzer=None) -> int:
    """Write the search tokens of ``(need id, text)`` pairs whose needs have none yet; returns how many."""
    from django.db import connection

    analyzer = analyzer or current_analyzer()
    cache: dict[str, frozenset] = {}
    rows = [(pk, token) for pk, text in texts for token in need_features(analyzer, text, cache)]
    # Plain SQL: an import writes ~10 tokens per need, and model instances would dominate the time. PostgreSQL takes
    # them as two arrays (executemany sends a statement per row); SQLite's executemany is already a tight loop.
    table = connection.ops.quote_name(NeedToken._meta.db_table)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 5000):
            batch = rows[start:start + 5000]
            if connection.vendor == "postgresql":
                need_type, token_type = (NeedToken._meta.get_field(name).db_type(connection).split("(")[0]
                                         for name in ("need", "token"))
                cursor.execute(f"INSERT INTO {table} (need_id, token) "
                               f"SELECT * FROM UNNEST(%s::{need_type}[], %s::{token_type}[])",
                               [[pk for pk, _token in batch], [token for _pk, token in batch]])
            else:
                cursor.executemany(f"INSERT INTO {table} (need_id, token) VALUES (%s, %s)", batch)
    return len(rows)


def id_ranges(pks) -> list[list[int]]:
    """Ids as ``[first, last]`` runs (an import's ids are one or a few runs): compact task arguments."""
    ranges: list[list[int]] = []
    for pk in sorted(pks):
        if ranges and pk == ranges[-1][1] + 1:
            ranges[-1][1] = pk
        else:
            ranges.append([pk, pk])
    return ranges


def reindex_needs(ranges, *, progress=None, chunk: int = 2000) -> int:
    """Rebuild the search tokens of the needs whose ids lie in ``ranges`` (``id_ranges``), ``chunk`` needs per
    transaction; the follow-up of a large import. Each chunk's needs are locked while their tokens are rewritten,
    so an edit meanwhile (which re-indexes the need itself) is never mixed with this pass. Returns the tokens written.
    """
    from django.db import transaction

    in_ranges = Q()
    for first, last in ranges:
        in_ranges |= Q(pk__gte=first, pk__lte=last)
    pks = list(Need.objects.filter(in_ranges).order_by("pk").values_list("pk", flat=True)) if ranges else []
    analyzer = current_analyzer()
    written = 0
    for start in range(0, len(pks), chunk):
        batch = pks[start:start + chunk]
        with transaction.atomic():
            rows = list(Need.objects.select_for_update(of=("self",)).filter(pk__in=batch).order_by("pk").values_list(
                "pk", "title", "description", "category__name", "expected_outcome"))
            NeedToken.objects.filter(need_id__in=batch).delete()
            written += index_texts(((pk, text_of(*parts)) for pk, *parts in rows), analyzer=analyzer)
        if progress:
            progress.update(min(start + chunk, len(pks)), len(pks))
    return written


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
    query = (query or "").replace("\x00", "").strip()  # PostgreSQL refuses a NUL byte in a query
    if not query:
        return queryset
    analyzer = current_analyzer()
    features = query_features(query, analyzer)
    literal = Q(title__icontains=query) | Q(description__icontains=query)
    # A query that names a problem (青枯病) also finds the needs that describe it in farmers' words (中午就蔫).
    problems = _query_problems(analyzer, query)
    if problems:
        literal |= Q(pk__in=NeedToken.objects.filter(token__in=[f[:MAX_TOKEN] for f in problems]).values("need_id"))
    if not features:
        return queryset.filter(literal)
    matched = Q()
    for feature in features:
        matched &= Q(pk__in=NeedToken.objects.filter(token=feature).values("need_id"))
    return queryset.filter(matched | literal)
