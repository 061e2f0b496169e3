"""Kinds, classes and organizing levels of towns."""
from django.db import models
from django.utils.translation import gettext_lazy as _


class TownKind(models.TextChoices):
    TOWN = "town", _("镇")
    TOWNSHIP = "township", _("乡")
    SUBDISTRICT = "subdistrict", _("街道")


class TownClass(models.TextChoices):
    """重点帮扶镇 / 巩固提升镇 / 先行示范镇."""

    KEY = "key", _("重点帮扶镇")
    CONSOLIDATION = "consolidation", _("巩固提升镇")
    PIONEER = "pioneer", _("先行示范镇")
    NONE = "none", _("无")


class OrganizingLevel(models.TextChoices):
    """Who organizes, selects and funds the town's team this cycle."""

    PROVINCE = "province", _("省级组团")
    CITY = "city", _("市级组团")
    COUNTY = "county", _("县级组团")
    NONE = "none", _("不组织")
