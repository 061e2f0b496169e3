"""Attachment checks by content (magic bytes), never by the file name, and by size."""
from __future__ import annotations

import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

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


def max_bytes() -> int:
    return settings.UPLOAD_MAX_BYTES


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


def check_upload(upload, *, label: str, kinds=DOCUMENT_KINDS) -> str:
    """Check one upload; returns its kind or raises a ValidationError naming the field in Chinese."""
    size = getattr(upload, "size", None) or 0
    if size == 0:
        raise ValidationError(_("“%(label)s”文件为空，请重新选择。") % {"label": label})
    if size > max_bytes():
        raise ValidationError(_("“%(label)s”文件过大（%(size).1f MB），上限为%(max)d MB。") % {
            "label": label, "size": size / 1024 / 1024, "max": max_bytes() // 1024 // 1024})
    kind = sniff(upload)
    if kind not in kinds:
        raise ValidationError(_("“%(label)s”文件类型不符：只接受%(kinds)s格式（按文件内容检查，与文件名无关）。") % {
            "label": label, "kinds": "、".join(KIND_LABELS[k] for k in kinds)})
    return kind
