"""The stay form (驻镇时间): who, where, from–to, the place and the purpose — on a phone.

A member records their own stay (the only person offered, already chosen); the leader chooses among the team's
members. The town starts as the paired town; another town makes the stay cross-town work (跨镇帮扶), confirmed by that
town's work team. The form checks types and says what is missing in Chinese, naming the field; the service validates
the rest (an overlap naming the other stay, more than 92 days, outside the cycle) after its scope check, and its
messages show beside the same fields.
"""
from __future__ import annotations

from django import forms
from django.utils import timezone

from core.forms import StyledModelForm
from core.roles import Role
from fieldwork.choices import STAY_MAX_DAYS
from fieldwork.models import Stay
from fieldwork.services import STAY_FIELDS
from regions.models import Town
from teams.models import Commissioner


class TownField(forms.ModelChoiceField):
    def label_from_instance(self, town):
        return "%s%s" % (town.county.name, town.name)


class StayForm(StyledModelForm):
    """``user`` fills it in for ``pairing`` (the team's working pairing, or the edited stay's)."""

    class Meta:
        model = Stay
        fields = STAY_FIELDS

    def __init__(self, *args, user, pairing, **kwargs):
        super().__init__(*args, **kwargs)
        self.pairing = pairing
        home = pairing.town
        people = Commissioner.objects.filter(memberships__team_id=pairing.team_id).order_by("memberships__role",
                                                                                           "name", "pk")
        member = self.fields["commissioner"]
        member.label = "驻镇成员"
        member.empty_label = None
        if user.role == Role.TEAM_MEMBER:
            member.queryset = people.filter(user_id=user.pk)
            member.help_text = "团队成员填报本人的驻镇时间；为其他成员填报请联系团队负责人。"
            self.own_person = member.queryset.first()
            if self.own_person is not None and not self.instance.pk:
                self.initial["commissioner"] = self.own_person.pk
        else:
            member.queryset = people
            member.help_text = "负责人可为全队成员填报。"
            self.own_person = None
        if self.instance.pk is None and user.role != Role.TEAM_MEMBER:
            mine = people.filter(user_id=user.pk).first()
            if mine is not None:
                self.initial.setdefault("commissioner", mine.pk)

        town = TownField(
            label="驻点所在镇", queryset=Town.objects.filter(county_id=home.county_id)
            .select_related("county").order_by("county__code", "code"), empty_label=None,
            help_text="默认为结对镇%s；选择其他镇即为跨镇帮扶，由该镇驻镇工作队确认。" % home.full_name)
        town.widget.attrs["class"] = "form-select"
        self.fields["town"] = town
        if self.instance.pk is None:
            self.initial.setdefault("town", home.pk)

        today = timezone.localdate().isoformat()
        cycle = pairing.cycle
        for name in ("start_date", "end_date"):
            widget = self.fields[name].widget
            widget.attrs["max"] = today
            widget.attrs["min"] = cycle.start_date.isoformat()
        self.fields["start_date"].help_text = "到镇当天"
        self.fields["end_date"].help_text = "离镇当天（含当天）；一条记录最长%d天，长期驻镇请按实际往返分段填写" % STAY_MAX_DAYS
        self.fields["place"].widget.attrs["placeholder"] = "如：镇驻镇工作队宿舍"
        self.fields["place"].help_text = ""
        self.fields["purpose"].widget.attrs["placeholder"] = "如：贡柑春季修剪技术指导"
        for field in self.fields.values():
            verb = "请选择" if isinstance(field.widget, forms.Select) else "请填写"
            field.error_messages["required"] = "%s%s。" % (verb, field.label)
            if isinstance(field, forms.DateField):
                field.error_messages["invalid"] = "%s格式不正确，请选择日期（如 %s）。" % (field.label, today)
            if isinstance(field, forms.ModelChoiceField):
                field.error_messages["invalid_choice"] = "所选%s不在可选范围内，请重新选择。" % field.label

    def _post_clean(self):
        # The service validates and saves (after its scope check); the form only checks the types.
        pass
