"""Form helpers: Bootstrap classes on every widget, Chinese messages beside each field."""
from django import forms


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


class ImportForm(StyledForm):
    file = forms.FileField(label="Excel 文件", help_text="支持 .xlsx、.xls、.csv（UTF-8 或 GBK）；请使用下载的模板。")

    def clean_file(self):
        from django.conf import settings

        upload = self.cleaned_data["file"]
        if upload.size == 0:
            raise forms.ValidationError("文件为空。")
        if upload.size > settings.UPLOAD_MAX_BYTES:
            raise forms.ValidationError("文件过大（上限 %d MB）。" % (settings.UPLOAD_MAX_BYTES // 1024 // 1024))
        return upload


class CommentForm(StyledForm):
    comment = forms.CharField(label="意见", widget=forms.Textarea, required=False, max_length=2000)


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
