"""Rich text from users, sanitized on save (nh3, the Ammonia sanitizer) and again before it reaches a document.

The narratives of an annual report are written in the offline rich-text editor (django-prose-editor); what comes
back is cut to this allowlist: paragraphs, line breaks, bold, italic, underline, strike, two heading levels, lists
and quotes — no attributes, no links, no images, no scripts or styles (their content is dropped, not kept as text).
Photos of typical cases are chosen from the activities' photos and placed by the platform, never by HTML.
"""
from __future__ import annotations

import nh3

TAGS = {"p", "br", "strong", "em", "u", "s", "h3", "h4", "ul", "ol", "li", "blockquote"}

#: The editor's extensions that produce exactly :data:`TAGS` (django-prose-editor's configurable preset).
EDITOR_EXTENSIONS = {
    "Bold": True, "Italic": True, "Underline": True, "Strike": True,
    "Heading": {"levels": [3, 4]}, "BulletList": True, "OrderedList": True, "ListItem": True,
    "Blockquote": True, "HardBreak": True, "History": True,
}

_cleaner = nh3.Cleaner(tags=TAGS, attributes={}, clean_content_tags={"script", "style"}, link_rel=None,
                       strip_comments=True, url_schemes=set())


def clean_html(value: str | None) -> str:
    """The sanitized HTML; an editor's lone empty paragraph becomes the empty string."""
    cleaned = _cleaner.clean(value or "").strip()
    return "" if cleaned in ("<p></p>", "<p><br></p>") else cleaned


def html_text(value: str | None) -> str:
    """Plain text of sanitized HTML (for excerpts and search)."""
    return nh3.clean(value or "", tags=set(), clean_content_tags={"script", "style"}).strip()
