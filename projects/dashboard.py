"""To-dos of agreements and projects, per role, counted in the database and scoped with ``restrict``.

* leader: working pairings without an agreement (起草), agreements to sign or returned, pairings with no project yet,
  projects in draft or returned (报送) — with their due dates;
* town: signed agreements awaiting its confirmation;
* organizers (the S&T offices, in their change scope: what they handle): projects awaiting acceptance, change
  requests awaiting a decision, pairings whose agreement is late, pairings with no project sent in time.
"""
from django.db.models import Exists, Min, OuterRef
from django.urls import reverse
from django.utils import formats, timezone

from core.dashboard import TodoItem, provider
from core.roles import ORGANIZERS, Role, is_system_admin
from core.scoping import CHANGE, VIEW, restrict
from projects import selectors
from projects.choices import AgreementStatus, ChangeStatus, ProjectStatus
from projects.models import Agreement, Project, ProjectChange


def _day(value) -> str:
    return formats.date_format(value, "Y-m-d")


def _due(value) -> tuple[str, str]:
    """The due date as the hint says it, and the item's level: red once it has passed."""
    if value < timezone.localdate():
        return "期限 %s，已逾期" % _day(value), "danger"
    return "期限 %s" % _day(value), "warning"


def _in_cycle(queryset, cycle, path="cycle"):
    return queryset.filter(**{path: cycle}) if cycle else queryset


def _list(name, **params) -> str:
    query = "&".join("%s=%s" % (key, value) for key, value in params.items())
    return reverse("projects:%s" % name) + ("?" + query if query else "")


def _leader(user, cycle) -> list[TodoItem]:
    items = []
    pairings = restrict(selectors.working_pairings(cycle), user, VIEW).filter(team_id=user.team_id)
    without = list(pairings.filter(pk__in=selectors.pairings_without_agreement(cycle).values("pk"))
                   .select_related("cycle", "town__county").order_by("pk")[:5])
    if without:
        first = without[0]
        due = min(selectors.agreement_due(pairing) for pairing in without)
        url = (reverse("projects:agreement_create", args=[first.pk]) if len(without) == 1
               else reverse("projects:agreement_list"))
        when, level = _due(due)
        items.append(TodoItem(label="起草帮扶协议", count=len(without), url=url, level=level,
                              hint="与%s及驻镇工作队签订帮扶协议，%s。" % (first.town.full_name, when)))
    agreements = _in_cycle(Agreement.objects.all(), cycle)
    mine = restrict(agreements, user, CHANGE)
    drafts = mine.filter(status=AgreementStatus.DRAFT)
    count = drafts.count()
    if count:
        when, level = _due(drafts.aggregate(due=Min("due_date"))["due"])
        items.append(TodoItem(label="待上传签署件的帮扶协议", count=count, level=level,
                              url=_list("agreement_list", status="draft", mine=1),
                              hint="打印协议交三方签字盖章后上传签署件，%s。" % when))
    items.append(TodoItem(label="被镇退回的帮扶协议", count=mine.filter(status=AgreementStatus.RETURNED).count(),
                          level="danger", url=_list("agreement_list", status="returned", mine=1),
                          hint="按镇的退回意见修改，重新签署后再次上传。"))
    no_project = list(pairings.filter(~Exists(Project.objects.filter(pairing_id=OuterRef("pk"))))
                      .select_related("cycle").order_by("pk")[:5])
    if no_project:
        when, level = _due(min(selectors.project_due(pairing) for pairing in no_project))
        url = (reverse("projects:project_create", args=[no_project[0].pk]) if len(no_project) == 1
               else _list("project_list"))
        items.append(TodoItem(label="编制帮扶项目", count=len(no_project), url=url, level=level,
                              hint="根据镇的需求凝练帮扶项目并报送科技部门，%s。" % when))
    projects = restrict(_in_cycle(Project.objects.all(), cycle), user, CHANGE)
    for status, label, hint in ((ProjectStatus.DRAFT, "待报送的帮扶项目", "填写完整后报送科技部门"),
                                (ProjectStatus.RETURNED, "被退回修改的帮扶项目", "按退回意见修改后重新报送")):
        rows = projects.filter(status=status)
        count = rows.count()
        if count:
            when, level = _due(rows.aggregate(due=Min("due_date"))["due"])
            if status == ProjectStatus.RETURNED:
                level = "danger"
            items.append(TodoItem(label=label, count=count, level=level, url=_list("project_list", status=status, mine=1),
                                  hint="%s，报送%s。" % (hint, when)))
    return items


def _town(user, cycle) -> list[TodoItem]:
    waiting = restrict(_in_cycle(Agreement.objects.filter(status=AgreementStatus.SIGNED), cycle), user, CHANGE)
    return [TodoItem(label="待确认的帮扶协议", count=waiting.count(), level="warning",
                     url=_list("agreement_list", status="signed", mine=1),
                     hint="核对团队上传的签署件，确认或退回。")]


def _organizer(user, cycle) -> list[TodoItem]:
    projects = restrict(_in_cycle(Project.objects.filter(status=ProjectStatus.SUBMITTED), cycle), user, CHANGE)
    changes = restrict(_in_cycle(ProjectChange.objects.filter(status=ChangeStatus.PENDING), cycle, "project__cycle"),
                       user, CHANGE)
    items = [
        TodoItem(label="待受理的帮扶项目", count=projects.count(), level="warning",
                 url=_list("project_list", status="submitted", mine=1), hint="审核后受理进入专家论证，或退回修改。"),
        TodoItem(label="待审批的项目变更", count=changes.count(), level="warning",
                 url=_list("change_list", status="pending", mine=1)),
    ]
    if cycle is not None:
        progress = reverse("projects:progress") + "?cycle=%d#attention" % cycle.pk
        late = restrict(selectors.pairings_agreement_late(cycle), user, CHANGE).count()
        items.append(TodoItem(label="帮扶协议逾期未签订的结对", count=late, level="danger", url=progress,
                              hint="超过签订期限（备案后%d天）仍未经镇确认，请督促团队。" % cycle.agreement_days))
        late = restrict(selectors.pairings_project_late(cycle), user, CHANGE).count()
        items.append(TodoItem(label="逾期未报送帮扶项目的结对", count=late, level="danger", url=progress,
                              hint="超过报送期限（备案后%d天）仍未报送项目，请督促团队。" % cycle.project_submission_days))
    return items


@provider
def todo(user, cycle):
    if is_system_admin(user):
        return _organizer(user, cycle)
    if user.role == Role.TEAM_LEADER and user.team_id:
        return _leader(user, cycle)
    if user.role == Role.TOWN and user.town_id:
        return _town(user, cycle)
    if user.role in ORGANIZERS:
        return _organizer(user, cycle)
    return []
