"""Problems: what needs say in farmers' words and what teams say in disciplinary words, meeting in one concept.

A problem of the taxonomy (``"problems": [...]`` in the file format) has lay phrasings (``phrases``: how a town
describes it — symptoms, troubles, wishes) and disciplinary terms (``terms``: how a team names it and its methods).
Each phrasing or term is one or more fragments separated by spaces; it is found in a text when every fragment occurs
in one sentence of the text (sentences end at 。！？； and line breaks, not at commas), within ``NEAR`` characters of
the longest fragment. So "中午 蔫" is found in
"辣椒苗一到中午就蔫了，早上又好了" and "青枯病" in "茄科青枯病综合防控".

Finding is by substring, not by the tokenizer: farmers' sentences are not cut where a dictionary expects. A
sentence's fragments are found with set operations over its character pairs; only the patterns whose fragments are all
present are then checked for nearness.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

PROBLEM_PREFIX = "问题:"
_SENTENCES = re.compile(r"[。！？；!?;\n\r]+")
_SPACES = re.compile(r"[\s\u3000]+")
# A finding's text as shown in an explanation: the sentence from the first fragment to the last, when short.
SHOWN_SPAN = 16
# The other fragments of a phrasing must lie within this many characters of its longest one: words of one trouble are
# said together ("中午就蔫"), while a long sentence about other things may hold any two short words far apart.
NEAR = 10


@dataclass(frozen=True)
class Pattern:
    """One phrasing or term of a problem, cut into fragments."""

    problem: str
    kind: str  # "phrase" (lay phrasing) | "term" (disciplinary term)
    text: str
    fragments: tuple[str, ...]
    anchor: str


@dataclass(frozen=True)
class Finding:
    """A pattern found in a text: the problem, how it was said there and which pattern it was."""

    problem: str
    kind: str
    surface: str
    pattern: str


def fragments_of(text: str) -> tuple[str, ...]:
    """The fragments of a phrasing or term (spaces separate them; repeats dropped, order kept)."""
    seen: list[str] = []
    for piece in _SPACES.split(str(text or "").strip()):
        if piece and piece not in seen:
            seen.append(piece)
    return tuple(seen)


class ProblemIndex:
    """Finds the problems a text speaks of."""

    def __init__(self, problems: dict[str, dict]) -> None:
        self.patterns: list[Pattern] = []
        for name, info in problems.items():
            for kind, key in (("phrase", "phrases"), ("term", "terms")):
                for text in info.get(key, []):
                    pieces = fragments_of(text)
                    if pieces:
                        anchor = max(pieces, key=len)
                        self.patterns.append(Pattern(name, kind, " ".join(pieces), pieces, anchor))
        # Every fragment, indexed by its first two characters (one-character fragments apart), and the patterns by
        # their anchor: a sentence's fragments are found with set operations, then only the patterns whose fragments
        # are all there are checked for nearness.
        self._by_anchor: dict[str, list[Pattern]] = {}
        self._fragments_by_start: dict[str, list[str]] = {}
        self._single: set[str] = set()
        for pattern in self.patterns:
            self._by_anchor.setdefault(pattern.anchor, []).append(pattern)
            for piece in pattern.fragments:
                if len(piece) == 1:
                    self._single.add(piece)
                elif piece not in self._fragments_by_start.get(piece[:2], ()):
                    self._fragments_by_start.setdefault(piece[:2], []).append(piece)
        self._cache: dict[str, tuple[Finding, ...]] = {}
        # Clues: the lay fragments of two or more characters, each with the problems whose phrasings use it and how
        # telling it is (rarer among problems, more telling).
        owners: dict[str, set[str]] = {}
        for pattern in self.patterns:
            if pattern.kind == "phrase":
                for piece in pattern.fragments:
                    if len(piece) >= 2:
                        owners.setdefault(piece, set()).add(pattern.problem)
        count = max(len(problems), 1)
        self._clues = {piece: (tuple(sorted(names)), math.log(count / len(names)))
                       for piece, names in owners.items() if len(names) < count}
        self._clues_by_start: dict[str, list[str]] = {}
        for piece in self._clues:
            self._clues_by_start.setdefault(piece[:2], []).append(piece)

    def __len__(self) -> int:
        return len(self.patterns)

    def find(self, text: str) -> tuple[Finding, ...]:
        """Every (problem, pattern) found in a text, each once, in the order of the text."""
        if not text or not self.patterns:
            return ()
        cached = self._cache.get(text)
        if cached is not None:
            return cached
        found: list[tuple[int, int, Finding]] = []
        seen: set[tuple[str, str]] = set()
        for number, sentence in enumerate(_SENTENCES.split(text)):
            if not sentence:
                continue
            grams = {sentence[i:i + 2] for i in range(len(sentence) - 1)} & self._fragments_by_start.keys()
            present = {piece for gram in grams for piece in self._fragments_by_start[gram] if piece in sentence}
            present |= set(sentence) & self._single
            for anchor in present & self._by_anchor.keys():
                for pattern in self._by_anchor[anchor]:
                    if (pattern.problem, pattern.text) in seen or not present.issuperset(pattern.fragments):
                        continue
                    position = sentence.find(anchor)
                    while position >= 0:
                        near = sentence[max(0, position - NEAR):position + len(anchor) + NEAR]
                        if all(piece in near for piece in pattern.fragments):
                            seen.add((pattern.problem, pattern.text))
                            found.append((number, position, Finding(pattern.problem, pattern.kind,
                                                                    _surface(sentence, pattern), pattern.text)))
                            break
                        position = sentence.find(anchor, position + 1)
        found.sort(key=lambda item: (item[0], item[1]))
        result = tuple(finding for _number, _position, finding in found)
        if len(self._cache) > 50_000:
            self._cache.clear()
        self._cache[text] = result
        return result

    @property
    def clue_pieces(self) -> list[str]:
        return list(self._clues)

    def ignore_clues(self, pieces) -> None:
        """Leave out clue fragments that say nothing of a problem (everyday words, product names matched as such)."""
        for piece in pieces:
            self._clues.pop(piece, None)
        self._clues_by_start = {}
        for piece in self._clues:
            self._clues_by_start.setdefault(piece[:2], []).append(piece)

    def clues(self, text: str) -> dict[str, tuple[float, list[str]]]:
        """Problems a text may speak of without using any whole phrasing: for each problem, the summed weight of its
        lay fragments found in the text and the fragments themselves ("灰白", "一条条", "台风" → 白叶枯病)."""
        grams = {text[i:i + 2] for i in range(len(text) - 1)} & self._clues_by_start.keys()
        found = {piece for gram in grams for piece in self._clues_by_start[gram] if piece in text}
        result: dict[str, tuple[float, list[str]]] = {}
        for piece in sorted(found, key=text.find):
            names, weight = self._clues[piece]
            for name in names:
                total, pieces = result.get(name, (0.0, []))
                result[name] = (total + weight, pieces + [piece])
        return result


def _surface(sentence: str, pattern: Pattern) -> str:
    """How the text said it: the stretch of the sentence from the first fragment to the end of the last."""
    if len(pattern.fragments) == 1:
        return pattern.fragments[0]
    anchor = sentence.find(pattern.anchor)
    starts = [sentence.find(piece, max(0, anchor - NEAR)) for piece in pattern.fragments]
    start = min(starts)
    end = max(at + len(piece) for at, piece in zip(starts, pattern.fragments))
    if end - start <= SHOWN_SPAN:
        return sentence[start:end]
    return "…".join(piece for _start, piece in sorted(zip(starts, pattern.fragments)))
