"""Forms of the expert pool: the office's entry (with the expert's account), the expert's own contacts and
availability, a declared relation (回避关系) and a county's review mode."""
from django import forms

from accounts.models import User
from core.forms import StyledForm, StyledModelForm
from core.roles import Role
from regions.models import City, County
from reviews.choices import ReviewMode
from reviews.models import Expert, Relation
from reviews.services import EXPERT_FIELDS, EXPERT_SELF_FIELDS
from teams.models import Team
from units.models import DispatchingUnit


def free_accounts(*, level: str | None, city_id=None, county_id=None, expert: Expert | None = None):
    """Expert accounts of a pool not linked to another entry (and the entry's own account, when editing)."""
    accounts = User.objects.filter(role=Role.EXPERT, is_active=True)
    if level == "county":
        accounts = accounts.filter(county_id=county_id)
    elif level == "city":
        accounts = accounts.filter(city_id=city_id, county__isnull=True)
    linked = User.objects.filter(expert_profile__isnull=False)
    if expert is not None and expert.pk:
        linked = linked.exclude(expert_profile__pk=expert.pk)
    return accounts.exclude(pk__in=linked.values("pk")).order_by("username")


class AccountChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return "%s（%s）" % (obj.username, obj.full_name) if obj.full_name else obj.username


class ExpertForm(StyledModelForm):
    """The pool's S&T office: every field, and the expert's account (an existing one, or a new one made now)."""

    account = AccountChoiceField(label="平台账号", queryset=User.objects.none(), required=False,
                                 empty_label="（暂不关联）",
                                 help_text="选择本专家库尚未关联的评审专家账号；没有账号的，可勾选下方“同时创建平台账号”。")
    create_account = forms.BooleanField(label="同时创建平台账号", required=False,
                                        help_text="以手机号码生成用户名和临时密码，临时密码只显示一次，首次登录须修改。")

    class Meta:
        model = Expert
        fields = EXPERT_FIELDS

    def __init__(self, *args, accounts=None, pool_choice=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = DispatchingUnit.objects.active().order_by("name")
        self.fields["unit"].required = False
        self.fields["account"].queryset = accounts if accounts is not None else User.objects.none()
        if self.instance.pk and self.instance.user_id:
            self.fields["account"].initial = self.instance.user_id
            self.fields["create_account"].widget = forms.HiddenInput()
        self.fields["keywords"].widget.attrs["placeholder"] = "如：柑橘、黄龙病、绿色防控"
        if pool_choice:  # the administrator names the pool (an S&T office's own entries are its pool's)
            self.fields["city"] = forms.ModelChoiceField(label="所属市", queryset=City.objects.order_by("code"),
                                                         required=False)
            self.fields["county"] = forms.ModelChoiceField(label="所属县（市、区）（县级专家库）",
                                                           queryset=County.objects.order_by("code"), required=False)
            for name in ("city", "county"):
                self.fields[name].widget.attrs["class"] = "form-select"


class ExpertSelfForm(StyledModelForm):
    """The expert's own entry: how to reach them and when they can review."""

    class Meta:
        model = Expert
        fields = EXPERT_SELF_FIELDS


class RelationForm(StyledForm):
    """A declared relation with a team or a unit (the reason says what it is)."""

    team = forms.ModelChoiceField(label="需回避的团队", queryset=Team.objects.none(), required=False,
                                  empty_label="（不选）")
    unit = forms.ModelChoiceField(label="需回避的单位", queryset=DispatchingUnit.objects.none(), required=False,
                                  empty_label="（不选）", help_text="该单位任一成员所在的团队，专家均须回避。")
    reason = forms.CharField(label=Relation._meta.get_field("reason").verbose_name, max_length=200,
                             help_text="如：曾为该团队负责人的导师；在该单位兼职",
                             error_messages={"required": "请填写回避事由。"})

    def __init__(self, *args, teams=None, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams if teams is not None else Team.objects.none()
        self.fields["unit"].queryset = units if units is not None else DispatchingUnit.objects.order_by("name")

    def clean(self):
        data = super().clean()
        if not data.get("team") and not data.get("unit"):
            self.add_error("team", "请选择需回避的团队或单位。")
        return data


class ReviewRuleForm(StyledForm):
    mode = forms.ChoiceField(label="论证方式", choices=ReviewMode.choices)
