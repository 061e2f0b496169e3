"""Chinese tokenization (jieba) that keeps taxonomy terms whole and maps them to canonical features."""
from __future__ import annotations

import logging
import re
import threading
from collections import OrderedDict, defaultdict

import jieba

from .service_types import SERVICE_TYPES
from .taxonomy import Concept, Taxonomy

jieba.setLogLevel(logging.WARNING)

# Words that appear in nearly every need or team text and say nothing about the fit.
STOPWORDS = frozenset(
    """
    技术 发展 产业 需求 提升 提高 开展 加强 推进 推广 我镇 本镇 全镇 镇 村 乡 街道 农户 农民 群众 村民 问题 存在
    缺乏 需要 希望 帮助 指导 服务 团队 专家 研究 教授 研究员 副教授 讲师 博士 硕士 工作 项目 基地 建设 生产
    管理 能力 水平 相关 主要 进行 以及 等 和 与 及 的 了 在 对 为 有 是 年 亩 万元 目前 当地 特色 产品 效益 经济
    增收 致富 带动 面积 规模 种植 养殖 栽培 方面 领域 学院 大学 研究所 科学院 科技 农业 现代农业
    培训 一个 多个 一批 发挥 作用 优势 资源 条件 基础 情况 较 较大 较低 不足
    低 高 好 大 小 多 少 新 全 重点 以上 以下 其中 我们 本 该 其 及其 通过 利用 实现 形成 打造 做强 做大 助力 助推
    振兴 乡村振兴 农村 三农 科技特派员 特派员 帮扶 驻镇 结对 负责人 成员 团队成员 单位 长期 从事 多年 具有 丰富
    经验 成果 获得 承担 主持 完成 省级 市级 国家级 广东省 韶关 韶关市 广东 全省 示范 应用 关键 核心 体系 模式
    能 可 会 将 已 并 但 也 还 又 就 都 而 或 如 从 向 到 由 于 以 把 被 让 使 给 跟 同 所 之 这 那 各 每 些 个
    """.split()
) | frozenset(SERVICE_TYPES)  # service types are matched as such (the service component), not as words

_TEXT_SPLIT = re.compile(r"[\s\u3000,，。;；、:：!！?？()（）\[\]【】<>《》\"'“”‘’/|\\-]+")
_NOISE = re.compile(r"^[\d.%％a-zA-Z_~·*+=#&@]+$")
_SINGLE_CHARACTER_MIN = 2
# A word this frequent in jieba's general dictionary is everyday language (什么 59317, 今年 9959), not a symptom
# (发黄 111, 灰白 182, 鼻涕 276).
EVERYDAY_FREQUENCY = 2000


class Analyzer:
    """Turns text into weighted features; taxonomy terms become canonical product and category features."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        self.taxonomy = taxonomy
        self._tokenizer = jieba.Tokenizer()
        self._lock = threading.Lock()
        self._token_cache: dict[str, tuple[Concept, ...]] = {}
        self._ready = False
        self._longest_term = max((len(term) for term in taxonomy.terms), default=0)

    def _prepare(self) -> None:
        """Load jieba's dictionary and add every taxonomy term so that it is cut as one word."""
        with self._lock:
            if self._ready:
                return
            self._tokenizer.initialize()
            # Clue fragments that are everyday words (怎么, 今年, 东西: frequent in jieba's general dictionary) or
            # taxonomy terms (matched as products already) say nothing about which problem a need describes.
            index = self.taxonomy.problem_index
            terms = set(self.taxonomy.term_to_product) | set(self.taxonomy.category_terms)
            index.ignore_clues([piece for piece in index.clue_pieces
                                if piece in terms or self._tokenizer.FREQ.get(piece, 0) > EVERYDAY_FREQUENCY])
            for term in self.taxonomy.terms:
                if len(term) < _SINGLE_CHARACTER_MIN:
                    continue
                suggested = self._tokenizer.suggest_freq(term, False)
                self._tokenizer.add_word(term, freq=max(int(suggested), 5000))
            self._ready = True

    def tokens(self, text: str) -> list[str]:
        """Meaningful surface tokens of a text, in order (stopwords, numbers and stray characters dropped)."""
        if not text:
            return []
        if not self._ready:
            self._prepare()
        result = []
        for chunk in _TEXT_SPLIT.split(text):
            if not chunk:
                continue
            for token in self._tokenizer.cut(chunk, HMM=False):
                token = token.strip()
                if token and self._keeps(token):
                    result.append(token)
        return result

    def _keeps(self, token: str) -> bool:
        if token in self.taxonomy.term_to_product or token in self.taxonomy.category_terms:
            return True
        if token in STOPWORDS or len(token) < _SINGLE_CHARACTER_MIN:
            return False
        return not _NOISE.match(token)

    def concepts(self, token: str) -> tuple[Concept, ...]:
        """Features of one token: its taxonomy concepts, or the word itself."""
        cached = self._token_cache.get(token)
        if cached is None:
            cached = self.taxonomy.concepts(token) or self._word_concepts(token)
            self._token_cache[token] = cached
        return cached

    def _word_concepts(self, token: str) -> tuple[Concept, ...]:
        """A word outside the taxonomy, plus the taxonomy terms written inside it (养猪场 contains 养猪)."""
        items = [Concept(token, 1.0, "word", token)]
        for term in self._embedded_terms(token):
            for concept in self.taxonomy.concepts(term):
                items.append(Concept(concept.feature, concept.weight, concept.kind, term))
        return tuple(items)

    def _embedded_terms(self, token: str) -> list[str]:
        """Taxonomy terms of two or more characters inside a longer word, longest match from the left."""
        found = []
        if len(token) < 3:
            return found
        longest = min(len(token) - 1, self._longest_term)
        position = 0
        while position < len(token) - 1:
            match = None
            for size in range(min(longest, len(token) - position), 1, -1):
                piece = token[position:position + size]
                if piece in self.taxonomy.term_to_product or piece in self.taxonomy.category_terms:
                    match = piece
                    break
            if match:
                found.append(match)
                position += len(match)
            else:
                position += 1
        return found

    def analyze(self, text: str) -> list[tuple[str, tuple[Concept, ...]]]:
        """Each surface token of a text with the features it stands for, then each problem it speaks of (the
        surface is how the text said it: "中午就蔫" for a lay phrasing, "青枯病" for a term)."""
        result = [(token, self.concepts(token)) for token in self.tokens(text)]
        for finding in self.taxonomy.problem_index.find(text):
            result.append((finding.surface, (self.taxonomy.problem_concept(finding.problem),)))
        return result

    def clues(self, text: str) -> dict[str, tuple[float, list[str]]]:
        """Problems a text hints at by their lay words without a whole phrasing (see ``ProblemIndex.clues``)."""
        if not self._ready:
            self._prepare()
        return self.taxonomy.problem_index.clues(text)

    def problems(self, text: str) -> list[str]:
        """The problems a text speaks of, each once, in the order found."""
        return list(dict.fromkeys(finding.problem for finding in self.taxonomy.problem_index.find(text)))

    def features(self, text: str, scale: float = 1.0, into: dict[str, float] | None = None) -> dict[str, float]:
        """Weighted feature counts of a text, added into `into` when given."""
        counts: dict[str, float] = into if into is not None else defaultdict(float)
        for token in self.tokens(text):
            for concept in self.concepts(token):
                counts[concept.feature] = counts.get(concept.feature, 0.0) + concept.weight * scale
        # A problem counts once per text, by the evidence for it: one phrasing or term found is half a problem (a
        # need that says "喷了叶面肥" names a remedy it tried), each further one closes half the gap to a whole one.
        evidence: dict[str, int] = {}
        for finding in self.taxonomy.problem_index.find(text):
            evidence[finding.problem] = evidence.get(finding.problem, 0) + 1
        for problem, found in evidence.items():
            concept = self.taxonomy.problem_concept(problem)
            counts[concept.feature] = counts.get(concept.feature, 0.0) + concept.weight * scale * (1.0 - 0.5 ** found)
        return counts


# An analyzer holds its own jieba dictionary (~70 MB): keep the current taxonomy's, the shipped file's and one
# older version's (re-running an old run), keyed by the taxonomy's content version.
ANALYZER_CACHE_SIZE = 3
_analyzers_lock = threading.Lock()
_ANALYZERS: "OrderedDict[str, Analyzer]" = OrderedDict()


def analyzer_for(taxonomy: Taxonomy) -> Analyzer:
    """One analyzer per taxonomy version (jieba's dictionary load is the slow part).

    Keyed by the content hash, not by object or process lifetime: an edited taxonomy gets a new analyzer at
    once, and the same content loaded twice (a re-run of an old run) shares one.
    """
    with _analyzers_lock:
        analyzer = _ANALYZERS.get(taxonomy.version)
        if analyzer is None:
            analyzer = Analyzer(taxonomy)
            _ANALYZERS[taxonomy.version] = analyzer
        _ANALYZERS.move_to_end(taxonomy.version)
        while len(_ANALYZERS) > ANALYZER_CACHE_SIZE:
            _ANALYZERS.popitem(last=False)
    return analyzer
