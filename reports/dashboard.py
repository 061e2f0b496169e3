"""To-do of annual reports: a county's or the city's report to write and send up (from December of the year to its
due date, and while it is returned), and the reports waiting for the receiver (the city, the province)."""
from django.urls import reverse

from core.dashboard import TodoItem, provider
from core.roles import Role
from reports import selectors


@provider
def todo(user, cycle):
    if user.role not in (Role.COUNTY_ST, Role.CITY_ST, Role.PROVINCE):
        return []
    counts = selectors.todo_counts(user)
    url = reverse("reports:report_list")
    items = []
    if counts.get("to_receive"):
        items.append(TodoItem(label="年度报告待审核接收", count=counts["to_receive"], url=url + "?status=submitted",
                              level="warning", hint="审核报送的年度报告：接收（锁定数据）或退回修改。"))
    if counts.get("to_open"):
        overdue = counts.get("to_open_overdue")
        items.append(TodoItem(label="年度报告待建立" + ("（已逾期）" if overdue else ""), count=counts["to_open"],
                              url=reverse("reports:report_create"), level="danger" if overdue else "primary",
                              hint="每年12月起建立本年度的年度工作总结报告，填写后于次年报送期限前报送上级。"))
    if counts.get("to_submit"):
        items.append(TodoItem(label="年度报告待报送", count=counts["to_submit"], url=url, level="primary",
                              hint="填写工作总结（主要成效、典型案例、存在问题、下一年度计划），核对统计数据后报送。"))
    return items
