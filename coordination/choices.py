"""The city's coordination and guidance group (协调指导小组) and the counties' coordination mechanisms: levels, member
roles and the follow-up items' workflow.

Seed 四(一): 市科技局、市乡村振兴局牵头成立协调指导小组 … 各县（市、区）建立相应的协调机制. A group belongs to one level
(the city, or one county). Its S&T office creates and edits the group itself; the S&T and the rural-revitalization
offices of that level both keep its members, meetings and follow-up items (they co-lead it); the levels above read.
"""
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.roles import CITY_ROLES, COUNTY_ROLES, OFFICIAL_ROLES
from core.workflow import Step, Workflow

# Who keeps members, meetings and follow-ups: the S&T and rural-revitalization offices of the group's level.
OFFICES = frozenset(CITY_ROLES | COUNTY_ROLES)
# Who reads coordination at all: the officials (the province reads the city's and every county's).
READERS = frozenset(OFFICIAL_ROLES)


class GroupLevel(models.TextChoices):
    CITY = "city", _("市级协调指导小组")
    COUNTY = "county", _("县级协调机制")


class MemberRole(models.TextChoices):
    LEADER = "leader", _("组长")
    DEPUTY = "deputy", _("副组长")
    MEMBER = "member", _("成员")
    LIAISON = "liaison", _("联络员")


class FollowUpStatus(models.TextChoices):
    OPEN = "open", _("办理中")
    DONE = "done", _("已办结")
    CANCELLED = "cancelled", _("已撤销")


F = FollowUpStatus

# A follow-up item (督办事项): completed by the group's offices or by its owner's own account (the service checks
# which; the role list here is every office a member's account may hold), cancelled or reopened by the offices.
FOLLOW_UP_WORKFLOW = Workflow("coordination.FollowUp", title="督办事项", steps={
    "complete": Step(sources=(F.OPEN,), target=F.DONE, roles=OFFICES, label=str(_("办结")), needs_comment=True,
                     style="success", stamp="done_at"),
    "cancel": Step(sources=(F.OPEN,), target=F.CANCELLED, roles=OFFICES, label=str(_("撤销")), needs_comment=True,
                   style="outline-secondary", stamp="cancelled_at"),
    "reopen": Step(sources=(F.DONE,), target=F.OPEN, roles=OFFICES, label=str(_("重新督办")), needs_comment=True,
                   style="warning"),
})
