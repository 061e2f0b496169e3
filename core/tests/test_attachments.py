"""Attachments are served only by scoped views (core.files), never at /media/, and stored under random names."""
import datetime as dt
import importlib
import re

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.urls import Resolver404, clear_url_caches, resolve

from calls import services as call_services
from calls.tests.factories import PDF, PNG, complete_application, make_call, pdf_file, staff_team
from core.china import SHANGHAI
from core.files import file_response, random_upload_to
from core.models import SensitiveAccess
from portal.testing import CYCLE_YEAR, ALL_USERS
from matching import services as matching_services
from matching.tests.conftest import selection  # noqa: F401 - shared fixture
from notices.services import objection_file
from notices.tests.conftest import proposed, published  # noqa: F401 - shared fixtures

OFFICIALS_OF_RENHUA = ["province", "city_st", "city_rural", "renhua_st", "renhua_rural"]
APPLICATION_READERS = ["leader", "member", "unit", "renhua_st", "renhua_rural", "city_st", "city_rural", "province"]
RANDOM_NAME = r"^%s/\d{4}/\d{2}/[0-9a-f]{32}\.%s$"


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def assert_download(client, world, url, payload, *, allowed, assert_denied):
    """Allowed users get exactly the bytes as a private attachment; anonymous and everyone else get 404 without them."""
    client.logout()
    anonymous = client.get(url)
    assert anonymous.status_code in (302, 404) and payload not in body(anonymous)
    if anonymous.status_code == 302:
        assert "/accounts/login" in anonymous["Location"]
    assert_denied(url, allowed=allowed)
    for name in set(allowed) | {"admin"}:
        client.force_login(world[name])
        response = client.get(url)
        assert response.status_code == 200, name
        assert body(response) == payload, name
        assert response["Content-Disposition"].startswith("attachment;")
        assert "filename*=UTF-8''" in response["Content-Disposition"]
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Cache-Control"] == "private, no-store"
        client.logout()
    for name in set(ALL_USERS) - set(allowed) - {"admin"}:
        client.force_login(world[name])
        response = client.get(url)
        assert response.status_code == 404 and payload not in body(response), name
        client.logout()


def assert_no_media_route(client, world, stored_name):
    client.logout()
    assert client.get("/media/" + stored_name).status_code == 404
    client.force_login(world["admin"])
    assert client.get("/media/" + stored_name).status_code == 404
    client.logout()


def assert_random_name(stored_name, prefix, extension, *forbidden):
    assert re.match(RANDOM_NAME % (prefix, extension), stored_name), stored_name
    for text in forbidden:
        assert text not in stored_name


# ---------------------------------------------------------------- calls and applications


def test_a_draft_calls_attachment_only_to_those_who_see_the_call(world, client, assert_denied):
    call = make_call(world, publish=False)
    attachment = call_services.call_attachment_add(actor=world["renhua_st"], call=call, name="内部征求意见稿",
                                                   file=pdf_file("内部征求意见稿.pdf"))
    assert_random_name(attachment.file.name, "calls", "pdf", "内部征求意见稿")
    url = "/calls/attachments/%d/" % attachment.pk
    assert_download(client, world, url, PDF, allowed=OFFICIALS_OF_RENHUA, assert_denied=assert_denied)
    client.force_login(world["renhua_st"])
    disposition = client.get(url)["Content-Disposition"]
    assert "%E5%86%85%E9%83%A8" in disposition and disposition.endswith(".pdf")  # 内部… as UTF-8, with the extension
    assert_no_media_route(client, world, attachment.file.name)


def test_a_published_calls_attachment_is_public_through_its_view_only(world, client):
    call = make_call(world)
    attachment = call_services.call_attachment_add(actor=world["renhua_st"], call=call, name="申报表",
                                                   file=pdf_file("申报表.pdf"))
    response = client.get("/calls/attachments/%d/" % attachment.pk)
    assert response.status_code == 200 and body(response) == PDF
    assert response["Content-Type"] == "application/pdf" and response["Content-Disposition"].startswith("attachment;")
    assert_no_media_route(client, world, attachment.file.name)


def test_application_files_only_to_those_who_see_the_application(world, client, assert_denied):
    staff_team(world)
    application = complete_application(world, make_call(world))
    call_services.application_update(actor=world["leader"], application=application, service_plan="帮扶思路",
                                     recommendation_letter=pdf_file("队长推荐函.pdf"))
    row = application.towns.get()
    row.evidence = SimpleUploadedFile("对接照片.png", PNG, content_type="image/png")
    row.save()
    application.refresh_from_db()
    assert_random_name(application.unit_endorsement.name, "applications", "pdf", "推荐意见")
    assert_random_name(row.evidence.name, "applications", "png", "对接照片")
    for field in ("unit_endorsement", "recommendation_letter"):
        url = "/calls/applications/%d/files/%s/" % (application.pk, field)
        assert_download(client, world, url, PDF, allowed=APPLICATION_READERS, assert_denied=assert_denied)
    url = "/calls/applications/%d/files/evidence-%d/" % (application.pk, row.pk)
    assert_download(client, world, url, PNG, allowed=APPLICATION_READERS, assert_denied=assert_denied)
    assert_no_media_route(client, world, row.evidence.name)


def test_an_unknown_extension_is_opaque_bytes_and_never_inline(world, login):
    staff_team(world)
    application = complete_application(world, make_call(world))
    row = application.towns.get()
    row.evidence = SimpleUploadedFile("x.html", b"<script>alert(1)</script>")
    row.save()
    response = login("renhua_st").get("/calls/applications/%d/files/evidence-%d/" % (application.pk, row.pk))
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert file_response(row.evidence, "x", inline=True)["Content-Disposition"].startswith("attachment;")
    application.refresh_from_db()
    assert file_response(application.unit_endorsement, "推荐意见", inline=True)["Content-Disposition"].startswith("inline;")


# ---------------------------------------------------------------- selection meeting minutes


@pytest.fixture
def minutes_round(world, selection):  # noqa: F811
    selection_round = matching_services.round_open(actor=world["renhua_st"], call=selection.call)
    return matching_services.meeting_record(actor=world["renhua_st"], selection_round=selection_round,
                                            meeting_date=dt.date(CYCLE_YEAR, 2, 10), participants="县科技局、专家3人",
                                            minutes=pdf_file("遴选会议纪要.pdf"))


def test_meeting_minutes_only_to_those_who_see_the_round(world, client, assert_denied, minutes_round):
    assert_random_name(minutes_round.meeting_minutes.name, "minutes", "pdf", "会议纪要", str(minutes_round.pk) + "/")
    url = "/matching/rounds/%d/minutes/" % minutes_round.pk
    assert_download(client, world, url, PDF, allowed=OFFICIALS_OF_RENHUA, assert_denied=assert_denied)
    assert_no_media_route(client, world, minutes_round.meeting_minutes.name)
    for name in ("renhua_st", "city_rural"):  # the organizer's form and a reader's card both link to the view
        client.force_login(world[name])
        page = client.get(minutes_round.get_absolute_url()).content.decode()
        assert url in page and "/media/" not in page
        client.logout()


# ---------------------------------------------------------------- objection evidence


def file_objection(notice, *, phone="13800138000", ip="1.2.3.4", name="证据照片.pdf"):
    return objection_file(notice=notice, entry=notice.entries.get(), name="张三", phone=phone, grounds="该团队负责人已调离",
                          evidence=pdf_file(name), ip=ip, now=dt.datetime(2024, 10, 8, 10, tzinfo=SHANGHAI))


def test_objection_evidence_only_to_the_officials_handling_the_objection(world, client, assert_denied, published):  # noqa: F811
    objection = file_objection(published)
    assert_random_name(objection.evidence.name, "objections", "pdf", objection.receipt_number, "证据照片")
    url = "/notices/objections/%d/evidence/" % objection.pk
    # Officials who only read the notice (the city, the province, the county's rural bureau) do not get the file.
    assert_download(client, world, url, PDF, allowed=["renhua_st"], assert_denied=assert_denied)
    assert SensitiveAccess.objects.filter(field="evidence", object_id=str(objection.pk), user=world["renhua_st"]).exists()
    assert_no_media_route(client, world, objection.evidence.name)
    client.force_login(world["renhua_st"])
    page = client.get(objection.get_absolute_url()).content.decode()
    assert url in page and "/media/" not in page


def test_the_objector_gets_the_evidence_with_receipt_and_phone_only(world, client, published):  # noqa: F811
    mine = file_objection(published)
    other_pdf = PDF.replace(b"1 0 obj", b"2 0 obj")
    theirs = objection_file(notice=published, entry=published.entries.get(), name="李四", phone="13900139000",
                            grounds="理由", ip="5.6.7.8", now=dt.datetime(2024, 10, 8, 11, tzinfo=SHANGHAI),
                            evidence=SimpleUploadedFile("他人.pdf", other_pdf))
    url = "/public/objections/receipt/evidence/"
    page = client.post("/public/objections/receipt/", {"receipt_number": mine.receipt_number,
                                                       "phone": "13800138000"}).content.decode()
    assert url in page and "/media/" not in page
    response = client.post(url, {"receipt_number": mine.receipt_number.lower(), "phone": "13800138000"})
    assert response.status_code == 200 and body(response) == PDF
    assert response["Content-Disposition"].startswith("attachment;") and response["Cache-Control"] == "private, no-store"
    denied = [
        {"receipt_number": mine.receipt_number, "phone": "13800138001"},  # wrong phone
        {"receipt_number": theirs.receipt_number, "phone": "13800138000"},  # another objection's receipt
        {"receipt_number": mine.receipt_number},  # no phone
        {},
    ]
    for data in denied:
        response = client.post(url, data)
        assert response.status_code == 404 and PDF not in body(response) and other_pdf not in body(response), data
    assert client.get(url, {"receipt_number": mine.receipt_number, "phone": "13800138000"}).status_code == 404
    wrong = client.post("/public/objections/receipt/", {"receipt_number": mine.receipt_number, "phone": "13800138001"})
    assert url not in wrong.content.decode()
    client.force_login(world["nanxiong_st"])  # signing in proves nothing: the receipt and phone still decide
    assert client.post(url, {"receipt_number": mine.receipt_number, "phone": "13900139000"}).status_code == 404


# ---------------------------------------------------------------- no /media/ route, random names everywhere


def test_no_media_route_even_in_debug(settings):
    import config.urls

    from accounts.middleware import ForcePasswordChangeMiddleware

    settings.DEBUG = True
    try:
        clear_url_caches()
        importlib.reload(config.urls)
        with pytest.raises(Resolver404):
            resolve(settings.MEDIA_URL + "objections/2025/01/x.pdf", urlconf=config.urls)
    finally:
        settings.DEBUG = False
        importlib.reload(config.urls)
        clear_url_caches()
    assert not any(prefix.startswith(settings.MEDIA_URL) for prefix in ForcePasswordChangeMiddleware.allowed_prefixes)


def test_every_file_field_uses_random_upload_names():
    fields = [(model._meta.label, field.name, field.upload_to) for model in apps.get_models()
              for field in model._meta.get_fields() if isinstance(field, models.FileField)]
    assert len(fields) >= 6
    wrong = [(label, name) for label, name, upload_to in fields if not isinstance(upload_to, random_upload_to)]
    assert wrong == [], "FileFields must use upload_to=core.files.random_upload_to(prefix): %s" % wrong


def test_random_upload_to_keeps_only_a_clean_extension_and_serialises():
    from django.db.migrations.writer import MigrationWriter

    upload_to = random_upload_to("objections")
    assert re.match(RANDOM_NAME % ("objections", "pdf"), upload_to(None, "YY12345678 张三 证明.PDF"))
    assert re.match(r"^objections/\d{4}/\d{2}/[0-9a-f]{32}$", upload_to(None, "no-extension"))
    assert re.match(r"^objections/\d{4}/\d{2}/[0-9a-f]{32}$", upload_to(None, "evil.p/h%p"))
    assert upload_to(None, "a.pdf") != upload_to(None, "a.pdf")
    assert upload_to == random_upload_to("objections") != random_upload_to("minutes")
    assert MigrationWriter.serialize(upload_to)[0] == "core.files.random_upload_to('objections')"
    with pytest.raises(ValueError):
        random_upload_to("../etc")
