"""Forms of the agreement pages: the draft (the model's fields the service takes) and the signed scan."""
from django import forms
from django.utils import timezone

from core.fields import BoundedDateFormField, COMMENT_MAX_CHARS, LimitedCharFormField, UploadLimitMixin
from core.forms import StyledForm, StyledModelForm
from projects.models import Agreement
from projects.services import AGREEMENT_FIELDS

SCAN_ACCEPT = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"


class AgreementForm(StyledModelForm):
    """The agreement's text: parties, term, content and each party's duties (labels from the model)."""

    class Meta:
        model = Agreement
        fields = AGREEMENT_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("summary", "team_duties", "town_duties", "work_team_duties", "conditions"):
            self.fields[name].widget.attrs["rows"] = 4
        self.fields["work_team_party"].help_text = "镇未登记驻镇工作队时可留空。"


class AgreementSignForm(UploadLimitMixin, StyledForm):
    """The signing date and the scan of the agreement signed and sealed by the three parties."""

    upload_fields = {"signed_scan": "document"}
    signed_on = BoundedDateFormField(label=Agreement._meta.get_field("signed_on").verbose_name)
    signed_scan = forms.FileField(
        label=Agreement._meta.get_field("signed_scan").verbose_name,
        help_text="三方签字盖章后的协议扫描件：PDF 或图片（JPG、PNG），按文件内容检查",
        widget=forms.FileInput(attrs={"accept": SCAN_ACCEPT}),
        error_messages={"required": "请上传协议签署扫描件（PDF或图片）。"})
    comment = LimitedCharFormField(label="说明（可选）", required=False, max_length=COMMENT_MAX_CHARS,
                                   help_text="如需向镇说明修改之处，可在此填写。")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["signed_on"].widget.attrs["max"] = timezone.localdate().isoformat()
        self.fields["signed_on"].error_messages["required"] = "请填写签署日期。"
        self.fields["comment"].widget.attrs["rows"] = 2
