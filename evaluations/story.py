"""What the dispatching units' records tell of a story (履历): each submitted annual evaluation of a team's member, each
reward, each training or exchange event the members attended — for a town, those of the teams paired with it. Read
through ``restrict`` (a town reads no evaluation: nothing is told), three queries whatever the records."""
from django.utils.translation import gettext_lazy as _

from core.scoping import restrict
from core.story import StoryEvent, story_source
from evaluations.choices import EvaluationStatus, Grade
from evaluations.models import Evaluation, Reward, Training
from evaluations.selectors import WORKED_PAIRING_STATES

GRADE_LEVELS = {Grade.EXCELLENT: "success", Grade.PASS: "secondary", Grade.BASIC: "warning", Grade.FAIL: "danger"}


def _members(subject, kind):
    """The commissioners of the team, or of the teams that worked in the town (a subquery, no query of its own)."""
    from matching.models import Pairing
    from teams.models import TeamMembership

    if kind == "team":
        return TeamMembership.objects.filter(team=subject).values("commissioner_id")
    teams = Pairing.objects.filter(town=subject, status__in=WORKED_PAIRING_STATES).values("team_id")
    return TeamMembership.objects.filter(team_id__in=teams).values("commissioner_id")


@story_source
def evaluation_events(subject, user, kind):
    if kind not in ("town", "team"):
        return []
    members = _members(subject, kind)
    events = []
    evaluations = Evaluation.objects.filter(status=EvaluationStatus.SUBMITTED)
    evaluations = evaluations.filter(team=subject) if kind == "team" else evaluations.filter(home_town=subject)
    for row in restrict(evaluations, user).select_related("commissioner", "unit").order_by():
        title = _("%(name)s %(year)d年度考评：%(grade)s") % {"name": row.commissioner.name, "year": row.year,
                                                           "grade": row.get_grade_display()}
        events.append(StoryEvent(date=row.evaluated_on or row.created_at.date(), category="evaluation",
                                 title=str(title), detail=row.unit.name, url=row.get_absolute_url(),
                                 cycle_id=row.cycle_id, level=GRADE_LEVELS.get(row.grade, "secondary")))
    rewards = Reward.objects.filter(commissioner_id__in=members)
    for row in restrict(rewards, user).select_related("commissioner", "unit", "team").order_by():
        title = _("%(name)s获%(level)s奖励：%(title)s") % {"name": row.commissioner.name,
                                                        "level": row.get_level_display(), "title": row.title}
        events.append(StoryEvent(date=row.date, category="evaluation", title=str(title), detail=row.unit.name,
                                 url=row.get_absolute_url(), cycle_id=row.team.cycle_id if row.team_id else None,
                                 level="success"))
    trainings = Training.objects.filter(pk__in=Training.attendees.through.objects.filter(
        commissioner_id__in=members).values("training_id"))
    for row in restrict(trainings, user).select_related("unit").order_by():
        title = _("%(kind)s：%(topic)s") % {"kind": row.get_kind_display(), "topic": row.topic}
        detail = _("%(unit)s · %(place)s · %(hours)s学时") % {"unit": row.unit.name, "place": row.place,
                                                             "hours": row.hours}
        events.append(StoryEvent(date=row.date, category="training", title=str(title), detail=str(detail),
                                 url=row.get_absolute_url()))
    return events
