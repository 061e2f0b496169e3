"""The one scoping function.

Every queryset a user sees — pages, admin, API, exports, counts, search and
autocomplete — goes through :func:`restrict`; every save is first asked of
:func:`may_write`. A model *declares* its scope on :class:`ScopedModel` (a parent
path, tree paths, the organizer rule, readers, editors) and this module derives
the filter and the change check from the declaration; an override of
:meth:`ScopedModel.scope_q` is rare and says why. ``view`` follows the tree (a
level above reads what the level below does); ``change`` is narrower.
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


# Named rules an app may contribute (a rule that needs that app's tables, e.g. regions' "town_organizer": the
# organizing level of the row's town in the row's cycle decides). ``fn(model, user) -> Q``; registered in the app's
# ``AppConfig.ready`` so core stays at the bottom.
CHANGE_RULES: dict = {}

# Organizer levels a city S&T bureau manages (a province-organized town is recorded by the city) and a county's.
CITY_LEVELS = ("city", "province")


def register_change_rule(name: str, fn) -> None:
    CHANGE_RULES[name] = fn


# Read grants a higher app adds to a lower app's model ("app_label.Model" -> [fn(user) -> Q]): an expert reads the
# projects assigned to them for review. The higher app registers from its AppConfig.ready.
VIEW_GRANTS: dict[str, list] = {}


def register_view_grant(label: str, fn) -> None:
    if fn not in VIEW_GRANTS.setdefault(label, []):
        VIEW_GRANTS[label].append(fn)


class ScopedModel(Model):
    """Mixin declaring how a model's rows fall into users' scopes.

    A model *declares* its scope and :func:`default_scope_q` derives both the queryset filter and the change check
    (:func:`may_write` evaluates the same rule on an unsaved row):

    - ``scope_parent``: "same scope as my <parent>" — the row is seen and changed by whoever sees and changes its
      parent (an attachment of a call, a town of an application, an entry of a notice).
    - ``scope_county`` / ``scope_town`` / ``scope_team`` / ``scope_unit`` / ``scope_owner``: paths to the tree (a
      level above reads what the level below does; the owner always reaches their own row).
    - ``scope_organizer``: a path ('' for the row itself) to the organizing record, which carries
      ``organizer_level``, ``city`` and ``county`` (or a tuple of the three paths). With ``scope_view =
      "organizer"`` the city's roles read their city's, the province its province's, a county's roles the
      county-organized ones of their county; with ``scope_change = "organizer"`` the organizing S&T office alone
      changes them.
    - ``scope_readers``: roles that read every row (shared registries and reference data); ``scope_everyone_reads``
      lets every signed-in user read (the cycle, the industry dictionary).
    - ``scope_roles``: when set, roles outside it reach nothing at all (selection is for officials only).
    - ``scope_editors``: the roles that may change what they can see; ``scope_change`` names the change rule:
      ``"tree"`` (the same paths), ``"organizer"``, ``"all"`` (every row, for an editor), ``"team_or_organizer"``
      (the team's editors by the team path, the S&T offices by the organizer rule: a project) or a rule an app
      registered (:data:`CHANGE_RULES`).
    - :meth:`scope_view_also`: an extra, commented read grant a declaration cannot say (a county reads the city's
      calls over its towns).

    Overriding :meth:`scope_q` itself remains possible for a rule that fits none of these; each override says why.
    """

    scope_parent: str | None = None
    scope_county: str | None = None
    scope_town: str | None = None
    scope_team: str | None = None
    scope_unit: str | None = None
    scope_owner: str | None = None
    scope_organizer: str | tuple | None = None
    scope_view: str = "tree"
    scope_readers: frozenset = frozenset()
    scope_everyone_reads: bool = False
    scope_roles: frozenset | None = None
    scope_editors: frozenset = frozenset({Role.CITY_ST, Role.COUNTY_ST})
    scope_change: str = "tree"

    class Meta:
        abstract = True

    @classmethod
    def scope_q(cls, user, action: str) -> Q:
        """Rows of this model ``user`` may ``action``, derived from the declaration (see the class docstring)."""
        return default_scope_q(cls, user, action)

    @classmethod
    def scope_view_also(cls, user) -> Q:
        """Extra rows ``user`` may read beyond the declaration (none by default)."""
        return NOTHING


def parent_q(model, user, action: str) -> Q:
    """Rows whose ``scope_parent`` row the user may ``action``."""
    field = model._meta.get_field(model.scope_parent)
    parent = field.related_model
    return Q(**{f"{model.scope_parent}__in": parent._default_manager.filter(parent.scope_q(user, action)).values("pk")})


def organizer_q(model, user, action: str) -> Q:
    """The organizer rule over the record at ``scope_organizer``: read along the levels, changed by its S&T office."""
    path = model.scope_organizer
    if isinstance(path, tuple):
        level, city, county = path
    else:
        level, city, county = (_join(path, "organizer_level"), _join(path, "city"), _join(path, "county"))
    role = user.role
    if action != VIEW:
        if role == Role.CITY_ST and user.city_id:
            return Q(**{f"{level}__in": CITY_LEVELS, city: user.city_id})
        if role == Role.COUNTY_ST and user.county_id:
            return Q(**{level: "county", county: user.county_id})
        return NOTHING
    if role in CITY_ROLES and user.city_id:
        return Q(**{city: user.city_id})
    if role == Role.PROVINCE and user.province_code:
        return Q(**{f"{city}__province_code": user.province_code})
    if role in COUNTY_ROLES and user.county_id:
        return Q(**{level: "county", county: user.county_id})
    return NOTHING


def tree_q(model, user) -> Q:
    """The tree rule built from a model's ``scope_*`` paths (without the owner)."""
    role = user.role
    if role in CITY_ROLES and model.scope_county is not None and user.city_id:
        return _eq(_join(model.scope_county, "city"), user.city_id)
    if role == Role.PROVINCE and model.scope_county is not None and user.province_code:
        return Q(**{_join(model.scope_county, "city__province_code"): user.province_code})
    if role in COUNTY_ROLES and model.scope_county is not None and user.county_id:
        return _eq(model.scope_county, user.county_id)
    if role == Role.TOWN and model.scope_town is not None and user.town_id:
        return _eq(model.scope_town, user.town_id)
    if role in TEAM_ROLES and model.scope_team is not None and user.team_id:
        return _eq(model.scope_team, user.team_id)
    if role == Role.UNIT and model.scope_unit is not None and user.unit_id:
        return _eq(model.scope_unit, user.unit_id)
    return NOTHING


def _or(a: Q, b: Q) -> Q:
    if a == NOTHING:
        return b
    if b == NOTHING:
        return a
    return a | b


def default_scope_q(model, user, action: str) -> Q:
    """The rule a model's declaration says (see :class:`ScopedModel`)."""
    role = user.role
    if model.scope_roles is not None and role not in model.scope_roles:
        return NOTHING
    if model.scope_parent is not None:
        return parent_q(model, user, action)
    if action == VIEW:
        if model.scope_everyone_reads or role in model.scope_readers:
            return Q()
        q = organizer_q(model, user, action) if model.scope_view == "organizer" else tree_q(model, user)
        q = _or(q, model.scope_view_also(user))
        for grant in VIEW_GRANTS.get(model._meta.label, ()):
            q = _or(q, grant(user))
    elif role not in model.scope_editors:
        q = NOTHING
    elif model.scope_change == "tree":
        q = tree_q(model, user)
    elif model.scope_change == "organizer":
        q = organizer_q(model, user, action)
    elif model.scope_change == "all":
        q = Q()
    elif model.scope_change == "team_or_organizer":
        # The team writes it (its leader, an editor), the organizing S&T office handles it (returns, accepts).
        q = tree_q(model, user) if role in TEAM_ROLES else organizer_q(model, user, action)
    else:
        q = CHANGE_RULES[model.scope_change](model, user)
    if model.scope_owner is not None:
        q = _or(q, _eq(model.scope_owner, user.pk))
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
    if hasattr(value, "resolve_expression") and not isinstance(value, QuerySet):
        raise _Undecidable(path)  # F("cycle"): compared with another column of the row, asked of the database
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
