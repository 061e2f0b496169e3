"""Activity photos: checked when uploaded (an image, not too large, not too many: refused by name, in Chinese), then
processed in the background (tests: at once) — EXIF time and GPS kept, a photo without EXIF accepted and marked, one
taken long before the activity marked, resized with a thumbnail, the upload itself deleted."""
from __future__ import annotations

import datetime as dt
import io
import os
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from fieldwork import services
from fieldwork.choices import PHOTOS_MAX
from fieldwork.models import Activity, ActivityPhoto
from fieldwork.tasks import process_photos
from fieldwork.tests.factories import activity_values, day, field_pairing, photo, photo_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def field(world):
    pairing, people = field_pairing(world)
    return {"pairing": pairing, "people": people, "world": world}


def log(world, photos, actor="leader", **overrides):
    return services.activity_save(actor=world[actor], values=activity_values(world, **overrides), photos=photos)


def stored_files() -> set[str]:
    root = settings.MEDIA_ROOT
    return {os.path.relpath(os.path.join(folder, name), root).replace(os.sep, "/")
            for folder, _dirs, names in os.walk(root) for name in names}


def refusal(error: ValidationError) -> str:
    return " ".join(error.message_dict["photos"])


def test_exif_time_and_place_are_kept(field):
    world = field["world"]
    taken = dt.datetime(day().year, 3, 15, 9, 30, 5)
    activity = log(world, [photo("IMG_2001.jpg", taken=taken, gps=(24.97, 113.75))])
    (kept,) = activity.photos.all()
    assert kept.processed and kept.has_exif and not kept.taken_early
    assert timezone.localtime(kept.taken_at).replace(tzinfo=None) == taken
    assert kept.latitude == Decimal("24.966667") and kept.longitude == Decimal("113.750000")
    assert kept.original_name == "IMG_2001.jpg" and kept.evidence_note == ""


def test_a_photo_without_exif_is_accepted_and_marked(field):
    world = field["world"]
    activity = log(world, [photo("截图.png", kind="PNG")])
    (kept,) = activity.photos.all()
    assert kept.processed and not kept.has_exif and kept.taken_at is None and kept.latitude is None
    assert not kept.taken_early
    assert kept.evidence_note == "无拍摄信息"


def test_a_photo_taken_long_before_the_activity_is_marked(field):
    world = field["world"]
    allowed = world.cycle.photo_max_age_days
    date = day(3, 15)
    on_the_line = dt.datetime.combine(date - dt.timedelta(days=allowed), dt.time(8, 0))
    too_early = dt.datetime.combine(date - dt.timedelta(days=allowed + 1), dt.time(20, 0))
    activity = log(world, [photo("a.jpg", taken=on_the_line), photo("b.jpg", taken=too_early),
                           photo("c.jpg", taken=dt.datetime.combine(date, dt.time(16, 0)))], date=date)
    marks = dict(activity.photos.values_list("original_name", "taken_early"))
    assert marks == {"a.jpg": False, "b.jpg": True, "c.jpg": False}
    assert activity.photos.get(original_name="b.jpg").evidence_note == "拍摄时间早于活动日期"


def test_photos_are_resized_with_a_thumbnail_and_the_upload_is_deleted(field):
    world = field["world"]
    big = SimpleUploadedFile("IMG_big.jpg", photo_bytes(taken=dt.datetime(day().year, 3, 15, 10, 0),
                                                        size=(4000, 3000)), content_type="image/jpeg")
    tall = photo("IMG_tall.png", size=(900, 2400), kind="PNG")
    activity = log(world, [big, tall])
    side = settings.PHOTO_MAX_SIDE
    expected_files = set()
    for kept in activity.photos.all():
        assert kept.processed
        with kept.image.open("rb") as handle, Image.open(handle) as image:
            assert image.format == "JPEG" and max(image.size) <= side
            assert (kept.width, kept.height) == image.size
            assert not image.getexif().get_ifd(0x8769)  # the phone's other EXIF fields are dropped
        with kept.thumbnail.open("rb") as handle, Image.open(handle) as thumb:
            assert max(thumb.size) <= settings.PHOTO_THUMB_SIDE
        assert kept.size == kept.image.size
        expected_files |= {kept.image.name, kept.thumbnail.name}
    sizes = dict(activity.photos.values_list("original_name", "width"))
    assert sizes["IMG_big.jpg"] == side and activity.photos.get(original_name="IMG_tall.png").height == side
    # Only the processed image and its thumbnail are stored: each upload as received is gone.
    assert stored_files() == expected_files and len(expected_files) == 4
    # Running the task again does nothing (it is idempotent).
    assert process_photos.call(activity_id=activity.pk) == 0


@pytest.mark.parametrize("name, content, words", [
    ("IMG_huge.jpg", None, "超过上限"),
    ("笔记.txt", "text", "“笔记.txt”不是可识别的图片"),
    ("协议.pdf", "pdf", "“协议.pdf”不是可识别的图片"),
    ("动图.gif", "gif", "“动图.gif”的格式（GIF）不受支持"),
    ("空.jpg", "empty", "“空.jpg”是空文件"),
])
def test_a_bad_upload_is_refused_by_name_and_nothing_is_saved(field, name, content, words):
    world = field["world"]
    if content is None:  # 50 MB: a photo with padding after it
        body = photo_bytes() + b"\0" * (50 * 1024 * 1024)
    elif content == "gif":
        out = io.BytesIO()
        Image.new("RGB", (40, 40)).save(out, "GIF")
        body = out.getvalue()
    else:
        body = {"text": "驻镇服务情况说明".encode(), "pdf": b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
                "empty": b""}[content]
    upload = SimpleUploadedFile(name, body, content_type="image/jpeg")
    with pytest.raises(ValidationError) as error:
        log(world, [photo("ok.jpg"), upload])
    text = refusal(error.value)
    assert words in text and name in text
    if content is None:
        assert "50.0 MB" in text and "10 MB" in text
    assert (Activity.objects.count(), ActivityPhoto.objects.count()) == (0, 0)
    assert stored_files() == set()


def test_more_than_the_allowed_photos_are_refused(field):
    world = field["world"]
    with pytest.raises(ValidationError) as error:
        log(world, [photo("IMG_%d.jpg" % n) for n in range(PHOTOS_MAX + 1)])
    assert "每项活动最多%d张照片" % PHOTOS_MAX in refusal(error.value)
    assert not Activity.objects.exists() and stored_files() == set()
    activity = log(world, [photo("IMG_%d.jpg" % n) for n in range(PHOTOS_MAX - 1)])
    with pytest.raises(ValidationError) as error:
        services.photo_add(actor=world["leader"], activity=activity, uploads=[photo("x.jpg"), photo("y.jpg")])
    assert "已有%d张，本次2张" % (PHOTOS_MAX - 1) in refusal(error.value)
    services.photo_add(actor=world["member"], activity=activity, uploads=[photo("x.jpg")])
    assert activity.photos.filter(processed=True).count() == PHOTOS_MAX


def test_only_the_team_adds_or_deletes_photos_while_unconfirmed(field):
    world = field["world"]
    activity = log(world, [photo("IMG_1.jpg"), photo("IMG_2.jpg")])
    for name in ("other_leader", "renhua_county_town", "renhua_st"):
        with pytest.raises(PermissionDenied):
            services.photo_add(actor=world[name], activity=activity, uploads=[photo("x.jpg")])
    first = activity.photos.first()
    services.photo_delete(actor=world["member"], photo=first)
    assert activity.photos.count() == 1
    services.record_act(actor=world["renhua_county_town"], record=activity, action="confirm")
    with pytest.raises(ValidationError) as error:
        services.photo_add(actor=world["leader"], activity=activity, uploads=[photo("late.jpg")])
    assert "已确认" in " ".join(error.value.messages)
    with pytest.raises(ValidationError):
        services.photo_delete(actor=world["leader"], photo=activity.photos.get())
    assert activity.photos.count() == 1
