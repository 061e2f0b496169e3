"""Forms of annual reports: open a year's report, edit its title, number and narrative (the offline rich-text editor,
sanitized by nh3 on the way in and again in the service) with the typical cases' photos, and note a missing county.

The forms check types and lengths and say what is wrong in Chinese, naming the field; the services check who may act
and validate the rest (nothing is half-saved)."""
from __future__ import annotations

from django import forms
from django.utils import timezone
from django_prose_editor.fields import ProseEditorFormField

from core.forms import StyledForm
from core.sanitize import EDITOR_EXTENSIONS, clean_html
from reports.choices import NOTE_MAX, YEAR_MIN
from reports.models import NARRATIVE_MAX, AnnualReport
from reports.services import NARRATIVE_FIELDS, PHOTOS_MAX

#: The longest raw narrative the form sanitizes (the editor's markup before nh3 may be longer than what it keeps);
#: anything longer is refused before sanitizing.
NARRATIVE_RAW_MAX = 4 * NARRATIVE_MAX
#: How many of the latest photos the picker offers (plus those already chosen).
PHOTO_CHOICES = 60


def report_years(today=None) -> list[int]:
    """The years a report may be opened for: 2021 to this year, newest first."""
    today = today or timezone.localdate()
    return list(range(today.year, YEAR_MIN - 1, -1))


def default_year(today=None) -> int:
    """The year whose report is due: the last full year (due 31 January, the city's 28 February, of this year)."""
    today = today or timezone.localdate()
    return today.year - 1


def programme_years(today=None) -> list[int]:
    """The years a report may be opened for: the years the programme's cycles cover, from :data:`YEAR_MIN` up to this
    year (its report is written from December), newest first."""
    from cycles.models import Cycle

    today = today or timezone.localdate()
    years = set()
    for start, end in Cycle.objects.values_list("start_date", "end_date"):
        years.update(range(max(start.year, YEAR_MIN), min(end.year, today.year) + 1))
    return sorted(years, reverse=True)


class ReportCreateForm(StyledForm):
    year = forms.TypedChoiceField(label="报告年度", coerce=int, error_messages={
        "required": "请选择报告年度。", "invalid_choice": "请选择帮扶周期内、至今年为止尚未建立报告的年度。"})

    def __init__(self, *args, taken=(), **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        years = [year for year in programme_years(today) if year not in set(taken)]
        self.fields["year"].choices = [(year, "%d年" % year) for year in years]
        # The report due (last year's); in December this year's may be started once last year's exists.
        preferred = [default_year(today)] + ([today.year] if today.month == 12 else [])
        self.fields["year"].initial = next((year for year in preferred if year in years), None)
        if self.fields["year"].initial is None and years:
            self.fields["year"].choices = [("", "请选择年度")] + self.fields["year"].choices
        self.fields["year"].empty_choices_text = "帮扶周期内每年的年度报告都已建立。"


class NarrativeField(ProseEditorFormField):
    """The offline rich-text editor (django-prose-editor, vendored) cut to the sanitizer's allowlist; what it
    returns is sanitized by nh3 (``core.sanitize.clean_html``) before the length is checked; a raw input longer than
    :data:`NARRATIVE_RAW_MAX` is refused before sanitizing and not echoed back."""

    def __init__(self, label, help_text=""):
        super().__init__(label=label, help_text=help_text, required=False, extensions=EDITOR_EXTENSIONS,
                         sanitize=clean_html)

    def bound_data(self, data, initial):
        # An oversized value is not sent back to the page (a 3 MB paste would make a 9 MB page): the saved text is.
        if isinstance(data, str) and len(data) > NARRATIVE_RAW_MAX:
            return initial
        return super().bound_data(data, initial)

    def clean(self, value):
        # The raw input's length first: nh3 over megabytes would take seconds before the limit refused it.
        if isinstance(value, str) and len(value) > NARRATIVE_RAW_MAX:
            raise forms.ValidationError("%s过长：不超过 %d 个字符（含排版标记），提交的内容有 %d 个字符，未保存；"
                                        "页面上保留的是原来的内容。" % (self.label, NARRATIVE_MAX, len(value)))
        value = super().clean(value)
        if len(value) > NARRATIVE_MAX:
            raise forms.ValidationError("%s过长：不超过 %d 个字符（含排版标记），当前 %d 个。"
                                        % (self.label, NARRATIVE_MAX, len(value)))
        return value


class CheckboxSelectMultiple(forms.CheckboxSelectMultiple):
    """Photo checkboxes as a grid of thumbnails (named so that the form layout renders it as a fieldset)."""

    template_name = "reports/widgets/photo_choices.html"
    option_template_name = "reports/widgets/photo_option.html"


class PhotoField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, photo):
        activity = photo.activity
        return "%s %s · %s" % (activity.date.strftime("%Y-%m-%d"), activity.town.name, activity.title)


class ReportForm(StyledForm):
    title = forms.CharField(label="标题", max_length=200, required=False,
                            help_text="不填则为“某地某年农村科技特派员驻镇帮镇扶村工作总结”")
    doc_number = forms.CharField(label="文号", max_length=50, required=False, help_text="如：仁科〔2025〕3号")

    def __init__(self, *args, report: AnnualReport, photos, **kwargs):
        super().__init__(*args, **kwargs)
        for name in NARRATIVE_FIELDS:
            field = AnnualReport._meta.get_field(name)
            self.fields[name] = NarrativeField(str(field.verbose_name), str(field.help_text or ""))
        self.fields["photos"] = PhotoField(
            label="典型案例配图", required=False, queryset=photos, widget=CheckboxSelectMultiple,
            help_text="从本地区本年度已确认服务活动的照片中选择，最多 %d 张（显示最近 %d 张及已选的）。"
                      % (PHOTOS_MAX, PHOTO_CHOICES))
        self.fields["photos"].empty_choices_text = "本地区本年度还没有已确认服务活动的照片。"
        self.fields["photos"].error_messages["invalid_choice"] = "所选照片 %(value)s 不在可选范围内。"
        for name, field in self.fields.items():
            if isinstance(field, forms.CharField):
                field.error_messages["max_length"] = "%s不超过 %%(limit_value)d 个字符（当前 %%(show_value)d 个）。" % (
                    field.label)

    def clean_photos(self):
        photos = list(self.cleaned_data.get("photos") or [])
        if len(photos) > PHOTOS_MAX:
            raise forms.ValidationError("典型案例配图最多 %d 张，已选 %d 张。" % (PHOTOS_MAX, len(photos)))
        return photos


def photo_choices(report: AnnualReport, photos_for):
    """The picker's photos: the latest :data:`PHOTO_CHOICES` of the report's scope and year, plus those chosen."""
    from fieldwork.models import ActivityPhoto

    latest = list(photos_for.values_list("pk", flat=True)[:PHOTO_CHOICES])
    chosen = list(report.case_photos.values_list("pk", flat=True)) if report.pk else []
    return (ActivityPhoto.objects.filter(pk__in=set(latest) | set(chosen))
            .select_related("activity", "activity__town").order_by("-activity__date", "pk"))


class MissingNoteForm(StyledForm):
    note = forms.CharField(label="缺报说明", max_length=NOTE_MAX, required=False, widget=forms.Textarea,
                           error_messages={"max_length": "缺报说明不超过 %(limit_value)d 字（当前 %(show_value)d 字）。"})
