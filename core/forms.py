"""Form helpers: Bootstrap classes on every widget, Chinese messages beside each field."""
from django import forms

from core.fields import COMMENT_MAX_CHARS, LimitedCharFormField, UploadLimitMixin, upload_size_error


class StyledFormMixin:
    """Give every widget the Bootstrap class its type needs."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, (forms.CheckboxInput,)):
                css = "form-check-input"
            elif isinstance(widget, (forms.Select, forms.SelectMultiple)) and not isinstance(widget, forms.CheckboxSelectMultiple):
                css = "form-select"
            elif isinstance(widget, forms.CheckboxSelectMultiple):
                css = ""
            else:
                css = "form-control"
            if css:
                widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()
            if isinstance(widget, forms.DateInput):
                widget.input_type = "date"
                widget.format = "%Y-%m-%d"
            if isinstance(widget, forms.Textarea):
                widget.attrs["rows"] = 3


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
