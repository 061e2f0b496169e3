"""Needs survey campaigns, town profiles, the township S&T needs library and the industry taxonomy."""
from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.roles import COUNTY_ROLES, Role
from core.china import validate_phone
from core.fields import COMMENT_MAX_CHARS, BoundedDateField, LimitedTextField, PastDateField
from core.models import DomainModel
from needs.choices import ENTERERS, NeedStatus, Priority, service_labels


class IndustryCategory(DomainModel):
    """A category of the industry taxonomy (果树, 茶叶, 食用菌 …)."""

    name = models.CharField(_("类别名称"), max_length=50, unique=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    scope_editors = frozenset({Role.CITY_ST})

    class Meta:
        verbose_name = _("产业类别")
        verbose_name_plural = _("产业类别")
        ordering = ["order", "name"]

    def __str__(self):
        return self.name

    # One dictionary for everyone; only the city S&T bureau edits it.
    scope_everyone_reads = True
    scope_change = "all"


class IndustryProduct(DomainModel):
    """A product under a category with its other names (马蹄 = 荸荠) and broader products (柑橘 ⊃ 贡柑)."""

    category = models.ForeignKey(IndustryCategory, verbose_name=_("产业类别"), on_delete=models.CASCADE,
                                 related_name="products")
    name = models.CharField(_("产品名称"), max_length=50, unique=True)
    synonyms = models.JSONField(_("别名"), default=list, blank=True)
    parents = models.ManyToManyField("self", verbose_name=_("上级产品"), symmetrical=False, blank=True,
                                     related_name="children")

    scope_editors = frozenset({Role.CITY_ST})

    class Meta:
        verbose_name = _("产品")
        verbose_name_plural = _("产品")
        ordering = ["category__order", "name"]

    def __str__(self):
        return self.name

    def delete_refusal(self, user):
        """The city's taxonomy editors may remove a product (needs keep their own text and category)."""
        from core.scoping import can

        return None if can(user, self) else str(_("您无权删除该产品词条。"))

    scope_everyone_reads = True
    scope_change = "all"


class IndustryProblem(DomainModel):
    """A problem of an industry (a disease, pest, disorder, husbandry, processing, market or planning task) with how
    towns say it (群众说法: symptoms, troubles, wishes) and how teams name it (专业术语: disciplines and methods).

    Matching and search find a problem in a need by its phrasings and in a team by its terms, and count a shared
    problem as they count a shared product. A phrasing is one or more fragments separated by spaces, found when all
    of them occur in one sentence ("中午 蔫" in "辣椒苗一到中午就蔫了")."""

    category = models.ForeignKey(IndustryCategory, verbose_name=_("产业类别"), on_delete=models.CASCADE,
                                 related_name="problems")
    name = models.CharField(_("问题名称"), max_length=50, unique=True)
    products = models.ManyToManyField(IndustryProduct, verbose_name=_("涉及产品"), blank=True, related_name="problems")
    phrases = models.JSONField(_("群众说法"), default=list, blank=True)
    terms = models.JSONField(_("专业术语"), default=list, blank=True)

    scope_editors = frozenset({Role.CITY_ST})

    class Meta:
        verbose_name = _("产业问题")
        verbose_name_plural = _("产业问题")
        ordering = ["category__order", "name"]

    def __str__(self):
        return self.name

    def delete_refusal(self, user):
        """The city's taxonomy editors may remove a problem (needs and teams keep their own text)."""
        from core.scoping import can

        return None if can(user, self) else str(_("您无权删除该问题词条。"))

    scope_everyone_reads = True
    scope_change = "all"


class SurveyCampaign(DomainModel):
    """A needs survey an organizer (city or county) opens for a cycle over a set of towns, with a due date."""

    class Status(models.TextChoices):
        OPEN = "open", _("进行中")
        CLOSED = "closed", _("已结束")

    cycle = models.ForeignKey("cycles.Cycle", verbose_name=_("帮扶周期"), on_delete=models.PROTECT,
                              related_name="survey_campaigns")
    title = models.CharField(_("名称"), max_length=200)
    organizer_level = models.CharField(_("组织层级"), max_length=8, choices=[("city", _("市级")), ("county", _("县级"))])
    city = models.ForeignKey("regions.City", verbose_name=_("地级市"), on_delete=models.PROTECT)
    county = models.ForeignKey("regions.County", verbose_name=_("县（市、区）"), null=True, blank=True,
                               on_delete=models.PROTECT, help_text=_("县级组织时填写"))
    due_date = BoundedDateField(_("填报截止日期"))
    instructions = LimitedTextField(_("填报说明"), max_length=2000, blank=True)
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.OPEN)
    towns = models.ManyToManyField("regions.Town", through="CampaignTown", verbose_name=_("调研镇"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发起人"), null=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("需求调研")
        verbose_name_plural = _("需求调研")
        ordering = ["-created_at"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("needs:campaign_detail", args=[self.pk])

    # The organizer manages; the city reads every county's; a county its own (and, below, the city's over its towns).
    scope_organizer = ""
    scope_view = "organizer"
    scope_change = "organizer"

    @classmethod
    def scope_view_also(cls, user):
        """A county reads the city's campaigns over its towns; a town the campaigns it is surveyed in."""
        # Subqueries, not joins: a join through the towns would repeat the campaign once per town.
        if user.role in COUNTY_ROLES and user.county_id:
            return Q(pk__in=CampaignTown.objects.filter(town__county_id=user.county_id).values("campaign_id"))
        if user.role == Role.TOWN and user.town_id:
            return Q(pk__in=CampaignTown.objects.filter(town_id=user.town_id).values("campaign_id"))
        return Q(pk__in=[])


class CampaignTown(DomainModel):
    """A town in a survey campaign and when it submitted its survey."""

    campaign = models.ForeignKey(SurveyCampaign, on_delete=models.CASCADE, related_name="campaign_towns")
    town = models.ForeignKey("regions.Town", verbose_name=_("镇"), on_delete=models.PROTECT,
                             related_name="campaign_rows")
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")

    scope_county = "town__county"
    scope_town = "town"
    scope_editors = frozenset({Role.TOWN, Role.CITY_ST, Role.COUNTY_ST})

    class Meta:
        verbose_name = _("调研镇")
        verbose_name_plural = _("调研镇")
        constraints = [models.UniqueConstraint(fields=["campaign", "town"], name="one_row_per_campaign_town")]

    def __str__(self):
        return f"{self.campaign} · {self.town}"


class TownProfile(DomainModel):
    """镇域发展情况: a town's development situation in one cycle."""

    cycle = models.ForeignKey("cycles.Cycle", verbose_name=_("帮扶周期"), on_delete=models.PROTECT,
                              related_name="town_profiles")
    town = models.ForeignKey("regions.Town", verbose_name=_("镇"), on_delete=models.PROTECT, related_name="profiles")
    population = models.PositiveIntegerField(_("户籍人口（人）"), null=True, blank=True)
    households = models.PositiveIntegerField(_("户数（户）"), null=True, blank=True)
    area_km2 = models.DecimalField(_("面积（平方公里）"), max_digits=9, decimal_places=2, null=True, blank=True,
                                   validators=[MinValueValidator(0)])
    arable_land_mu = models.DecimalField(_("耕地面积（亩）"), max_digits=11, decimal_places=1, null=True, blank=True,
                                         validators=[MinValueValidator(0)])
    leading_industries = LimitedTextField(_("主导产业"), max_length=2000, blank=True)
    characteristic_products = LimitedTextField(_("特色产品"), max_length=2000, blank=True)
    technical_base = LimitedTextField(_("现有技术基础"), max_length=2000, blank=True)
    main_problems = LimitedTextField(_("主要问题"), max_length=2000, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True, validators=[validate_phone])

    scope_county = "town__county"
    scope_town = "town"
    scope_editors = ENTERERS

    class Meta:
        verbose_name = _("镇域发展情况")
        verbose_name_plural = _("镇域发展情况")
        constraints = [models.UniqueConstraint(fields=["cycle", "town"], name="one_profile_per_town_cycle")]

    def __str__(self):
        return _("%(town)s镇域发展情况（%(cycle)s）") % {"town": self.town.name, "cycle": self.cycle.name}

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("needs:profile_detail", args=[self.pk])

    # Read along the tree; changed by the enterers of the level that organizes the town in the row's cycle.
    scope_change = "town_organizer"


class Need(DomainModel):
    """A town's S&T need in the township needs library (乡镇科技发展需求库)."""

    cycle = models.ForeignKey("cycles.Cycle", verbose_name=_("帮扶周期"), on_delete=models.PROTECT, related_name="needs")
    town = models.ForeignKey("regions.Town", verbose_name=_("镇"), on_delete=models.PROTECT, related_name="needs")
    villages = models.ManyToManyField("regions.Village", verbose_name=_("涉及行政村"), blank=True, related_name="needs")
    campaign = models.ForeignKey(SurveyCampaign, verbose_name=_("需求调研"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="needs")
    title = models.CharField(_("需求标题"), max_length=200)
    description = LimitedTextField(_("需求描述"), max_length=2000)
    category = models.ForeignKey(IndustryCategory, verbose_name=_("产业类别"), on_delete=models.PROTECT,
                                 related_name="needs")
    service_types = models.JSONField(_("服务类型"), default=list)
    priority = models.CharField(_("优先级"), max_length=8, choices=Priority.choices, default=Priority.MEDIUM)
    expected_outcome = LimitedTextField(_("预期成效"), max_length=2000, blank=True)
    surveyed_by = models.CharField(_("调研人"), max_length=100, blank=True)
    surveyed_on = PastDateField(_("调研日期"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=NeedStatus.choices, default=NeedStatus.SUBMITTED,
                              db_index=True)
    status_reason = LimitedTextField(_("退回或关闭理由"), max_length=COMMENT_MAX_CHARS, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("填报人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    scope_county = "town__county"
    scope_town = "town"
    scope_editors = ENTERERS

    class Meta:
        verbose_name = _("需求")
        verbose_name_plural = _("需求")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["cycle", "town", "status"])]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("needs:need_detail", args=[self.pk])

    @property
    def service_types_display(self) -> str:
        return service_labels(self.service_types)

    # Read along the tree; changed by the enterers of the level that organizes the town in the row's cycle.
    scope_change = "town_organizer"


class NeedToken(models.Model):
    """One search token of a need (jieba word or taxonomy feature), indexed for full-text search on any database."""

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="tokens")
    token = models.CharField(max_length=64)

    class Meta:
        indexes = [models.Index(fields=["token", "need"])]
        constraints = [models.UniqueConstraint(fields=["need", "token"], name="unique_need_token")]


def campaign_town_state(row: CampaignTown, *, has_data: bool, due_date, today=None) -> tuple[str, bool]:
    """(submitted / in_progress / not_started, late?) for one town of a campaign."""
    today = today or timezone.localdate()
    if row.submitted_at:
        return "submitted", timezone.localtime(row.submitted_at).date() > due_date
    return ("in_progress" if has_data else "not_started"), today > due_date
