"""Dispatching units (派出单位): universities, institutes, enterprises, extension stations."""
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.roles import OFFICIAL_ROLES, Role, TEAM_ROLES
from core.china import validate_credit_code, validate_phone
from core.models import DomainModel
from units.choices import UnitStatus


class UnitQuerySet(models.QuerySet):
    def active(self):
        """The units offered for new records (teams, commissioners, unit accounts): not archived."""
        return self.filter(status=UnitStatus.ACTIVE)


class DispatchingUnit(DomainModel):
    """An organisation that sends commissioners and manages, evaluates and trains them."""

    class Kind(models.TextChoices):
        UNIVERSITY = "university", _("高等院校")
        INSTITUTE = "institute", _("科研院所")
        ENTERPRISE = "enterprise", _("企业")
        EXTENSION = "extension", _("农技推广机构")
        OTHER = "other", _("其他")

    name = models.CharField(_("单位名称"), max_length=100, unique=True)
    kind = models.CharField(_("单位类型"), max_length=16, choices=Kind.choices)
    credit_code = models.CharField(
        _("统一社会信用代码"), max_length=18, unique=True, validators=[validate_credit_code]
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True, validators=[validate_phone])
    # Archived (停用), never deleted: set only through units.services.unit_transition (recorded with its reason).
    status = models.CharField(_("状态"), max_length=16, choices=UnitStatus.choices, default=UnitStatus.ACTIVE,
                              db_index=True)

    objects = UnitQuerySet.as_manager()

    # Who the unit is: registered once, corrected only by the system administrator.
    IDENTITY_FIELDS = ("name", "credit_code", "kind")

    class Meta:
        verbose_name = _("派出单位")
        verbose_name_plural = _("派出单位")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("units:detail", args=[self.pk])

    @property
    def is_archived(self) -> bool:
        return self.status == UnitStatus.ARCHIVED

    def check_active(self, purpose: str = "新增团队") -> None:
        """Refuse a new record at an archived unit: ValidationError "派出单位“X”已停用，不能新增团队。"."""
        if self.is_archived:
            raise ValidationError(_("派出单位“%(name)s”已停用，不能%(purpose)s。")
                                  % {"name": self.name, "purpose": purpose}, code="unit_archived")

    def save(self, *args, **kwargs):
        self.credit_code = (self.credit_code or "").strip().upper()
        super().save(*args, **kwargs)

    # Units are shared reference data: officials read them all, a unit its own. Units are shared by every city of the
    # province: a city S&T bureau registers new ones (create, not change, in units.services), the unit keeps its own
    # contacts, and who the unit is (IDENTITY_FIELDS) only the system administrator corrects.
    scope_readers = OFFICIAL_ROLES
    scope_unit = ""
    scope_editors = frozenset({Role.UNIT})

    @classmethod
    def scope_view_also(cls, user):
        """A team reads its lead unit."""
        if user.role in TEAM_ROLES and user.team_id:
            return Q(pk=user.team.lead_unit_id)
        return Q(pk__in=[])
