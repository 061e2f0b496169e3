"""Annual reports up the hierarchy (信息报送, seed 四(三)): each county S&T office sums up its year and sends it to the
city; the city reports the whole city's year to the province.

Approval as DHIS2 approves data: a county's report is drafted, submitted, then accepted by the city (locked, its
figures kept as they were) or returned with comments; only the city reopens an accepted report. The city's report is
built from the accepted county reports and the city's own towns; it is submitted only when every county is accepted
or has a note saying why not, and the province accepts or returns it.
"""
import html

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.roles import Role
from core.workflow import Step, Workflow


class ReportLevel(models.TextChoices):
    COUNTY = "county", _("县级")
    CITY = "city", _("市级")


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已报送待审核")
    RETURNED = "returned", _("已退回")
    ACCEPTED = "accepted", _("已接收（锁定）")


R = ReportStatus
EDITABLE_STATES = (R.DRAFT, R.RETURNED)
#: The figures are kept (a snapshot) while a report is with its receiver or accepted.
FROZEN_STATES = (R.SUBMITTED, R.ACCEPTED)
AUTHORS = frozenset({Role.COUNTY_ST, Role.CITY_ST})
RECEIVERS = frozenset({Role.CITY_ST, Role.PROVINCE})


def _has_achievements(report, actor=None):
    """A report goes up with at least its summary of achievements written."""
    from core.sanitize import html_text

    if not html.unescape(html_text(report.achievements)).replace("\xa0", " ").strip():
        return _("请先填写“主要成效”再报送。")
    return None


def _counties_complete(report, actor=None):
    """The city's report: every county accepted, or a note for each one that is not."""
    if report.level != ReportLevel.CITY:
        return None
    from reports.selectors import missing_counties

    missing = [county for county in missing_counties(report) if not (report.missing_notes or {}).get(str(county.pk))]
    if missing:
        return _("以下县（市、区）的年度报告尚未接收，请先接收或逐一填写缺报说明：%(names)s") % {
            "names": "、".join(county.name for county in missing)}
    return None


def _city_not_sent(report, actor=None):
    """A county's report is not reopened while the city's report of the year is with the province or accepted."""
    if report.level != ReportLevel.COUNTY:
        return None
    from reports.models import AnnualReport

    if AnnualReport.objects.filter(level=ReportLevel.CITY, city_id=report.city_id, year=report.year,
                                   status__in=FROZEN_STATES).exists():
        return _("全市年度报告已报送省级，不能再重新打开县级报告；请先由省级退回全市报告。")
    return None


REPORT_WORKFLOW = Workflow("reports.AnnualReport", title="年度报告", steps={
    "submit": Step(sources=(R.DRAFT, R.RETURNED), target=R.SUBMITTED, roles=AUTHORS, label=str(_("报送")),
                   style="primary", guards=(_has_achievements, _counties_complete), stamp="submitted_at"),
    "return": Step(sources=(R.SUBMITTED,), target=R.RETURNED, roles=RECEIVERS, label=str(_("退回修改")),
                   needs_comment=True, style="warning"),
    "accept": Step(sources=(R.SUBMITTED,), target=R.ACCEPTED, roles=RECEIVERS, label=str(_("审核接收")),
                   style="success", stamp="accepted_at"),
    "reopen": Step(sources=(R.ACCEPTED,), target=R.RETURNED, roles=RECEIVERS, label=str(_("重新打开")),
                   needs_comment=True, style="danger", guards=(_city_not_sent,)),
})

# A county's report is due by this day of the following year, the city's by the second (month, day).
COUNTY_DUE = (1, 31)
CITY_DUE = (2, 28)
YEAR_MIN, YEAR_MAX = 2021, 2100
NOTE_MAX = 300
