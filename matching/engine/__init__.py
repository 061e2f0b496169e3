"""Matching engine: score (town, team) pairs and pair them one to one. Plain Python, no Django."""
from .api import match
from .errors import EngineInputError
from .explain import describe_candidates
from .models import SERVICE_TYPES, Assignment, Candidate, MatchResult, Need, Team, Weights
from .taxonomy import Taxonomy, load_taxonomy

__all__ = [
    "SERVICE_TYPES",
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
]
