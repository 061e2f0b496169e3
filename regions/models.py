"""City → county → town, villages, per-cycle town classes and the stationed work teams."""
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.roles import Role
from core.china import validate_phone
from core.fields import LimitedTextField
from core.models import DomainModel
from regions.choices import OrganizingLevel, TownClass, TownKind

code_validator = RegexValidator(r"^\d+$", _("区划代码只能由数字组成。"))


class City(DomainModel):
    """A prefecture-level city (地级市), e.g. 韶关市 4402."""

    code = models.CharField(_("区划代码"), max_length=6, unique=True, validators=[code_validator])
    name = models.CharField(_("名称"), max_length=50)
    province_code = models.CharField(_("省级代码"), max_length=2)
    province_name = models.CharField(_("省份"), max_length=50)

    scope_county = None
    scope_editors = frozenset()

    class Meta:
        verbose_name = _("地级市")
        verbose_name_plural = _("地级市")
        ordering = ["code"]

    def __str__(self):
        return self.name

    @classmethod
    def scope_q(cls, user, action):
        """Override (a city has no path to itself from a county or town user): nobody changes a city; the province reads
        its cities, everyone else the city they are in."""
        if action != "view":
            return Q(pk__in=[])
        if user.role == Role.PROVINCE:
            return Q(province_code=user.province_code)
        city_id = user.city_id or (user.county and user.county.city_id) or (user.town and user.town.county.city_id)
        return Q(pk=city_id) if city_id else Q(pk__in=[])


class County(DomainModel):
    """A county-level division (县、市、区) and its S&T department."""

    city = models.ForeignKey(City, verbose_name=_("地级市"), on_delete=models.PROTECT, related_name="counties")
    code = models.CharField(_("区划代码"), max_length=6, unique=True, validators=[code_validator])
    name = models.CharField(_("名称"), max_length=50)

    scope_county = ""
    scope_editors = frozenset()

    class Meta:
        verbose_name = _("县（市、区）")
        verbose_name_plural = _("县（市、区）")
        ordering = ["code"]

    def __str__(self):
        return self.name

    @classmethod
    def scope_view_also(cls, user):
        """A town reads its own county."""
        if user.role == Role.TOWN and user.town_id:
            return Q(towns=user.town_id)
        return Q(pk__in=[])


class Town(DomainModel):
    """A town, township or subdistrict (镇、乡、街道) — the unit of assistance."""

    county = models.ForeignKey(County, verbose_name=_("县（市、区）"), on_delete=models.PROTECT, related_name="towns")
    code = models.CharField(_("区划代码"), max_length=9, unique=True, validators=[code_validator])
    name = models.CharField(_("名称"), max_length=50)
    kind = models.CharField(_("类型"), max_length=16, choices=TownKind.choices, default=TownKind.TOWN)

    scope_county = "county"
    scope_town = ""
    scope_editors = frozenset()

    class Meta:
        verbose_name = _("镇（乡、街道）")
        verbose_name_plural = _("镇（乡、街道）")
        ordering = ["code"]

    def __str__(self):
        return self.name

    @property
    def full_name(self):
        return f"{self.county.name}{self.name}"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("regions:town_detail", args=[self.pk])


class TownClassification(DomainModel):
    """A town's class and organizing level in one cycle — data, never hard-coded."""

    cycle = models.ForeignKey("cycles.Cycle", verbose_name=_("帮扶周期"), on_delete=models.CASCADE,
                              related_name="town_classifications")
    town = models.ForeignKey(Town, verbose_name=_("镇"), on_delete=models.CASCADE, related_name="classifications")
    town_class = models.CharField(_("镇类别"), max_length=16, choices=TownClass.choices, default=TownClass.NONE)
    organizing_level = models.CharField(
        _("组织层级"), max_length=16, choices=OrganizingLevel.choices, default=OrganizingLevel.NONE
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)

    scope_county = "town__county"
    scope_town = "town"
    # The city sets classes and levels for all its towns.
    scope_editors = frozenset({Role.CITY_ST})

    class Meta:
        verbose_name = _("镇类别与组织层级")
        verbose_name_plural = _("镇类别与组织层级")
        constraints = [models.UniqueConstraint(fields=["cycle", "town"], name="one_classification_per_town_cycle")]
        ordering = ["town__code"]

    def __str__(self):
        return f"{self.town} {self.get_town_class_display()} {self.get_organizing_level_display()}"


class Village(DomainModel):
    """An administrative village (行政村) under a town, added by the town's users."""

    town = models.ForeignKey(Town, verbose_name=_("镇"), on_delete=models.CASCADE, related_name="villages")
    name = models.CharField(_("村名"), max_length=50)
    code = models.CharField(_("区划代码"), max_length=12, blank=True, validators=[code_validator])

    scope_county = "town__county"
    scope_town = "town"
    scope_editors = frozenset({Role.CITY_ST, Role.COUNTY_ST, Role.TOWN})

    class Meta:
        verbose_name = _("行政村")
        verbose_name_plural = _("行政村")
        constraints = [models.UniqueConstraint(fields=["town", "name"], name="unique_village_name_in_town")]
        ordering = ["town__code", "name"]

    def __str__(self):
        return self.name

    def delete_refusal(self, user):
        """A village entered by mistake may go while no need names it; otherwise it stays."""
        from core.scoping import can

        if not can(user, self):
            return str(_("您无权删除该行政村。"))
        if self.needs.exists():
            return str(_("行政村“%(v)s”已被需求引用，不能删除。") % {"v": self.name})
        return None


class WorkTeam(DomainModel):
    """The town's stationed work team (驻镇工作队) that commissioners report to."""

    town = models.OneToOneField(Town, verbose_name=_("镇"), on_delete=models.CASCADE, related_name="work_team")
    leader_name = models.CharField(_("队长"), max_length=50)
    leader_phone = models.CharField(_("队长电话"), max_length=20, blank=True, validators=[validate_phone])
    dispatched_by = models.CharField(_("派驻单位"), max_length=100, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True, validators=[validate_phone])
    note = LimitedTextField(_("备注"), max_length=1000, blank=True)

    scope_county = "town__county"
    scope_town = "town"
    scope_editors = frozenset({Role.CITY_ST, Role.COUNTY_ST, Role.TOWN, Role.CITY_RURAL, Role.COUNTY_RURAL})

    class Meta:
        verbose_name = _("驻镇工作队")
        verbose_name_plural = _("驻镇工作队")
        ordering = ["town__code"]

    def __str__(self):
        return _("%(town)s驻镇工作队") % {"town": self.town.name}

    def get_absolute_url(self):
        return self.town.get_absolute_url()


class WorkTeamMember(DomainModel):
    """A member of a stationed work team."""

    work_team = models.ForeignKey(WorkTeam, verbose_name=_("驻镇工作队"), on_delete=models.CASCADE,
                                  related_name="members")
    name = models.CharField(_("姓名"), max_length=50)
    position = models.CharField(_("职务"), max_length=50, blank=True)
    unit = models.CharField(_("单位"), max_length=100, blank=True)
    phone = models.CharField(_("电话"), max_length=20, blank=True, validators=[validate_phone])

    scope_county = "work_team__town__county"
    scope_town = "work_team__town"
    scope_editors = WorkTeam.scope_editors

    class Meta:
        verbose_name = _("工作队队员")
        verbose_name_plural = _("工作队队员")
        ordering = ["pk"]

    def __str__(self):
        return self.name
