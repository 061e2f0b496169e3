"""Users bound to one role and one scope, and their in-app notification inbox."""
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.choices import CITY_ROLES, COUNTY_ROLES, ROLE_SCOPE_FIELD, Role
from core.china import validate_phone
from core.fields import LimitedTextField
from core.scoping import ScopedModel
from core.roles import is_system_admin


class User(AbstractUser, ScopedModel):
    """A person who signs in, with one role bound to one scope (city, county, town, team or unit)."""

    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    full_name = models.CharField(_("姓名"), max_length=50)
    phone = models.CharField(_("手机号码"), max_length=20, blank=True, validators=[validate_phone])
    organization = models.CharField(_("单位/部门"), max_length=100, blank=True)
    province_code = models.CharField(_("省级代码"), max_length=2, blank=True)
    city = models.ForeignKey("regions.City", verbose_name=_("地级市"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="users")
    county = models.ForeignKey("regions.County", verbose_name=_("县（市、区）"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="users")
    town = models.ForeignKey("regions.Town", verbose_name=_("镇"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="users")
    team = models.ForeignKey("teams.Team", verbose_name=_("团队"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="users")
    unit = models.ForeignKey("units.DispatchingUnit", verbose_name=_("派出单位"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="users")
    must_change_password = models.BooleanField(_("首次登录须修改密码"), default=True)
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    objects = UserManager()
    REQUIRED_FIELDS = ["email"]

    # Officials manage the accounts of their own scope.
    scope_county = "county"
    scope_town = "town"
    scope_team = "team"
    scope_unit = "unit"
    scope_owner = ""

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        ordering = ["username"]

    def __str__(self):
        return self.full_name or self.username

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("accounts:user_detail", args=[self.pk])

    # --- scope --------------------------------------------------------------
    @property
    def scope_label(self) -> str:
        """What this user's scope is called, for the page header."""
        field = ROLE_SCOPE_FIELD.get(self.role)
        if is_system_admin(self):
            return str(_("全部"))
        if field == "province_code":
            return str(_("全省"))
        target = getattr(self, field, None) if field else None
        return str(target) if target else "—"

    @classmethod
    def scope_q(cls, user, action):
        """Override (accounts cross every level): officials read and manage the users of their city or county, towns and expert pools included; a unit's
        account its unit's accounts; a team leader the team's; everyone else only themselves. Which of those a
        user may actually create or manage is narrowed by role in ``accounts.services.manages``."""
        own = Q(pk=user.pk)
        if user.role in CITY_ROLES and user.city_id:
            if action != "view" and user.role != Role.CITY_ST:
                return own
            return own | Q(city_id=user.city_id) | Q(county__city_id=user.city_id) | Q(town__county__city_id=user.city_id)
        if user.role in COUNTY_ROLES and user.county_id:
            if action != "view" and user.role != Role.COUNTY_ST:
                return own
            return own | Q(county_id=user.county_id) | Q(town__county_id=user.county_id)
        if user.role == Role.UNIT and user.unit_id:
            return own | Q(unit_id=user.unit_id)
        if user.role == Role.TEAM_LEADER and user.team_id:
            return own | Q(team_id=user.team_id)
        return own

    def clean(self):
        super().clean()
        if not self.role:
            return
        field = ROLE_SCOPE_FIELD.get(self.role)
        if field and not getattr(self, field if field == "province_code" else f"{field}_id"):
            label = self._meta.get_field(field).verbose_name
            raise ValidationError({field: _("角色“%(role)s”必须指定%(scope)s。") % {
                "role": self.get_role_display(), "scope": label}})
        if self.town_id and self.county_id and self.town.county_id != self.county_id:
            raise ValidationError({"town": _("所选镇不属于所选县（市、区）。")})

    def save(self, *args, **kwargs):
        # /admin/ is for system administrators only: nobody else is staff, whatever was ticked.
        # The role decides: the administrator role is superuser; any other role never is (a role-less superuser made
        # by createsuperuser stays one).
        if self.role == Role.ADMIN:
            self.is_superuser = True
        elif self.role:
            self.is_superuser = False
        self.is_staff = bool(self.is_superuser)  # the field is_system_admin reads
        # Keep the denormalised chain consistent so scoping needs no joins beyond one level.
        if self.town_id and not self.county_id:
            self.county_id = self.town.county_id
        if self.county_id and not self.city_id:
            self.city_id = self.county.city_id
        if self.city_id and not self.province_code:
            self.province_code = self.city.province_code
        super().save(*args, **kwargs)


class Notification(models.Model):
    """A message in a user's in-app inbox, posted by a workflow."""

    recipient = models.ForeignKey(User, verbose_name=_("收件人"), on_delete=models.CASCADE,
                                  related_name="notifications")
    title = models.CharField(_("标题"), max_length=200)
    body = LimitedTextField(_("内容"), max_length=5000, blank=True)
    link = models.CharField(_("链接"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("站内通知")
        verbose_name_plural = _("站内通知")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self):
        return self.title

    @classmethod
    def scope_q(cls, user, action):
        """Override (an inbox is no ScopedModel tree): a user's notifications are the user's alone."""
        return Q(recipient=user)
