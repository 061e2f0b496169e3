"""Writes on needs, town profiles, survey campaigns and the taxonomy. Views call these; nothing else saves."""
from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.roles import ORGANIZERS, Role, has_role, is_system_admin
from accounts.services import notify
from core.fields import cycle_date_error, limit_of
from core.scoping import CHANGE, can, restrict
from core.workflow import apply_transition
from core.services import unchanged
from needs.choices import CAMPAIGN_WORKFLOW, ENTERERS, NEED_WORKFLOW, NeedStatus, ServiceType
from needs.models import (
    CampaignTown, IndustryCategory, IndustryProblem, IndustryProduct, Need, SurveyCampaign, TownProfile,
)
from needs.search import index_needs, index_texts, text_of
from regions.models import Town
from regions.selectors import organized_towns_q

# ---------------------------------------------------------------- needs


def towns_user_may_enter(user, cycle):
    """Towns whose needs and profile this user may enter in ``cycle`` (their own, or the ones their level organizes)."""
    if not (is_system_admin(user) or user.role in ENTERERS):
        return Town.objects.none()
    if is_system_admin(user):
        return Town.objects.all()
    return Town.objects.filter(organized_towns_q(user, town_path="", cycle=cycle)).distinct()


def _check_services(values):
    unknown = [value for value in values or [] if value not in ServiceType.values]
    if unknown:
        raise ValidationError({"service_types": _("未知的服务类型：%(v)s") % {"v": "、".join(unknown)}})
    if not values:
        raise ValidationError({"service_types": _("请至少选择一种服务类型。")})


@transaction.atomic
def need_create(*, actor, cycle, town, title, description, category, service_types, villages=(), **fields) -> Need:
    """A town (or its organizer, or rural-revitalization users of that scope) enters a need; it starts "submitted"."""
    if not towns_user_may_enter(actor, cycle).filter(pk=town.pk).exists():
        raise PermissionDenied(_("您不能为该镇填报需求。"))
    _check_services(service_types)
    need = Need(cycle=cycle, town=town, title=(title or "").strip(), description=(description or "").strip(),
                category=category, service_types=list(service_types), created_by=actor, **fields)
    _check_villages(town, villages)
    need.full_clean()
    need.save()
    if villages:
        need.villages.set(villages)
    index_needs([need])
    return need


def _check_villages(town, villages) -> None:
    """A need names only villages of its own town (the same check for creates and edits)."""
    foreign = [v.name for v in villages or () if v.town_id != town.pk]
    if foreign:
        raise ValidationError({"villages": _("行政村不属于该镇：%(v)s") % {"v": "、".join(foreign)}})


@transaction.atomic
def need_update(*, actor, need: Need, villages=None, **fields) -> Need:
    """Edit a need in the actor's change scope; confirmed and later needs are edited only by the organizer."""
    if not can(actor, need, CHANGE):
        raise PermissionDenied(_("您无权修改该需求。"))
    if need.status not in (NeedStatus.SUBMITTED, NeedStatus.RETURNED) and not has_role(actor, ORGANIZERS):
        raise PermissionDenied(_("需求已确认，只能由组织单位修改。"))
    if "service_types" in fields:
        _check_services(fields["service_types"])
    for locked in ("cycle", "town"):
        if locked in fields and getattr(fields[locked], "pk", fields[locked]) != getattr(need, locked + "_id"):
            raise ValidationError({locked: _("需求的帮扶周期和所在镇不能修改。")})
        fields.pop(locked, None)
    if villages is not None:
        _check_villages(need.town, villages)
    for name, value in fields.items():
        setattr(need, name, value)
    need.full_clean()
    need.save()
    if villages is not None:
        need.villages.set(villages)
    index_needs([need])
    return need


def need_transition(*, actor, need: Need, action: str, comment: str = "") -> Need:
    """Confirm, return, resubmit, resolve or close one need (the organizer's decisions are checked here)."""
    if action in ("confirm", "return", "resolve", "close") and not can(actor, need, CHANGE):
        raise PermissionDenied(_("只有该镇的组织单位可以处理该需求。"))
    if action == "resubmit" and not can(actor, need, CHANGE):
        raise PermissionDenied(_("您无权重新提交该需求。"))
    with transaction.atomic():
        if action in ("return", "close"):
            need.status_reason = comment.strip()
        apply_transition(workflow=NEED_WORKFLOW, obj=need, action=action, actor=actor, comment=comment,
                         save_fields=["status_reason"])
    if action == "return":
        recipients = list(need.town.users.filter(is_active=True))
        if need.created_by_id and need.created_by not in recipients:
            recipients.append(need.created_by)
        notify(recipients=recipients, title=_("需求“%(t)s”被退回") % {"t": need.title}, body=comment,
               link=need.get_absolute_url())
    return need


@dataclass
class BulkResult:
    done: list = field(default_factory=list)
    refused: list = field(default_factory=list)  # (need, reason): a step that failed; then nothing was done
    skipped: list = field(default_factory=list)  # (need, reason): not the actor's to act on, or not in that state


def needs_bulk_transition(*, actor, needs, action: str, comment: str = "") -> BulkResult:
    """Confirm or return many needs at once. Needs the actor may not act on (another level organizes the town) or
    that are not in a state the step starts from are skipped, each with its reason; the rest are checked and
    recorded one by one, all or nothing (one refusal undoes the others)."""
    result = BulkResult()
    step = NEED_WORKFLOW.get(action)
    actionable = []
    for need in needs:
        if step is not None and need.status not in step.sources:
            result.skipped.append((need, _("当前状态为“%(s)s”") % {"s": need.get_status_display()}))
        elif step is not None and not can(actor, need, CHANGE):
            result.skipped.append((need, _("该镇不由您所在层级组织，由其组织单位处理")))
        else:
            actionable.append(need)
    needs = actionable
    with transaction.atomic():
        for need in needs:
            try:
                need_transition(actor=actor, need=need, action=action, comment=comment)
            except (ValidationError, PermissionDenied) as error:
                messages = error.messages if isinstance(error, ValidationError) else [str(error)]
                result.refused.append((need, "；".join(messages)))
            else:
                result.done.append(need)
        if result.refused:
            transaction.set_rollback(True)
            result.done = []
    if result.refused:
        for need in needs:  # the rollback undid the rows; undo the objects too
            need.refresh_from_db(fields=["status", "status_reason"])
    return result


def needs_system_move(*, needs, move: str, actor=None, comment: str = "") -> int:
    """Take a system step (``match``: a round finalized; ``start_assistance``: a project started) on each need that
    is in one of its sources now; a need another request moved meanwhile is left alone. Returns how many moved."""
    step = NEED_WORKFLOW[move]
    if not step.by_system:
        raise ValueError("%s is not a system step" % move)
    count = 0
    with transaction.atomic():
        for need in needs:
            stored = Need.objects.select_for_update().filter(pk=need.pk).values_list("status", flat=True).first()
            if stored is None or stored not in step.sources:
                continue
            need.refresh_from_db(fields=["status"])  # the locked row's state: apply_transition's check-and-set holds
            apply_transition(workflow=NEED_WORKFLOW, obj=need, action=move, actor=actor, comment=comment, system=True)
            count += 1
    return count


# ---------------------------------------------------------------- town profiles


PROFILE_FIELDS = ["population", "households", "area_km2", "arable_land_mu", "leading_industries",
                  "characteristic_products", "technical_base", "main_problems", "contact_name", "contact_phone"]


def profile_for(*, cycle, town) -> TownProfile:
    """The town's profile for the cycle; a new cycle starts from a copy of the latest earlier profile (unsaved)."""
    profile = TownProfile.objects.filter(cycle=cycle, town=town).first()
    if profile:
        return profile
    previous = TownProfile.objects.filter(town=town, cycle__start_date__lt=cycle.start_date).order_by("-cycle__start_date").first()
    profile = TownProfile(cycle=cycle, town=town)
    if previous:
        for name in PROFILE_FIELDS:
            setattr(profile, name, getattr(previous, name))
        profile._copied_from = previous
    return profile


@transaction.atomic
def profile_save(*, actor, cycle, town, **fields) -> TownProfile:
    """Enter or edit a town profile: the town, its organizer and rural-revitalization users of that scope."""
    if not towns_user_may_enter(actor, cycle).filter(pk=town.pk).exists():
        raise PermissionDenied(_("您不能填写该镇的镇域发展情况。"))
    profile = profile_for(cycle=cycle, town=town)
    for name, value in fields.items():
        setattr(profile, name, value)
    if unchanged(profile):
        return profile
    profile.full_clean()
    profile.save()
    return profile


# ---------------------------------------------------------------- survey campaigns


@transaction.atomic
def campaign_open(*, actor, cycle, title, due_date, towns, instructions: str = "") -> SurveyCampaign:
    """The city (for its towns) or a county (for the towns it organizes) opens a needs survey."""
    if actor.role not in (Role.CITY_ST, Role.COUNTY_ST) and not is_system_admin(actor):
        raise PermissionDenied(_("只有市、县科技部门可以发起需求调研。"))
    towns = list(towns)
    if not towns:
        raise ValidationError({"towns": _("请至少选择一个镇。")})
    allowed = set(towns_user_may_enter(actor, cycle).values_list("pk", flat=True))
    visible = set(restrict(Town.objects.filter(pk__in=[t.pk for t in towns]), actor).values_list("pk", flat=True))
    # Towns outside the actor's view are named by their id only: an error never tells what a user may not read.
    outside = [town.name if town.pk in visible else "编号%s" % town.pk for town in towns if town.pk not in allowed]
    if outside:
        raise ValidationError({"towns": _("以下镇不由您组织：%(t)s") % {"t": "、".join(outside)}})
    outside_cycle = cycle_date_error(due_date, cycle, _("填报截止日期"))
    if outside_cycle:
        raise ValidationError({"due_date": outside_cycle})
    level = "county" if actor.role == Role.COUNTY_ST else "city"
    city = actor.city or (actor.county.city if actor.county_id else towns[0].county.city)
    campaign = SurveyCampaign(cycle=cycle, title=title, due_date=due_date, instructions=instructions,
                              organizer_level=level, city=city, county=actor.county if level == "county" else None,
                              created_by=actor)
    campaign.full_clean()
    campaign.save()
    CampaignTown.objects.bulk_create([CampaignTown(campaign=campaign, town=town) for town in towns])
    recipients = list(actor.__class__.objects.filter(role=Role.TOWN, town__in=towns, is_active=True))
    notify(recipients=recipients, title=_("请填报需求调研：%(t)s") % {"t": title},
           body=_("截止日期：%(d)s") % {"d": due_date}, link=campaign.get_absolute_url())
    return campaign


@transaction.atomic
def campaign_submit_town(*, actor, campaign: SurveyCampaign, town) -> CampaignTown:
    """A town (or its organizer on its behalf) submits its survey: profile filled and at least one need."""
    row = CampaignTown.objects.select_for_update().filter(campaign=campaign, town=town).first()
    if row is None or not can(actor, row, CHANGE) or not towns_user_may_enter(actor, campaign.cycle).filter(pk=town.pk).exists():
        raise PermissionDenied(_("您不能提交该镇的调研。"))
    if campaign.status != SurveyCampaign.Status.OPEN:
        raise ValidationError(_("该调研已结束。"))
    if not TownProfile.objects.filter(cycle=campaign.cycle, town=town).exists():
        raise ValidationError(_("请先填写镇域发展情况。"))
    if not Need.objects.filter(cycle=campaign.cycle, town=town).exclude(status=NeedStatus.CLOSED).exists():
        raise ValidationError(_("请至少填报一条需求。"))
    row.submitted_at = timezone.now()
    row.submitted_by = actor
    row.save()
    return row


def campaign_transition(*, actor, campaign: SurveyCampaign, action: str, comment: str = "") -> SurveyCampaign:
    """The organizer closes (or reopens) a needs survey."""
    if not can(actor, campaign, CHANGE):
        raise PermissionDenied(_("只有发起调研的组织单位可以结束或重新开启调研。"))
    apply_transition(workflow=CAMPAIGN_WORKFLOW, obj=campaign, action=action, actor=actor, comment=comment)
    return campaign


# ---------------------------------------------------------------- taxonomy


def _require_city(actor):
    if not (is_system_admin(actor) or actor.role == Role.CITY_ST):
        raise PermissionDenied(_("只有市科技局可以维护产业分类。"))


@transaction.atomic
def category_save(*, actor, category: IndustryCategory) -> IndustryCategory:
    _require_city(actor)
    category.full_clean()
    category.save()
    return category


def _split_terms(text) -> list[str]:
    import re

    if isinstance(text, (list, tuple)):
        return [str(t).strip() for t in text if str(t).strip()]
    return [term for term in re.split(r"[、，,;；\s/]+", text or "") if term]


@transaction.atomic
def product_save(*, actor, product: IndustryProduct, synonyms, parents=()) -> IndustryProduct:
    """Save a product with its other names and broader products; a name may belong to one product only."""
    _require_city(actor)
    product.synonyms = sorted(set(_split_terms(synonyms)) - {product.name})
    product.full_clean()
    taken = {}
    for other in IndustryProduct.objects.exclude(pk=product.pk).only("name", "synonyms"):
        for term in [other.name, *other.synonyms]:
            taken[term] = other.name
    clashes = [f"{term}（已属于“{taken[term]}”）" for term in [product.name, *product.synonyms] if term in taken]
    if clashes:
        raise ValidationError({"synonyms": _("名称重复：%(c)s") % {"c": "、".join(clashes)}})
    product.save()
    parents = [parent for parent in parents if parent.pk != product.pk]
    product.parents.set(parents)
    return product


PHRASES_MAX = 60
PHRASE_MAX_CHARS = 40


def _split_lines(text) -> list[str]:
    """Phrasings or terms typed one per line (or separated by 、；): spaces inside one separate its fragments."""
    import re

    items = text if isinstance(text, (list, tuple)) else re.split(r"[\r\n、；;]+", text or "")
    result = []
    for item in items:
        cleaned = " ".join(str(item).split())
        if cleaned and cleaned not in result:
            result.append(cleaned)
    return result


def _says_nothing(fragment: str) -> bool:
    """A fragment every need may contain: punctuation, a function word or a word the matching ignores (技术, 需要)."""
    import unicodedata

    from matching.engine.tokens import STOPWORDS

    if all(unicodedata.category(ch)[0] in "PSZ" for ch in fragment):
        return True
    return fragment in STOPWORDS


def _phrase_errors(items: list[str], label: str) -> list[str]:
    """Why a phrasing or term would match nearly every text (or is too long to read), in Chinese."""
    errors = []
    if len(items) > PHRASES_MAX:
        errors.append(f"{label}最多 {PHRASES_MAX} 条")
    for item in items:
        fragments = item.split(" ")
        if len(item) > PHRASE_MAX_CHARS:
            errors.append(f"“{item[:PHRASE_MAX_CHARS]}…”过长（每条不超过 {PHRASE_MAX_CHARS} 字）")
        elif sum(len(fragment) for fragment in fragments) < 2 or (len(fragments) == 1 and len(item) < 2):
            errors.append(f"“{item}”太短，几乎任何文字都会含有它（至少两个字，或用空格组合几个词）")
        elif all(_says_nothing(fragment) for fragment in fragments):
            errors.append(f"“{item}”只有虚词、标点或“技术”“需要”这类常用词，几乎任何需求都会含有它")
    return errors


@transaction.atomic
def problem_save(*, actor, problem: IndustryProblem, phrases, terms, products=()) -> IndustryProblem:
    """Save a problem with how towns say it (群众说法) and how teams name it (专业术语).

    Each line is one phrasing; spaces inside it separate fragments that must all occur in one sentence. A
    phrasing or term of one character alone would match nearly every text and is refused, with the line named."""
    _require_city(actor)
    problem.phrases = _split_lines(phrases)
    problem.terms = _split_lines(terms)
    errors = {}
    try:
        problem.full_clean()
    except ValidationError as error:  # every error at once: a duplicate name does not hide a bad phrasing
        errors.update({name: "；".join(messages) for name, messages in error.message_dict.items()})
    for field_name, label, items in (("phrases", "群众说法", problem.phrases), ("terms", "专业术语", problem.terms)):
        found = _phrase_errors(items, label)
        if found:
            errors[field_name] = "；".join(filter(None, [errors.get(field_name, ""), str(_("%(label)s：%(e)s") % {
                "label": label, "e": "；".join(found)})]))
    if not problem.phrases and not problem.terms:
        errors["phrases"] = _("请至少填写一条群众说法或专业术语。")
    if errors:
        raise ValidationError(errors)
    problem.save()
    problem.products.set(list(products))
    reindex_after_taxonomy_change(actor)
    return problem


def reindex_after_taxonomy_change(actor):
    """Needs are indexed by the problems their text speaks of: after a problem changes, the worker re-indexes every need
    (search then finds old needs by a new phrasing, and no longer by a removed one). Returns the run to follow."""
    from core.tasks import start
    from needs.search import id_ranges
    from needs.tasks import index_needs_task

    pks = list(Need.objects.values_list("pk", flat=True))
    if not pks:
        return None
    return start(index_needs_task, user=actor, kind="search_index", label=str(_("产业问题已修改：更新需求检索索引")),
                 ranges=id_ranges(pks))


# ---------------------------------------------------------------- import


def need_columns():
    from core.excel import ColumnSpec

    return [
        ColumnSpec(key="town_code", header="镇代码", aliases=("乡镇代码", "区划代码"), kind="code", required=False,
                   help_text="9位统计用区划代码；与“镇名称”至少填一项"),
        ColumnSpec(key="town_name", header="镇名称", aliases=("乡镇", "镇", "乡镇名称", "镇（乡、街道）"), required=False),
        ColumnSpec(key="villages", header="涉及行政村", aliases=("行政村", "村"), kind="multi", required=False),
        ColumnSpec(key="title", header="需求标题", aliases=("需求名称", "标题"), max_length=limit_of(Need, "title")),
        ColumnSpec(key="description", header="需求描述", aliases=("需求内容", "具体需求", "描述"),
                   max_length=limit_of(Need, "description")),
        ColumnSpec(key="category", header="产业类别", aliases=("产业", "类别"), kind="choice",
                   choices=list(IndustryCategory.objects.values_list("name", flat=True))),
        ColumnSpec(key="service_types", header="服务类型", aliases=("需求类型",), kind="multi",
                   choices=[(value, str(label)) for value, label in ServiceType.choices]),
        ColumnSpec(key="priority", header="优先级", required=False, kind="choice",
                   choices=[("high", "高"), ("medium", "中"), ("low", "低")]),
        ColumnSpec(key="expected_outcome", header="预期成效", aliases=("预期目标",), required=False,
                   max_length=limit_of(Need, "expected_outcome")),
        ColumnSpec(key="surveyed_by", header="调研人", required=False, max_length=100),
        ColumnSpec(key="surveyed_on", header="调研日期", kind="date", required=False),
    ]


IMPORT_BATCH = 1000  # rows per INSERT of an import (within SQLite's and PostgreSQL's parameter limits)


def _new_row_values(model, now) -> dict:
    """A new record's column values before any are given: the fields' defaults, ``now`` for auto-set times."""
    values = {}
    for column in model._meta.concrete_fields:
        if column.primary_key:
            continue
        auto = getattr(column, "auto_now", False) or getattr(column, "auto_now_add", False)
        values[column.attname] = now if auto else column.get_default()
    return values


def _value_key(value):
    """A dictionary key standing for ``value`` (its type included: 1, 1.0 and True differ), or None."""
    key = (type(value), tuple(value) if isinstance(value, list) else value)
    try:
        hash(key)
    except TypeError:
        return None
    return key


def _field_errors(model, rows: list[dict], *, exclude=()):
    """``Model.clean_fields`` over many rows of column values: yields (row index, field name, messages) and keeps
    each cleaned value, as it does. A field's rules look at the value only, so each runs once per distinct value
    (an import's statuses, priorities, dates and service types repeat)."""
    for column in model._meta.concrete_fields:
        if column.name in exclude or column.primary_key or getattr(column, "auto_now", False) \
                or getattr(column, "auto_now_add", False) or getattr(column, "generated", False):
            continue
        outcomes: dict = {}
        for index, row in enumerate(rows):
            raw = row[column.attname]
            if column.blank and raw in column.empty_values:
                continue
            key = _value_key(raw)
            outcome = outcomes.get(key) if key is not None else None
            if outcome is None:
                try:
                    outcome = (True, column.clean(raw, None))
                except ValidationError as error:
                    outcome = (False, error.messages)
                if key is not None:
                    outcomes[key] = outcome
            if outcome[0]:
                row[column.attname] = outcome[1]
            else:
                yield index, column.name, outcome[1]


def _insert_rows(model, rows: list[dict]) -> list | None:
    """Insert new records given as column values (validated already) in multi-row ``INSERT … RETURNING``
    statements; returns their ids in order.

    What ``bulk_create`` does without its per-row, per-field compiler work: each value is converted for the
    database once per distinct value. Databases that cannot return ids from a multi-row insert get ``bulk_create``
    and None (the caller reads the ids back).
    """
    from django.db import connection

    if not rows:
        return []
    if not connection.features.can_return_rows_from_bulk_insert:
        model._default_manager.bulk_create([model(**row) for row in rows], batch_size=IMPORT_BATCH)
        return None
    fields = [column for column in model._meta.concrete_fields if not column.primary_key]
    columns = []
    for column in fields:
        prepared: dict = {}
        as_is = column.get_internal_type() in ("CharField", "TextField")
        values = []
        for row in rows:
            value = row[column.attname]
            if as_is and type(value) is str:
                values.append(value)
                continue
            key = _value_key(value)
            if key is None:
                values.append(column.get_db_prep_save(value, connection))
                continue
            if key not in prepared:
                prepared[key] = column.get_db_prep_save(value, connection)
            values.append(prepared[key])
        columns.append(values)
    quote = connection.ops.quote_name
    head = "INSERT INTO %s (%s) " % (quote(model._meta.db_table), ", ".join(quote(column.column) for column in fields))
    returning = " RETURNING %s" % quote(model._meta.pk.column)
    pks = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One array per column, as Django's own bulk insert on PostgreSQL (a VALUES list of 16,000 placeholders
            # costs the driver more than the insert costs the server); a column with one value throughout (the
            # cycle, the importer, the times, the status …) is sent once, not as an array the driver converts.
            types = [column.db_type(connection).split("(")[0] for column in fields]
            for start in range(0, len(rows), IMPORT_BATCH):
                batch = [values[start:start + IMPORT_BATCH] for values in columns]
                same = [all(value is values[0] for value in values) for values in batch]
                if all(same):
                    same[0] = False  # UNNEST needs one array to give the rows
                select = ", ".join("(%%s)::%s" % kind if one else "u.c%d" % index
                                   for index, (kind, one) in enumerate(zip(types, same)))
                arrays = ", ".join("(%%s)::%s[]" % kind for kind, one in zip(types, same) if not one)
                names = ", ".join("c%d" % index for index, one in enumerate(same) if not one)
                cursor.execute(head + "SELECT %s FROM UNNEST(%s) AS u(%s)" % (select, arrays, names) + returning,
                               [values[0] for values, one in zip(batch, same) if one]
                               + [values for values, one in zip(batch, same) if not one])
                pks.extend(row[0] for row in cursor.fetchall())
            return pks
        limit = connection.features.max_query_params or 65535
        if connection.vendor == "sqlite":  # Django assumes 999 variables; the library's own limit is far higher
            import sqlite3

            limit = max(limit, connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER))
        size = max(1, min(IMPORT_BATCH, limit // len(fields)))
        placeholder = "(%s)" % ", ".join(["%s"] * len(fields))
        prepared_rows = list(zip(*columns))
        for start in range(0, len(prepared_rows), size):
            batch = prepared_rows[start:start + size]
            cursor.execute(head + "VALUES " + ", ".join([placeholder] * len(batch)) + returning,
                           [value for row in batch for value in row])
            pks.extend(row[0] for row in cursor.fetchall())
    return pks


def _write_creation_history(model, pks, *, actor, reason: str) -> None:
    """The "+" change-history row of each record just inserted, as django-simple-history writes it, in one
    ``INSERT … SELECT`` per batch: each history row copies its record's stored values, with no model instance or
    per-field conversion in Python (an import's history rows were ~40 % of its time that way)."""
    from django.db import connection

    if not pks or not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return
    history = model.history.model
    quote = connection.ops.quote_name
    own = {"history_id", "history_date", "history_change_reason", "history_type", "history_user"}
    copied = [field.name for field in history._meta.concrete_fields if field.name not in own]
    targets = [history._meta.get_field(name).column for name in copied]
    sources = [model._meta.get_field(name).column for name in copied]
    targets += [history._meta.get_field(name).column for name in ("history_date", "history_change_reason",
                                                                  "history_type", "history_user")]
    history_date = history._meta.get_field("history_date").get_db_prep_save(timezone.now(), connection)
    constants = [history_date, reason, "+", actor.pk if actor else None]
    pk_column = quote(model._meta.pk.column)
    head = "INSERT INTO %s (%s) SELECT %s, %%s, %%s, %%s, %%s FROM %s WHERE %s " % (
        quote(history._meta.db_table), ", ".join(quote(column) for column in targets),
        ", ".join(quote(column) for column in sources), quote(model._meta.db_table), pk_column)
    with connection.cursor() as cursor:
        for start in range(0, len(pks), IMPORT_BATCH):
            batch = list(pks[start:start + IMPORT_BATCH])
            if connection.vendor == "postgresql":
                cursor.execute(head + "= ANY(%%s) ORDER BY %s" % pk_column, constants + [batch])
            else:
                cursor.execute(head + "IN (%s) ORDER BY %s" % (", ".join(["%s"] * len(batch)), pk_column),
                               constants + batch)


# An import of more rows saves its needs first and builds their search tokens in a follow-up task (index_run).
IMPORT_INDEX_INLINE_ROWS = 1000
INDEX_PENDING_NOTICE = _("检索索引正在后台建立，完成前按关键词可能检索不到新导入的需求（标题或描述的原文可以检索）。")


@dataclass
class ImportReport:
    saved: int = 0
    errors: list = field(default_factory=list)
    index_run: object = None  # the TaskRun building the search index of a large import, while it is pending


def needs_import(*, actor, cycle, file, filename: str, progress=None) -> ImportReport:
    """Import needs from a spreadsheet: every row is checked, then all rows are saved or none."""
    from core.excel import RowError, read_table

    if not (is_system_admin(actor) or actor.role in ENTERERS):
        raise PermissionDenied(_("您的角色不能导入需求。"))
    columns = need_columns()
    parsed = read_table(file, filename=filename, columns=columns, max_rows=settings.IMPORT_MAX_ROWS)
    errors = list(parsed.errors)
    if progress:
        progress.update(0, len(parsed.rows), str(_("正在校验……")))
    allowed = {town.pk: town for town in towns_user_may_enter(actor, cycle).select_related("county")}
    all_towns = list(Town.objects.select_related("county").only("pk", "code", "name", "county__name"))
    by_code = {town.code: town for town in all_towns}
    by_name: dict[str, list] = {}
    for town in all_towns:
        by_name.setdefault(town.name, []).append(town)
        by_name.setdefault(town.county.name + town.name, []).append(town)
    categories = {c.name: c for c in IndustryCategory.objects.all()}
    villages = {}
    from regions.models import Village

    for village in Village.objects.filter(town_id__in=allowed).only("pk", "name", "town_id"):
        villages[(village.town_id, village.name)] = village
    rows, lines = [], []
    for row, line in zip(parsed.rows, parsed.row_numbers):
        code, name = row.get("town_code") or "", (row.get("town_name") or "").strip()
        town = None
        if code:
            town = by_code.get(code)
            if town is None:
                errors.append(RowError(line, "镇代码", str(_("未知的镇代码“%(c)s”") % {"c": code})))
                continue
            if name and name not in (town.name, town.county.name + town.name):
                errors.append(RowError(line, "镇名称", str(_("“%(n)s”与镇代码%(c)s（%(r)s）不符") % {
                    "n": name, "c": code, "r": town.name})))
                continue
        elif name:
            candidates = [t for t in by_name.get(name, []) if t.pk in allowed] or by_name.get(name, [])
            if not candidates:
                errors.append(RowError(line, "镇名称", str(_("未知的镇“%(n)s”") % {"n": name})))
                continue
            if len(candidates) > 1:
                errors.append(RowError(line, "镇名称", str(_("“%(n)s”有重名，请填写镇代码") % {"n": name})))
                continue
            town = candidates[0]
        else:
            errors.append(RowError(line, "镇代码", str(_("“镇代码”和“镇名称”至少填写一项"))))
            continue
        if town.pk not in allowed:
            errors.append(RowError(line, "镇名称", str(_("%(t)s不在您的填报范围内") % {"t": town.full_name})))
            continue
        row_villages = []
        for village_name in row.get("villages") or []:
            village = villages.get((town.pk, village_name))
            if village is None:
                errors.append(RowError(line, "涉及行政村", str(_("%(t)s没有行政村“%(v)s”") % {"t": town.name, "v": village_name})))
                break
            row_villages.append(village)
        else:
            rows.append((town, row, row_villages))
            lines.append(line)
    # Each need as its column values (no model instance per row: at 10,000 rows their machinery was a third of
    # the import). Fields the file does not fill take the model's defaults; created/updated are the import's time.
    base = _new_row_values(Need, timezone.now())
    base.update(cycle_id=cycle.pk, campaign_id=None, created_by_id=actor.pk)
    values = [
        {**base, "town_id": town.pk, "title": row["title"], "description": row["description"],
         "category_id": categories[row["category"]].pk, "service_types": list(row["service_types"]),
         "priority": row.get("priority") or "medium", "expected_outcome": row.get("expected_outcome") or "",
         "surveyed_by": row.get("surveyed_by") or "", "surveyed_on": row.get("surveyed_on")}
        for town, row, _villages in rows
    ]
    # The model's own field rules (a survey date not after today, lengths), as the form and the API check them; the
    # related records were resolved above, so their per-row look-ups are skipped.
    headers = {column.key: column.header for column in columns}
    found = sorted(_field_errors(Need, values, exclude={"cycle", "town", "category", "created_by"}),
                   key=lambda item: item[0])  # row by row, as the file reads
    for index, name, messages in found:
        errors.extend(RowError(lines[index], headers.get(name, name), message) for message in messages)
    if errors:
        return ImportReport(saved=0, errors=errors)
    with transaction.atomic():
        pks = _insert_rows(Need, values)
        if pks is None:
            # Databases that do not return ids from bulk inserts: read them back in order.
            pks = list(Need.objects.filter(cycle=cycle, created_by=actor).order_by("-pk")
                       .values_list("pk", flat=True)[: len(values)])[::-1]
        _write_creation_history(Need, pks, actor=actor, reason=("导入 %s" % filename)[:100])
        links = [Need.villages.through(need_id=pk, village_id=village.pk)
                 for pk, (_town, _row, row_villages) in zip(pks, rows) for village in row_villages]
        Need.villages.through.objects.bulk_create(links, batch_size=IMPORT_BATCH)
        index_run = None
        if len(pks) <= IMPORT_INDEX_INLINE_ROWS:
            if progress:
                progress.update(len(pks) // 2, len(pks), str(_("正在建立检索索引……")))
            category_names = {category.pk: category.name for category in categories.values()}
            index_texts((pk, text_of(row["title"], row["description"], category_names[row["category_id"]],
                                     row["expected_outcome"])) for pk, row in zip(pks, values))
        else:
            # jieba would take as long as everything else together: the worker builds the index after the commit.
            from core.tasks import start
            from needs.search import id_ranges
            from needs.tasks import index_needs_task

            if progress:  # before the task starts: it replaces this notice on the import's run once done
                progress.update(len(pks), len(pks), str(INDEX_PENDING_NOTICE))
            index_run = start(index_needs_task, user=actor, kind="search_index",
                              label=str(_("建立检索索引：%(f)s")) % {"f": filename[:150]}, ranges=id_ranges(pks),
                              import_run=str(getattr(progress, "run_id", "") or ""))
    if progress:
        progress.update(len(pks), len(pks))
    return ImportReport(saved=len(pks), errors=[], index_run=index_run)

