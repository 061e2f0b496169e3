"""Forms: publishing a notice (officials) and filing an objection (the public, with a local image CAPTCHA)."""
from django import forms

from core.fields import BoundedDateFormField, LimitedCharFormField, limit_of, upload_limit_text, upload_size_error
from core.forms import CaptchaField, StyledForm
from notices.models import NoticeEntry, Objection, PublicNotice


class NoticeForm(StyledForm):
    pairings = forms.ModelMultipleChoiceField(label="公示的结对", queryset=None, widget=forms.CheckboxSelectMultiple)
    title = forms.CharField(label="标题", max_length=200)
    doc_number = forms.CharField(label="文号", max_length=50, required=False)
    start_date = BoundedDateFormField(label="公示开始日期")
    working_days = forms.IntegerField(label="公示期（工作日）", min_value=1, max_value=30)
    contact = forms.CharField(label="异议受理联系方式", max_length=200,
                              help_text="如：仁化县科学技术局农村科技股，电话0751-6381234")
    body = LimitedCharFormField(label="公示正文", max_length=limit_of(PublicNotice, "body"), required=False,
                                help_text="留空则按公示期、名单和联系方式自动生成规范正文。")

    def __init__(self, *args, pairings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pairings"].queryset = pairings
        self.fields["pairings"].label_from_instance = lambda p: "%s%s — %s" % (p.town.county.name, p.town.name, p.team.name)


class ObjectionForm(StyledForm):
    entry = forms.ModelChoiceField(label="异议对象（团队）", queryset=NoticeEntry.objects.none(), empty_label="请选择")
    name = forms.CharField(label="真实姓名", max_length=50, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    phone = forms.CharField(label="联系电话", max_length=20, widget=forms.TextInput(attrs={"autocomplete": "tel"}))
    grounds = LimitedCharFormField(label="异议理由", max_length=limit_of(Objection, "grounds"),
                                   help_text="请写明具体事实和理由；无具体理由的异议不予受理。")
    # The label states the limit from OBJECTION_UPLOAD_MAX_BYTES, the number the service enforces.
    evidence = forms.FileField(label="证明材料", required=False)
    captcha = CaptchaField(help_text="请输入图中的字符，不区分大小写；看不清请点“换一张”。无法完成验证的，可按公示正文所列的联系方式提出异议。")

    def __init__(self, *args, notice, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entry"].queryset = notice.entries.filter(outcome="pending")
        self.fields["entry"].label_from_instance = lambda e: "%s（%s%s）" % (e.team_name, e.county_name, e.town_label)
        self.fields["evidence"].label = "证明材料（可选，PDF/图片/Word，%s）" % upload_limit_text("objection")

    def clean_evidence(self):
        upload = self.cleaned_data.get("evidence")
        if upload:
            problem = upload_size_error(upload, label="证明材料", purpose="objection")
            if problem:
                raise forms.ValidationError(problem)
        return upload


class ReceiptForm(StyledForm):
    receipt_number = forms.CharField(label="受理回执号", max_length=16)
    phone = forms.CharField(label="提交时填写的联系电话", max_length=20)
