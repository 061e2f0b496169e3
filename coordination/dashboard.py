"""To-dos of coordination, counted in the database and scoped with ``restrict``: the overdue follow-up items of the
groups a user keeps (their level's S&T and rural offices), and a member's own open items."""
from django.urls import reverse

from coordination import selectors
from coordination.choices import OFFICES, FollowUpStatus
from coordination.models import FollowUp
from coordination.models import office_q
from core.dashboard import TodoItem, provider
from core.scoping import NOTHING, VIEW, restrict


@provider
def todo(user, cycle):
    """Follow-ups are not tied to a programme cycle: every open one counts."""
    items = []
    if user.role not in OFFICES:
        return items
    keep = office_q(user, "group__level", "group__city", "group__county")
    if keep != NOTHING:
        late = selectors.overdue(restrict(FollowUp.objects.filter(keep), user, VIEW)).count()
        if late:
            items.append(TodoItem(label="%d项督办事项已逾期" % late, count=late, level="danger",
                                  url=reverse("coordination:followup_list") + "?overdue=yes",
                                  hint="督促责任人尽快办结，或写明理由撤销。"))
    own = selectors.own_open_items(user)
    count = own.count()
    if count:
        first = own.order_by("due_date", "pk").first() if count == 1 else None
        items.append(TodoItem(label="您负责的督办事项", count=count, level="warning",
                              url=first.get_absolute_url() if first else
                              reverse("coordination:followup_list") + "?status=%s" % FollowUpStatus.OPEN,
                              hint="办结后在事项页面点击“办结”，写明办理情况。"))
    return items
