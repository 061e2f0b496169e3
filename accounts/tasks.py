"""Mail for notifications goes out from the worker, so a slow mail server never slows a page."""
import logging

from django.core.mail import send_mail
from django_tasks import task

logger = logging.getLogger(__name__)


@task()
def send_notification_mail(*, subject: str, body: str, recipients: list[str]) -> int:
    """Send one notification by mail (a courtesy: the inbox is the record)."""
    try:
        return send_mail(subject, body, None, recipients)
    except Exception:
        logger.exception("mail to %s failed", recipients)
        return 0
