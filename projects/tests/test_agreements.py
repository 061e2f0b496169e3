"""The agreement workflow: the leader drafts, prints and uploads the signed scan; the town confirms or returns it."""
import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import Notification
from core.scoping import CHANGE, restrict
from core.workflow import Conflict
from portal.testing import CYCLE_YEAR
from projects import services
from projects.models import Agreement
from projects.tests.factories import active_pairing, agreement_values

pytestmark = pytest.mark.django_db


def pdf(name="signed.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF", content_type="application/pdf")


def draft(world, pairing=None):
    pairing = pairing or active_pairing(world)
    return services.agreement_create(actor=world["leader"], pairing=pairing, **agreement_values())


def test_the_leader_drafts_with_the_parties_and_the_due_date_filled_in(world):
    pairing = active_pairing(world, registered=timezone.now() - dt.timedelta(days=3))
    agreement = draft(world, pairing)
    assert agreement.status == "draft"
    assert agreement.town_party == "仁化县董塘镇人民政府"
    assert agreement.work_team_party == "仁化县董塘镇驻镇帮镇扶村工作队"
    assert agreement.term_end == world.cycle.end_date
    assert agreement.due_date == timezone.localdate() - dt.timedelta(days=3) + dt.timedelta(days=30)
    assert (agreement.cycle_id, agreement.town_id, agreement.team_id, agreement.organizer_level) == (
        world.cycle.pk, world.renhua_county_town.pk, world.team.pk, "county")


def test_only_the_pairings_leader_drafts_and_only_once(world):
    pairing = active_pairing(world)
    for name in ("member", "other_leader", "renhua_county_town", "renhua_st"):
        with pytest.raises(PermissionDenied):
            services.agreement_create(actor=world[name], pairing=pairing, **agreement_values())
    draft(world, pairing)
    with pytest.raises(ValidationError) as error:
        draft(world, pairing)
    assert "已有帮扶协议" in str(error.value)
    assert Agreement.objects.count() == 1


def test_a_pairing_not_yet_registered_has_no_agreement(world):
    pairing = active_pairing(world)
    pairing.status = "notice_cleared"
    pairing.save()
    with pytest.raises(ValidationError) as error:
        draft(world, pairing)
    assert "备案后" in str(error.value)


def test_a_term_outside_the_cycle_is_refused_on_its_field(world):
    with pytest.raises(ValidationError) as error:
        services.agreement_create(actor=world["leader"], pairing=active_pairing(world),
                                  **{**agreement_values(), "term_end": dt.date(CYCLE_YEAR + 5, 1, 1)})
    assert "帮扶周期" in " ".join(error.value.message_dict["term_end"])
    assert not Agreement.objects.exists()


def test_a_scan_that_is_not_a_pdf_or_image_is_refused_and_nothing_changes(world):
    agreement = draft(world)
    fake = SimpleUploadedFile("scan.pdf", b"just text pretending", content_type="application/pdf")
    with pytest.raises(ValidationError) as error:
        services.agreement_sign(actor=world["leader"], agreement=agreement, scan=fake, signed_on=timezone.localdate())
    assert "文件类型不符" in " ".join(error.value.message_dict["signed_scan"])
    agreement.refresh_from_db()
    assert agreement.status == "draft" and not agreement.signed_scan


def test_a_signing_date_in_the_future_or_before_registration_is_refused(world):
    agreement = draft(world)
    for day, words in ((timezone.localdate() + dt.timedelta(days=1), "不能晚于今天"),
                       (timezone.localdate() - dt.timedelta(days=30), "不能早于结对备案日期")):
        with pytest.raises(ValidationError) as error:
            services.agreement_sign(actor=world["leader"], agreement=agreement, scan=pdf(), signed_on=day)
        assert words in " ".join(error.value.message_dict["signed_on"])


def test_signed_then_confirmed_by_its_own_town_only(world):
    agreement = draft(world)
    agreement = services.agreement_sign(actor=world["leader"], agreement=agreement, scan=pdf(),
                                        signed_on=timezone.localdate())
    assert agreement.status == "signed" and agreement.signed_scan.name.endswith(".pdf")
    assert Notification.objects.filter(recipient=world["renhua_county_town"], title__contains="帮扶协议待确认").exists()
    for name in ("renhua_city_town", "renhua_st", "leader", "member"):
        with pytest.raises(PermissionDenied):
            services.agreement_confirm(actor=world[name], agreement=agreement)
    agreement = services.agreement_confirm(actor=world["renhua_county_town"], agreement=agreement, comment="已核对")
    assert agreement.status == "confirmed" and agreement.confirmed_at
    assert Notification.objects.filter(recipient=world["leader"], title__contains="帮扶协议已确认").exists()
    assert Notification.objects.filter(recipient=world["renhua_st"], title__contains="帮扶协议已确认").exists()
    with pytest.raises(ValidationError):  # confirmed: no more edits
        services.agreement_update(actor=world["leader"], agreement=agreement, summary="改")


def test_the_town_returns_with_reasons_and_the_leader_signs_again(world):
    agreement = services.agreement_sign(actor=world["leader"], agreement=draft(world), scan=pdf(),
                                        signed_on=timezone.localdate())
    with pytest.raises(ValidationError):
        services.agreement_return(actor=world["renhua_county_town"], agreement=agreement, comment=" ")
    agreement = services.agreement_return(actor=world["renhua_county_town"], agreement=agreement,
                                          comment="缺少驻镇工作队盖章")
    assert agreement.status == "returned" and agreement.return_comment == "缺少驻镇工作队盖章"
    services.agreement_update(actor=world["leader"], agreement=agreement, summary="补充后的概要")
    png = SimpleUploadedFile("s.png", b"\x89PNG\r\n\x1a\n" + b"0" * 20 + b"\x00\x00\x00\x00IEND\xaeB`\x82",
                             content_type="image/png")
    agreement = services.agreement_sign(actor=world["leader"], agreement=agreement, scan=png,
                                        signed_on=timezone.localdate())
    assert agreement.status == "signed" and agreement.return_comment == ""


def test_two_confirmations_of_one_agreement_one_wins(world):
    agreement = services.agreement_sign(actor=world["leader"], agreement=draft(world), scan=pdf(),
                                        signed_on=timezone.localdate())
    stale = Agreement.objects.get(pk=agreement.pk)
    services.agreement_confirm(actor=world["renhua_county_town"], agreement=agreement)
    with pytest.raises((Conflict, ValidationError)):
        services.agreement_return(actor=world["renhua_county_town"], agreement=stale, comment="晚了一步")


def test_scope_town_team_and_other_counties(world):
    agreement = draft(world)
    seen = {name for name in world.users if restrict(Agreement.objects.all(), world[name]).filter(pk=agreement.pk)}
    assert seen == {"admin", "province", "city_st", "city_rural", "renhua_st", "renhua_rural", "renhua_county_town",
                    "leader", "member", "unit"}
    changers = {name for name in world.users
                if restrict(Agreement.objects.all(), world[name], CHANGE).filter(pk=agreement.pk)}
    assert changers == {"admin", "leader", "renhua_county_town"}


@pytest.mark.parametrize("content,words", [
    (b"\xff\xd8\xff\xe0JFIF<script>alert(1)</script>\xff\xd9", "网页代码"),
    (b"%PDF-1.4\n<html><body>not a scan</body></html>\n%%EOF", "网页代码"),
    (b"%PDF-1.4\n1 0 obj<<>>endobj\n", "不完整"),
    (b"\x89PNG\r\n\x1a\n" + b"0" * 40, "不完整"),
])
def test_a_scan_is_checked_whole_not_only_by_its_first_bytes(world, content, words):
    agreement = draft(world)
    upload = SimpleUploadedFile("scan.bin", content)
    with pytest.raises(ValidationError) as error:
        services.agreement_sign(actor=world["leader"], agreement=agreement, scan=upload, signed_on=timezone.localdate())
    assert words in " ".join(error.value.message_dict["signed_scan"])
    agreement.refresh_from_db()
    assert agreement.status == "draft"


def test_the_term_starts_no_earlier_than_the_registration(world):
    agreement = draft(world)
    with pytest.raises(ValidationError) as error:
        services.agreement_update(actor=world["leader"], agreement=agreement, term_start=world.cycle.start_date)
    assert "不能早于结对备案日期" in " ".join(error.value.message_dict["term_start"])


def test_the_administrator_confirming_for_a_town_is_recorded_so(world):
    from core.workflow import transitions_for

    agreement = services.agreement_sign(actor=world["leader"], agreement=draft(world), scan=pdf(),
                                        signed_on=timezone.localdate())
    services.agreement_confirm(actor=world["admin"], agreement=agreement)
    assert "系统管理员代董塘镇确认" in transitions_for(agreement).get(action="confirm").comment
