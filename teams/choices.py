"""Choices of the commissioner registry and teams, and the eligibility levels the cycle switches use."""
from django.db import models
from django.utils.translation import gettext_lazy as _

from needs.choices import ServiceType  # noqa: F401  (teams offer the same six service types)


class Gender(models.TextChoices):
    MALE = "male", _("男")
    FEMALE = "female", _("女")


class Education(models.TextChoices):
    DOCTOR = "doctor", _("博士研究生")
    MASTER = "master", _("硕士研究生")
    BACHELOR = "bachelor", _("大学本科")
    COLLEGE = "college", _("大学专科")
    OTHER = "other", _("其他")


class TitleLevel(models.TextChoices):
    """职称级别 (the grade of the professional title, whatever its name)."""

    SENIOR = "senior", _("正高级")
    ASSOCIATE = "associate", _("副高级")
    INTERMEDIATE = "intermediate", _("中级")
    JUNIOR = "junior", _("初级")
    NONE = "none", _("无")


class MemberRole(models.TextChoices):
    LEADER = "leader", _("团队负责人")
    MEMBER = "member", _("团队成员")


# Cycle switch require_degree_or_title: bachelor's degree or above, or an intermediate title or above.
DEGREE_OK = frozenset({Education.DOCTOR, Education.MASTER, Education.BACHELOR})
TITLE_OK = frozenset({TitleLevel.SENIOR, TitleLevel.ASSOCIATE, TitleLevel.INTERMEDIATE})
