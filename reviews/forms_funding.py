"""Forms of the funding pages: the grant (立项资助), a tranche with its voucher (拨付), a year's envelope."""
from django import forms
from django.utils import timezone

from core.fields import BoundedDateFormField, UploadLimitMixin
from core.forms import StyledForm, StyledModelForm
from reviews.models import MONEY_MAX, Disbursement, Envelope, Grant
from reviews.services import GRANT_FIELDS

VOUCHER_ACCEPT = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"


def _money_field(label, help_text=""):
    return forms.DecimalField(label=label, max_digits=12, decimal_places=2, min_value=0, max_value=MONEY_MAX,
                              help_text=help_text, error_messages={"required": "请填写%s。" % label,
                                                                   "invalid": "%s应为数字，如80000或80000.50。" % label})


class GrantForm(StyledModelForm):
    """The funder's grant: number, fiscal year, source, amount (≤ the approved amount), date, note."""

    class Meta:
        model = Grant
        fields = GRANT_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amount"] = _money_field("资助金额（元）", "不超过论证核定的金额，也不超过本年度资助预算余额。")
        self.fields["amount"].widget.attrs.update({"class": "form-control", "inputmode": "decimal"})
        self.fields["fiscal_year"].widget.attrs["inputmode"] = "numeric"
        self.fields["project_number"].help_text = "已按规则生成建议编号，可按本单位编号规则修改；编号不能重复。"
        self.fields["granted_on"].widget.attrs["max"] = timezone.localdate().isoformat()

    def _post_clean(self):
        # The service validates and saves (after its scope check); the form only checks the types.
        pass


class DisbursementForm(UploadLimitMixin, StyledForm):
    """A tranche: amount, date, voucher (PDF or image), note."""

    upload_fields = {"voucher": "document"}
    amount = _money_field("拨付金额（元）", "不超过尚未拨付的资助金额。")
    paid_on = BoundedDateFormField(label=Disbursement._meta.get_field("paid_on").verbose_name)
    voucher = forms.FileField(label="拨付凭证", help_text="付款凭证或拨款文件的扫描件：PDF 或图片（JPG、PNG），按文件内容检查",
                              widget=forms.FileInput(attrs={"accept": VOUCHER_ACCEPT}),
                              error_messages={"required": "请上传拨付凭证（PDF或图片）。"})
    note = forms.CharField(label="摘要", max_length=200, required=False, help_text="如：第一期拨付（50%）")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["paid_on"].widget.attrs["max"] = timezone.localdate().isoformat()
        self.fields["paid_on"].error_messages["required"] = "请填写拨付日期。"
        self.fields["amount"].widget.attrs["inputmode"] = "decimal"


class EnvelopeForm(StyledModelForm):
    """A funder's budget for a fiscal year (the year is fixed once set)."""

    class Meta:
        model = Envelope
        fields = ["fiscal_year", "budgeted", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["budgeted"] = _money_field("年度预算（元）", "本级当年可用于立项资助的资金总额；不能少于已立项资助的金额。")
        self.fields["budgeted"].widget.attrs.update({"class": "form-control", "inputmode": "decimal"})
        if self.instance.pk:
            self.fields["fiscal_year"].disabled = True
            self.fields["fiscal_year"].help_text = "预算年度设置后不能修改。"
        self.order_fields(["fiscal_year", "budgeted", "note"])

    def _post_clean(self):
        pass
