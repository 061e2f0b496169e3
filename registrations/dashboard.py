"""To-dos from registration: county submissions awaiting the city, returned submissions, cleared pairings not yet
submitted, submissions whose province confirmation is still to be recorded."""
from django.urls import reverse

from core.roles import Role, is_system_admin
from core.dashboard import TodoItem, provider
from core.scoping import CHANGE, restrict
from registrations.choices import Recipient, SubmissionStatus
from registrations.models import RegistrationSubmission
from registrations.selectors import pairings_not_fully_submitted


@provider
def todo(user, cycle):
    role = Role.ADMIN if is_system_admin(user) else user.role
    if role not in {Role.CITY_ST, Role.COUNTY_ST, Role.PROVINCE, Role.ADMIN}:
        return []
    items = []
    submissions = RegistrationSubmission.objects.filter(cycle=cycle) if cycle else RegistrationSubmission.objects.all()
    url = reverse("registrations:submission_list")
    if role in {Role.CITY_ST, Role.ADMIN}:
        count = restrict(submissions.filter(recipient=Recipient.CITY, status=SubmissionStatus.SENT), user).count()
        items.append(TodoItem(label="待确认的县级备案报送", count=count, url=url + "?recipient=city&status=sent",
                              level="warning", hint="核对团队备案表和报送函后确认备案或退回修改。"))
    if role in {Role.CITY_ST, Role.COUNTY_ST}:
        returned = restrict(submissions.filter(status=SubmissionStatus.RETURNED), user, CHANGE).count()
        items.append(TodoItem(label="被退回待修改的备案报送", count=returned, url=url + "?status=returned", level="danger"))
        province = restrict(submissions.filter(recipient=Recipient.PROVINCE, status=SubmissionStatus.SENT), user,
                            CHANGE).count()
        items.append(TodoItem(label="待登记省科技厅确认的备案", count=province, url=url + "?recipient=province&status=sent",
                              level="primary", hint="收到省科技厅备案确认后，登记确认日期和备案文号。"))
        pending = pairings_not_fully_submitted(user, cycle).count()
        items.append(TodoItem(label="公示无异议尚未报送备案的结对", count=pending,
                              url=reverse("registrations:submission_create"), level="warning"))
    if role == Role.PROVINCE:
        count = restrict(submissions.filter(recipient=Recipient.PROVINCE, status=SubmissionStatus.SENT), user).count()
        items.append(TodoItem(label="报送省科技厅的备案", count=count, url=url + "?status=sent", level="primary"))
    return items
