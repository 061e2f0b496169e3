"""Forms for the commissioner registry and teams."""
from django import forms

from core.forms import StyledForm, StyledModelForm
from teams.choices import Education, Gender, ServiceType, TitleLevel
from teams.models import Commissioner, Team
from units.models import DispatchingUnit


class PersonForm(StyledForm):
    """The registry fields of one person, ID number included (registration, sign-up, adding members)."""

    name = forms.CharField(label="姓名", max_length=50)
    gender = forms.ChoiceField(label="性别", choices=Gender.choices)
    id_number = forms.CharField(label="身份证号码", max_length=18,
                                help_text="18位；仅本人、派出单位和经办部门可查看完整号码")
    phone = forms.CharField(label="手机号码", max_length=20)
    unit = forms.ModelChoiceField(label="派出单位", queryset=DispatchingUnit.objects.active(), empty_label="请选择")
    title = forms.CharField(label="职称", max_length=50, required=False, help_text="如：研究员、副教授、农艺师")
    title_level = forms.ChoiceField(label="职称级别", choices=TitleLevel.choices, initial=TitleLevel.NONE)
    education = forms.ChoiceField(label="学历", choices=Education.choices)
    specialty = forms.CharField(label="专业领域", max_length=100, required=False)
    expertise_keywords = forms.CharField(label="专长关键词", max_length=200, required=False, help_text="多个用“、”分隔")
    bio = forms.CharField(label="个人简介", widget=forms.Textarea, required=False)
    in_work_team = forms.BooleanField(label="本人是驻镇工作队队员", required=False)


class MemberAddForm(PersonForm):
    """The leader adds a member; an existing registry entry with the same ID number is used as it is."""

    create_account = forms.BooleanField(label="为该成员开通平台账号（用户名为“tp”加手机号码）", required=False, initial=True)


class CommissionerEditForm(StyledModelForm):
    class Meta:
        model = Commissioner
        fields = ["name", "gender", "phone", "title", "title_level", "education", "specialty", "expertise_keywords",
                  "bio", "in_work_team"]


class TeamForm(StyledModelForm):
    service_types = forms.MultipleChoiceField(label="可提供的服务类型", choices=ServiceType.choices,
                                              widget=forms.CheckboxSelectMultiple, required=False)

    class Meta:
        model = Team
        fields = ["name", "summary", "expertise_summary", "research_directions", "service_types"]
