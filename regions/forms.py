"""Forms for town classes, villages and work teams."""
from django import forms

from core.forms import StyledForm, StyledModelForm
from regions.choices import OrganizingLevel, TownClass
from regions.models import Village, WorkTeam


class TownClassificationForm(StyledForm):
    town_class = forms.ChoiceField(label="镇类别", choices=TownClass.choices)
    organizing_level = forms.ChoiceField(label="组织层级", choices=OrganizingLevel.choices)
    note = forms.CharField(label="备注", required=False, max_length=200)


class VillageForm(StyledModelForm):
    class Meta:
        model = Village
        fields = ["name", "code"]


class WorkTeamMemberForm(StyledModelForm):
    class Meta:
        from regions.models import WorkTeamMember

        model = WorkTeamMember
        fields = ["name", "position", "unit", "phone"]


class WorkTeamForm(StyledModelForm):
    class Meta:
        model = WorkTeam
        fields = ["leader_name", "leader_phone", "dispatched_by", "contact_name", "contact_phone", "note"]
