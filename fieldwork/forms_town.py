"""Forms of the work team's pages: a task (what, by when), the non-cooperation report, the working conditions and a
team's request. The forms check types and say what is missing in Chinese, naming the field; the services validate
the rest (a due date in the past, the cycle's dates) after their scope check."""
from django import forms
from django.utils import timezone

from core.forms import StyledForm, StyledModelForm
from fieldwork.models import ConditionRequest, Task, WorkingConditions
from fieldwork.services import CONDITION_FIELDS, REQUEST_FIELDS, TASK_FIELDS

FLAG_DETAIL_MAX = 500  # Flag.detail


def _chinese_required(form) -> None:
    """"请填写…" / "请选择…" naming the field instead of Django's "这个字段是必填项"."""
    for field in form.fields.values():
        verb = "请选择" if isinstance(field.widget, (forms.Select, forms.RadioSelect)) else "请填写"
        field.error_messages["required"] = "%s%s。" % (verb, field.label)
        if isinstance(field, forms.DateField):
            field.error_messages["invalid"] = "%s格式不正确，请选择日期（如 %s）。" % (
                field.label, timezone.localdate().isoformat())


class TaskForm(StyledModelForm):
    """The work team gives its team a task: what, the requirement, by when."""

    class Meta:
        model = Task
        fields = TASK_FIELDS
        widgets = {"description": forms.Textarea}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].help_text = "一句话说明任务，如：组织一场贡柑春季管理培训"
        self.fields["description"].help_text = "要达到的要求、地点、对象等（选填）"
        self.fields["description"].widget.attrs["rows"] = 4
        self.fields["due_date"].widget.attrs["min"] = timezone.localdate().isoformat()
        self.fields["due_date"].help_text = "不能早于今天，且在帮扶周期内"
        _chinese_required(self)

    def _post_clean(self):
        # The service validates and saves (after its scope check); the form only checks the types.
        pass


class FlagReportForm(StyledForm):
    """The work team reports that its team does not cooperate: what happened, when."""

    detail = forms.CharField(
        label="不配合的具体情况", max_length=FLAG_DETAIL_MAX, widget=forms.Textarea(attrs={"rows": 5}),
        help_text="写明时间、事项和经过（不超过500字）。提交后将通知团队负责人、派出单位和组织遴选的科技部门。",
        error_messages={"max_length": "情况说明不超过500字（现有%(show_value)d字）。",
                        # the service's wording (services.flag_report), for the page and the API alike
                        "required": "请说明团队不配合的具体情况（时间、事项、经过）。"})


NOTE_EXAMPLES = {"office": "镇政府二楼办公室一间", "lodging": "镇干部周转房两间", "transport": "下村由镇里派车",
                 "meals": "在镇机关食堂就餐"}


class ConditionsForm(StyledModelForm):
    """What the town provides its team: office, lodging, transport, meals (provided, partial, none) with notes."""

    class Meta:
        model = WorkingConditions
        fields = CONDITION_FIELDS
        widgets = {"office": forms.RadioSelect, "lodging": forms.RadioSelect, "transport": forms.RadioSelect,
                   "meals": forms.RadioSelect, "note": forms.Textarea}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, example in NOTE_EXAMPLES.items():
            field = self.fields[name]
            field.choices = [choice for choice in field.choices if choice[0]]  # no empty "---------"
            self.fields["%s_note" % name].help_text = "如：%s。部分提供或未提供时请说明" % example
        self.fields["note"].help_text = "其他保障情况（选填）"
        _chinese_required(self)

    def _post_clean(self):
        pass


class RequestForm(StyledModelForm):
    """A team raises a problem with its working conditions or its work."""

    class Meta:
        model = ConditionRequest
        fields = REQUEST_FIELDS
        widgets = {"description": forms.Textarea}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [c for c in self.fields["category"].choices if c[0]]
        self.fields["category"].widget = forms.RadioSelect(choices=self.fields["category"].choices)
        self.fields["title"].help_text = "一句话概括问题，如：驻点宿舍尚未落实"
        self.fields["description"].help_text = "具体情况、影响和希望的解决方式"
        self.fields["description"].widget.attrs["rows"] = 5
        _chinese_required(self)

    def _post_clean(self):
        pass
