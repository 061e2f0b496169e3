"""Public notices (公示) of selected teams and the objections (异议) the public files against them."""
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.roles import CITY_ROLES, COUNTY_ROLES, Role
from core.china import mask_phone, validate_phone
from core.fields import COMMENT_MAX_CHARS, BoundedDateField, LimitedTextField
from core.files import random_upload_to
from core.models import DomainModel
from core.scoping import NOTHING
from notices.choices import EntryOutcome, NoticeStatus, ObjectionStatus


class PublicNotice(DomainModel):
    """A public notice of selected teams, open for objections for N working days."""

    cycle = models.ForeignKey("cycles.Cycle", verbose_name=_("帮扶周期"), on_delete=models.PROTECT, related_name="notices")
    organizer_level = models.CharField(_("组织层级"), max_length=8, choices=[("city", _("市级")), ("county", _("县级"))])
    city = models.ForeignKey("regions.City", verbose_name=_("地级市"), on_delete=models.PROTECT, related_name="+")
    county = models.ForeignKey("regions.County", verbose_name=_("县（市、区）"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    issuer = models.CharField(_("发布单位"), max_length=100)
    title = models.CharField(_("标题"), max_length=200)
    doc_number = models.CharField(_("文号"), max_length=50, blank=True)
    body = LimitedTextField(_("公示正文"), max_length=10000)
    contact = models.CharField(_("异议受理联系方式"), max_length=200,
                               help_text=_("如：仁化县科学技术局农村科技股，电话0751-6381234，地址……"))
    start_date = BoundedDateField(_("公示开始日期"))
    working_days = models.PositiveSmallIntegerField(_("公示期（工作日）"))
    first_day = models.DateField(_("公示期第一天"))
    last_day = models.DateField(_("公示期最后一天"))
    ends_at = models.DateTimeField(_("公示截止时间"))
    uses_fallback_calendar = models.BooleanField(_("按周一至周五计算"), default=False)
    status = models.CharField(_("状态"), max_length=16, choices=NoticeStatus.choices, default=NoticeStatus.DRAFT,
                              db_index=True)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("发布人"))

    class Meta:
        verbose_name = _("公示")
        verbose_name_plural = _("公示")
        ordering = ["-start_date", "-pk"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("notices:notice_detail", args=[self.pk])

    def get_public_url(self):
        from django.urls import reverse

        return reverse("public:public_detail", args=[self.pk])

    # ---- the state a reader sees: computed from the dates, never written on a read (see notices.selectors)

    def effective_status(self, now=None) -> str:
        """The status the notice has *now*: a notice whose period has ended reads as closed (or awaiting the
        open objections' findings) before the scheduled job ``close_due_notices`` records it."""
        from notices.selectors import effective_status

        return effective_status(self, now)

    def get_effective_status_display(self, now=None) -> str:
        return NoticeStatus(self.effective_status(now)).label

    def open_for_objections(self, now=None) -> bool:
        """Published and inside its period: the public may still object."""
        from notices.selectors import open_for_objections

        return open_for_objections(self, now)

    # The organizer manages; the city reads every county's; a county reads its own (and, below, the city's).
    scope_organizer = ""
    scope_view = "organizer"
    scope_change = "organizer"

    @classmethod
    def scope_view_also(cls, user):
        """A county reads the city's notices that list its towns."""
        if user.role in COUNTY_ROLES and user.county_id:
            # A subquery, not a join: a join through the entries would repeat the notice once per listed town.
            # Published ones only: a draft is the city's own work until it is released.
            return Q(pk__in=PublicNotice.objects.filter(organizer_level="city", entries__town__county_id=user.county_id)
                     .exclude(status=NoticeStatus.DRAFT).values("pk"))
        return NOTHING


class NoticeEntry(DomainModel):
    """One pairing on a notice, with the list columns as they were published."""

    notice = models.ForeignKey(PublicNotice, on_delete=models.CASCADE, related_name="entries")
    pairing = models.ForeignKey("matching.Pairing", on_delete=models.PROTECT, related_name="notice_entries")
    town = models.ForeignKey("regions.Town", on_delete=models.PROTECT, related_name="+")
    team_name = models.CharField(_("团队名称"), max_length=100)
    leader = models.CharField(_("团队负责人"), max_length=100)
    members = LimitedTextField(_("团队成员（单位、职称）"), max_length=5000, blank=True)
    town_label = models.CharField(_("帮扶镇"), max_length=100)
    county_name = models.CharField(_("县（市、区）"), max_length=50)
    outcome = models.CharField(_("结果"), max_length=16, choices=EntryOutcome.choices, default=EntryOutcome.PENDING)

    class Meta:
        verbose_name = _("公示名单")
        verbose_name_plural = _("公示名单")
        ordering = ["notice", "pk"]

    def __str__(self):
        return "%s — %s" % (self.town_label, self.team_name)

    scope_parent = "notice"


def evidence_path(instance, filename):
    # Referenced by migration 0001 only; the field uses core.files.random_upload_to.
    return random_upload_to("objections")(instance, filename)


def new_receipt_number() -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "YY" + "".join(secrets.choice(alphabet) for _ in range(10))


class Objection(DomainModel):
    """An objection filed by a member of the public against a listed team, with its finding."""

    notice = models.ForeignKey(PublicNotice, on_delete=models.PROTECT, related_name="objections")
    entry = models.ForeignKey(NoticeEntry, verbose_name=_("异议对象"), on_delete=models.PROTECT, related_name="objections")
    receipt_number = models.CharField(_("受理回执号"), max_length=16, unique=True, default=new_receipt_number)
    name = models.CharField(_("异议人姓名"), max_length=50)
    phone = models.CharField(_("联系电话"), max_length=20, validators=[validate_phone])
    grounds = LimitedTextField(_("异议理由"), max_length=5000)
    evidence = models.FileField(_("证明材料"), upload_to=random_upload_to("objections"), blank=True, max_length=200)
    status = models.CharField(_("状态"), max_length=16, choices=ObjectionStatus.choices, default=ObjectionStatus.RECEIVED,
                              db_index=True)
    finding = LimitedTextField(_("调查结论"), max_length=COMMENT_MAX_CHARS, blank=True)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("处理人"))
    handled_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    client_hash = models.CharField(max_length=64, blank=True, editable=False)

    # Objectors' identity stays masked in the history, which everyone who reads the objection may open.
    history_masked_fields = {"name": lambda value: value[:1] + "*" * (len(value) - 1), "phone": mask_phone}

    class Meta:
        verbose_name = _("异议")
        verbose_name_plural = _("异议")
        ordering = ["-created_at"]

    def __str__(self):
        return _("异议 %(n)s") % {"n": self.receipt_number}

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("notices:objection_detail", args=[self.pk])

    # The notice's organizer handles an objection (the notice's change rule).
    scope_parent = "notice"

    @classmethod
    def scope_q(cls, user, action):
        """Override: reading is narrower than the notice's — a county reads the city's notice but not the objections
        to it (the objector's details belong to the handling organizer and the levels above it)."""
        if action != "view":
            return super().scope_q(user, action)
        role = user.role
        if role in CITY_ROLES and user.city_id:
            return Q(notice__city_id=user.city_id)
        if role == Role.PROVINCE and user.province_code:
            return Q(notice__city__province_code=user.province_code)
        if role in COUNTY_ROLES and user.county_id:
            return Q(notice__organizer_level="county", notice__county_id=user.county_id)
        return NOTHING
