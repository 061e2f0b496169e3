"""Writes of annual reports: create, edit the narrative and its photos, note a missing county, and the steps up the
tree (submit, return, accept, reopen).

Every function takes ``actor=``, checks who may act before it saves (the author's S&T office writes; the receiver —
the city for a county's report, the province for the city's — returns, accepts and reopens), validates the whole input
with Chinese messages naming the field (nothing is half-saved), sanitizes the narrative (nh3, in the field's clean),
and moves the status only through ``reports.choices.REPORT_WORKFLOW``. Submitting keeps the figures as they are
(``figures``); returning or reopening lets them count again.
"""
from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.services import notify
from core.roles import Role
from core.scoping import may_write
from core.services import unchanged
from core.workflow import apply_transition, record_creation
from reports import selectors
from reports.choices import NOTE_MAX, REPORT_WORKFLOW, ReportLevel, ReportStatus
from reports.models import NARRATIVE_MAX, AnnualReport

NARRATIVE_FIELDS = ["achievements", "typical_cases", "problems", "next_plan"]
EDIT_FIELDS = ["title", "doc_number"] + NARRATIVE_FIELDS
PHOTOS_MAX = 12


def _locked(report: AnnualReport) -> AnnualReport:
    return AnnualReport.objects.select_for_update(of=("self",)).select_related("city", "county").get(pk=report.pk)


def _raise_clean(report: AnnualReport) -> None:
    try:
        report.full_clean()
    except ValidationError as error:
        raise ValidationError(error.message_dict if hasattr(error, "error_dict") else error.messages) from None


def _officials(role, **where):
    from accounts.models import User

    return list(User.objects.filter(role=role, is_active=True, **where))


@transaction.atomic
def report_create(*, actor, year: int, level: str, county=None) -> AnnualReport:
    """The author's S&T office opens its report of a year (one per county or city and year)."""
    if level == ReportLevel.COUNTY:
        if actor.role != Role.COUNTY_ST or county is None or county.pk != actor.county_id:
            raise PermissionDenied(_("县级年度报告由本县（市、区）科技局建立。"))
        city = county.city
    elif level == ReportLevel.CITY:
        if actor.role != Role.CITY_ST or not actor.city_id:
            raise PermissionDenied(_("全市年度报告由市科技局建立。"))
        city, county = actor.city, None
    else:
        raise ValidationError({"level": _("请选择报告层级。")})
    report = AnnualReport(year=year, level=level, city=city, county=county, created_by=actor)
    if not may_write(actor, report):
        raise PermissionDenied(_("您不能建立该年度报告。"))
    _raise_clean(report)
    report.save()
    record_creation(obj=report, action="create", actor=actor)
    return report


@transaction.atomic
def report_update(*, actor, report: AnnualReport, photos=None, **values) -> AnnualReport:
    """The author edits the title, number and narrative (sanitized on save) and chooses the typical cases' photos
    from the activities' photos of its own towns and year."""
    report = _locked(report)
    if not selectors.is_author(actor, report) or not may_write(actor, report):
        raise PermissionDenied(_("只有报告单位的科技局可以修改本报告。"))
    if not report.editable:
        raise ValidationError(_("报告已报送或已接收（锁定），不能修改；如需修改请由上级退回或重新打开。"))
    unknown = set(values) - set(EDIT_FIELDS)
    if unknown:
        raise ValidationError(_("不能修改的字段：%(names)s") % {"names": "、".join(sorted(unknown))})
    for name, value in values.items():
        setattr(report, name, (value or "").strip() if isinstance(value, str) or value is None else value)
    too_long = {name: _("“%(label)s”不超过 %(n)d 字符（含格式）。") % {
        "label": AnnualReport._meta.get_field(name).verbose_name, "n": NARRATIVE_MAX}
        for name in NARRATIVE_FIELDS if len(getattr(report, name) or "") > NARRATIVE_MAX}
    if too_long:
        raise ValidationError(too_long)
    _raise_clean(report)
    photo_ids = None
    if photos is not None:
        photo_ids = sorted({int(getattr(photo, "pk", photo)) for photo in photos})
        if len(photo_ids) > PHOTOS_MAX:
            raise ValidationError({"photos": _("典型案例配图最多 %(n)d 张。") % {"n": PHOTOS_MAX}})
        allowed = set(selectors.photos_for(report).filter(pk__in=photo_ids).values_list("pk", flat=True))
        if set(photo_ids) - allowed:
            raise ValidationError({"photos": _("只能选用本地区本年度已确认服务活动的照片。")})
    photos_same = photo_ids is None or photo_ids == sorted(report.case_photos.values_list("pk", flat=True))
    if unchanged(report) and photos_same:
        return report
    report.save()
    if photo_ids is not None and not photos_same:
        report.case_photos.set(photo_ids)
    return report


@transaction.atomic
def missing_note(*, actor, report: AnnualReport, county, note: str) -> AnnualReport:
    """The city says why a county's report is missing from the city's report (or clears the note with "")."""
    report = _locked(report)
    if report.level != ReportLevel.CITY or not selectors.is_author(actor, report):
        raise PermissionDenied(_("缺报说明由市科技局在全市年度报告中填写。"))
    if not report.editable:
        raise ValidationError(_("报告已报送或已接收（锁定），不能修改。"))
    if county.city_id != report.city_id:
        raise ValidationError({"county": _("该县（市、区）不属于本市。")})
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ValidationError({"note": _("缺报说明不超过 %(n)d 字。") % {"n": NOTE_MAX}})
    notes = dict(report.missing_notes or {})
    if note:
        notes[str(county.pk)] = note
    else:
        notes.pop(str(county.pk), None)
    if notes != (report.missing_notes or {}):
        report.missing_notes = notes
        report.save(update_fields=["missing_notes", "updated_at"])
    return report


@transaction.atomic
def report_submit(*, actor, report: AnnualReport) -> AnnualReport:
    """The author sends its report up; its figures are kept as they are now."""
    report = _locked(report)
    if not selectors.is_author(actor, report):
        raise PermissionDenied(_("只有报告单位的科技局可以报送本报告。"))
    report.figures = selectors.live_figures(report)
    report.figures_at = timezone.now()
    report.return_comment = ""
    apply_transition(workflow=REPORT_WORKFLOW, obj=report, action="submit", actor=actor,
                     save_fields=["figures", "figures_at", "return_comment"])
    if report.level == ReportLevel.COUNTY:
        recipients = _officials(Role.CITY_ST, city_id=report.city_id)
    else:
        recipients = _officials(Role.PROVINCE, province_code=report.city.province_code)
    notify(recipients=recipients, title=_("%(title)s已报送，请审核") % {"title": report},
           link=report.get_absolute_url())
    return report


def _receive(actor, report: AnnualReport, action: str, comment: str = "") -> AnnualReport:
    report = _locked(report)
    if not selectors.is_receiver(actor, report):
        raise PermissionDenied(_("只有接收单位（县级报告由市科技局，全市报告由省科技厅）可以执行该操作。"))
    fields = []
    if action in ("return", "reopen"):
        report.figures, report.figures_at = None, None
        report.return_comment = (comment or "").strip()[:500]
        fields = ["figures", "figures_at", "return_comment"]
        if action == "reopen":
            # No longer accepted: the acceptance time no longer holds (it is stamped again on the next acceptance).
            report.accepted_at = None
            fields.append("accepted_at")
    apply_transition(workflow=REPORT_WORKFLOW, obj=report, action=action, actor=actor, comment=comment,
                     save_fields=fields)
    authors = (_officials(Role.COUNTY_ST, county_id=report.county_id) if report.level == ReportLevel.COUNTY
               else _officials(Role.CITY_ST, city_id=report.city_id))
    titles = {"return": _("%(title)s被退回修改"), "accept": _("%(title)s已审核接收"), "reopen": _("%(title)s已被重新打开")}
    notify(recipients=authors, title=titles[action] % {"title": report}, body=comment, link=report.get_absolute_url())
    return report


@transaction.atomic
def report_return(*, actor, report: AnnualReport, comment: str) -> AnnualReport:
    return _receive(actor, report, "return", comment)


@transaction.atomic
def report_accept(*, actor, report: AnnualReport) -> AnnualReport:
    """The receiver accepts: the report is locked with the figures it was submitted with."""
    return _receive(actor, report, "accept")


@transaction.atomic
def report_reopen(*, actor, report: AnnualReport, comment: str) -> AnnualReport:
    """Only the receiver reopens an accepted report (with a reason); its figures count again until resubmitted."""
    return _receive(actor, report, "reopen", comment)


TRANSITIONS = {"submit": report_submit, "return": report_return, "accept": report_accept, "reopen": report_reopen}


def report_transition(*, actor, report: AnnualReport, action: str, comment: str = "") -> AnnualReport:
    """One entry for pages and the API."""
    if action not in TRANSITIONS:
        raise ValidationError(_("未知操作：%(action)s") % {"action": action})
    if action in ("return", "reopen"):
        return TRANSITIONS[action](actor=actor, report=report, comment=comment)
    return TRANSITIONS[action](actor=actor, report=report)


__all__ = ["report_create", "report_update", "missing_note", "report_submit", "report_return", "report_accept",
           "report_reopen", "report_transition", "ReportStatus"]
