"""The landing page's section of current public notices."""
from django.utils import timezone

from core.public import public_section
from notices.choices import NoticeStatus
from notices.models import PublicNotice


@public_section
def current_notices():
    now = timezone.now()
    notices = PublicNotice.objects.filter(status=NoticeStatus.PUBLISHED, ends_at__gte=now).order_by("-start_date")[:8]
    return {
        "title": "公示公告",
        "items": [(n.title, n.get_public_url(), "截止 %s" % n.last_day) for n in notices]
        + [("全部公示与结果查询 »", "/public/notices/", "")],
        "empty": "目前没有正在公示的名单。",
    }
