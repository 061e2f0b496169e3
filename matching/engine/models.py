"""Plain data classes that go into and come out of the engine."""
from __future__ import annotations

from dataclasses import dataclass, field, fields

from .service_types import SERVICE_TYPES  # noqa: F401  (the one list; re-exported for the engine's callers)


@dataclass(frozen=True)
class Need:
    """One need of a town from the needs library (a town may have several)."""

    town_code: str
    town_name: str
    title: str
    description: str = ""
    industry: str = ""
    service_types: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Team:
    """A team of commissioners and what it offers; preferred_towns is ordered (first choice first)."""

    team_id: str
    name: str
    unit: str = ""
    specialties: str = ""
    summary: str = ""
    research_directions: str = ""
    member_fields: str = ""
    service_types: list[str] = field(default_factory=list)
    preferred_towns: list[str] = field(default_factory=list)
    prior_towns: list[str] = field(default_factory=list)


FAMILIARITY_MARGIN = 0.15
# The margin of runs stored before the fit-first rule: familiarity always counted.
LEGACY_FAMILIARITY_MARGIN = 1.0


@dataclass(frozen=True)
class Weights:
    """Weights of the score components; each component lies in [0, 1] before weighting."""

    fit: float = 1.0
    service: float = 0.15
    prior: float = 0.35
    preference: float = 0.25
    panel: float = 0.5
    # Fit first: prior engagement and preference add to a team's score only when its fit is within this margin of
    # the town's best fit (fit is scaled so the best team has 1). 1 or more: they always count (the rule before).
    familiarity_margin: float = FAMILIARITY_MARGIN

    @classmethod
    def from_mapping(cls, values: dict) -> "Weights":
        """Build weights from a dict such as parsed JSON; unknown keys or non-numbers are refused."""
        from .errors import EngineInputError

        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise EngineInputError("未知的权重项：%s（可用：%s）" % ("、".join(unknown), "、".join(sorted(known))))
        clean = {}
        for key, value in values.items():
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise EngineInputError("权重“%s”必须是数字" % key)
            if value < 0:
                raise EngineInputError("权重“%s”不能为负数" % key)
            if key == "familiarity_margin" and value > 1:
                raise EngineInputError("熟悉度计分范围必须在 0 到 1 之间（1 表示前期对接与意向总是计分）")
            clean[key] = float(value)
        return cls(**clean)

    @classmethod
    def stored(cls, values: dict) -> "Weights":
        """Weights saved with a run; a run saved before the fit-first rule keeps its rule (familiarity always counted)."""
        return cls(**{"familiarity_margin": LEGACY_FAMILIARITY_MARGIN, **values})

    def familiarity_counts(self, raw, best_raw):
        """Whether prior engagement and preference count for a pair of this raw fit (scalars or arrays), ``best_raw``
        being the best raw fit among the teams that may serve its town: within the margin of it, or where no such team
        fits the town at all (every team is then as good a fit as the best)."""
        return (raw >= (1.0 - self.familiarity_margin - 1e-9) * best_raw) | (best_raw <= 0)

    def as_dict(self) -> dict[str, float]:
        """The weights as a plain dict."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass
class Assignment:
    """A town paired with a team by the engine, with its total score and Chinese reasons."""

    town_code: str
    team_id: str
    score: float
    reasons: list[str]
    components: dict[str, float]
    locked: bool = False


@dataclass
class Candidate:
    """One of a town's best teams by total score, whatever the assignment chose."""

    team_id: str
    score: float
    components: dict[str, float]
    eligible: bool = True


@dataclass
class MatchResult:
    """Everything the engine found: assignments, uncovered towns with reasons, and top candidates."""

    assignments: list[Assignment]
    unassigned_towns: list[str]
    unassigned_reasons: dict[str, str]
    candidates: dict[str, list[Candidate]]
    mode: str = "dense"
    stats: dict[str, float] = field(default_factory=dict)

    @property
    def total_score(self) -> float:
        """Sum of the scores of all assignments."""
        return float(sum(a.score for a in self.assignments))

    def to_dict(self) -> dict:
        """The JSON shape of the command line (extra keys: components, reasons for uncovered towns)."""
        return {
            "assignments": [
                {
                    "town_code": a.town_code,
                    "team_id": a.team_id,
                    "score": round(a.score, 4),
                    "reasons": list(a.reasons),
                    "components": _rounded(a.components),
                    "locked": a.locked,
                }
                for a in self.assignments
            ],
            "unassigned_towns": list(self.unassigned_towns),
            "unassigned_reasons": dict(self.unassigned_reasons),
            "candidates": {
                town: [{"team_id": c.team_id, "score": round(c.score, 4)} for c in items]
                for town, items in self.candidates.items()
            },
        }


def _rounded(values: dict[str, float]) -> dict[str, float]:
    """Round every value for display."""
    return {key: round(float(value), 4) for key, value in values.items()}
