"""Calls: organizers publish over the towns they organize; amendments are recorded and shown; public pages."""
import datetime as dt

from calls.models import Call, CallAmendment
from calls.tests.factories import docx_file, fake_pdf, make_call


def _form(world, **overrides):
    data = {"title": "仁化县征集通知", "issuer": "仁化县科学技术局", "doc_number": "仁科〔2025〕12号", "notice": "正文",
            "open_date": "2026-01-01", "close_date": "2030-12-31", "contact": "", "towns": [world.renhua_county_town.pk]}
    data.update(overrides)
    return data


def test_it_creates_a_draft_call_over_the_countys_own_towns(world, login):
    response = login("renhua_st").post("/calls/new/", _form(world))
    assert response.status_code == 302
    call = Call.objects.get()
    assert (call.organizer_level, call.county, call.status) == ("county", world.renhua, "draft")
    assert list(call.towns.all()) == [world.renhua_county_town]


def test_it_refuses_a_town_the_county_does_not_organize_and_a_bad_document_number(world, login):
    client = login("renhua_st")
    page = client.post("/calls/new/", _form(world, towns=[world.renhua_city_town.pk])).content.decode()
    assert "选择一个有效的选项" in page  # the city-organized town is not even offered
    page = client.post("/calls/new/", _form(world, doc_number="仁科[2025]012号")).content.decode()
    assert "文号格式应如“韶科〔2025〕12号”" in page
    assert not Call.objects.exists()


def test_the_service_names_the_town_outside_the_level(world):
    from django.core.exceptions import ValidationError
    import pytest

    with pytest.raises(ValidationError) as error:
        make_call(world, towns=[world.renhua_county_town, world.renhua_city_town])
    assert "黄坑镇不由本级组织，不能列入本次征集" in str(error.value)


def test_a_county_cannot_read_another_countys_call(world, assert_denied):
    call = make_call(world, publish=False)
    assert_denied(call.get_absolute_url(), allowed=["renhua_st", "renhua_rural", "city_st", "city_rural", "province"])


def test_a_published_call_is_public_and_lists_on_the_landing_page(world, client):
    call = make_call(world)
    draft = make_call(world, title="草稿通知", doc_number="仁科〔2025〕13号", publish=False)
    landing = client.get("/").content.decode()
    assert call.title in landing and "草稿通知" not in landing
    page = client.get(call.get_public_url()).content.decode()
    assert "仁科〔2025〕12号" in page and "董塘镇" in page and "团队负责人注册申报" in page
    assert client.get("/calls/public/%d/" % draft.pk).status_code == 404


def test_an_extension_is_recorded_and_shown(world, login, client):
    call = make_call(world)
    new_close = call.close_date + dt.timedelta(days=10)
    response = login("renhua_st").post("/calls/%d/amend/" % call.pk, {"summary": "因春节假期延长申报时间",
                                                                      "close_date": new_close.isoformat(), "notice": ""})
    assert response.status_code == 302
    amendment = CallAmendment.objects.get()
    assert (amendment.kind, amendment.new_close_date) == ("extend", new_close)
    client.logout()
    page = client.get(call.get_public_url()).content.decode()
    assert "因春节假期延长申报时间" in page and new_close.isoformat() in page


def test_another_county_cannot_amend_the_call(world, login):
    call = make_call(world)
    assert login("nanxiong_st").post("/calls/%d/amend/" % call.pk, {"summary": "x"}).status_code == 404
    assert not CallAmendment.objects.exists()


def test_attachments_are_checked_by_content(world, login, client):
    call = make_call(world)
    client = login("renhua_st")
    page = client.post("/calls/%d/attachments/add/" % call.pk, {"name": "申请表模板", "file": fake_pdf()}).content.decode()
    assert "文件类型不符" in page
    assert client.post("/calls/%d/attachments/add/" % call.pk, {"name": "申请表模板", "file": docx_file()}).status_code == 302
    attachment = call.attachments.get()
    client.logout()
    response = client.get("/calls/attachments/%d/" % attachment.pk)
    assert response.status_code == 200 and b"word/document.xml" in b"".join(response.streaming_content)


def test_the_city_call_town_picker_groups_its_organized_towns_by_county(world, login):
    page = login("city_st").get("/calls/new/").content.decode()
    # The city organizes 黄坑镇 (仁化县) and 百顺镇 (南雄市), not the county-organized 董塘镇 or 珠玑镇.
    assert "黄坑镇" in page and "百顺镇" in page
    assert "董塘镇" not in page and "珠玑镇" not in page
    assert page.index("仁化县") < page.index("黄坑镇") < page.index("南雄市") < page.index("百顺镇")


def test_each_county_of_the_town_picker_is_a_fieldset_and_the_error_summary_reaches_the_first_box(world, login):
    import re

    client = login("city_st")
    page = client.get("/calls/new/").content.decode()
    legends = re.findall(r'<fieldset class="kj-choice-group"><legend>([^<]+)</legend>', page)
    assert legends == ["仁化县", "南雄市"]
    assert "<label>仁化县</label>" not in page  # Django's own template labels nothing with the group name
    page = client.post("/calls/new/", _form(world, towns=[])).content.decode()
    target = re.search(r'<a href="#([^"]+)">征集镇：', page).group(1)
    assert 'id="%s"' % target in page and target == "id_towns_0_0"


def test_a_short_application_window_is_published_only_when_the_official_confirms_it(world, login):
    import pytest
    from django.core.exceptions import ValidationError
    from django.utils import timezone

    from calls import services

    today = timezone.localdate()
    call = make_call(world, publish=False, open_date=today, close_date=today + dt.timedelta(days=1))
    with pytest.raises(ValidationError) as error:
        services.call_transition(actor=world["renhua_st"], call=call, action="publish")
    assert "申报期仅" in error.value.messages[0] and "请勾选确认" in error.value.messages[0]
    call.refresh_from_db()
    assert call.status == "draft"
    # The page warns in the publish dialog and asks for a tick; a post without it publishes nothing.
    client = login("renhua_st")
    page = client.get(call.get_absolute_url()).content.decode()
    assert 'data-testid="warning-publish"' in page and "少于通常的10个工作日" in page
    assert 'name="confirm_warning"' in page
    refused = client.post("/calls/%d/act/publish/" % call.pk, {"comment": ""}, follow=True).content.decode()
    assert "请勾选确认" in refused
    call.refresh_from_db()
    assert call.status == "draft"
    client.post("/calls/%d/act/publish/" % call.pk, {"comment": "", "confirm_warning": "1"})
    call.refresh_from_db()
    assert call.status == "published"


def test_a_call_of_normal_length_publishes_without_a_warning_and_a_lapsed_one_not_at_all(world, login):
    from django.utils import timezone

    today = timezone.localdate()
    normal = make_call(world, publish=False, open_date=today, close_date=today + dt.timedelta(days=30))
    page = login("renhua_st").get(normal.get_absolute_url()).content.decode()
    assert 'data-testid="warning-publish"' not in page
    lapsed = make_call(world, publish=False, doc_number="仁科〔2025〕13号", open_date=today - dt.timedelta(days=40),
                       close_date=today - dt.timedelta(days=1))
    page = login("renhua_st").get(lapsed.get_absolute_url()).content.decode()
    assert "申报截止日期（%s）已过" % (today - dt.timedelta(days=1)).isoformat() in page
    login("renhua_st").post("/calls/%d/act/publish/" % lapsed.pk, {"comment": "", "confirm_warning": "1"})
    lapsed.refresh_from_db()
    assert lapsed.status == "draft"


def test_shortening_a_call_below_ten_working_days_needs_the_tick(world, login):
    from django.utils import timezone

    today = timezone.localdate()
    call = make_call(world)  # open yesterday, closing in 30 days, no application yet
    client = login("renhua_st")
    soon = (today + dt.timedelta(days=2)).isoformat()
    page = client.post("/calls/%d/amend/" % call.pk, {"summary": "提前截止", "close_date": soon}).content.decode()
    assert "少于通常的10个工作日" in page and "请勾选确认" in page
    call.refresh_from_db()
    assert call.close_date == today + dt.timedelta(days=30) and not CallAmendment.objects.exists()
    client.post("/calls/%d/amend/" % call.pk, {"summary": "提前截止", "close_date": soon, "confirm_short": "on"})
    call.refresh_from_db()
    assert call.close_date == today + dt.timedelta(days=2) and CallAmendment.objects.get().kind == "shorten"
