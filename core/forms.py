"""Form helpers: Bootstrap classes on every widget, Chinese messages beside each field."""
from captcha.fields import CaptchaField as _CaptchaField, CaptchaTextInput as _CaptchaTextInput
from django import forms
from django.core.exceptions import ValidationError
from django.db import models

from core.fields import COMMENT_MAX_CHARS, LimitedCharFormField, UploadLimitMixin, upload_size_error


INTEGER_KEY_LIMIT = 2 ** 63 - 1


class GroupedCheckboxSelectMultiple(forms.CheckboxSelectMultiple):
    """Checkboxes in named groups (the towns of a call by county): each group a fieldset whose legend names it, its
    boxes wrapping in rows under it (Django's own template puts the group name in a ``<label>`` for nothing)."""

    template_name = "core/widgets/grouped_choices.html"


class CaptchaTextInput(_CaptchaTextInput):
    """The CAPTCHA's image, hidden key and text box. Django leaves ``aria-describedby`` off widgets that render as
    a fieldset (every MultiWidget); this one is a labelled text box, so its help and its error are tied to it."""

    use_fieldset = False
    # A Chinese description of the image and a "换一张" button (static/js/a11y.js asks captcha's refresh view).
    template_name = "core/widgets/captcha.html"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["refresh"] = self.refresh_url()
        return context


class CaptchaField(_CaptchaField):
    """django-simple-captcha's field with Chinese messages and an accessible text box (every form uses this one)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", "验证码")
        kwargs.setdefault("help_text", "请输入图中的字符，不区分大小写；看不清请点“换一张”。")
        kwargs.setdefault("widget", CaptchaTextInput(attrs={"autocomplete": "off"}))
        messages = {"invalid": "验证码不正确，请重新输入。", "required": "请输入验证码。"}
        messages.update(kwargs.pop("error_messages", None) or {})
        super().__init__(*args, error_messages=messages, **kwargs)


class BoundedModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Refuse ids no integer column can hold before they reach the database.

    Django looks multiple choices up with ``pk__in``; SQLite cannot bind a number past 64 bits and raises
    OverflowError (a 500), where PostgreSQL simply finds nothing. Such a value is just an invalid choice.
    """

    def _check_values(self, value):
        key = self.to_field_name or "pk"
        meta = self.queryset.model._meta
        column = meta.pk if key == "pk" else meta.get_field(key)
        if isinstance(column, (models.IntegerField, models.AutoField)) and not isinstance(value, (str, bytes)):
            for pk in value:
                text = str(pk).strip()
                if text.lstrip("-").isdigit() and abs(int(text)) > INTEGER_KEY_LIMIT:
                    raise ValidationError(self.error_messages["invalid_pk_value"], code="invalid_pk_value",
                                          params={"pk": text[:20] + "…"})
        return super()._check_values(value)


class StyledFormMixin:
    """Give every widget the Bootstrap class its type needs (and bound every multiple-choice id)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if type(field) is forms.ModelMultipleChoiceField:
                # Declared fields and ModelForm's generated ones alike; the subclass only adds the range check.
                field.__class__ = BoundedModelMultipleChoiceField
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.RadioSelect):  # CheckboxSelectMultiple too: a fieldset (_form_fields.html)
                css = ""
            elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
                css = "form-select"
            else:
                css = "form-control"
            if css:
                widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()
            if isinstance(widget, forms.DateInput):
                widget.input_type = "date"
                widget.format = "%Y-%m-%d"
            if isinstance(widget, forms.Textarea):
                widget.attrs["rows"] = 3
            if type(widget) is forms.TextInput and (name == "phone" or name.endswith("_phone")):
                # A phone number: the phone keypad. Autofill (autocomplete="tel") only where the form asks for the
                # user's own number (the objector, the leader signing up: their forms set it), not someone else's.
                widget.input_type = "tel"
                widget.attrs.setdefault("inputmode", "tel")


class StyledModelForm(StyledFormMixin, forms.ModelForm):
    """A ModelForm with the platform's styling."""


class StyledForm(StyledFormMixin, forms.Form):
    """A Form with the platform's styling."""


class ImportForm(UploadLimitMixin, StyledForm):
    upload_fields = {"file": "import"}
    file = forms.FileField(label="Excel 文件", help_text="支持 .xlsx、.xls、.csv（UTF-8 或 GBK）；请使用下载的模板")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        problem = upload_size_error(upload, label="Excel 文件", purpose="import")
        if problem:
            raise forms.ValidationError(problem)
        from core.excel import upload_kind_error

        problem = upload_kind_error(upload, upload.name or "")  # by content, before any background task starts
        if problem:
            raise forms.ValidationError(problem)
        upload.seek(0)
        return upload


class CommentForm(StyledForm):
    comment = LimitedCharFormField(label="意见", required=False, max_length=COMMENT_MAX_CHARS)


def add_errors(form, error) -> None:
    """Put a service's ValidationError beside the fields it names (or above the form)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def error_text(error) -> str:
    """One line for a flash message from a ValidationError or PermissionDenied."""
    from django.core.exceptions import ValidationError

    if isinstance(error, ValidationError):
        return "；".join(error.messages)
    return str(error) or "您无权进行此操作。"
