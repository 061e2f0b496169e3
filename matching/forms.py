from django import forms

from core.forms import StyledForm
from matching.engine import Weights

WEIGHT_LABELS = {"fit": "需求匹配", "service": "服务类型", "prior": "前期对接", "preference": "志愿顺序", "panel": "会议评分"}


class WeightsForm(StyledForm):
    def __init__(self, *args, initial_weights=None, **kwargs):
        super().__init__(*args, **kwargs)
        values = initial_weights or Weights().as_dict()
        for name, label in WEIGHT_LABELS.items():
            self.fields[name] = forms.FloatField(
                label=label, min_value=0, max_value=10, initial=values.get(name),
                widget=forms.NumberInput(attrs={"step": "any", "class": "form-control form-control-sm", "style": "min-width:0"}))


class ConstraintForm(StyledForm):
    town = forms.IntegerField(widget=forms.HiddenInput)
    team = forms.IntegerField(widget=forms.HiddenInput)
    kind = forms.ChoiceField(choices=[("lock", "锁定"), ("exclude", "排除")])
    reason = forms.CharField(label="理由", max_length=1000)


class MeetingForm(StyledForm):
    meeting_date = forms.DateField(label="会议日期", widget=forms.DateInput)
    meeting_participants = forms.CharField(label="参会人员", widget=forms.Textarea)
    meeting_minutes = forms.FileField(label="会议纪要（PDF、图片或Word）", required=False)


class PanelScoreForm(StyledForm):
    town = forms.IntegerField(widget=forms.HiddenInput)
    team = forms.IntegerField(widget=forms.HiddenInput)
    score = forms.DecimalField(label="会议评分", min_value=0, max_value=100, decimal_places=1)
