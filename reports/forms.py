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

#: How many of the latest photos the picker offers (plus those already chosen).
PHOTO_CHOICES = 60


def report_years(today=None) -> list[int]:
    """The years a report may be opened for: 2021 to this year, newest first."""
    today = today or timezone.localdate()
    return list(range(today.year, YEAR_MIN - 1, -1))


def default_year(today=None) -> int:
    """In January and February a county still writes last year's report (due 31 January, the city's 28 February)."""
    today = today or timezone.localdate()
    return today.year - 1 if today.month <= 2 else today.year


class ReportCreateForm(StyledForm):
    year = forms.TypedChoiceField(label="报告年度", coerce=int, error_messages={
        "required": "请选择报告年度。", "invalid_choice": "请选择 %d 年至今年之间、尚未建立报告的年度。" % YEAR_MIN})

    def __init__(self, *args, taken=(), **kwargs):
        super().__init__(*args, **kwargs)
        years = [year for year in report_years() if year not in set(taken)]
        self.fields["year"].choices = [(year, "%d年" % year) for year in years]
        if default_year() in years:
            self.fields["year"].initial = default_year()
        self.fields["year"].empty_choices_text = "%d 年以来每年的年度报告都已建立。" % YEAR_MIN


class NarrativeField(ProseEditorFormField):
    """The offline rich-text editor (django-prose-editor, vendored) cut to the sanitizer's allowlist; what it
    returns is sanitized by nh3 (``core.sanitize.clean_html``) before the length is checked."""

    def __init__(self, label, help_text=""):
        super().__init__(label=label, help_text=help_text, required=False, extensions=EDITOR_EXTENSIONS,
                         sanitize=clean_html)

    def clean(self, value):
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
