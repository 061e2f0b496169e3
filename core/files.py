"""Attachments: random storage names, and the one way to serve a stored file.

Files are never reachable at ``/media/``: every download goes through a view that checks the record is in the
user's scope (:func:`serve_file`) or that the caller proved access another way (a published call's attachment,
the objector's receipt number and phone) before handing the file to :func:`file_response`.

Storage names come from :class:`random_upload_to`: ``<prefix>/<yyyy>/<mm>/<uuid4 hex>.<ext>``, with nothing from
the record, the user or the original file name in the path; the name a user downloads is derived from the record.
"""
from __future__ import annotations

import re
import uuid
from urllib.parse import quote

from django.db.models import FileField
from django.http import FileResponse, Http404
from django.utils import timezone
from django.utils.deconstruct import deconstructible

from core.scoping import VIEW, can

# Content types by the stored name's extension; anything else is served as opaque bytes.
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "xls": "application/vnd.ms-excel",
    "csv": "text/csv; charset=utf-8",
}
# Only these may be shown in the browser (inline) when a view asks; everything else is always a download.
INLINE_EXTENSIONS = frozenset({"pdf", "jpg", "jpeg", "png"})
_EXTENSION = re.compile(r"^[a-z0-9]{1,5}$")


def extension_of(name: str) -> str:
    """The lower-case extension of ``name`` ('' when none, or when it is not 1-5 letters/digits)."""
    base = (name or "").rsplit("/", 1)[-1]
    if "." not in base:
        return ""
    extension = base.rsplit(".", 1)[-1].lower()
    return extension if _EXTENSION.match(extension) else ""


@deconstructible
class random_upload_to:  # noqa: N801 - used like a function: upload_to=random_upload_to("calls")
    """``upload_to`` giving ``<prefix>/<yyyy>/<mm>/<uuid4 hex>.<ext>``; only the extension survives from the upload."""

    def __init__(self, prefix: str):
        prefix = (prefix or "").strip("/")
        if not prefix or ".." in prefix:
            raise ValueError("random_upload_to needs a plain folder prefix")
        self.prefix = prefix

    def __call__(self, instance, filename: str) -> str:
        today = timezone.localdate()
        extension = extension_of(filename)
        return "%s/%04d/%02d/%s%s" % (self.prefix, today.year, today.month, uuid.uuid4().hex,
                                      "." + extension if extension else "")

    def __eq__(self, other):
        return isinstance(other, random_upload_to) and other.prefix == self.prefix

    def __hash__(self):
        return hash((random_upload_to, self.prefix))

    def __repr__(self):
        return "random_upload_to(%r)" % self.prefix


def _ascii_fallback(name: str) -> str:
    cleaned = "".join(c for c in name if 32 <= ord(c) < 127 and c not in '"\\/;%')
    return cleaned.strip(" .") or "download"


def content_disposition(filename: str, *, inline: bool = False) -> str:
    """``attachment`` (or ``inline``) with an ASCII fallback name and the UTF-8 ``filename*``."""
    return "%s; filename=\"%s\"; filename*=UTF-8''%s" % (
        "inline" if inline else "attachment", _ascii_fallback(filename), quote(filename, safe=""))


def download_name(field_file, filename: str) -> str:
    """``filename`` with the stored file's extension (unless it already ends with it); path separators dropped."""
    filename = re.sub(r"[\\/\x00-\x1f\x7f]+", "_", filename or "").strip() or "附件"
    extension = extension_of(field_file.name)
    if extension and not filename.lower().endswith("." + extension):
        filename = "%s.%s" % (filename, extension)
    return filename


def file_response(field_file, filename: str, *, inline: bool = False) -> FileResponse:
    """Stream a stored file through the storage API with safe headers.

    Unscoped: call it only after the caller proved access (use :func:`serve_file` for scoped records).
    """
    if not field_file or not field_file.name:
        raise Http404
    extension = extension_of(field_file.name)
    try:
        handle = field_file.open("rb")
    except (OSError, ValueError):  # missing in storage: nothing to serve
        raise Http404
    response = FileResponse(handle, content_type=CONTENT_TYPES.get(extension, "application/octet-stream"))
    response["Content-Disposition"] = content_disposition(download_name(field_file, filename),
                                                          inline=inline and extension in INLINE_EXTENSIONS)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def serve_file(request, record, field_name: str, *, filename: str, action: str = VIEW, inline: bool = False):
    """The file in ``record.<field_name>`` if ``request.user`` may ``action`` the record, else 404 (never 403)."""
    field = record._meta.get_field(field_name)
    if not isinstance(field, FileField):
        raise ValueError("%s.%s is not a file field" % (record._meta.label, field_name))
    if not can(request.user, record, action):
        raise Http404
    return file_response(getattr(record, field_name), filename, inline=inline)
