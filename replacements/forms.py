"""Forms of adjustment and replacement (调整更换): opening a case, the team's answer, the decision, a member change and
closing a grant at the end of a cycle. The forms check types and say what is missing in Chinese, naming the field;
the services (``replacements.services``) check scope, role and the rules, and save."""
from __future__ import annotations

from django import forms
from django.utils import timezone

from core.china import add_working_days
from core.fields import upload_limit_text
from core.forms import StyledForm
from replacements.choices import Cause, Decision, FundingAction
from replacements.services import ANSWER_WORKING_DAYS, FILES_MAX

TEXT_MAX = 2000
NEW_CALL = "new_call"  # the decision form's choice "通过重新征集确定新团队"


def _chinese_required(form) -> None:
    """"请填写…" / "请选择…" naming the field instead of Django's "这个字段是必填项"."""
    for field in form.fields.values():
        verb = "请选择" if isinstance(field.widget, (forms.Select, forms.RadioSelect)) else "请填写"
        field.error_messages["required"] = "%s%s。" % (verb, field.label)
        if isinstance(field, forms.DateField):
            field.error_messages["invalid"] = "%s格式不正确，请选择日期（如 %s）。" % (
                field.label, timezone.localdate().isoformat())
        if isinstance(field, forms.ChoiceField):
            field.error_messages["invalid_choice"] = "%s的选项无效，请重新选择。" % field.label
        if isinstance(field, forms.CharField) and field.max_length:
            field.error_messages["max_length"] = "%s不超过%d字（现有%%(show_value)d字）。" % (field.label,
                                                                                 field.max_length)


class FilesInput(forms.FileInput):
    allow_multiple_selected = True

    def __init__(self, attrs=None):
        base = {"multiple": True, "accept": ".pdf,.jpg,.jpeg,.png"}
        base.update(attrs or {})
        super().__init__(base)


class FilesField(forms.FileField):
    """Several files as a list; their kind (by content) and size are the service's check."""

    widget = FilesInput

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [upload for upload in data if upload]
        return [data] if data else []


def files_field(label: str) -> FilesField:
    return FilesField(label=label, required=False, help_text="可多选，每个案件最多%d个；PDF或图片（JPG、PNG），每个%s" % (
        FILES_MAX, upload_limit_text("document")))


class CaseOpenForm(StyledForm):
    """The organizer of the town opens a case: the pairing, the cause, what happened, by when the team answers, the
    flags attached as evidence and files."""

    pairing = forms.ModelChoiceField(label="结对", queryset=None, empty_label="请选择结对（镇 · 团队）")
    cause = forms.ChoiceField(label="事由", choices=Cause.choices, widget=forms.RadioSelect)
    summary = forms.CharField(label="情况说明", max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 5}),
                              help_text="写明核实到的情况：时间、事项、经过（不超过2000字）")
    answer_due = forms.DateField(label="答复期限", widget=forms.DateInput,
                                 help_text="默认%d个工作日后；团队负责人须在此日期前答复" % ANSWER_WORKING_DAYS)
    flags = forms.MultipleChoiceField(label="作为证据的履职预警", required=False,
                                      widget=forms.CheckboxSelectMultiple)
    files = files_field("证据材料")

    def __init__(self, *args, pairings=None, flag_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pairing"].queryset = pairings
        self.fields["pairing"].label_from_instance = lambda p: "%s · %s（%s）" % (
            p.town.full_name, p.team.name, p.get_status_display())
        self.fields["flags"].choices = list(flag_choices)
        self.fields["flags"].empty_choices_text = "该结对没有履职预警。"
        if not self.is_bound:
            self.fields["answer_due"].initial = add_working_days(timezone.localdate(), ANSWER_WORKING_DAYS)
        _chinese_required(self)


class CaseAnswerForm(StyledForm):
    answer = forms.CharField(label="答复内容", max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 6}),
                             help_text="说明实际情况、原因和整改措施（不超过2000字）；可再次提交补充，以最后一次为准")
    files = files_field("答复材料")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _chinese_required(self)


class CaseDecideForm(StyledForm):
    """The decision: what, why and its document number; for a replacement the end date, the new team (or a new call)
    and the old team's funding (stopped or settled, with a settlement amount per open grant: ``settle-<grant id>``,
    read by the view)."""

    decision = forms.ChoiceField(label="处理决定", choices=Decision.choices, widget=forms.RadioSelect)
    reason = forms.CharField(label="决定理由", max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 4}))
    doc_number = forms.CharField(label="决定书文号", max_length=50, required=False,
                                 help_text="如：仁科〔2025〕8号（选填，用于决定书）")
    end_date = forms.DateField(label="原结对截止日期", required=False, widget=forms.DateInput,
                               help_text="更换团队时填写：原团队帮扶的最后一天，不晚于今天")
    new_team = forms.ChoiceField(label="递补团队", required=False, widget=forms.RadioSelect)
    funding_action = forms.ChoiceField(label="资助处理", required=False, widget=forms.RadioSelect,
                                       choices=FundingAction.choices)

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(str(c["team_id"]), "%s（匹配度%s）" % (c.get("team_name") or c["team_id"],
                                                        _score(c.get("score")))) for c in candidates]
        self.fields["new_team"].choices = choices + [(NEW_CALL, "通过重新征集确定新团队")]
        _chinese_required(self)

    def service_values(self) -> dict:
        data = self.cleaned_data
        chosen = data.get("new_team") or ""
        return {"decision": data["decision"], "reason": data["reason"], "doc_number": data.get("doc_number") or "",
                "end_date": data.get("end_date"), "new_team": "" if chosen == NEW_CALL else chosen,
                "via_new_call": chosen == NEW_CALL, "funding_action": data.get("funding_action") or ""}


def _score(value) -> str:
    try:
        return "%.0f%%" % (float(value) * 100)
    except (TypeError, ValueError):
        return "—"


class MemberChangeForm(StyledForm):
    """The organizer records that a member leaves and/or one joins the team of a working pairing."""

    leaving = forms.ChoiceField(label="退出成员", required=False)
    joining_id_number = forms.CharField(label="新增成员身份证号码", max_length=18, required=False,
                                        help_text="新成员须已由其派出单位登记在特派员库")
    joining_name = forms.CharField(label="新增成员姓名", max_length=50, required=False)
    joining_phone = forms.CharField(label="新增成员手机号码", max_length=20, required=False)
    effective_date = forms.DateField(label="生效日期", widget=forms.DateInput)
    reason = forms.CharField(label="变更原因", max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
    case = forms.ChoiceField(label="所属调整更换案件", required=False)

    def __init__(self, *args, members=(), cases=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leaving"].choices = [("", "（无人退出）")] + [(str(pk), name) for pk, name in members]
        self.fields["case"].choices = [("", "（不关联案件）")] + [(str(pk), label) for pk, label in cases]
        if not self.is_bound:
            self.fields["effective_date"].initial = timezone.localdate()
        _chinese_required(self)


class GrantCloseForm(StyledForm):
    """At the end of a cycle (or a replacement), the funder stops or settles a grant still open."""

    closure = forms.ChoiceField(label="处理方式", choices=FundingAction.choices, widget=forms.RadioSelect)
    amount = forms.DecimalField(label="结算金额（元）", required=False, min_value=0, max_digits=12, decimal_places=2,
                                help_text="选择“结算”时填写：不少于已拨付、不超过资助金额")
    reason = forms.CharField(label="理由", max_length=500)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _chinese_required(self)
        self.fields["amount"].error_messages["invalid"] = "结算金额格式不正确，请填写数字（元）。"
