"""Commissioner registry (特派员库), commissioner teams (农村科技特派员团队) and team memberships."""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.roles import OFFICIAL_ROLES, Role, TEAM_ROLES
from core.china import mask_id_number, mask_phone, validate_phone
from core.fields import LimitedTextField
from core.models import DomainModel
from needs.choices import service_labels
from teams.choices import Education, Gender, MemberRole, TitleLevel




class Team(DomainModel):
    """A team of rural S&T commissioners that applies for, and is paired with, one town per cycle."""

    cycle = models.ForeignKey("cycles.Cycle", verbose_name=_("帮扶周期"), on_delete=models.PROTECT,
                              related_name="teams")
    name = models.CharField(_("团队名称"), max_length=100)
    lead_unit = models.ForeignKey("units.DispatchingUnit", verbose_name=_("牵头派出单位"),
                                  on_delete=models.PROTECT, related_name="teams")
    leader_name = models.CharField(_("团队负责人"), max_length=50, blank=True)
    summary = LimitedTextField(_("团队简介"), max_length=2000, blank=True)
    expertise_summary = LimitedTextField(_("专长概述"), max_length=2000, blank=True)
    research_directions = LimitedTextField(_("研究方向"), max_length=2000, blank=True)
    service_types = models.JSONField(_("可提供的服务类型"), default=list, blank=True)

    scope_team = ""
    scope_unit = "lead_unit"
    scope_editors = frozenset({Role.TEAM_LEADER})

    class Meta:
        verbose_name = _("特派员团队")
        verbose_name_plural = _("特派员团队")
        ordering = ["name", "pk"]
        constraints = [models.UniqueConstraint(fields=["cycle", "name"], name="unique_team_name_in_cycle")]
        # Lists and the API read a page in this order: the index gives it without sorting every team (nation scale).
        indexes = [models.Index(fields=["name", "id"], name="team_list_order")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("teams:team_detail", args=[self.pk])

    @property
    def service_types_display(self) -> str:
        return service_labels(self.service_types)

    # Officials read the registry of their programme; a team itself, its lead unit (and, below, the units of its
    # people); the team's leader changes it.
    scope_readers = OFFICIAL_ROLES

    @classmethod
    def scope_view_also(cls, user):
        """A unit reads the teams its people are in."""
        if user.role == Role.UNIT and user.unit_id:
            return Q(pk__in=TeamMembership.objects.filter(commissioner__unit_id=user.unit_id).values("team_id"))
        return Q(pk__in=[])


def birth_year_of(number: str) -> int | None:
    """The year of birth of an 18-digit ID number (digits 7–10), or None."""
    number = (number or "").strip()
    if len(number) == 18 and number[6:10].isdigit():
        return int(number[6:10])
    return None


class Commissioner(DomainModel):
    """A person in the commissioner registry (特派员库); the ID number is stored sealed, shown masked."""

    name = models.CharField(_("姓名"), max_length=50)
    gender = models.CharField(_("性别"), max_length=8, choices=Gender.choices)
    # Protected: the sealed number, a keyed digest for uniqueness, and the masked form for display.
    id_number_sealed = models.CharField(_("身份证号码（加密）"), max_length=200, editable=False)
    id_number_digest = models.CharField(_("身份证号码摘要"), max_length=64, unique=True, editable=False)
    id_number_masked = models.CharField(_("身份证号码"), max_length=18, editable=False)
    # The year of birth from the ID number, kept in the clear so the annual report counts people by age band in the
    # database (the number itself stays sealed).
    birth_year = models.PositiveSmallIntegerField(_("出生年份"), null=True, blank=True, editable=False)
    phone = models.CharField(_("手机号码"), max_length=20, validators=[validate_phone])
    unit = models.ForeignKey("units.DispatchingUnit", verbose_name=_("派出单位"), on_delete=models.PROTECT,
                             related_name="commissioners")
    title = models.CharField(_("职称"), max_length=50, blank=True, help_text=_("如：研究员、副教授、农艺师"))
    title_level = models.CharField(_("职称级别"), max_length=16, choices=TitleLevel.choices, default=TitleLevel.NONE)
    education = models.CharField(_("学历"), max_length=16, choices=Education.choices)
    specialty = models.CharField(_("专业领域"), max_length=100, blank=True)
    expertise_keywords = models.CharField(_("专长关键词"), max_length=200, blank=True, help_text=_("多个用“、”分隔"))
    bio = LimitedTextField(_("个人简介"), max_length=2000, blank=True)
    in_work_team = models.BooleanField(_("是驻镇工作队队员"), default=False)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("平台账号"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="commissioner")
    verified_at = models.DateTimeField(_("账号核验时间"), null=True, blank=True)
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("核验人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")

    scope_unit = "unit"
    scope_owner = "user"
    scope_editors = frozenset({Role.TEAM_LEADER, Role.UNIT})
    # The change history is readable by everyone who reads the record: personal fields stay masked there.
    history_masked_fields = {"phone": mask_phone}

    class Meta:
        verbose_name = _("农村科技特派员")
        verbose_name_plural = _("特派员库")
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["name", "id"], name="commissioner_list_order")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("teams:commissioner_detail", args=[self.pk])

    @property
    def id_number(self) -> str:
        """The unmasked number: only for views that log the access (see selectors.commissioner_id_number)."""
        from teams.protect import unseal

        return unseal(self.id_number_sealed) if self.id_number_sealed else ""

    def set_id_number(self, number: str) -> None:
        from teams.protect import digest, seal

        self.id_number_sealed = seal(number)
        self.id_number_digest = digest(number)
        self.id_number_masked = mask_id_number(number)
        self.birth_year = birth_year_of(number)

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None

    @classmethod
    def scope_q(cls, user, action):
        """Override (the registry's rule crosses teams, units and pairings): officials read the registry; a unit its
        own people; a team its members; a town the people of the team actively paired with it; everyone their own
        record. A unit changes its people, a team leader the team's members."""
        own = Q(user_id=user.pk)
        role = user.role
        if action == "view":
            if role in OFFICIAL_ROLES:
                return Q()
            if role == Role.UNIT and user.unit_id:
                return own | Q(unit_id=user.unit_id)
            if role in TEAM_ROLES and user.team_id:
                return own | Q(pk__in=TeamMembership.objects.filter(team_id=user.team_id).values("commissioner_id"))
            if role == Role.TOWN and user.town_id:
                # The town and its work team see the people of the team actively paired with it.
                paired = TeamMembership.objects.filter(team__pairings__town_id=user.town_id,
                                                       team__pairings__status="active")
                return own | Q(pk__in=paired.values("commissioner_id"))
            return own
        if role == Role.UNIT and user.unit_id:
            return own | Q(unit_id=user.unit_id)
        if role == Role.TEAM_LEADER and user.team_id:
            return own | Q(pk__in=TeamMembership.objects.filter(team_id=user.team_id).values("commissioner_id"))
        return own


class TeamMembership(DomainModel):
    """A commissioner in a team (leader or member); one team per person per cycle, one leader per team."""

    team = models.ForeignKey(Team, verbose_name=_("团队"), on_delete=models.CASCADE, related_name="memberships")
    commissioner = models.ForeignKey(Commissioner, verbose_name=_("特派员"), on_delete=models.PROTECT,
                                     related_name="memberships")
    cycle = models.ForeignKey("cycles.Cycle", verbose_name=_("帮扶周期"), on_delete=models.PROTECT,
                              related_name="+", editable=False)
    role = models.CharField(_("团队角色"), max_length=8, choices=MemberRole.choices, default=MemberRole.MEMBER)

    scope_team = "team"
    scope_unit = "commissioner__unit"
    scope_editors = frozenset({Role.TEAM_LEADER})

    class Meta:
        verbose_name = _("团队成员")
        verbose_name_plural = _("团队成员")
        # By the team's id, not "team" (which follows Team's ordering and joins every team to sort a prefetch).
        ordering = ["team_id", "role", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "commissioner"], name="one_team_per_person_per_cycle"),
            models.UniqueConstraint(fields=["team"], condition=Q(role="leader"), name="one_leader_per_team"),
        ]

    def __str__(self):
        return f"{self.team} · {self.commissioner}（{self.get_role_display()}）"

    def save(self, *args, **kwargs):
        self.cycle_id = self.team.cycle_id
        super().save(*args, **kwargs)

    scope_readers = OFFICIAL_ROLES
