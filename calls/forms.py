"""Forms for calls, the public leader sign-up and applications."""
from django import forms

from calls.models import Application, ApplicationTown, Call, CallAmendment
from core.fields import BoundedDateFormField, LimitedCharFormField, UploadLimitMixin, limit_of
from core.forms import CaptchaField, GroupedCheckboxSelectMultiple, StyledForm, StyledModelForm
from teams.forms import PersonForm


class CallForm(StyledModelForm):
    towns = forms.ModelMultipleChoiceField(label="征集镇", queryset=None, widget=GroupedCheckboxSelectMultiple,
                                           help_text="只能选择本级组织的镇（乡、街道）")

    class Meta:
        model = Call
        fields = ["title", "issuer", "doc_number", "notice", "open_date", "close_date", "contact", "towns"]
        widgets = {"open_date": forms.DateInput(), "close_date": forms.DateInput(),
                   "notice": forms.Textarea(attrs={"rows": 10})}

    def __init__(self, *args, towns=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["towns"]
        field.queryset = towns
        if towns is not None:
            # Grouped by county (a city call spans ten counties); only the towns this level organizes are offered.
            groups: dict[str, list] = {}
            for town in towns.select_related("county").order_by("county__code", "code"):
                groups.setdefault(town.county.name, []).append((town.pk, town.name))
            field.choices = list(groups.items())


class CallAmendForm(StyledForm):
    summary = LimitedCharFormField(label="变更说明", max_length=limit_of(CallAmendment, "summary"),
                                   help_text="将在公开页面显示，如：申报截止日期延长至……")
    close_date = BoundedDateFormField(label="新的申报截止日期", required=False)
    notice = LimitedCharFormField(label="修改后的通知正文", max_length=limit_of(Call, "notice"),
                                  widget=forms.Textarea(attrs={"rows": 8}), required=False, help_text="不修改正文请留空")
    confirm_short = forms.BooleanField(label="我已知悉：提前截止后申报期不足10个工作日", required=False,
                                       help_text="仅在提前截止、剩余申报期较短时需要勾选")


class CallAttachmentForm(UploadLimitMixin, StyledForm):
    upload_fields = {"file": "document"}
    name = forms.CharField(label="附件名称", max_length=200)
    file = forms.FileField(label="文件", help_text="PDF、Word（.docx）、Excel（.xlsx）或图片")


class LeaderSignupForm(PersonForm):
    """A team leader's sign-up on a call's public page: account, person and team in one form."""

    field_order = ["username", "password", "password2", "team_name"]
    username = forms.CharField(label="用户名", max_length=150, help_text="登录用，字母、数字或@.+-_")
    password = forms.CharField(label="密码", widget=forms.PasswordInput, help_text="至少8位，不能全为数字")
    password2 = forms.CharField(label="确认密码", widget=forms.PasswordInput)
    team_name = forms.CharField(label="团队名称", max_length=100)
    captcha = CaptchaField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The leader's own details: the browser may fill them in (WCAG 1.3.5).
        for name, value in (("username", "username"), ("password", "new-password"), ("password2", "new-password"),
                            ("name", "name"), ("phone", "tel")):
            if name in self.fields:
                self.fields[name].widget.attrs["autocomplete"] = value

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password2") and data["password"] != data["password2"]:
            self.add_error("password2", "两次输入的密码不一致。")
        return data


class ApplicationForm(UploadLimitMixin, StyledForm):
    upload_fields = {"unit_endorsement": "document", "recommendation_letter": "document"}
    service_plan = LimitedCharFormField(label="帮扶思路", max_length=limit_of(Application, "service_plan"),
                                        widget=forms.Textarea(attrs={"rows": 8}), required=False,
                                        help_text="针对意向镇的需求，说明帮扶目标、主要措施和预期成效")
    unit_endorsement = forms.FileField(label="派出单位推荐意见（盖章扫描件）", required=False,
                                       help_text="PDF、JPG、PNG或Word（.docx）；按文件内容检查")
    recommendation_letter = forms.FileField(label="驻镇工作队队长推荐函", required=False,
                                            help_text="PDF、JPG、PNG或Word（.docx）")


class ApplicationTownForm(UploadLimitMixin, StyledForm):
    upload_fields = {"evidence": "document"}
    town = forms.ModelChoiceField(label="意向镇", queryset=None, empty_label="请选择")
    rank = forms.IntegerField(label="志愿顺序", min_value=1, max_value=20, help_text="1为第一志愿")
    past_projects = LimitedCharFormField(label="在该镇实施过的项目", max_length=limit_of(ApplicationTown, "past_projects"),
                                         required=False)
    visits = forms.IntegerField(label="到该镇对接次数", min_value=0, initial=0)
    years = forms.IntegerField(label="对接年数", min_value=0, initial=0)
    engagement_note = LimitedCharFormField(label="前期对接情况说明",
                                           max_length=limit_of(ApplicationTown, "engagement_note"), required=False)
    evidence = forms.FileField(label="佐证材料", required=False, help_text="PDF、JPG、PNG或Word（.docx）")

    def __init__(self, *args, towns=None, **kwargs):
        from regions.models import Town

        super().__init__(*args, **kwargs)
        # Any town passes the form, so the service can say clearly which town the call does not cover;
        # the drop-down offers only the call's towns.
        field = self.fields["town"]
        field.queryset = Town.objects.all()
        field.choices = [("", "请选择")] + [(town.pk, "%s（%s）" % (town.name, town.county.name)) for town in towns]
