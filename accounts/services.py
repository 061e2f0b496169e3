"""Writes on accounts: creating users, resetting passwords, notifying."""
import logging
import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Notification, User
from core.scoping import CHANGE, can

logger = logging.getLogger(__name__)

# No 0/O, 1/l/I: the password is read aloud or typed from paper.
_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789"


def make_temporary_password(length: int = 10) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


@transaction.atomic
def user_create(*, actor, username: str, role: str, full_name: str, password: str | None = None, **fields) -> tuple[User, str]:
    """Create a user who must change the password at first login; returns (user, initial password)."""
    password = password or make_temporary_password()
    user = User(username=username, role=role, full_name=full_name, must_change_password=True, **fields)
    user.set_password(password)
    user.full_clean()
    user.save()
    return user, password


@transaction.atomic
def user_reset_password(*, actor, user: User) -> str:
    """An official sets a new temporary password for a user in scope (no email or SMS assumed)."""
    if actor.pk == user.pk or not can(actor, user, CHANGE):
        raise PermissionDenied(_("您无权重置该用户的密码。"))
    password = make_temporary_password()
    user.set_password(password)
    user.must_change_password = True
    user._change_reason = "password reset by %s" % actor.username
    user.save()
    notify(recipients=[user], title=_("您的密码已被重置"), body=_("请使用管理员告知的临时密码登录，并立即修改密码。"))
    return password


@transaction.atomic
def user_change_password(*, user: User, new_password: str) -> None:
    user.set_password(new_password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])


def notify(*, recipients, title, body: str = "", link: str = "") -> list[Notification]:
    """Post to each recipient's inbox; also mail them when a mail server is configured."""
    rows = Notification.objects.bulk_create(
        [Notification(recipient=user, title=str(title), body=str(body), link=link) for user in recipients]
    )
    if settings.NOTIFY_BY_EMAIL:
        from django.db import transaction

        from accounts.tasks import send_notification_mail

        for user in recipients:
            if user.email:
                kwargs = {"subject": str(title), "body": "%s\n%s" % (body, link), "recipients": [user.email]}
                if "ImmediateBackend" in settings.TASKS["default"]["BACKEND"]:
                    send_notification_mail.enqueue(**kwargs)
                else:
                    transaction.on_commit(lambda kwargs=kwargs: send_notification_mail.enqueue(**kwargs))
    return rows


def notifications_mark_read(*, user: User, ids=None) -> int:
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())
