"""The landing page's section of open calls (no login)."""
from django.urls import reverse

from calls.selectors import open_calls
from core.public import public_section


@public_section
def open_calls_section():
    items = [(call.title, reverse("calls:public_call", args=[call.pk]),
              "%s · 截止 %s" % (call.issuer, call.close_date.strftime("%Y-%m-%d"))) for call in open_calls()[:10]]
    return {"title": "公开征集", "items": items, "empty": "目前没有正在申报的征集通知。"}
