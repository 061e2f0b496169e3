"""The public notice as a printable PDF in official layout (title, number, body, list, issuer and date).

A printed notice is read on a notice board, not on the web: it says how to object in writing, by phone or in
person to the contact given, within the exact period (dates and working days), and never "本页面". The end of the
body, the issuer and the date form one block that is never split across pages (``notices/notice_pdf.html``).
"""
from __future__ import annotations

import re

from django.template.loader import render_to_string

from core.china import format_cn_date
from core.documents import format_doc_date, html_to_pdf

TEMPLATE = "notices/notice_pdf.html"

# Words that only make sense on the web page (the online form "on this page"): the clause "，也可在本页面在线提交" goes;
# any other sentence that still speaks of the page goes whole (the printed paragraph says how to object).
_WEB_CLAUSE = re.compile(r"[，,；;]\s*(?:也|亦|或)(?:可|可以)?(?:在|通过|于|登录)本(?:页面|网页)[^。；;，,]*")
_WEB_WORDS = ("本页面", "本网页")
_SENTENCE = re.compile(r"[^。！？!?]+[。！？!?]?")
_CONTACT_LINE = re.compile(r"^(?:异议受理)?(?:联系方式|联系人|联系电话)[：:]")


def objection_paragraph(notice) -> str:
    """How to object on paper: the period with its exact dates and working days, the ways, the rules."""
    return (
        "公示期为%(first)s至%(last)s（%(days)d个工作日）。公示期间，任何单位和个人对公示团队有异议的，可通过书面、电话或"
        "当面等方式向%(issuer)s反映，并提供真实姓名、联系方式、具体理由及相关证明材料。匿名、超出公示期或无具体理由的"
        "异议不予受理。"
    ) % {"first": format_cn_date(notice.first_day), "last": format_cn_date(notice.last_day),
         "days": notice.working_days, "issuer": notice.issuer}


def contact_paragraph(notice) -> str:
    return "异议受理联系方式：%s" % notice.contact


def _is_period_line(notice, line: str) -> bool:
    """The body's own sentence about the period and objections: the printed paragraph replaces it."""
    return format_cn_date(notice.first_day) in line and format_cn_date(notice.last_day) in line


def _for_print(line: str) -> str:
    line = _WEB_CLAUSE.sub("", line)
    return "".join(sentence for sentence in _SENTENCE.findall(line) if not any(word in sentence for word in _WEB_WORDS))


def print_paragraphs(notice) -> tuple[list[str], list[str]]:
    """(opening, closing): the body's paragraphs above the list, and the paragraphs that end the body above the
    signature — how to object within the period, and the contact."""
    opening, contacts = [], []
    for raw in notice.body.splitlines():
        line = raw.strip()
        if not line or _is_period_line(notice, line):
            continue
        line = _for_print(line).strip()
        if line:
            (contacts if _CONTACT_LINE.match(line) else opening).append(line)
    # The contact as the body words it, moved down to the end of the body; the notice's own contact if it lacks it.
    closing = [objection_paragraph(notice)] + contacts
    contact = (notice.contact or "").strip()
    if contact and not any(contact in line for line in contacts):
        closing.append(contact_paragraph(notice))
    return opening, closing


def notice_html(notice) -> str:
    """The HTML that WeasyPrint prints."""
    opening, closing = print_paragraphs(notice)
    return render_to_string(TEMPLATE, {
        "notice": notice, "opening": opening, "closing": closing, "entries": notice.entries.order_by("pk"),
        "date": format_doc_date(notice.start_date),
    })


def notice_pdf(notice) -> bytes:
    return html_to_pdf(notice_html(notice))
