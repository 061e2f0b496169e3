"""Photo processing, in the background (the phone's upload returns at once): resize, thumbnail, read EXIF.

For each photo of the activity not yet processed: read the EXIF time taken (DateTimeOriginal) and GPS position (the
evidence, kept on the row), turn it upright (the EXIF orientation), re-encode it as a JPEG of at most
``PHOTO_MAX_SIDE`` pixels (which also drops every other EXIF field: the phone's make, serial numbers …) with a
thumbnail, and mark a photo taken more than the cycle's ``photo_max_age_days`` before the activity's date. A photo
without EXIF is accepted and marked. The job is idempotent: a processed photo is skipped.
"""
from __future__ import annotations

import datetime as dt
import io
import logging
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone
from django_tasks import task

logger = logging.getLogger(__name__)

EXIF_IFD = 0x8769
GPS_IFD = 0x8825
DATETIME_ORIGINAL = 36867
DATETIME = 306


def _exif_time(exif) -> dt.datetime | None:
    try:
        raw = exif.get_ifd(EXIF_IFD).get(DATETIME_ORIGINAL) or exif.get(DATETIME)
    except Exception:  # noqa: BLE001 - a broken EXIF block is no evidence, not an error
        raw = None
    if not raw:
        return None
    try:
        taken = dt.datetime.strptime(str(raw).strip("\x00 ")[:19], "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    return timezone.make_aware(taken, timezone.get_current_timezone())


def _degrees(value, ref) -> Decimal | None:
    try:
        d, m, s = (float(x) for x in value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    degrees = d + m / 60 + s / 3600
    if ref in ("S", "W"):
        degrees = -degrees
    if not -180 <= degrees <= 180:
        return None
    return Decimal("%.6f" % degrees)


def _exif_place(exif):
    try:
        gps = exif.get_ifd(GPS_IFD)
    except Exception:  # noqa: BLE001
        return None, None
    if not gps:
        return None, None
    return _degrees(gps.get(2), gps.get(1)), _degrees(gps.get(4), gps.get(3))


def _jpeg(image, side: int) -> bytes:
    from PIL import Image

    copy = image.copy()
    copy.thumbnail((side, side), Image.Resampling.LANCZOS)
    if copy.mode not in ("RGB", "L"):
        copy = copy.convert("RGB")
    out = io.BytesIO()
    copy.save(out, "JPEG", quality=82, optimize=True)
    return out.getvalue()


def process_photo(photo) -> None:
    """Process one photo in place (see the module docstring)."""
    from PIL import Image, ImageOps

    activity = photo.activity
    with photo.image.open("rb") as handle:
        with Image.open(handle) as image:
            exif = image.getexif()
            taken = _exif_time(exif)
            latitude, longitude = _exif_place(exif)
            upright = ImageOps.exif_transpose(image)
            upright.load()
    photo.has_exif = taken is not None
    photo.taken_at = taken
    photo.latitude, photo.longitude = latitude, longitude
    if taken is not None and activity.date:
        allowed = activity.cycle.photo_max_age_days
        photo.taken_early = (activity.date - timezone.localtime(taken).date()).days > allowed
    old_name = photo.image.name
    body = _jpeg(upright, settings.PHOTO_MAX_SIDE)
    photo.image.save("photo.jpg", ContentFile(body), save=False)
    photo.thumbnail.save("thumb.jpg", ContentFile(_jpeg(upright, settings.PHOTO_THUMB_SIDE)), save=False)
    photo.size = len(body)
    photo.width, photo.height = _size_of(body)
    photo.processed = True
    photo._change_reason = "照片处理完成"
    photo.save()
    if old_name and old_name != photo.image.name:
        photo.image.storage.delete(old_name)


def _size_of(body: bytes):
    from PIL import Image

    with Image.open(io.BytesIO(body)) as image:
        return image.size


@task()
def process_photos(*, activity_id: int) -> int:
    """Process the activity's unprocessed photos; returns how many were done."""
    from fieldwork.models import ActivityPhoto

    done = 0
    for photo in ActivityPhoto.objects.filter(activity_id=activity_id, processed=False).select_related(
            "activity__cycle"):
        try:
            process_photo(photo)
            done += 1
        except Exception:  # noqa: BLE001 - one bad photo does not stop the others; it stays marked "处理中"
            logger.exception("photo %s of activity %s could not be processed", photo.pk, activity_id)
    return done
