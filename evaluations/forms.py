"""Forms of the evaluations app. They check types and say what is missing in Chinese, naming the field; the services
validate the rules (a person of the unit, one evaluation a year, a whole document) after their scope check, and their
messages show beside the same fields. The people offered are the unit's own only."""
from __future__ import annotations

from django import forms
from django.utils import timezone

from core.fields import upload_limit_text
from core.forms import StyledForm, StyledModelForm
from evaluations.choices import MATERIALS_MAX, Grade
from evaluations.models import Evaluation, Reward, Training
from evaluations.services import EVALUATION_FIELDS, REWARD_FIELDS, TRAINING_FIELDS
from teams.models import Commissioner, Team, TeamMembership


def _chinese_errors(form) -> None:
    today = timezone.localdate().isoformat()
    for field in form.fields.values():
        verb = "请选择" if isinstance(field.widget, (forms.Select, forms.RadioSelect)) else "请填写"
        field.error_messages["required"] = "%s%s。" % (verb, field.label)
        if isinstance(field, forms.DateField):
            field.error_messages["invalid"] = "%s格式不正确，请选择日期（如 %s）。" % (field.label, today)
        if isinstance(field, forms.ModelChoiceField):
            field.error_messages["invalid_choice"] = "所选%s不在可选范围内，请重新选择。" % field.label
        if isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
            field.error_messages["invalid_choice"] = "所选%s不在可选范围内，请重新选择。" % field.label


def unit_people(unit_id):
    return Commissioner.objects.filter(unit_id=unit_id).order_by("name", "pk")


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True

    def __init__(self, attrs=None):
        base = {"multiple": True}
        base.update(attrs or {})
        super().__init__(base)


class FilesField(forms.FileField):
    """Several files as a list; what each one is, is the service's check, naming the file."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [upload for upload in data if upload]
        return [data] if data else []


class EvaluationForm(StyledModelForm):
    """The grade (the four grades only), comments, who evaluated and when. New: the person and the year too."""

    commissioner = forms.ModelChoiceField(label="特派员", queryset=Commissioner.objects.none(), required=False)
    year = forms.IntegerField(label="考评年度", required=False, min_value=2000, max_value=2100)

    class Meta:
        model = Evaluation
        fields = EVALUATION_FIELDS
        widgets = {"grade": forms.RadioSelect, "comments": forms.Textarea}

    def __init__(self, *args, unit_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        grade = self.fields["grade"]
        grade.choices = list(Grade.choices)
        grade.required = False
        grade.help_text = "提交前须选择考评等次。"
        if self.instance.pk:
            del self.fields["commissioner"]
            del self.fields["year"]
        else:
            self.fields["commissioner"].queryset = unit_people(unit_id)
            self.fields["commissioner"].required = True
            self.fields["year"].required = True
            self.fields["year"].initial = timezone.localdate().year
            self.order_fields(["commissioner", "year"] + EVALUATION_FIELDS)
        self.fields["evaluated_on"].help_text = "不填则提交当日为考评日期。"
        _chinese_errors(self)

    def _post_clean(self):
        pass  # the service validates after its scope check


class RewardForm(StyledModelForm):
    """A reward: the person (the unit's own), the team (optional: the person's team then), date, title, level."""

    document_upload = forms.FileField(label="奖励文件", required=False,
                                      help_text="获奖证书或表彰文件扫描件，PDF、JPG 或 PNG，%s。" % upload_limit_text())

    class Meta:
        model = Reward
        fields = REWARD_FIELDS
        widgets = {"grounds": forms.Textarea}

    def __init__(self, *args, unit_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commissioner"].queryset = unit_people(unit_id)
        team = self.fields["team"]
        team.queryset = Team.objects.filter(
            pk__in=TeamMembership.objects.filter(commissioner__unit_id=unit_id).values("team_id")).order_by("name")
        team.help_text = "不选则为获奖日期所在周期该特派员的团队。"
        _chinese_errors(self)

    def _post_clean(self):
        pass


class TrainingForm(StyledModelForm):
    """A training or exchange event: the attendees are chosen among the unit's people only."""

    materials = FilesField(label="培训材料", required=False,
                           help_text="通知、课件、签到表或照片，最多%d份；每份%s，PDF、JPG、PNG、Word、Excel 或 PowerPoint。"
                           % (MATERIALS_MAX, upload_limit_text()))

    class Meta:
        model = Training
        fields = TRAINING_FIELDS + ["attendees"]
        widgets = {"kind": forms.RadioSelect, "summary": forms.Textarea, "attendees": forms.CheckboxSelectMultiple}

    def __init__(self, *args, unit_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attendees"].queryset = unit_people(unit_id)
        self.fields["attendees"].help_text = "本单位派出的特派员。"
        self.fields["external_attendees"].help_text = "本单位特派员以外的参加人数。"
        _chinese_errors(self)

    def _post_clean(self):
        pass


class MaterialForm(StyledForm):
    materials = FilesField(label="培训材料", required=True,
                           help_text="PDF、JPG、PNG、Word、Excel 或 PowerPoint，每份%s。" % upload_limit_text())


class GenerateForm(StyledForm):
    year = forms.IntegerField(label="考评年度", min_value=2000, max_value=2100,
                              error_messages={"required": "请填写考评年度。", "invalid": "考评年度应为四位数年份。"})
