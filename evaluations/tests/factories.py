"""Test data for the evaluations: 华南农业大学 (world.unit, the ``unit`` account) has the three people of 柑橘团队
(world.team, active in 董塘镇 — county-organized, 仁化县); ``leader`` and ``member`` are the first two's accounts.
韶关学院 (world.other_unit) gets an account ``other_unit`` and a person of its own."""
from __future__ import annotations

import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile

from core.roles import Role
from evaluations import services
from fieldwork.tests.factories import field_pairing
from portal.testing import CYCLE_YEAR, _user
from teams.tests.factories import make_commissioner

YEAR = CYCLE_YEAR


def unit_people(world):
    """(pairing, [three people of world.unit in 柑橘团队])."""
    return field_pairing(world)


def other_unit_user(world):
    user = _user("other_unit", Role.UNIT, unit=world.other_unit)
    world.users["other_unit"] = user
    return user


def other_person(world):
    return make_commissioner(world.other_unit, name="韶院特派员")


def evaluation(world, person, *, year=YEAR, grade="excellent", submit=False, **values):
    values = {"grade": grade, "comments": "扎根董塘镇，贡柑技术指导成效明显。", "evaluator": "科研处", **values}
    record = services.evaluation_save(actor=world["unit"], values=values, commissioner=person, year=year)
    if submit:
        record = services.evaluation_act(actor=world["unit"], evaluation=record, action="submit")
    return record


def reward(world, person, **values):
    values = {"commissioner": person, "date": dt.date(YEAR, 12, 1), "title": "年度优秀农村科技特派员",
              "level": "city", "grounds": "驻镇服务成效突出。", **values}
    return services.reward_save(actor=world["unit"], values=values)


def training(world, people, **values):
    values = {"kind": "training", "date": dt.date(YEAR, 5, 10), "topic": "柑橘黄龙病绿色防控技术培训",
              "place": "华南农业大学", "hours": "8.0", "external_attendees": 5, "summary": "病害识别与统防统治。",
              **values}
    return services.training_save(actor=world["unit"], values=values, attendees=list(people))


def pdf_upload(name="证书.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", content_type="application/pdf")


def jpeg_upload(name="签到表.jpg") -> SimpleUploadedFile:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 10, 10)).save(out, "JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")
