"""Registration submissions (备案报送) of pairings to the province or the city, and their confirmations."""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.roles import Role
from core.fields import COMMENT_MAX_CHARS, LimitedTextField, PastDateField
from core.models import DomainModel
from registrations.choices import Recipient, SubmissionStatus


class RegistrationSubmission(DomainModel):
    """A batch of cleared pairings an organizer sends to one recipient for registration, with its confirmation."""

    cycle = models.ForeignKey("cycles.Cycle", verbose_name=_("帮扶周期"), on_delete=models.PROTECT,
                              related_name="registration_submissions")
    organizer_level = models.CharField(_("组织层级"), max_length=8, choices=[("city", _("市级")), ("county", _("县级"))])
    city = models.ForeignKey("regions.City", verbose_name=_("市"), on_delete=models.PROTECT, related_name="+")
    county = models.ForeignKey("regions.County", verbose_name=_("县（市、区）"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="registration_submissions")
    recipient = models.CharField(_("报送对象"), max_length=8, choices=Recipient.choices)
    status = models.CharField(_("状态"), max_length=16, choices=SubmissionStatus.choices,
                              default=SubmissionStatus.DRAFT, db_index=True)
    doc_number = models.CharField(_("报送函文号"), max_length=50, help_text=_("如：仁科〔2025〕20号"))
    contact = models.CharField(_("联系人及电话"), max_length=100, blank=True)
    sent_on = PastDateField(_("报送日期"), null=True, blank=True)
    confirmed_on = PastDateField(_("确认日期"), null=True, blank=True)
    reference_number = models.CharField(_("备案文号"), max_length=100, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("确认记录人"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    return_comment = LimitedTextField(_("退回意见"), max_length=COMMENT_MAX_CHARS, blank=True)
    pairings = models.ManyToManyField("matching.Pairing", through="SubmissionItem", related_name="registration_submissions",
                                      verbose_name=_("结对"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("报送人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    scope_editors = frozenset({Role.CITY_ST, Role.COUNTY_ST})

    class Meta:
        verbose_name = _("备案报送")
        verbose_name_plural = _("备案报送")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(organizer_level="city", county__isnull=True, recipient="province")
                                   | Q(organizer_level="county", county__isnull=False),
                                   name="registration_recipient_follows_organizer"),
        ]

    def __str__(self):
        return _("%(organizer)s报送%(recipient)s备案（%(number)s）") % {
            "organizer": self.organizer_name, "recipient": self.get_recipient_display(), "number": self.doc_number}

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("registrations:submission_detail", args=[self.pk])

    @property
    def organizer_name(self) -> str:
        return self.county.name if self.county_id else self.city.name

    # The organizer changes its submission (receiving a county's is checked by the service); the city's roles read
    # their city's, a county's roles their own; teams, towns and units none.
    scope_organizer = ""
    scope_view = "organizer"
    scope_change = "organizer"

    @classmethod
    def scope_q(cls, user, action):
        """Override: the province reads only the submissions sent to it, not every city's drafts."""
        if action == "view" and user.role == Role.PROVINCE:
            if not user.province_code:
                return Q(pk__in=[])
            return Q(recipient=Recipient.PROVINCE, city__province_code=user.province_code) & ~Q(status="draft")
        return super().scope_q(user, action)


class SubmissionItem(DomainModel):
    """One pairing in a submission; a pairing goes to each recipient once (the recipient is copied for the constraint)."""

    submission = models.ForeignKey(RegistrationSubmission, verbose_name=_("备案报送"), on_delete=models.CASCADE,
                                   related_name="items")
    pairing = models.ForeignKey("matching.Pairing", verbose_name=_("结对"), on_delete=models.PROTECT,
                                related_name="registration_items")
    recipient = models.CharField(_("报送对象"), max_length=8, choices=Recipient.choices, editable=False)

    class Meta:
        verbose_name = _("备案结对")
        verbose_name_plural = _("备案结对")
        ordering = ["pairing__town__code", "pk"]
        constraints = [models.UniqueConstraint(fields=["pairing", "recipient"], name="one_submission_per_pairing_recipient")]

    def __str__(self):
        return str(self.pairing)

    def save(self, *args, **kwargs):
        self.recipient = self.submission.recipient
        super().save(*args, **kwargs)

    scope_parent = "submission"
