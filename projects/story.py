"""What the agreements and projects tell of a story (履历): the agreement at its latest step, each project at its latest
step before the review (the review's decision is the reviews' event)."""
from django.utils.translation import gettext_lazy as _

from core.scoping import restrict
from core.story import StoryEvent, local_date, money, story_source, transition_dates
from projects.choices import AgreementStatus, ProjectStatus
from projects.models import Agreement, Project

AGREEMENT_TITLES = {
    AgreementStatus.DRAFT: (_("帮扶协议起草中"), "secondary"),
    AgreementStatus.SIGNED: (_("帮扶协议已签署，待镇确认"), "secondary"),
    AgreementStatus.RETURNED: (_("帮扶协议被镇退回"), "warning"),
    AgreementStatus.CONFIRMED: (_("帮扶协议镇已确认"), "success"),
}
PROJECT_TITLES = {
    ProjectStatus.DRAFT: (_("帮扶项目起草中"), "secondary"),
    ProjectStatus.SUBMITTED: (_("帮扶项目已报送"), "secondary"),
    ProjectStatus.RETURNED: (_("帮扶项目退回修改"), "warning"),
    ProjectStatus.ACCEPTED: (_("帮扶项目已受理，进入专家论证"), "success"),
}
REVIEWED = (ProjectStatus.ACCEPTED, ProjectStatus.APPROVED, ProjectStatus.REJECTED)


@story_source
def agreements_story(subject, user, kind):
    """One event per agreement at its latest step: two queries."""
    if kind not in ("town", "team"):
        return []
    agreements = list(restrict(Agreement.objects.filter(**{kind: subject}), user).select_related("team", "town")
                      .order_by())
    returned = transition_dates(Agreement, [a.pk for a in agreements if a.status == AgreementStatus.RETURNED],
                                actions=["return"])
    events = []
    for agreement in agreements:
        day = {AgreementStatus.CONFIRMED: local_date(agreement.confirmed_at),
               AgreementStatus.SIGNED: local_date(agreement.signed_uploaded_at) or agreement.signed_on,
               AgreementStatus.RETURNED: returned.get(agreement.pk, {}).get("return")}.get(agreement.status)
        title, level = AGREEMENT_TITLES[agreement.status]
        parts = [agreement.team.name if kind == "town" else agreement.town.name]
        if agreement.signed_on:
            parts.append(str(_("签署于 %(day)s") % {"day": agreement.signed_on.isoformat()}))
        if agreement.is_late:
            parts.append(str(_("晚于期限 %(day)s") % {"day": agreement.due_date.isoformat()}))
            level = "warning" if level != "danger" else level
        events.append(StoryEvent(date=day or local_date(agreement.created_at), category="agreement",
                                 cycle_id=agreement.cycle_id, title=str(title), detail="，".join(parts),
                                 url=agreement.get_absolute_url(), level=level))
    return events


@story_source
def projects_story(subject, user, kind):
    """One event per project at its latest step before the review (a discarded draft is left out): two queries."""
    if kind not in ("town", "team"):
        return []
    projects = list(restrict(Project.objects.filter(**{kind: subject}), user).exclude(status=ProjectStatus.DISCARDED)
                    .order_by())
    returned = transition_dates(Project, [p.pk for p in projects if p.status == ProjectStatus.RETURNED],
                                actions=["return"])
    events = []
    for project in projects:
        if project.status in REVIEWED:
            shown = ProjectStatus.ACCEPTED
            day = local_date(project.accepted_at)
        elif project.status == ProjectStatus.RETURNED:
            shown, day = project.status, returned.get(project.pk, {}).get("return")
        elif project.status == ProjectStatus.SUBMITTED:
            shown, day = project.status, local_date(project.last_submitted_at)
        else:
            shown, day = ProjectStatus.DRAFT, None
        title, level = PROJECT_TITLES[shown]
        parts = [str(_("当前状态：%(status)s") % {"status": project.get_status_display()})]
        if project.submitted_at:
            parts.append(str(_("首次报送 %(day)s") % {"day": local_date(project.submitted_at).isoformat()}))
        if project.late:
            parts.append(str(_("逾期报送")))
            level = "warning"
        events.append(StoryEvent(date=day or local_date(project.created_at), category="project",
                                 cycle_id=project.cycle_id, url=project.get_absolute_url(), level=level,
                                 title=str(_("%(what)s：%(title)s") % {"what": title, "title": project.title}),
                                 detail="，".join(parts), figures={str(_("预算（元）")): money(project.total_budget)}))
    return events
