"""Test data for coordination: the city's group (kept by city_st/city_rural), 仁化县's and 南雄市's mechanisms, members,
meetings and follow-up items, all made through the services; a small real PDF."""
from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from coordination import services


def city_group(world, **values):
    return services.group_save(actor=world["city_st"], values={
        "name": "韶关市农村科技特派员驻镇帮镇扶村工作协调指导小组", "duties": "统筹协调全市农村科技特派员工作",
        "document_number": "韶科〔2021〕85号", **values})


def county_group(world, county="renhua", **values):
    actor = world["%s_st" % county]
    return services.group_save(actor=actor, values={"name": "%s农村科技特派员工作协调机制" % actor.county.name,
                                                    **values})


def member(world, group, actor="city_st", **values):
    return services.member_save(actor=world[actor], group=group, values={
        "name": "李明", "organization": "市科技局", "position": "副局长", "role_in_group": "leader",
        "phone": "13800138000", **values})


def meeting(world, group, actor="city_st", attendees=(), documents=(), **values):
    return services.meeting_save(actor=world[actor], group=group, attendees=list(attendees), documents=documents,
                                 values={"date": days_ago(10), "place": "市科技局三楼会议室",
                                         "title": "协调指导小组第一次会议", "agenda": "研究黄坑镇帮扶工作",
                                         "decisions": "黄坑镇工作条件由仁化县落实", **values})


def follow_up(world, group, actor="city_st", **values):
    return services.follow_up_save(actor=world[actor], group=group, values={
        "title": "落实黄坑镇驻镇工作条件", "detail": "宿舍和办公室", "owner_text": "王强", "owner_organization": "仁化县科技局",
        "due_date": days_ago(-20), **values})


def days_ago(n: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=n)


def pdf(name="会议纪要.pdf") -> SimpleUploadedFile:
    content = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\n"
               b"trailer<</Root 1 0 R>>\n%%EOF\n")
    return SimpleUploadedFile(name, content, content_type="application/pdf")
