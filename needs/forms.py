"""Forms for needs, town profiles, campaigns and the taxonomy (phone-friendly)."""
from django import forms

from core.forms import StyledForm, StyledModelForm
from needs.choices import ServiceType
from needs.models import IndustryCategory, IndustryProblem, IndustryProduct, Need, SurveyCampaign, TownProfile
from needs.services import PROFILE_FIELDS
from regions.models import Village


class NeedForm(StyledModelForm):
    service_types = forms.MultipleChoiceField(label="服务类型（可多选）", choices=ServiceType.choices,
                                              widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = Need
        fields = ["town", "villages", "title", "description", "category", "service_types", "priority",
                  "expected_outcome", "surveyed_by", "surveyed_on"]
        widgets = {"villages": forms.CheckboxSelectMultiple, "surveyed_on": forms.DateInput}

    def __init__(self, *args, towns, **kwargs):
        super().__init__(*args, **kwargs)
        if "town" in self.fields:  # the edit form has no town: a need stays in its town
            self.fields["town"].queryset = towns
            if towns.count() == 1:  # a town enters its own needs: its name, no empty choice
                self.fields["town"].initial = towns.first()
                self.fields["town"].empty_label = None
        town_ids = list(towns.values_list("pk", flat=True)[:50])
        self.fields["villages"].queryset = Village.objects.filter(town_id__in=town_ids)
        self.fields["villages"].required = False
        self.fields["villages"].empty_choices_text = "本镇尚未登记行政村（可在镇的页面添加）。"
        self.fields["description"].widget.attrs["rows"] = 4


class NeedEditForm(NeedForm):
    class Meta(NeedForm.Meta):
        fields = [name for name in NeedForm.Meta.fields if name != "town"]


class NeedBulkForm(StyledForm):
    action = forms.ChoiceField(choices=[("confirm", "确认"), ("return", "退回")])
    ids = forms.ModelMultipleChoiceField(queryset=Need.objects.none())
    comment = forms.CharField(required=False, max_length=2000)


class TownProfileForm(StyledModelForm):
    class Meta:
        model = TownProfile
        fields = PROFILE_FIELDS


class CampaignForm(StyledModelForm):
    towns = forms.ModelMultipleChoiceField(label="调研镇", queryset=None, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = SurveyCampaign
        fields = ["title", "due_date", "instructions", "towns"]
        widgets = {"due_date": forms.DateInput}

    def __init__(self, *args, towns, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["towns"].queryset = towns
        self.fields["towns"].initial = list(towns)


class CategoryForm(StyledModelForm):
    class Meta:
        model = IndustryCategory
        fields = ["name", "order"]


class ProductForm(StyledModelForm):
    synonyms_text = forms.CharField(label="别名", required=False, help_text="多个别名用“、”分隔，如：荸荠、马蹄")

    class Meta:
        model = IndustryProduct
        fields = ["category", "name", "synonyms_text", "parents"]
        widgets = {"parents": forms.SelectMultiple(attrs={"size": 6})}
        help_texts = {"parents": "更宽的产品，如“贡柑”的上级是“柑橘”：检索“柑橘”时也能找到贡柑需求"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parents"].required = False
        if self.instance.pk:
            self.fields["synonyms_text"].initial = "、".join(self.instance.synonyms or [])


class ProblemForm(StyledModelForm):
    phrases_text = forms.CharField(
        label="群众说法", required=False, widget=forms.Textarea(attrs={"rows": 6}),
        help_text="镇村和农户怎么说这个问题，每行一条。用空格隔开几个词，表示这几个词出现在同一句话里即算说到，"
                  "如“中午 蔫”能找到“辣椒苗一到中午就蔫了”")
    terms_text = forms.CharField(
        label="专业术语", required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text="团队怎么写这个问题：病名、学科与方法，每行一条，如“青枯病”“土传病害绿色防控”")

    class Meta:
        model = IndustryProblem
        fields = ["category", "name", "products", "phrases_text", "terms_text"]
        widgets = {"products": forms.SelectMultiple(attrs={"size": 6})}
        help_texts = {"products": "这个问题涉及的产品（可不选），用于说明匹配理由"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["products"].required = False
        self.fields["products"].queryset = IndustryProduct.objects.select_related("category").order_by(
            "category__order", "name")
        if self.instance.pk:
            self.fields["phrases_text"].initial = "\n".join(self.instance.phrases or [])
            self.fields["terms_text"].initial = "\n".join(self.instance.terms or [])

    # The service checks again on save; here so that the form tells every error at once (with a duplicate name too).
    def clean_phrases_text(self):
        return self._checked("phrases_text", "群众说法")

    def clean_terms_text(self):
        return self._checked("terms_text", "专业术语")

    def _checked(self, name, label):
        from needs.services import _phrase_errors, _split_lines

        errors = _phrase_errors(_split_lines(self.cleaned_data[name]), label)
        if errors:
            raise forms.ValidationError("%s：%s" % (label, "；".join(errors)))
        return self.cleaned_data[name]
