"""Filters of the report list: year, status (``?status=submitted`` is the receiver's to-do link), level and county
(the counties the user reads)."""
import django_filters

from regions.filters import counties_in_scope
from reports.choices import ReportLevel, ReportStatus
from reports.forms import report_years
from reports.models import AnnualReport


def _years():
    return [(year, "%d年" % year) for year in report_years()]


class ReportFilter(django_filters.FilterSet):
    year = django_filters.ChoiceFilter(label="报告年度", choices=_years, empty_label="全部")
    status = django_filters.ChoiceFilter(label="状态", choices=ReportStatus.choices, empty_label="全部")
    level = django_filters.ChoiceFilter(label="层级", choices=ReportLevel.choices, empty_label="全部")
    county = django_filters.ModelChoiceFilter(label="县（市、区）", queryset=counties_in_scope, empty_label="全部")

    class Meta:
        model = AnnualReport
        fields = ["year", "status", "level", "county"]
