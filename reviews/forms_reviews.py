"""Forms of the review pages: adding an expert to a panel, the expert's scores, the decision, and the comments of a
withdrawal or a removal.

The forms only carry what was typed; the services (``reviews.services``) check it and name the field in Chinese
(a score outside 0–100 or not a whole number, an amount above the project's budget, a missing opinion), so the page
shows the one message the API shows too.
"""
from django import forms

from core.fields import COMMENT_MAX_CHARS, LimitedCharFormField
from core.forms import StyledForm
from reviews.choices import CRITERIA, SCORE_MAX, SCORE_MIN
from reviews.models import Expert

SCORE_FIELDS = ["score_%s" % key for key, _label in CRITERIA]


class SeenStatusMixin(forms.Form):
    """The state the page showed: a step taken on a record that has moved since reads "已被他人处理"."""

    seen_status = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)


class SeatAddForm(StyledForm):
    """One expert of the review's pool, chosen among the free candidates (the service refuses a conflict)."""

    expert = forms.ModelChoiceField(label="选择专家", queryset=Expert.objects.none(), error_messages={
        "required": "请选择专家。", "invalid_choice": "所选专家不在本级专家库中。"})

    def __init__(self, *args, pool=None, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["expert"]
        if pool is not None:
            field.queryset = pool
        # The list offers the free experts best first; any id of the pool still reaches the service, which says why
        # an excluded one cannot sit (是该团队成员、同一单位、回避关系…).
        field.choices = [("", "请选择专家")] + [
            (c.expert.pk, "%s（%s，%s）· %s" % (c.expert.name, c.expert.unit_name, c.expert.field, "，".join(c.reasons)))
            for c in candidates]
        field.help_text = "仅列出可选的专家（已排除回避、不可用和无账号的专家），按领域契合度和在审任务排序。"


class ScoreForm(SeenStatusMixin, StyledForm):
    """The five criteria (0–100 each) and the comment; typed text is checked by the service (whole numbers in range),
    so "abc" or 101 reads "技术可行性应为整数分。" / "…应在0至100分之间。" beside the field."""

    comment = LimitedCharFormField(label="评审意见", required=False, max_length=2000, widget=forms.Textarea,
                                   help_text="提交评分时必填：对项目的总体评价、主要问题和修改建议。")

    def __init__(self, *args, weights=None, **kwargs):
        super().__init__(*args, **kwargs)
        weights = weights or {}
        fields = {}
        for key, label in CRITERIA:
            fields["score_%s" % key] = forms.CharField(
                label=str(label), required=False, max_length=20,
                help_text="权重 %s，%d–%d 分的整数" % (weights.get(key, 0), SCORE_MIN, SCORE_MAX),
                widget=forms.NumberInput(attrs={"min": SCORE_MIN, "max": SCORE_MAX, "step": 1,
                                                "inputmode": "numeric", "class": "kj-score-input"}))
        # Scores first, then the comment (and the hidden state).
        self.fields = {**fields, **{name: field for name, field in self.fields.items() if name not in fields}}

    def scores(self) -> dict:
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        return {name: data.get(name, "") for name in SCORE_FIELDS}


class DecisionForm(SeenStatusMixin, StyledForm):
    """The office's decision: the approved amount (approve, approve with changes), the panel's opinion (required for
    a panel review) and the comment (the changes required, or the reasons for rejecting)."""

    approved_amount = forms.CharField(label="核定资助金额（元）", required=False, max_length=30,
                                      help_text="论证通过或修改后通过时填写，不超过项目预算总额。",
                                      widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
    panel_opinion = LimitedCharFormField(label="专家组意见", required=False, max_length=2000, widget=forms.Textarea)
    comment = LimitedCharFormField(label="决定意见", required=False, max_length=COMMENT_MAX_CHARS,
                                   widget=forms.Textarea,
                                   help_text="修改后通过：写明修改要求；不予通过：写明理由。")

    def __init__(self, *args, panel=True, **kwargs):
        super().__init__(*args, **kwargs)
        if panel:
            self.fields["panel_opinion"].help_text = "专家组评审时必填：专家组的综合意见。"
        else:
            self.fields["panel_opinion"].label = "审批意见（可选）"


class ReasonForm(SeenStatusMixin, StyledForm):
    """A withdrawal (申请回避) or a removal (调出专家组): the reason is required."""

    comment = LimitedCharFormField(label="事由", required=False, max_length=COMMENT_MAX_CHARS, widget=forms.Textarea)

    def __init__(self, *args, label="事由", help_text="", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["comment"].label = label
        self.fields["comment"].help_text = help_text
