"""Forms of the project pages: the main fields and needs (one form) and three inline formsets (yearly plans, budget
lines, members' roles), plus the change request's reason.

The forms only read what was typed into the right type (text, date, integer, ``Decimal`` yuan — never a float) and
say so in Chinese; every rule on the content (lines adding up, the cycle's cap, dates in the cycle, needs of the own
town, members of the team) is :func:`projects.services.check_content`, which the page calls through the services.
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms

from core.fields import COMMENT_MAX_CHARS, LimitedCharFormField
from core.forms import StyledForm
from projects.choices import BudgetCategory, BudgetSource
from projects.models import COUNT_MAX, Project
from projects.services import PROJECT_FIELDS, TARGET_FIELDS

MONEY_FIELDS = ("total_budget", "income_raised")
DECIMAL_FIELDS = ("demo_area_mu",)
TEXT_FIELDS = ("title", "objectives", "content")
DATE_FIELDS = ("start_date", "end_date")
COUNT_FIELDS = tuple(name for name in TARGET_FIELDS if name not in MONEY_FIELDS + DECIMAL_FIELDS)
BASIC_FIELDS = ("title", "start_date", "end_date", "objectives", "content")
# Formsets: at most this many rows are read (a forged TOTAL_FORMS of a million builds no million forms).
MAX_ROWS = 30


CENT, TENTH = Decimal("0.01"), Decimal("0.1")


def exact(value, places):
    """``value`` with ``places`` decimals when that changes nothing but the writing (12000 → 12000.00); anything
    else (12000.005, an absurd figure) is left as typed for the service to name."""
    if not isinstance(value, Decimal):
        return value
    try:
        written = value.quantize(places)
    except InvalidOperation:
        return value
    return written if written == value else value


def _label(name):
    return str(Project._meta.get_field(name).verbose_name)


def _plain_number(value):
    """The typed number without the separators people type: "12,000.50", "１２０００", "12000 元"."""
    if not isinstance(value, str):
        return value
    text = value.strip().translate(str.maketrans("０１２３４５６７８９．－", "0123456789.-"))
    for mark in (",", "，", " ", "\u00a0", "\u3000"):
        text = text.replace(mark, "")
    return text[:-1] if text.endswith("元") else text


class MoneyField(forms.DecimalField):
    """Yuan typed as text (``inputmode=decimal``), read as ``Decimal`` (never a float). Whether the amount is
    positive, within the cycle's cap and in whole fen is the service's check (with the row named)."""

    def __init__(self, *, label, required=True, unit="元", **kwargs):
        attrs = {"inputmode": "decimal", "autocomplete": "off", "spellcheck": "false"}
        super().__init__(label=label, required=required, max_digits=None, decimal_places=None,
                         widget=forms.TextInput(attrs=attrs), **kwargs)
        self.error_messages["invalid"] = "%s应为数字（%s），如 12000 或 12000.50。" % (label, unit)
        self.error_messages["required"] = "请填写%s。" % label

    def to_python(self, value):
        return super().to_python(_plain_number(value))


class CountField(forms.IntegerField):
    """A whole number typed in a number box (``min=0``); the server says so in Chinese when it is text."""

    def __init__(self, *, label, **kwargs):
        super().__init__(label=label, min_value=0, max_value=COUNT_MAX,
                         widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": "1"}), **kwargs)
        self.error_messages.update({
            "invalid": "%s应填写整数（如 12），不能填写文字。" % label,
            "required": "请填写%s（没有请填 0）。" % label,
            "min_value": "%s不能为负数。" % label,
            "max_value": "%s数值过大（不超过 %s），请核对。" % (label, f"{COUNT_MAX:,}"),
        })

    def to_python(self, value):
        return super().to_python(_plain_number(value))


class NeedChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, need):
        return "%s（%s）" % (need.title, need.get_status_display())


class ProjectForm(StyledForm):
    """The project's own fields (services.PROJECT_FIELDS) and the needs it addresses."""

    def __init__(self, *args, cycle, needs, **kwargs):
        super().__init__(*args, **kwargs)
        fields = {}
        for name in PROJECT_FIELDS:
            label = _label(name)
            if name in TEXT_FIELDS:
                field = Project._meta.get_field(name).formfield()
                field.error_messages["required"] = "请填写%s。" % label
                if name == "title":
                    field.widget.attrs["autocomplete"] = "off"
            elif name in DATE_FIELDS:
                field = Project._meta.get_field(name).formfield()
                field.error_messages.update({"required": "请填写%s。" % label,
                                             "invalid": "%s格式不正确，应如 2025-03-01。" % label})
            elif name in MONEY_FIELDS:
                field = MoneyField(label=label)
            elif name in DECIMAL_FIELDS:
                field = MoneyField(label=label, unit="亩")
            else:
                field = CountField(label=label)
            fields[name] = field
        fields["total_budget"].help_text = "以元为单位，可保留两位小数；须等于下方预算明细合计，不超过本周期单个项目上限 %s 元。" % (
            f"{cycle.project_budget_cap:,.2f}")
        fields["demo_area_mu"].help_text = "可保留一位小数。"
        fields["end_date"].help_text = "实施期应在帮扶周期（%s 至 %s）之内。" % (
            cycle.start_date.isoformat(), cycle.end_date.isoformat())
        fields["needs"] = NeedChoiceField(
            label="对应需求", queryset=needs, required=False, widget=forms.CheckboxSelectMultiple,
            help_text="本镇本周期已确认的需求；报送前至少选择一项，报送后所选需求转为“帮扶中”。",
            error_messages={"invalid_choice": "所选需求（编号 %(value)s）不是本镇本周期已确认的需求，项目只能对应本镇需求。",
                            "invalid_pk_value": "所选需求编号“%(pk)s”无效。"})
        fields["needs"].empty_choices_text = "本镇本周期暂无已确认的需求，请联系镇或科技部门确认需求后再选择。"
        self.fields.update(fields)
        self._style()
        for name in DATE_FIELDS:
            self.fields[name].widget.attrs.update({"min": cycle.start_date.isoformat(),
                                                   "max": cycle.end_date.isoformat()})
        self.fields["objectives"].widget.attrs["rows"] = 3
        self.fields["content"].widget.attrs["rows"] = 5

    def _style(self):
        """StyledFormMixin styles the fields declared on the class; these are added in ``__init__``."""
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple):
                continue
            if "form-control" not in widget.attrs.get("class", "") and "form-select" not in widget.attrs.get("class", ""):
                css = "form-select" if isinstance(widget, forms.Select) else "form-control"
                widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()
            if isinstance(widget, forms.DateInput):
                widget.input_type = "date"
                widget.format = "%Y-%m-%d"
            if isinstance(widget, forms.Textarea):
                widget.attrs.setdefault("rows", 3)

    def values(self) -> dict:
        """The service's ``values`` dict (amounts written out to the fen, the area to a tenth: "12000" is the
        12000.00 stored, not a change)."""
        values = {name: self.cleaned_data.get(name) for name in PROJECT_FIELDS}
        for name in MONEY_FIELDS:
            values[name] = exact(values[name], CENT)
        values["demo_area_mu"] = exact(values["demo_area_mu"], TENTH)
        return values


class ChangeForm(ProjectForm):
    """The change request: the proposed version of the whole project and the reason."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        reason = LimitedCharFormField(label="变更理由", max_length=COMMENT_MAX_CHARS,
                                      help_text="说明为什么要调整，以及调整了哪些内容。",
                                      error_messages={"required": "请填写变更理由。"})
        reason.widget.attrs.update({"class": "form-control", "rows": 3})
        self.fields = {"reason": reason, **self.fields}


# ------------------------------------------------------------------------------------------------ formset rows
def columns(form, **classes):
    """The grid column of each field of a row (project_row.html reads ``field.column``)."""
    for name, css in classes.items():
        form.fields[name].column = css


class RowForm(StyledForm):
    """One row of an inline formset: every field optional (a row left empty is skipped), the service names the
    row ("第2行：…") of anything missing."""

    row_fields: tuple = ()

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", None) or {}
        if data.get("DELETE"):
            return True
        return all(data.get(name) in (None, "") for name in self.row_fields)


class YearForm(RowForm):
    row_fields = ("year", "plan")
    year = forms.TypedChoiceField(label="年度", coerce=int, required=False, empty_value=None,
                                  error_messages={"invalid_choice": "请选择帮扶周期内的年度。"})
    plan = LimitedCharFormField(label="年度计划（工作内容与阶段目标）", max_length=2000, required=False)

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", "请选择")] + [(year, "%d年" % year) for year in years]
        self.fields["plan"].widget.attrs["rows"] = 2
        columns(self, year="col-12 col-md-2", plan="col-12 col-md-9 col-lg-8")


    def clean(self):
        data = super().clean()
        if data.get("plan") and data.get("year") is None and "year" not in self.errors:
            self.add_error("year", "请选择年度。")
        return data


class BudgetLineForm(RowForm):
    row_fields = ("category", "amount", "source", "note")
    category = forms.ChoiceField(label="支出科目", required=False, choices=[("", "请选择")] + BudgetCategory.choices,
                                 error_messages={"invalid_choice": "请选择列出的支出科目。"})
    amount = MoneyField(label="金额（元）", required=False)
    source = forms.ChoiceField(label="资金来源", required=False, choices=[("", "请选择")] + BudgetSource.choices,
                               error_messages={"invalid_choice": "请选择列出的资金来源。"})
    note = forms.CharField(label="测算说明", required=False, max_length=200,
                           error_messages={"max_length": "测算说明不超过 200 字。"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amount"].widget.attrs["data-budget-amount"] = ""
        columns(self, category="col-12 col-md-3", amount="col-12 col-md-2", source="col-12 col-md-3",
                note="col-12 col-md-2")


class MemberForm(RowForm):
    row_fields = ("commissioner", "duty")
    commissioner = forms.TypedChoiceField(label="成员", coerce=int, required=False, empty_value=None,
                                          error_messages={"invalid_choice": "所选人员不是本团队成员。"})
    duty = forms.CharField(label="项目分工", required=False, max_length=100,
                           error_messages={"max_length": "项目分工不超过 100 字。"})

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        people = people or {}
        self.fields["commissioner"].choices = [("", "请选择")] + [
            (pk, "%s%s" % (person.name, "（%s）" % person.title if person.title else ""))
            for pk, person in sorted(people.items(), key=lambda item: item[1].name)]
        columns(self, commissioner="col-12 col-md-3", duty="col-12 col-md-6")

    def clean(self):
        data = super().clean()
        if data.get("duty") and data.get("commissioner") is None and "commissioner" not in self.errors:
            self.add_error("commissioner", "请选择成员。")
        return data


def _formset(form, extra):
    return forms.formset_factory(form, extra=extra, can_delete=True, max_num=MAX_ROWS, validate_max=True,
                                 absolute_max=MAX_ROWS)


SECTIONS = {
    # key of the service's errors: (prefix, form, title — its rows are "<title>第2行", as the service names them)
    "years": ("years", YearForm, "进度安排"),
    "budget_lines": ("lines", BudgetLineForm, "预算明细"),
    "members": ("members", MemberForm, "成员分工"),
}


def make_formsets(*, data=None, initial=None, cycle, people, extra=None) -> dict:
    """The three formsets (bound to ``data`` or filled from ``initial``: ``{"years": [...], ...}``)."""
    initial = initial or {}
    years = list(range(cycle.start_date.year, cycle.end_date.year + 1))
    kwargs = {"years": {"years": years}, "budget_lines": {}, "members": {"people": people}}
    # Blank rows enough to fill a project without scripts ("添加一行" adds more with them).
    default_extra = {"years": 1 if initial.get("years") else min(len(years), 4),
                     "budget_lines": 2 if initial.get("budget_lines") else 4,
                     "members": 1 if initial.get("members") else 3}
    formsets = {}
    for key, (prefix, form, _title) in SECTIONS.items():
        count = (extra or {}).get(key, default_extra[key])
        cls = _formset(form, count)
        formsets[key] = cls(data=data, initial=None if data is not None else initial.get(key) or None, prefix=prefix,
                            form_kwargs=kwargs[key])
    return formsets


def rows_of(formset) -> list[dict]:
    """The filled rows of a valid formset, in page order (blank rows and rows ticked 删除 left out)."""
    rows = []
    for form in formset.forms:
        if form.is_blank():
            continue
        rows.append({name: form.cleaned_data.get(name) for name in form.row_fields})
    return rows


def service_rows(key, rows, people) -> list[dict]:
    """Rows as the service takes them: members carry the Commissioner (or the unknown id, which it refuses)."""
    if key == "members":
        return [{"commissioner": people.get(row["commissioner"], row["commissioner"]), "duty": row["duty"] or ""}
                for row in rows]
    if key == "years":
        return [{"year": row["year"], "plan": row["plan"] or ""} for row in rows]
    return [{"category": row["category"] or "", "amount": exact(row["amount"], CENT), "source": row["source"] or "",
             "note": row["note"] or ""} for row in rows]


def initial_rows(key, rows) -> list[dict]:
    """Service-style rows (or a snapshot's) as a formset's initial rows."""
    if key == "members":
        return [{"commissioner": getattr(row["commissioner"], "pk", row["commissioner"]), "duty": row["duty"]}
                for row in rows]
    if key == "budget_lines":
        return [{"category": row["category"], "amount": "" if row["amount"] is None else Decimal(str(row["amount"])),
                 "source": row["source"], "note": row.get("note", "")} for row in rows]
    return [{"year": row["year"], "plan": row["plan"]} for row in rows]
