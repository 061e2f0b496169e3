"""A team leader signs up from a call's public page and can draft at once; the unit verifies the account."""
from accounts.models import Notification, User
from calls.models import Application
from calls.tests.factories import make_call
from teams.models import Commissioner, Team
from teams.tests.factories import id_number, make_commissioner


def _captcha(correct=True):
    """A real captcha challenge and its answer, as the form's hidden key and the typed text."""
    from captcha.models import CaptchaStore

    key = CaptchaStore.generate_key()
    answer = CaptchaStore.objects.get(hashkey=key).response
    return {"captcha_0": key, "captcha_1": answer if correct else answer + "x"}


def _form(world, captcha=True, **overrides):
    data = {"username": "lijianhua", "password": "Kj@2025abc", "password2": "Kj@2025abc", "team_name": "华农荔枝团队",
            "name": "李建华", "gender": "male", "id_number": id_number(50), "phone": "13800138001",
            "unit": world.unit.pk, "title": "教授", "title_level": "senior", "education": "doctor",
            "specialty": "果树学", "expertise_keywords": "荔枝", "bio": "", **_captcha(captcha)}
    data.update(overrides)
    return data


def test_a_leader_signs_up_and_lands_in_a_draft_application(world, client):
    call = make_call(world)
    response = client.post("/calls/public/%d/signup/" % call.pk, _form(world))
    assert response.status_code == 302
    user = User.objects.get(username="lijianhua")
    team = Team.objects.get(name="华农荔枝团队")
    application = Application.objects.get(team=team)
    assert response["Location"] == application.get_absolute_url()
    assert (user.role, user.team, user.must_change_password) == ("team_leader", team, False)
    assert (application.call, application.status) == (call, "draft")
    person = Commissioner.objects.get(user=user)
    assert person.memberships.get().role == "leader" and not person.is_verified
    assert Notification.objects.filter(recipient=world["unit"], title__contains="待核验：李建华").exists()
    page = client.get(application.get_absolute_url()).content.decode()
    assert "账号尚待派出单位或组织单位核验" in page


def test_it_names_each_bad_field_and_saves_nothing(world, client):
    call = make_call(world)
    make_commissioner(world.unit, name="已登记")
    taken = Commissioner.objects.get(name="已登记").id_number
    page = client.post("/calls/public/%d/signup/" % call.pk, _form(world, password2="other")).content.decode()
    assert "两次输入的密码不一致" in page
    page = client.post("/calls/public/%d/signup/" % call.pk, _form(
        world, id_number=taken, username="leader", team_name="茶叶团队", phone="12345")).content.decode()
    assert "该身份证号码已在特派员库中登记" in page
    assert "用户名“leader”已被使用" in page
    assert "本周期已有名为“茶叶团队”的团队" in page
    assert not User.objects.filter(full_name="李建华").exists() and Team.objects.count() == 2


def test_it_refuses_a_wrong_captcha_and_an_ineligible_leader(world, client):
    call = make_call(world)
    page = client.post("/calls/public/%d/signup/" % call.pk, _form(world, captcha=False)).content.decode()
    assert 'data-field="captcha"' in page and not User.objects.filter(username="lijianhua").exists()
    page = client.post("/calls/public/%d/signup/" % call.pk, _form(
        world, education="college", title_level="junior")).content.decode()
    assert "李建华不符合申报条件" in page
    assert not User.objects.filter(username="lijianhua").exists()


def test_sign_up_is_closed_for_a_call_out_of_its_period(world, client):
    import datetime as dt

    call = make_call(world)
    call.close_date = dt.date.today() - dt.timedelta(days=1)
    call.save()
    page = client.post("/calls/public/%d/signup/" % call.pk, _form(world)).content.decode()
    assert "不在申报期内" in page
