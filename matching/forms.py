from django import forms

from core.fields import BoundedDateFormField, LimitedCharFormField, UploadLimitMixin, limit_of
from core.forms import StyledForm
from matching.engine import Weights
from matching.engine.models import FAMILIARITY_MARGIN
from matching.models import PairConstraint, SelectionRound

MARGIN_LABEL = "熟悉度计分范围（%）"
WEIGHT_LABELS = {"fit": "需求匹配", "service": "服务类型", "prior": "前期对接", "preference": "志愿顺序", "panel": "会议评分"}


class WeightsForm(StyledForm):
    def __init__(self, *args, initial_weights=None, **kwargs):
        super().__init__(*args, **kwargs)
        values = initial_weights or Weights().as_dict()
        for name, label in WEIGHT_LABELS.items():
            self.fields[name] = forms.FloatField(
                label=label, min_value=0, max_value=10, initial=values.get(name),
                widget=forms.NumberInput(attrs={"step": "any", "class": "form-control form-control-sm", "style": "min-width:0"}))
        margin = values.get("familiarity_margin", FAMILIARITY_MARGIN)
        self._margin = margin
        self.fields["familiarity_margin"] = forms.IntegerField(
            label=MARGIN_LABEL, min_value=0, max_value=100, initial=round(100 * margin), required=False,
            help_text="先看匹配度：团队的专业匹配度与可派往本镇的团队中最匹配者相差在这个百分比以内，前期对接与志愿顺序才加分；"
                      "100 表示总是加分",
            widget=forms.NumberInput(attrs={"class": "form-control form-control-sm", "style": "min-width:0"}))

    def clean_familiarity_margin(self):
        """Entered as a percentage; the engine takes a share of the best fit. Left empty: the round's current value."""
        value = self.cleaned_data["familiarity_margin"]
        return self._margin if value is None else value / 100.0


class ConstraintForm(StyledForm):
    town = forms.IntegerField(widget=forms.HiddenInput)
    team = forms.IntegerField(widget=forms.HiddenInput)
    kind = forms.ChoiceField(choices=[("lock", "锁定"), ("exclude", "排除")])
    reason = LimitedCharFormField(label="理由", max_length=limit_of(PairConstraint, "reason"), widget=forms.TextInput)


class MeetingForm(UploadLimitMixin, StyledForm):
    upload_fields = {"meeting_minutes": "document"}
    meeting_date = BoundedDateFormField(label="会议日期")
    meeting_participants = LimitedCharFormField(label="参会人员",
                                                max_length=limit_of(SelectionRound, "meeting_participants"))
    meeting_minutes = forms.FileField(label="会议纪要（PDF、图片或Word）", required=False)


class PanelScoreForm(StyledForm):
    town = forms.IntegerField(widget=forms.HiddenInput)
    team = forms.IntegerField(widget=forms.HiddenInput)
    score = forms.DecimalField(label="会议评分", min_value=0, max_value=100, decimal_places=1)
