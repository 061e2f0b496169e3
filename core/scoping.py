"""The one scoping function.

Every queryset a user sees — pages, admin, API, exports, counts, search and
autocomplete — goes through :func:`restrict`. A model says how it relates to the
scopes (county, town, team, unit, owner) with ``scope_*`` paths on
:class:`ScopedModel`, or overrides :meth:`ScopedModel.scope_q` when its rule is
special. ``view`` follows the tree (a level above reads what the level below
does); ``change`` is narrower (only roles in ``scope_editors``, within their scope).
"""
from __future__ import annotations

from typing import Iterable

from django.db.models import Model, Q, QuerySet
from django.http import Http404

from core.roles import CITY_ROLES, COUNTY_ROLES, Role, TEAM_ROLES, is_system_admin

VIEW = "view"
CHANGE = "change"
NOTHING = Q(pk__in=[])


def _eq(path: str, value) -> Q:
    """Q for "the object at ``path`` is ``value``" ('' means the row itself)."""
    if path == "":
        return Q(pk=getattr(value, "pk", value))
    return Q(**{path: value})


def _join(path: str, field: str) -> str:
    return field if path == "" else f"{path}__{field}"


class ScopedModel(Model):
    """Mixin declaring how a model's rows fall into users' scopes."""

    # ORM paths from this model to regions.County, regions.Town, teams.Team,
    # units.DispatchingUnit and the owning user; None when the model has no such link.
    scope_county: str | None = None
    scope_town: str | None = None
    scope_team: str | None = None
    scope_unit: str | None = None
    scope_owner: str | None = None
    # Roles that may change rows they can see.
    scope_editors: frozenset = frozenset({Role.CITY_ST, Role.COUNTY_ST})

    class Meta:
        abstract = True

    @classmethod
    def scope_q(cls, user, action: str) -> Q:
        """Rows of this model ``user`` may ``action``. Override for special rules."""
        return default_scope_q(cls, user, action)


def default_scope_q(model, user, action: str) -> Q:
    """The tree rule built from a model's ``scope_*`` paths."""
    role = user.role
    if action != VIEW and role not in model.scope_editors:
        q = NOTHING
    elif role in CITY_ROLES and model.scope_county is not None and user.city_id:
        q = _eq(_join(model.scope_county, "city"), user.city_id)
    elif role == Role.PROVINCE and model.scope_county is not None and user.province_code:
        q = Q(**{_join(model.scope_county, "city__province_code"): user.province_code})
    elif role in COUNTY_ROLES and model.scope_county is not None and user.county_id:
        q = _eq(model.scope_county, user.county_id)
    elif role == Role.TOWN and model.scope_town is not None and user.town_id:
        q = _eq(model.scope_town, user.town_id)
    elif role in TEAM_ROLES and model.scope_team is not None and user.team_id:
        q = _eq(model.scope_team, user.team_id)
    elif role == Role.UNIT and model.scope_unit is not None and user.unit_id:
        q = _eq(model.scope_unit, user.unit_id)
    else:
        q = NOTHING
    if model.scope_owner is not None:
        q |= _eq(model.scope_owner, user.pk)
    return q


def is_unrestricted(user) -> bool:
    """Sees every scope: the system administrator (core.roles.is_system_admin, the one predicate)."""
    return is_system_admin(user)


def restrict(queryset: QuerySet | type[Model], user, action: str = VIEW) -> QuerySet:
    """The rows of ``queryset`` that ``user`` may ``action`` (the one scoping function)."""
    if isinstance(queryset, type):
        queryset = queryset._default_manager.all()
    if user is None or not user.is_authenticated or not user.is_active:
        return queryset.none()
    if is_unrestricted(user):
        return queryset
    rule = getattr(queryset.model, "scope_q", None)
    if rule is None:
        return queryset.none()
    q = rule(user, action)
    if q == NOTHING:
        return queryset.none()
    return queryset.filter(q)


def get_for_user(queryset: QuerySet | type[Model], user, action: str = VIEW, **lookup) -> Model:
    """One row by ``lookup`` within ``user``'s scope, or 404 (never 403: out of scope does not exist)."""
    try:
        return restrict(queryset, user, action).get(**lookup)
    except (queryset.model.DoesNotExist if isinstance(queryset, QuerySet) else queryset.DoesNotExist):
        raise Http404
    except (ValueError, TypeError, OverflowError):  # "abc" or a 300-digit id: no such record, not a server error
        raise Http404


def can(user, obj: Model, action: str = CHANGE) -> bool:
    """Whether ``user`` may ``action`` this row."""
    if obj is None or obj.pk is None:
        return False
    return restrict(type(obj)._default_manager.filter(pk=obj.pk), user, action).exists()


def ids_in_scope(model, user, action: str = VIEW) -> Iterable:
    return restrict(model, user, action).values_list("pk", flat=True)


# ------------------------------------------------------------------------------------------- checks before a save
class _Undecidable(Exception):
    """The rule names a path the in-memory check cannot follow (a reverse relation); the caller falls back."""


def _leaf_holds(instance: Model, path: str, value) -> bool:
    """Whether the unsaved ``instance`` satisfies one Q leaf ``path=value`` (exact or ``__in``), without saving it.

    The first hop is read from the instance; the rest of the path is asked of the stored related row, so "my
    village's town's county is X" is one query on Town.
    """
    lookup = "exact"
    parts = path.split("__")
    if parts[-1] in ("in", "exact", "isnull"):
        lookup = parts.pop()
    head, rest = parts[0], parts[1:]
    meta = instance._meta
    if head == "pk":
        head = meta.pk.name
    try:
        column = meta.get_field(head)
    except Exception:  # noqa: BLE001 - not a concrete field name
        raise _Undecidable(path)
    if not getattr(column, "concrete", False) or column.many_to_many:
        raise _Undecidable(path)
    if column.is_relation:
        own = getattr(instance, column.attname)
        if not rest or rest == ["id"] or rest == ["pk"]:
            current = own
        elif own is None:
            return lookup == "isnull" and bool(value)
        else:
            related = column.related_model._default_manager.filter(pk=own)
            return related.filter(**{"__".join(rest + [lookup]): value}).exists()
    else:
        if rest:
            raise _Undecidable(path)
        current = getattr(instance, column.attname)
    if lookup == "in":
        values = value if not isinstance(value, QuerySet) else list(value.values_list("pk", flat=True))
        return current in {getattr(v, "pk", v) for v in values}
    if lookup == "isnull":
        return (current is None) == bool(value)
    return current == getattr(value, "pk", value)


def _q_holds(instance: Model, q: Q) -> bool:
    results = []
    for child in q.children:
        if isinstance(child, Q):
            results.append(_q_holds(instance, child))
        else:
            results.append(_leaf_holds(instance, *child))
    if not results:  # Q(): everything
        held = True
    elif q.connector == Q.OR:
        held = any(results)
    else:
        held = all(results)
    return not held if q.negated else held


def may_write(user, instance: Model, action: str = CHANGE) -> bool:
    """Whether ``user`` may save ``instance`` as it now stands, decided *before* it is saved.

    For an existing row, the stored row must be in the user's ``change`` scope (where it is now) and the new values
    must be too (where the edit would put it); for a new row, the new values. The values are checked in memory
    against the model's scope rule (:meth:`ScopedModel.scope_q`), following foreign keys to their stored rows; a rule
    the check cannot follow (a reverse relation) is decided by saving inside a savepoint that is always rolled back.
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if is_unrestricted(user):
        return True
    if instance.pk is not None and type(instance)._default_manager.filter(pk=instance.pk).exists():
        if not can(user, type(instance)._default_manager.get(pk=instance.pk), action):
            return False
    rule = getattr(type(instance), "scope_q", None)
    if rule is None:
        return False
    q = rule(user, action)
    if q == NOTHING:
        return False
    try:
        return _q_holds(instance, q)
    except _Undecidable:
        return _may_write_by_trial(user, instance, action)


def _may_write_by_trial(user, instance: Model, action: str) -> bool:
    """Save in a savepoint, ask :func:`can`, always roll back (nothing is kept, no history row either)."""
    from django.db import transaction

    class _Rollback(Exception):
        pass

    was_new = instance._state.adding
    verdict = False
    try:
        with transaction.atomic():
            instance.save()
            verdict = can(user, instance, action)
            raise _Rollback
    except _Rollback:
        pass
    finally:
        if was_new:
            instance.pk = None
            instance._state.adding = True
    return verdict
