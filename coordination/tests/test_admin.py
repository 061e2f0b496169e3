"""The administrator's admin for coordination: the follow-up's status read-only, edits through the services (their
Chinese refusals on the form), documents linked to the scoped view only."""
import pytest
from django.urls import reverse

from coordination.models import FollowUp, GroupMember
from coordination.tests.factories import city_group, follow_up, meeting, member, pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, world):
    user = world["admin"]
    user.is_staff = user.is_superuser = True
    user.save()
    client.force_login(user)
    return client


def test_the_admin_shows_the_status_read_only_and_saves_through_the_service(world, admin_client):
    group = city_group(world)
    item = follow_up(world, group)
    page = admin_client.get(reverse("admin:coordination_followup_change", args=[item.pk])).content.decode()
    assert 'name="status"' not in page and "办理中" in page
    person = member(world, group)
    response = admin_client.post(reverse("admin:coordination_groupmember_change", args=[person.pk]), {
        "name": "李明", "organization": "市科技局", "position": "局长", "role_in_group": "leader",
        "phone": "12345", "active": "on"})
    assert response.status_code == 200 and "电话号码格式不正确" in response.content.decode()
    assert GroupMember.objects.get(pk=person.pk).phone == "13800138000"
    held = meeting(world, group, documents=[pdf()])
    document = held.documents.get()
    page = admin_client.get(reverse("admin:coordination_meetingdocument_change", args=[document.pk])).content.decode()
    assert reverse("coordination:document", args=[document.pk]) in page and "/media/" not in page
    assert FollowUp.objects.get(pk=item.pk).status == "open"
