"""Application workflow through the API: the leader submits, the organizer accepts; others are refused."""
from calls.models import Application
from calls.tests.factories import complete_application, make_call, staff_team


def test_the_leader_submits_and_the_county_accepts_through_the_api(world, login):
    call = make_call(world)
    staff_team(world)
    application = complete_application(world, call)
    url = f"/api/v1/applications/{application.pk}/act/"
    assert login("leader").post(url, {"action": "submit"}, content_type="application/json").status_code == 200
    assert Application.objects.get(pk=application.pk).status == "submitted"
    assert login("leader").post(url, {"action": "accept"}, content_type="application/json").status_code == 403
    assert login("nanxiong_st").post(url, {"action": "accept"}, content_type="application/json").status_code == 404
    response = login("renhua_st").post(url, {"action": "return", "comment": ""}, content_type="application/json")
    assert response.status_code == 400
    response = login("renhua_st").post(url, {"action": "accept"}, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "accepted"
