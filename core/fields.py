"""Input limits shared by every app: free text with a maximum length, dates within sensible years.

* :class:`LimitedTextField` — a ``TextField`` with a required ``max_length``: the model refuses longer text
  with a Chinese message naming the field ("需求描述不超过 2000 字（现有 2100 字）") and its form field carries
  ``maxlength`` and the same message.
* :class:`BoundedDateField` — a ``DateField`` refusing dates before 2000-01-01 or after 2100-12-31 (a year
  typed as 1999 or 20255), with ``min``/``max`` on the date input.
* :class:`LimitedCharFormField` / :class:`BoundedDateFormField` — the same for plain (non-model) forms.
* :func:`cycle_date_error` — a date that must fall inside its programme cycle.
* Upload sizes, one setting per kind (``document``, ``objection``, ``import``): :func:`upload_max_bytes`,
  enforced by :func:`upload_size_error` (and ``calls.uploads.check_upload``), stated by
  :func:`upload_limit_text` and :class:`UploadLimitMixin`.
"""
from __future__ import annotations

import datetime as dt

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.deconstruct import deconstructible
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

__all__ = [
    "COMMENT_MAX_CHARS",
    "DATE_MAX",
    "DATE_MIN",
    "BoundedDateField",
    "BoundedDateFormField",
    "DateRangeValidator",
    "LimitedCharFormField",
    "LimitedTextField",
    "MaxCharsValidator",
    "check_comment",
    "cycle_date_error",
]

DATE_MIN = dt.date(2000, 1, 1)
DATE_MAX = dt.date(2100, 12, 31)
# Workflow comments (退回理由, 审核意见 …) and the reasons stored from them.
COMMENT_MAX_CHARS = 1000


@deconstructible
class MaxCharsValidator(MaxLengthValidator):
    """At most ``limit`` characters; the message names the field when a label is given.

    A ``MaxLengthValidator`` so that DRF, which states ``max_length`` itself, does not say it twice.
    """

    code = "max_length"

    def __init__(self, limit: int, label=None) -> None:
        super().__init__(limit)
        self.limit = limit
        self.label = label

    def __call__(self, value) -> None:
        if value is None:
            return
        value = value if isinstance(value, str) else str(value)
        # A textarea sends line breaks as CR LF while the browser's maxlength counts them once.
        count = len(value) - value.count("\r\n")
        if count > self.limit:
            params = {"label": self.label, "limit": self.limit, "count": count}
            if self.label:
                message = _("%(label)s不超过 %(limit)d 字（现有 %(count)d 字）。")
            else:
                message = _("不超过 %(limit)d 字（现有 %(count)d 字）。")
            raise ValidationError(message, code=self.code, params=params)

    def __eq__(self, other) -> bool:
        return isinstance(other, MaxCharsValidator) and (self.limit, str(self.label or "")) == (
            other.limit, str(other.label or ""))

    def __hash__(self) -> int:
        return hash((self.limit, str(self.label or "")))


@deconstructible
class DateRangeValidator:
    """A date between ``minimum`` and ``maximum`` (2000-01-01 … 2100-12-31 by default)."""

    code = "date_range"

    def __init__(self, label=None, minimum: dt.date = DATE_MIN, maximum: dt.date = DATE_MAX) -> None:
        self.label = label
        self.minimum = minimum
        self.maximum = maximum

    def __call__(self, value) -> None:
        if value is None:
            return
        day = value.date() if isinstance(value, dt.datetime) else value
        if not self.minimum <= day <= self.maximum:
            params = {"label": self.label or _("日期"), "min": self.minimum.isoformat(),
                      "max": self.maximum.isoformat(), "value": day.isoformat()}
            raise ValidationError(_("%(label)s应在 %(min)s 至 %(max)s 之间（现为 %(value)s），请检查年份。"),
                                  code=self.code, params=params)

    def __eq__(self, other) -> bool:
        return isinstance(other, DateRangeValidator) and (str(self.label or ""), self.minimum, self.maximum) == (
            str(other.label or ""), other.minimum, other.maximum)

    def __hash__(self) -> int:
        return hash((str(self.label or ""), self.minimum, self.maximum))


def _replace_length_validator(field: forms.Field, limit: int, label) -> None:
    """Swap Django's generic "确保该值不超过 N 个字符" for the message naming the field."""
    field.validators = [v for v in field.validators if not isinstance(v, (MaxLengthValidator, MaxCharsValidator))]
    field.validators.append(MaxCharsValidator(limit, label))


class LimitedTextField(models.TextField):
    """A TextField that must have a ``max_length``, checked by ``full_clean`` and by its forms.

    The column stays ``text``: changing a limit changes no table (``max_length`` is not a database attribute).
    """

    non_db_attrs = (*models.TextField.non_db_attrs, "max_length")

    def __init__(self, *args, max_length: int | None = None, **kwargs) -> None:
        if not max_length or max_length < 1:
            raise TypeError("LimitedTextField needs a positive max_length")
        super().__init__(*args, max_length=max_length, **kwargs)

    @cached_property
    def validators(self):
        return [*self.default_validators, *self._validators, MaxCharsValidator(self.max_length, self.verbose_name)]

    def formfield(self, **kwargs):
        field = super().formfield(**kwargs)
        if field is not None and getattr(field, "max_length", None):
            _replace_length_validator(field, self.max_length, self.verbose_name)
        return field


class BoundedDateField(models.DateField):
    """A DateField refusing dates before 2000-01-01 or after 2100-12-31 (a mistyped year)."""

    @cached_property
    def validators(self):
        return [*self.default_validators, *self._validators, DateRangeValidator(self.verbose_name)]

    def formfield(self, **kwargs):
        field = super().formfield(**kwargs)
        if field is not None:
            _bound_date_form_field(field, self.verbose_name)
        return field


class NotInFutureValidator:
    """A date something already happened on (a survey, a meeting): not after today (Beijing time)."""

    code = "future_date"

    def __init__(self, label=None) -> None:
        self.label = label

    def __call__(self, value) -> None:
        from django.utils import timezone

        if value is None:
            return
        day = value.date() if isinstance(value, dt.datetime) else value
        today = timezone.localdate()
        if day > today:
            raise ValidationError(_("%(label)s不能晚于今天（%(today)s），请填写实际日期。"), code=self.code,
                                  params={"label": self.label or _("日期"), "today": today.isoformat()})

    def __eq__(self, other) -> bool:
        return isinstance(other, NotInFutureValidator) and str(self.label or "") == str(other.label or "")

    def __hash__(self) -> int:
        return hash(("future", str(self.label or "")))


class PastDateField(BoundedDateField):
    """A BoundedDateField for the day something happened: refuses a date after today."""

    @cached_property
    def validators(self):
        return [*super().validators, NotInFutureValidator(self.verbose_name)]

    def formfield(self, **kwargs):
        field = super().formfield(**kwargs)
        if field is not None and not any(isinstance(v, NotInFutureValidator) for v in field.validators):
            field.validators.append(NotInFutureValidator(self.verbose_name))
        return field


def _bound_date_form_field(field: forms.Field, label) -> None:
    field.validators = [v for v in field.validators if not isinstance(v, DateRangeValidator)]
    field.validators.append(DateRangeValidator(label))
    field.widget.attrs.setdefault("min", DATE_MIN.isoformat())
    field.widget.attrs.setdefault("max", DATE_MAX.isoformat())


class LimitedCharFormField(forms.CharField):
    """A form CharField (a textarea unless told otherwise) with ``max_length`` and the message naming it."""

    widget = forms.Textarea

    def __init__(self, *, max_length: int, label=None, **kwargs) -> None:
        super().__init__(max_length=max_length, label=label, **kwargs)
        _replace_length_validator(self, max_length, label)


class BoundedDateFormField(forms.DateField):
    """A form DateField limited to 2000-01-01 … 2100-12-31, with min/max on the date input."""

    widget = forms.DateInput

    def __init__(self, *, label=None, **kwargs) -> None:
        super().__init__(label=label, **kwargs)
        _bound_date_form_field(self, label)


def limit_of(model, name: str) -> int:
    """The ``max_length`` of a model field, so forms and imports use the model's limit."""
    return model._meta.get_field(name).max_length


def check_comment(comment: str, label=None) -> None:
    """Refuse a workflow comment longer than :data:`COMMENT_MAX_CHARS` (a ValidationError on ``comment``)."""
    if comment and len(comment) > COMMENT_MAX_CHARS:
        try:
            MaxCharsValidator(COMMENT_MAX_CHARS, label or _("意见"))(comment)
        except ValidationError as error:
            raise ValidationError({"comment": error.error_list}) from None


def cycle_date_error(value, cycle, label):
    """A Chinese message when ``value`` is outside ``cycle`` (start … end date), else None."""
    if value is None or cycle is None or not cycle.start_date or not cycle.end_date:
        return None
    day = value.date() if isinstance(value, dt.datetime) else value
    if cycle.start_date <= day <= cycle.end_date:
        return None
    return _("%(label)s应在帮扶周期“%(cycle)s”内（%(start)s 至 %(end)s），现为 %(value)s。") % {
        "label": label, "cycle": cycle.name, "start": cycle.start_date.isoformat(),
        "end": cycle.end_date.isoformat(), "value": day.isoformat()}


# --------------------------------------------------------------------------
# Upload sizes: one limit per kind of upload, each a setting
# --------------------------------------------------------------------------

UPLOAD_LIMIT_SETTINGS = {
    "document": "UPLOAD_MAX_BYTES",
    "objection": "OBJECTION_UPLOAD_MAX_BYTES",
    "import": "IMPORT_UPLOAD_MAX_BYTES",
    "photo": "PHOTO_UPLOAD_MAX_BYTES",
}
MB = 1024 * 1024


def upload_max_bytes(purpose: str = "document") -> int:
    """The size limit in bytes of one kind of upload (a setting)."""
    return int(getattr(settings, UPLOAD_LIMIT_SETTINGS[purpose]))


def _megabytes(size: int) -> str:
    value = size / MB
    return "%d MB" % value if size % MB == 0 else "%.1f MB" % value


def upload_limit_text(purpose: str = "document") -> str:
    """'不超过10 MB' for the upload's kind, as forms show it."""
    return str(_("不超过%(max)s") % {"max": _megabytes(upload_max_bytes(purpose))})


def upload_size_error(upload, *, label: str, purpose: str = "document") -> str | None:
    """A Chinese message when the upload is empty or over its kind's limit, else None."""
    size = getattr(upload, "size", None) or 0
    limit = upload_max_bytes(purpose)
    if size == 0:
        return str(_("“%(label)s”文件为空，请重新选择。") % {"label": label})
    if size > limit:
        shown = "%.1f MB" % (size / MB)
        if round(size / MB, 1) <= limit / MB:
            shown = "%s 字节" % format(size, ",")  # just over: "10.0 MB" would look like the limit itself
        return str(_("“%(label)s”文件过大（%(size)s），上限为%(max)s。") % {
            "label": label, "size": shown, "max": _megabytes(limit)})
    return None


class UploadLimitMixin:
    """A form mixin: ``upload_fields = {field name: kind}`` get the kind's limit in their help text."""

    upload_fields: dict[str, str] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, purpose in self.upload_fields.items():
            field = self.fields.get(name)
            if field is not None:
                note = upload_limit_text(purpose)
                field.help_text = "%s；%s" % (field.help_text, note) if field.help_text else note
