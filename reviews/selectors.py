"""Reads of the review and funding: conflicts of interest, panel proposals, the score sheet and the envelopes.

Figures are computed by the database (sums of grants and tranches per envelope, averages per review); the score
sheet reads one review's few seats.
"""
from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, DecimalField, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from core.roles import Role
from core.scoping import NOTHING
from reviews.choices import CRITERIA, LIVE_SEATS, OUTLIER_POINTS, ReviewMode, ReviewStatus, SeatStatus
from reviews.models import Disbursement, Envelope, Expert, Grant, Relation, Review, ReviewRule, ReviewSeat

ZERO = Value(Decimal("0"), output_field=DecimalField(max_digits=14, decimal_places=2))
CENT = Decimal("0.01")


def assigned_projects_q(user) -> Q:
    """Read grant on projects: an expert reads the projects of the reviews they sit on (assigned or scored)."""
    if getattr(user, "role", None) != Role.EXPERT:
        return NOTHING
    return Q(pk__in=ReviewSeat.objects.filter(expert__user=user, status__in=LIVE_SEATS).values("review__project_id"))


# ------------------------------------------------------------------------------------------------ who keeps what
def funder_of(record) -> tuple[str, int, int | None]:
    """The organizer that selected the team of a project (or review): (level, city id, county id) — the city for
    city- and province-organized towns, else the county."""
    county = record.town.county
    if record.organizer_level == "county":
        return "county", county.city_id, county.pk
    return "city", county.city_id, None


def pool_of(record) -> Q:
    """The expert pool that reviews a project: the funder's own."""
    level, city_id, county_id = funder_of(record)
    if level == "county":
        return Q(organizer_level="county", county_id=county_id)
    return Q(organizer_level="city", city_id=city_id)


def review_mode(project) -> str:
    """A county's teams' projects follow the county's rule for the cycle (a panel unless it set a single step)."""
    if project.organizer_level != "county":
        return ReviewMode.PANEL
    rule = ReviewRule.objects.filter(cycle_id=project.cycle_id, county_id=project.town.county_id).first()
    return rule.mode if rule else ReviewMode.PANEL


# ------------------------------------------------------------------------------------------------ conflicts
def team_people(team_id) -> dict:
    """The team's members: their unit ids, unit names, phones and accounts (for conflicts of interest)."""
    from teams.models import Commissioner

    rows = Commissioner.objects.filter(memberships__team_id=team_id).values_list(
        "unit_id", "unit__name", "phone", "user_id", "name")
    people = {"units": set(), "unit_names": set(), "phones": set(), "users": set(), "names": {}}
    for unit_id, unit_name, phone, user_id, name in rows:
        people["units"].add(unit_id)
        people["unit_names"].add((unit_name or "").strip())
        people["phones"].add(phone)
        if user_id:
            people["users"].add(user_id)
        people["names"][unit_id] = name
    return people


def conflicts(review_or_project, experts) -> dict[int, str]:
    """``{expert.pk: reason}`` for the experts who may not review this team's project: a member of the team, in the
    same unit as any member, a declared relation with the team or a member's unit, or a conflict declared before on
    this review."""
    project = getattr(review_or_project, "project", review_or_project)
    people = team_people(project.team_id)
    experts = list(experts)
    ids = [expert.pk for expert in experts]
    declared = {}
    for relation in Relation.objects.filter(expert_id__in=ids).filter(
            Q(team_id=project.team_id) | Q(unit_id__in=people["units"])).select_related("team", "unit"):
        declared.setdefault(relation.expert_id, _("已登记回避关系（%(w)s：%(r)s）") % {
            "w": relation.team.name if relation.team_id else relation.unit.name, "r": relation.reason})
    declined = set()
    review = getattr(project, "review", None) if hasattr(project, "pk") else None
    if review is not None:
        declined = set(ReviewSeat.objects.filter(review=review, status=SeatStatus.DECLINED).values_list(
            "expert_id", flat=True))
    result = {}
    for expert in experts:
        if (expert.user_id and expert.user_id in people["users"]) or expert.phone in people["phones"]:
            result[expert.pk] = _("是该团队成员")
        elif (expert.unit_id and expert.unit_id in people["units"]) or \
                expert.unit_name.strip() in people["unit_names"]:
            result[expert.pk] = _("与团队成员同一单位（%(u)s）") % {"u": expert.unit_name}
        elif expert.pk in declared:
            result[expert.pk] = declared[expert.pk]
        elif expert.pk in declined:
            result[expert.pk] = _("已对该项目申请回避")
    return result


# ------------------------------------------------------------------------------------------------ proposals
@dataclass
class Candidate:
    expert: Expert
    fit: float
    load: int
    score: float
    excluded: str = ""
    reasons: list = field(default_factory=list)


WEAK_FIT = 0.2  # below this the proposal still fills the panel, but says the field hardly fits
LOAD_PENALTY = 0.15  # each review an expert has yet to score costs this much of the (0–1) field fit


def open_loads(expert_ids) -> dict[int, int]:
    """Reviews each expert has yet to score (their current load)."""
    return dict(ReviewSeat.objects.filter(expert_id__in=expert_ids, status=SeatStatus.ASSIGNED).values(
        "expert_id").annotate(n=Count("pk")).values_list("expert_id", "n"))


def project_text(project) -> dict:
    needs = list(project.needs.values_list("title", "category__name", "description"))
    return {
        "title": project.title,
        "industry": "；".join(industry or "" for _t, industry, _d in needs),
        "description": "；".join([project.objectives, project.content] + [t for t, _i, _d in needs]),
    }


def candidates(review: Review) -> list[Candidate]:
    """Every expert of the review's pool, best first: available and free of conflicts, ranked by field fit (the
    matching engine's text scoring of the project against the expert's field and keywords) less their current load;
    then the excluded ones with the reason."""
    from matching.engine import Need as EngineNeed
    from matching.engine import Team as EngineTeam
    from matching.engine import text_fit
    from needs.taxonomy import current_taxonomy

    project = review.project
    pool = list(Expert.objects.filter(pool_of(review)).select_related("user"))
    if not pool:
        return []
    seated = dict(review.seats.values_list("expert_id", "status"))
    text = project_text(project)
    query = [EngineNeed(town_code="p", town_name=project.town.name, title=text["title"], industry=text["industry"],
                        description=text["description"])]
    docs = [EngineTeam(team_id=str(expert.pk), name=expert.field, specialties=expert.field,
                       research_directions=expert.keywords, summary=expert.title) for expert in pool]
    _keys, ids, matrix = text_fit(query, docs, taxonomy=current_taxonomy())
    fits = {int(key): float(matrix[0, index]) for index, key in enumerate(ids)} if len(ids) else {}
    loads = open_loads([expert.pk for expert in pool])
    barred = conflicts(project, pool)
    result = []
    for expert in pool:
        fit, load = fits.get(expert.pk, 0.0), loads.get(expert.pk, 0)
        candidate = Candidate(expert=expert, fit=round(fit, 3), load=load, score=round(fit - LOAD_PENALTY * load, 3))
        status = seated.get(expert.pk)
        if status in LIVE_SEATS:
            candidate.excluded = _("已在专家组")
        elif expert.pk in barred:
            candidate.excluded = barred[expert.pk]
        elif status == SeatStatus.REMOVED:
            candidate.excluded = _("已调出专家组")
        elif not expert.available:
            candidate.excluded = _("暂不能参加评审%(n)s") % {
                "n": "（%s）" % expert.availability_note if expert.availability_note else ""}
        elif not (expert.user_id and expert.user.is_active):
            candidate.excluded = _("尚无可用的平台账号")
        candidate.reasons = [_("领域契合度 %(f).2f") % {"f": fit}, _("在审任务 %(n)d 项") % {"n": load}]
        if fit < WEAK_FIT:
            candidate.reasons.append(_("专业领域与项目关联弱，请人工确认"))
        result.append(candidate)
    result.sort(key=lambda c: (bool(c.excluded), -c.score, c.expert.name, c.expert.pk))
    return result


def proposal(review: Review) -> list[Candidate]:
    """The experts the platform proposes to fill the panel up to its size (substitutes included)."""
    missing = review.panel_size - review.seats.filter(status__in=LIVE_SEATS).count()
    if missing <= 0:
        return []
    return [c for c in candidates(review) if not c.excluded][:missing]


# ------------------------------------------------------------------------------------------------ scores
def weighted_total(seat, weights: dict) -> Decimal | None:
    """The weighted total of a seat's five scores (0–100), to the hundredth; None while any is missing."""
    values = [getattr(seat, "score_%s" % key) for key, _label in CRITERIA]
    if any(value is None for value in values):
        return None
    total_weight = sum(Decimal(weights.get(key, 0)) for key, _label in CRITERIA)
    if total_weight <= 0:
        return None
    score = sum(Decimal(weights.get(key, 0)) * Decimal(value) for (key, _label), value in zip(CRITERIA, values))
    return (score / total_weight).quantize(CENT, rounding=ROUND_HALF_UP)


def scores_visible(review: Review) -> bool:
    """Individual scores stay hidden — from the other experts and the office alike — until every expert submitted."""
    return review.status not in (ReviewStatus.FORMING, ReviewStatus.SCORING)


def score_sheet(review: Review) -> dict:
    """The panel's sheet: each submitted seat's scores and total, the mean per criterion and overall, the spread
    (range and standard deviation) and the outliers (a total more than ``OUTLIER_POINTS`` from the median)."""
    seats = list(review.seats.filter(status=SeatStatus.SUBMITTED).select_related("expert").order_by("pk"))
    totals = [seat.total for seat in seats if seat.total is not None]
    sheet = {"seats": seats, "count": len(seats), "mean": None, "spread": None, "stdev": None, "outliers": [],
             "criteria": []}
    if not totals:
        return sheet
    median = statistics.median(totals)
    sheet["mean"] = (sum(totals) / len(totals)).quantize(CENT, rounding=ROUND_HALF_UP)
    sheet["spread"] = max(totals) - min(totals)
    sheet["stdev"] = Decimal(str(round(statistics.pstdev([float(t) for t in totals]), 2)))
    sheet["median"] = median
    for seat in seats:
        seat.outlier = seat.total is not None and abs(seat.total - median) > OUTLIER_POINTS
        if seat.outlier:
            sheet["outliers"].append(seat)
    for key, label in CRITERIA:
        values = [getattr(seat, "score_%s" % key) for seat in seats]
        sheet["criteria"].append({"key": key, "label": label, "weight": review.weights.get(key, 0),
                                  "mean": (Decimal(sum(values)) / len(values)).quantize(Decimal("0.1"))})
    return sheet


def with_progress(reviews):
    """Reviews with their panel counts and the mean of submitted totals, computed by the database."""
    return reviews.annotate(
        seated=Count("seats", filter=Q(seats__status__in=LIVE_SEATS), distinct=True),
        submitted=Count("seats", filter=Q(seats__status=SeatStatus.SUBMITTED), distinct=True),
    )


# ------------------------------------------------------------------------------------------------ money
def _sum(queryset, field_name):
    return Coalesce(Subquery(queryset.annotate(s=Sum(field_name)).values("s")[:1],
                             output_field=DecimalField(max_digits=14, decimal_places=2)), ZERO)


def grants_with_figures(grants):
    """Grants with ``disbursed`` and ``undisbursed`` (summed by the database)."""
    paid = Disbursement.objects.filter(grant=OuterRef("pk")).order_by().values("grant")
    return grants.annotate(disbursed=_sum(paid, "amount")).annotate(undisbursed=F("amount") - F("disbursed"))


def _envelope_match(model, prefix=""):
    """Rows of ``model`` whose grant (at ``prefix``) is the outer envelope's funder's, in its year."""
    p = prefix
    return model.objects.filter(**{p + "organizer_level": OuterRef("organizer_level"), p + "city_id": OuterRef("city_id"),
                                   p + "fiscal_year": OuterRef("fiscal_year")}).filter(
        Q(**{p + "county_id": OuterRef("county_id")}) | Q(**{p + "county__isnull": True, p + "organizer_level": "city"}))


def envelopes_with_figures(envelopes):
    """Envelopes with ``committed`` (grants of that funder and year), ``disbursed`` (their tranches) and
    ``remaining`` (budgeted less committed), all summed by the database."""
    committed = _envelope_match(Grant).order_by().values("fiscal_year")
    paid = _envelope_match(Disbursement, "grant__").order_by().values("grant__fiscal_year")
    return envelopes.annotate(committed=_sum(committed, "amount"), disbursed=_sum(paid, "amount")).annotate(
        remaining=F("budgeted") - F("committed"))


def envelope_for(level: str, city_id: int, county_id: int | None, year: int):
    """The funder's envelope for ``year`` with its figures, or None."""
    query = Envelope.objects.filter(organizer_level=level, city_id=city_id, fiscal_year=year)
    query = query.filter(county_id=county_id) if level == "county" else query.filter(county__isnull=True)
    return envelopes_with_figures(query).first()
