"""Test data for the fieldwork: 柑橘团队 (world.team) active in 董塘镇 (仁化县) with three people whose accounts are
``leader`` and ``member``, activity and stay values, and phone-like photos (JPEG with EXIF time and GPS, or none)."""
from __future__ import annotations

import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from portal.testing import CYCLE_YEAR
from projects.tests.factories import active_pairing, staff


def field_pairing(world, *, town=None, team=None, registered=None):
    """An active pairing with its team's three people; ``leader`` and ``member`` are the first two's accounts."""
    team = team or world.team
    registered = registered or timezone.make_aware(dt.datetime(CYCLE_YEAR, 1, 10, 9, 0))
    pairing = active_pairing(world, town=town, team=team, registered=registered)
    people = staff(world, team)
    if team == world.team:
        for person, name in zip(people, ("leader", "member")):
            person.user = world[name]
            person.save(update_fields=["user"])
    return pairing, people


def day(month=3, dom=15, year=None) -> dt.date:
    """A day inside the test cycle (and in the past)."""
    return dt.date(year or CYCLE_YEAR, month, dom)


def activity_values(world, **overrides) -> dict:
    values = {"date": day(), "service_type": "guidance", "title": "贡柑黄龙病田间诊断", "description":
              "到村里果园查看黄龙病发病情况，讲解病树识别与清除、木虱统防。", "people_trained": 25,
              "households_served": 12, "enterprises_served": 1, "technologies": "贡柑健康种苗"}
    values.update(overrides)
    return values


def stay_values(person, start=None, end=None, **overrides) -> dict:
    start = start or day(3, 1)
    values = {"commissioner": person, "start_date": start, "end_date": end or start + dt.timedelta(days=6),
              "place": "董塘镇驻镇工作队宿舍", "purpose": "贡柑果园技术指导"}
    values.update(overrides)
    return values


def photo_bytes(*, taken: dt.datetime | None = None, gps: tuple | None = None, size=(1200, 900), kind="JPEG") -> bytes:
    """An image like a phone's: with the EXIF time taken (DateTimeOriginal) and GPS position when given."""
    from PIL import Image

    image = Image.new("RGB", size, (120, 160, 90))
    out = io.BytesIO()
    if kind == "JPEG" and (taken or gps):
        exif = Image.Exif()
        if taken:
            exif.get_ifd(0x8769)[36867] = taken.strftime("%Y:%m:%d %H:%M:%S")
        if gps:
            lat, lon = gps
            gps_ifd = exif.get_ifd(0x8825)
            gps_ifd[1], gps_ifd[3] = "N", "E"
            gps_ifd[2] = (float(int(lat)), float(int((lat % 1) * 60)), 0.0)
            gps_ifd[4] = (float(int(lon)), float(int((lon % 1) * 60)), 0.0)
        image.save(out, kind, exif=exif)
    else:
        image.save(out, kind)
    return out.getvalue()


def photo(name="IMG_0001.jpg", **kwargs) -> SimpleUploadedFile:
    content_type = "image/png" if kwargs.get("kind") == "PNG" else "image/jpeg"
    return SimpleUploadedFile(name, photo_bytes(**kwargs), content_type=content_type)
