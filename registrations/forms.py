from django import forms

from core.forms import BoundedModelMultipleChoiceField, StyledForm
from matching.choices import PairingStatus
from registrations.choices import Recipient

PROVINCE_TEAM_STATUS = [(PairingStatus.ACTIVE, "帮扶中"), (PairingStatus.REGISTERED, "已备案（尚未开始帮扶）")]


class PairingChoiceField(BoundedModelMultipleChoiceField):
    def label_from_instance(self, pairing):
        return "%s%s — %s（%s）" % (pairing.town.county.name, pairing.town.name, pairing.team.name,
                                   pairing.get_organizer_level_display())


class SubmissionForm(StyledForm):
    recipient = forms.ChoiceField(label="报送对象", choices=Recipient.choices,
                                  help_text="市级组织的结对报送省科技厅；县级组织的结对分别报送市科技局和省科技厅。")
    pairings = PairingChoiceField(label="结对（公示无异议）", queryset=None, widget=forms.CheckboxSelectMultiple,
                                  error_messages={"required": "请至少选择一个结对。"})
    doc_number = forms.CharField(label="报送函文号", max_length=50, help_text="如：仁科〔2025〕20号",
                                 error_messages={"required": "请填写报送函文号。"})
    contact = forms.CharField(label="联系人及电话", max_length=100, required=False)

    def __init__(self, *args, pairings, recipient_fixed=False, recipients=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pairings"].queryset = pairings
        if recipients is not None and not recipient_fixed:
            self.fields["recipient"].choices = recipients
            if len(recipients) == 1:
                self.fields["recipient"].initial = recipients[0][0]
                self.fields["recipient"].help_text = "市级组织的结对报送省科技厅备案。"
        if recipient_fixed:
            self.fields["recipient"].disabled = True


class ActionForm(StyledForm):
    """The data a submission step may need: dates, the 备案文号, a comment; the service says what is missing."""

    sent_on = forms.DateField(label="报送日期", required=False, widget=forms.DateInput)
    confirmed_on = forms.DateField(label="确认日期", required=False, widget=forms.DateInput)
    reference_number = forms.CharField(label="备案文号", max_length=100, required=False)
    comment = forms.CharField(label="意见", widget=forms.Textarea, required=False, max_length=2000)


class ProvinceTeamForm(StyledForm):
    town = forms.ModelChoiceField(label="省级组团帮扶镇", queryset=None, error_messages={"required": "请选择镇。"})
    # Typed, not picked: the cycle's teams are the whole pool (tens of thousands at nation scale), and a team's name
    # is unique in its cycle.
    team = forms.CharField(label="省里选派的团队（团队名称）", max_length=100,
                           help_text="填写该团队在平台登记的名称（本周期尚未结对的团队）。",
                           error_messages={"required": "请填写团队名称。"})
    status = forms.ChoiceField(label="状态", choices=PROVINCE_TEAM_STATUS, initial=PairingStatus.ACTIVE)
    comment = forms.CharField(label="说明（如省里的选派文件）", max_length=500, required=False)

    def __init__(self, *args, towns, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["town"].queryset = towns
        self.fields["town"].label_from_instance = lambda town: "%s%s" % (town.county.name, town.name)
        self.teams = teams

    def clean_team(self):
        name = self.cleaned_data["team"].strip()
        team = self.teams.filter(name=name).first()
        if team is None:
            raise forms.ValidationError("本周期没有名为“%(name)s”的未结对团队，请核对团队名称。", params={"name": name})
        return team
