"""Forms of coordination: a group, a member, a meeting (attendees among the group's members, documents) and a
follow-up item (its meeting and owner among the group's own). The forms check types and say what is missing in
Chinese, naming the field; the services validate the rest after their scope check."""
from django import forms
from django.db.models import Q

from accounts.models import User
from coordination.choices import OFFICES
from coordination.models import FollowUp, Group, GroupMember, Meeting
from coordination.services import DOCUMENTS_MAX, FOLLOW_UP_FIELDS, GROUP_FIELDS, MEETING_FIELDS, MEMBER_FIELDS
from core.fields import upload_limit_text
from core.forms import StyledModelForm


def _chinese_required(form) -> None:
    """"请填写…" / "请选择…" naming the field instead of Django's "这个字段是必填项"."""
    for field in form.fields.values():
        verb = "请选择" if isinstance(field.widget, (forms.Select, forms.RadioSelect)) else "请填写"
        field.error_messages["required"] = "%s%s。" % (verb, field.label)
        if isinstance(field, forms.DateField):
            field.error_messages["invalid"] = "%s格式不正确，请选择日期（如 2025-03-15）。" % field.label


class _ServiceForm(StyledModelForm):
    def _post_clean(self):
        # The service validates and saves (after its scope check); the form only checks the types.
        pass


class GroupForm(_ServiceForm):
    """The group of the user's level; the administrator also names its city or county."""

    class Meta:
        model = Group
        fields = ["city", "county"] + GROUP_FIELDS
        widgets = {"duties": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, admin=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not admin or self.instance.pk:
            del self.fields["city"], self.fields["county"]
        else:
            self.fields["city"].required = False
            self.fields["county"].help_text = "选择县（市、区）即建立该县的协调机制；不选则为市级协调指导小组"
        self.fields["name"].help_text = "如：韶关市农村科技特派员驻镇帮镇扶村工作协调指导小组"
        _chinese_required(self)


class MemberForm(_ServiceForm):
    class Meta:
        model = GroupMember
        fields = MEMBER_FIELDS

    def __init__(self, *args, group=None, **kwargs):
        super().__init__(*args, **kwargs)
        group = group or self.instance.group
        # Accounts of the group's city offices (the city's and its counties'), the ones a member may be linked to.
        self.fields["user"].queryset = (User.objects.filter(is_active=True, role__in=OFFICES)
                                        .filter(Q(city_id=group.city_id) | Q(county__city_id=group.city_id))
                                        .order_by("role", "username"))
        if group.county_id:  # a county's mechanism: that county's accounts and the city's, never another county's
            self.fields["user"].queryset = self.fields["user"].queryset.filter(
                Q(county__isnull=True) | Q(county_id=group.county_id))
        self.fields["user"].label_from_instance = lambda user: "%s（%s）" % (user.full_name or user.username,
                                                                            user.get_role_display())
        self.fields["phone"].help_text = "手机或固定电话，如 0751-8888888；仅本级科技、乡村振兴部门可见完整号码"
        self.fields["left_on"].help_text = "填写离任日期即视为不再在任"
        _chinese_required(self)


class DocumentsInput(forms.FileInput):
    allow_multiple_selected = True

    def __init__(self, attrs=None):
        base = {"multiple": True, "accept": ".pdf,.docx,.jpg,.jpeg,.png"}
        base.update(attrs or {})
        super().__init__(base)


class DocumentsField(forms.FileField):
    """The documents as a list; what each one is (its kind by content, its size) is the service's check."""

    widget = DocumentsInput

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [upload for upload in data if upload]
        return [data] if data else []


def documents_field() -> DocumentsField:
    return DocumentsField(label="会议纪要及其他文件", required=False, help_text="可多选，最多%d个；PDF、Word（.docx）或图片，每个%s" % (
        DOCUMENTS_MAX, upload_limit_text("document")))


class MeetingForm(_ServiceForm):
    attendees = forms.ModelMultipleChoiceField(label="出席成员", queryset=GroupMember.objects.none(), required=False,
                                               widget=forms.CheckboxSelectMultiple)
    documents = documents_field()

    class Meta:
        model = Meeting
        fields = MEETING_FIELDS[:3] + ["attendees"] + MEETING_FIELDS[3:]
        widgets = {"agenda": forms.Textarea(attrs={"rows": 4}), "decisions": forms.Textarea(attrs={"rows": 5}),
                   "other_attendees": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, group=None, **kwargs):
        super().__init__(*args, **kwargs)
        group = group or self.instance.group
        self.fields["attendees"].queryset = GroupMember.objects.filter(group=group).order_by("-active", "pk")
        self.fields["attendees"].empty_choices_text = "本小组尚未登记成员。"
        self.fields["decisions"].help_text = "会议议定的事项；需要跟踪落实的，保存后在本页“新增督办事项”"
        _chinese_required(self)


class FollowUpForm(_ServiceForm):
    class Meta:
        model = FollowUp
        fields = FOLLOW_UP_FIELDS
        widgets = {"detail": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, group=None, **kwargs):
        super().__init__(*args, **kwargs)
        group = group or self.instance.group
        self.fields["meeting"].queryset = Meeting.objects.filter(group=group).order_by("-date", "-pk")
        self.fields["meeting"].help_text = "会上议定的事项请选择会议；会外交办的不选"
        self.fields["owner"].queryset = GroupMember.objects.filter(group=group, active=True).order_by("pk")
        self.fields["owner_text"].help_text = "责任人不是小组成员时填写"
        self.fields["owner_organization"].help_text = "不填则取责任人所在单位"
        self.fields["due_date"].help_text = "不能早于来源会议的日期"
        _chinese_required(self)
