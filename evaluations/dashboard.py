"""To-do of the dispatching unit: its people not yet evaluated for the year — from October of the year, and in the
first quarter for the year just ended (counted in the database)."""
from django.urls import reverse
from django.utils import timezone

from core.dashboard import TodoItem, provider
from core.roles import Role
from evaluations import selectors

# From this month the year's evaluation is due; until the end of this month of the next year the last one still is.
DUE_FROM_MONTH = 10
LATE_UNTIL_MONTH = 3


def due_year(today=None) -> int | None:
    today = today or timezone.localdate()
    if today.month >= DUE_FROM_MONTH:
        return today.year
    if today.month <= LATE_UNTIL_MONTH:
        return today.year - 1
    return None


@provider
def todo(user, cycle):
    if user.role != Role.UNIT or not user.unit_id:
        return []
    year = due_year()
    if year is None:
        return []
    count = selectors.unevaluated_count(user.unit_id, year)
    if not count:
        return []
    late = year < timezone.localdate().year
    return [TodoItem(label="%d名特派员%s年度尚未考评" % (count, "上" if late else "本"), count=count,
                     url="%s?year=%d" % (reverse("evaluations:home"), year), level="danger" if late else "warning",
                     hint="可“为全部人员生成考评表”（预填服务活动、驻镇天数和帮扶项目），逐一评定等次后提交。")]
