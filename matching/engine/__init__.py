"""Matching engine: score (town, team) pairs and pair them one to one. Plain Python, no Django."""
from .api import match, text_fit
from .errors import EngineInputError
from .explain import describe_candidates
from .models import Assignment, Candidate, MatchResult, Need, Team, Weights
from .service_types import SERVICE_TYPE_CHOICES, SERVICE_TYPES
from .taxonomy import Taxonomy, load_taxonomy, taxonomy_for, taxonomy_version

__all__ = [
    "text_fit",
    "SERVICE_TYPES",
    "SERVICE_TYPE_CHOICES",
    "Assignment",
    "Candidate",
    "EngineInputError",
    "MatchResult",
    "Need",
    "Taxonomy",
    "Team",
    "Weights",
    "describe_candidates",
    "load_taxonomy",
    "match",
    "taxonomy_for",
    "taxonomy_version",
]
