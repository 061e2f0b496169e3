"""Attachment checks by content (magic bytes), never by the file name, and by size.

One size limit per kind of upload, each a setting, so what a form says is what is enforced:
``document`` (call attachments, application materials, meeting minutes: ``UPLOAD_MAX_BYTES``),
``objection`` (the public's evidence: ``OBJECTION_UPLOAD_MAX_BYTES``) and ``import`` (spreadsheets:
``IMPORT_UPLOAD_MAX_BYTES``), kept in :mod:`core.fields`. Forms show ``upload_limit_text``; :func:`check_upload`
enforces the same number.
"""
from __future__ import annotations

import zipfile

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.fields import UploadLimitMixin, upload_max_bytes, upload_size_error  # noqa: F401 (re-exported)

max_bytes = upload_max_bytes

KIND_LABELS = {"pdf": "PDF", "jpeg": "JPG", "png": "PNG", "docx": "Word（.docx）", "xlsx": "Excel（.xlsx）"}
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
EXTENSIONS = {"pdf": "pdf", "jpeg": "jpg", "png": "png", "docx": "docx", "xlsx": "xlsx"}
DOCUMENT_KINDS = ("pdf", "jpeg", "png", "docx")
NOTICE_KINDS = ("pdf", "docx", "xlsx", "jpeg", "png")


def sniff(upload) -> str | None:
    """The real kind of an uploaded file from its first bytes (and, for zips, its parts), or None."""
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(upload) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
        finally:
            upload.seek(0)
        if "[Content_Types].xml" in names and "word/document.xml" in names:
            return "docx"
        if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
            return "xlsx"
    return None


def check_upload(upload, *, label: str, kinds=DOCUMENT_KINDS, purpose: str = "document") -> str:
    """Check one upload; returns its kind or raises a ValidationError naming the field in Chinese.

    ``purpose`` picks the size limit (see ``core.fields.UPLOAD_LIMIT_SETTINGS``)."""
    problem = upload_size_error(upload, label=label, purpose=purpose)
    if problem:
        raise ValidationError(problem)
    kind = sniff(upload)
    if kind not in kinds:
        raise ValidationError(_("“%(label)s”文件类型不符：只接受%(kinds)s格式（按文件内容检查，与文件名无关）。") % {
            "label": label, "kinds": "、".join(KIND_LABELS[k] for k in kinds)})
    return kind
