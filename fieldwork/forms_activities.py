"""The service-activity form, phone first: the choices come from the team's pairing (its town first, then the other
towns of its county; its projects, its open tasks, its members), the figures are typed on
the number keypad, and the photos are taken in the browser.

The form only reads what was typed into the right type and says so in Chinese naming the field; every rule on the
record (the date in the cycle, the village of the chosen town, the project and task of this pairing, the members of
this team, each photo an image under the size limit, at most six) is ``fieldwork.services.activity_save``'s, which
validates the whole record and saves nothing when anything is wrong.
"""
from __future__ import annotations

from decimal import Decimal

from django import forms
from django.db.models import Case, IntegerField, Q, Value, When
from django.utils import timezone

from core.fields import upload_limit_text
from core.forms import StyledForm, StyledModelForm
from fieldwork.choices import PHOTOS_MAX, ServiceType
from fieldwork.models import COUNT_MAX, Activity, Task
from fieldwork.selectors import OPEN_TASK_STATES
from fieldwork.services import ACTIVITY_FIELDS
from projects.choices import ProjectStatus
from projects.models import Project
from regions.models import Town, Village
from teams.models import Commissioner

COUNT_FIELDS = ("people_trained", "households_served", "enterprises_served")
FULL_WIDTH = str.maketrans("０１２３４５６７８９．－，", "0123456789.-,")


def _plain_number(value):
    """The typed number without what people type around it: full-width digits, "1,200", spaces, a unit."""
    if not isinstance(value, str):
        return value
    text = value.strip().translate(FULL_WIDTH)
    for mark in (",", " ", "\u00a0", "\u3000"):
        text = text.replace(mark, "")
    for unit in ("人次", "人", "户", "家", "亩"):
        if text.endswith(unit):
            text = text[: -len(unit)]
    return text


class CountField(forms.IntegerField):
    """A whole number on the phone's number keypad (a text box with ``inputmode=numeric``: nothing is silently
    dropped, as a number box does with what it cannot read)."""

    def __init__(self, *, label, unit, **kwargs):
        attrs = {"inputmode": "numeric", "autocomplete": "off", "pattern": "[0-9]*", "enterkeyhint": "next"}
        super().__init__(label=label, min_value=0, max_value=COUNT_MAX, required=False,
                         widget=forms.TextInput(attrs=attrs), **kwargs)
        self.error_messages.update({
            "invalid": "%s应填写整数（如 12%s），不能填写文字。" % (label, unit),
            "min_value": "%s不能为负数。" % label,
            "max_value": "%s数值过大（不超过 %s），请核对。" % (label, f"{COUNT_MAX:,}"),
        })

    def to_python(self, value):
        return super().to_python(_plain_number(value))

    def clean(self, value):
        value = super().clean(value)
        return 0 if value is None else value  # left empty: none


class AreaField(forms.DecimalField):
    def __init__(self, *, label, **kwargs):
        attrs = {"inputmode": "decimal", "autocomplete": "off", "enterkeyhint": "next"}
        super().__init__(label=label, min_value=Decimal("0"), max_value=Decimal("1000000"), max_digits=9,
                         decimal_places=1, required=False, widget=forms.TextInput(attrs=attrs), **kwargs)
        self.error_messages.update({
            "invalid": "%s应填写数字（如 12.5）。" % label,
            "min_value": "%s不能为负数。" % label,
            "max_value": "%s数值过大，请核对。" % label,
            "max_decimal_places": "%s最多保留一位小数。" % label,
            "max_digits": "%s数值过大，请核对。" % label,
            "max_whole_digits": "%s数值过大，请核对。" % label,
        })

    def to_python(self, value):
        return super().to_python(_plain_number(value))

    def clean(self, value):
        value = super().clean(value)
        return Decimal("0") if value is None else value


class MultiplePhotoInput(forms.FileInput):
    """``<input type=file multiple accept=image/* capture=environment>``: the phone offers its camera."""

    allow_multiple_selected = True

    def __init__(self, attrs=None):
        base = {"accept": "image/*", "capture": "environment", "multiple": True}
        base.update(attrs or {})
        super().__init__(base)


class PhotosField(forms.FileField):
    """The photos as a list; what each one is (an image, its size) is the service's check, naming the file."""

    widget = MultiplePhotoInput

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [upload for upload in data if upload]
        return [data] if data else []


class TownChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, town):
        return "%s%s" % (town.county.name, town.name)


def photos_field(label="现场照片") -> PhotosField:
    return PhotosField(label=label, required=False, help_text="可直接拍照，最多%d张；每张%s，JPG、PNG 或 WebP。" % (
        PHOTOS_MAX, upload_limit_text("photo")))


class ActivityForm(StyledModelForm):
    """One column on a phone: when and where, what kind, what was done, who went, the figures, the photos."""

    photos = photos_field()

    class Meta:
        model = Activity
        fields = ["date", "town", "village", "village_name", "service_type", "project", "task", "title",
                  "description", "participants", "people_trained", "households_served", "enterprises_served",
                  "technologies", "demo_area_mu"]
        widgets = {"service_type": forms.RadioSelect, "participants": forms.CheckboxSelectMultiple}

    def __init__(self, *args, pairing, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.pairing = pairing
        home = pairing.town
        fields = self.fields

        date = fields["date"]
        date.error_messages.update({"required": "请填写活动日期。", "invalid": "活动日期格式不正确，应如 2025-03-01。"})
        today = timezone.localdate()
        date.widget.attrs.update({"max": min(today, pairing.cycle.end_date).isoformat(),
                                  "min": pairing.cycle.start_date.isoformat()})
        if not self.instance.pk:
            self.initial.setdefault("date", today)

        # Where: the paired town first, then the other towns of its county (cross-town work, 跨镇帮扶, is offered
        # within the county: a team reads its own county's towns and villages, not the rest of the city's).
        towns = Town.objects.filter(county_id=home.county_id).select_related("county")
        town = TownChoiceField(
            label="所在镇", queryset=towns, empty_label=None,
            help_text="默认为结对镇；在其他镇开展的活动为跨镇帮扶，由该镇驻镇工作队确认。",
            error_messages={"required": "请选择活动所在镇。",
                            "invalid_choice": "所选镇不在本市范围内，请从列表中选择。"})
        town.widget.attrs.update({"class": "form-select", "data-home-town": str(home.pk),
                                  "data-cross-town-source": "1"})
        town.widget.choices = self.town_groups(towns, home)
        fields["town"] = town
        if not self.instance.pk:
            self.initial.setdefault("town", home.pk)

        chosen = self.chosen_town_id()
        village = fields["village"]
        village.queryset = Village.objects.filter(town__county_id=home.county_id)
        village.empty_label = "（不在列表中，填写下方地点）"
        village.error_messages["invalid_choice"] = "所选行政村不存在，请重新选择。"
        village.label = "行政村"
        village.widget.choices = [("", village.empty_label)] + [
            (v.pk, v.name) for v in Village.objects.filter(town_id=chosen).order_by("name")]
        village.widget.attrs.update({"data-options-source": "town", "data-options-url": "?villages_of="})
        fields["village_name"].label = "村或地点（列表中没有时填写）"
        fields["village_name"].help_text = "如：某自然村、某合作社基地"

        service = fields["service_type"]
        service.choices = ServiceType.choices
        service.error_messages.update({"required": "请选择服务类型。", "invalid_choice": "请从六类服务中选择一项。"})

        project = fields["project"]
        project.queryset = Project.objects.filter(pairing=pairing).exclude(
            status=ProjectStatus.DISCARDED).order_by("pk")
        project.empty_label = "（不属于具体项目）"
        project.error_messages["invalid_choice"] = "所选项目不是本团队的帮扶项目，请重新选择。"

        task = fields["task"]
        open_tasks = Q(status__in=OPEN_TASK_STATES)
        if self.instance.task_id:
            open_tasks |= Q(pk=self.instance.task_id)
        task.queryset = Task.objects.filter(open_tasks, pairing=pairing).order_by("due_date", "pk")
        task.empty_label = "（不针对具体任务）"
        task.help_text = "驻镇工作队布置的任务，用本次活动落实的请选择。"
        task.error_messages["invalid_choice"] = "所选任务不是驻镇工作队交给本团队的进行中任务，请重新选择。"

        for name, message in (("title", "请填写活动名称（如：贡柑黄龙病田间诊断）。"),
                              ("description", "请填写活动内容：做了什么、在哪里、谁参加。")):
            fields[name].error_messages["required"] = message
        fields["title"].widget.attrs.update({"autocomplete": "off", "enterkeyhint": "next"})
        fields["description"].widget.attrs["rows"] = 4
        fields["technologies"].help_text = "没有可不填；多个用“、”分隔"

        members = Commissioner.objects.filter(memberships__team_id=pairing.team_id).distinct().order_by("name", "pk")
        people = fields["participants"]
        people.queryset = members
        people.error_messages.update({"invalid_choice": "参加成员须是本团队成员（编号 %(value)s 不是）。",
                                      "invalid_pk_value": "参加成员编号“%(pk)s”无效。"})
        people.empty_choices_text = "本团队暂无成员。"
        if not self.instance.pk:
            own = members.filter(user_id=user.pk).values_list("pk", flat=True).first()
            if own:
                self.initial.setdefault("participants", [own])

        labels = {"people_trained": ("培训人数（人次）", "人"), "households_served": ("服务农户（户）", "户"),
                  "enterprises_served": ("服务企业/合作社（家）", "家")}
        for name, (label, unit) in labels.items():
            fields[name] = CountField(label=label, unit=unit)
        fields["demo_area_mu"] = AreaField(label="示范面积（亩）")
        for name in COUNT_FIELDS + ("demo_area_mu",):
            fields[name].widget.attrs["class"] = "form-control"
            fields[name].help_text = "没有填 0 或不填"
        if not self.instance.pk:
            for name in COUNT_FIELDS:
                self.initial.setdefault(name, "")
            self.initial.setdefault("demo_area_mu", "")

    @staticmethod
    def town_groups(towns, home):
        """The select's choices: 结对镇, then 本县（市、区）其他镇, then 本市其他县（市、区）."""
        ordered = towns.annotate(rank=Case(When(pk=home.pk, then=Value(0)),
                                           When(county_id=home.county_id, then=Value(1)), default=Value(2),
                                           output_field=IntegerField())).order_by("rank", "county__code", "code")
        groups = {0: [], 1: [], 2: []}
        for town in ordered:
            label = town.name if town.rank < 2 else "%s%s" % (town.county.name, town.name)
            groups[town.rank].append((town.pk, label))
        return [(title, groups[rank]) for rank, title in
                ((0, "结对镇"), (1, "%s其他镇（跨镇帮扶）" % home.county.name), (2, "本市其他县（市、区）（跨镇帮扶）"))
                if groups[rank]]

    def chosen_town_id(self):
        """The town whose villages the village list shows: the one posted, else the record's, else the paired."""
        if self.is_bound:
            raw = (self.data.get("town") or "").strip()
            if raw.isdigit() and len(raw) < 12:
                return int(raw)
        if self.instance.town_id:
            return self.instance.town_id
        return self.initial.get("town") or self.pairing.town_id

    def _post_clean(self):
        """The record is validated whole by the service (``full_clean`` with the pairing's cycle); the form only
        reads the typed values (a model check here would run without the pairing and name fields not on the form)."""

    def values(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in ACTIVITY_FIELDS}


class PhotoAddForm(StyledForm):
    """Add photos to an activity still awaiting confirmation (the service checks each and the total)."""

    photos = photos_field("添加照片")
