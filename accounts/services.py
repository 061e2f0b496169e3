"""Writes on accounts: creating users, resetting passwords, notifying."""
import logging
import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.choices import CITY_ROLES, COUNTY_ROLES, Role, managed_roles
from accounts.models import Notification, User
from core.scoping import CHANGE, can
from core.roles import is_system_admin

logger = logging.getLogger(__name__)

# No 0/O, 1/l/I: the password is read aloud or typed from paper.
_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789"


def make_temporary_password(length: int = 10) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


# The scope fields each role's account carries; the others are cleared so that no stray link widens a scope.
SCOPE_FIELDS = {
    Role.ADMIN: (),
    Role.PROVINCE: ("province_code",),
    Role.CITY_ST: ("city",),
    Role.CITY_RURAL: ("city",),
    Role.COUNTY_ST: ("county", "city"),
    Role.COUNTY_RURAL: ("county", "city"),
    Role.TOWN: ("town", "county", "city"),
    Role.TEAM_LEADER: ("team",),
    Role.TEAM_MEMBER: ("team",),
    Role.UNIT: ("unit",),
    Role.EXPERT: ("county", "city"),  # the expert pool: a county's, or the city's when no county is set
}
_ALL_SCOPE_FIELDS = ("province_code", "city", "county", "town", "team", "unit")


def _fill_scope_chain(user: User) -> None:
    """Town → county → city, so the checks and the scoping see the whole chain."""
    if user.town_id and not user.county_id:
        user.county_id = user.town.county_id
    if user.county_id and not user.city_id:
        user.city_id = user.county.city_id


def manages(actor, user: User, *, creating: bool = False) -> bool:
    """Whether ``actor`` may create (``creating``) or manage ``user``: a role below theirs, inside their own scope.

    A unit's account may add accounts for its unit but manages none of them (no unit account resets another:
    they are peers); the administrator resets unit accounts.
    """
    if actor is None or not actor.is_authenticated:
        return False
    if is_system_admin(actor) or actor.role == Role.ADMIN:
        return True
    if user.pk is not None and user.pk == actor.pk:
        return False
    if is_system_admin(user) or user.role not in managed_roles(actor):
        return False
    if actor.role == Role.CITY_ST:
        return bool(actor.city_id) and user.city_id == actor.city_id
    if actor.role == Role.COUNTY_ST:
        return bool(actor.county_id) and user.county_id == actor.county_id
    if actor.role == Role.UNIT:
        return creating and bool(actor.unit_id) and user.unit_id == actor.unit_id
    if actor.role == Role.TEAM_LEADER:
        return bool(actor.team_id) and user.team_id == actor.team_id
    return False


@transaction.atomic
def user_create(*, actor, username: str, role: str, full_name: str, password: str | None = None, **fields) -> tuple[User, str]:
    """Create a user who must change the password at first login; returns (user, initial password).

    The actor creates only roles below their own and only inside their own scope (``manages``): a city S&T
    bureau its counties' officials, towns and its expert pool; a county its towns and pool; a unit's account
    more accounts of its unit; a team leader the team's members. Province, city and the first unit accounts
    are the system administrator's.
    """
    keep = SCOPE_FIELDS.get(role, ())
    for name in _ALL_SCOPE_FIELDS:
        if name not in keep:
            fields.pop(name, None)
            fields.pop(name + "_id", None)
    password = password or make_temporary_password()
    user = User(username=username, role=role, full_name=full_name, must_change_password=True, **fields)
    if role == Role.EXPERT and not (user.county_id or user.city_id) and actor is not None:
        # An organizer's expert pool: the county's for a county official, the city's for a city official.
        if actor.role in COUNTY_ROLES:
            user.county_id = actor.county_id
        elif actor.role in CITY_ROLES:
            user.city_id = actor.city_id
    _fill_scope_chain(user)
    if not manages(actor, user, creating=True):
        raise PermissionDenied(_("您不能在管辖范围之外创建账号，也不能创建该角色的账号。"))
    if user.unit_id:  # an archived (停用) unit gets no new account
        user.unit.check_active("新增账号")
    user.set_password(password)
    user.full_clean()
    user.save()
    return user, password


@transaction.atomic
def user_reset_password(*, actor, user: User) -> str:
    """An official sets a new temporary password for a user they manage (no email or SMS assumed)."""
    if actor.pk == user.pk or not manages(actor, user) or not can(actor, user, CHANGE):
        raise PermissionDenied(_("您无权重置该用户的密码。"))
    password = make_temporary_password()
    user_set_password(actor=actor, user=user, password=password)
    return password


@transaction.atomic
def user_set_password(*, actor, user: User, password: str) -> None:
    """Someone else sets ``user``'s password: it must be changed at next login, and the user is told."""
    if actor.pk == user.pk or not manages(actor, user):
        raise PermissionDenied(_("您无权设置该用户的密码。"))
    user.set_password(password)
    user.save(update_fields=["password"])
    after_password_set_by_other(actor=actor, user=user)


def revoke_tokens(user: User) -> None:
    """A new password ends every API token issued under the old one (sessions end by Django's own hash check)."""
    from rest_framework.authtoken.models import Token

    Token.objects.filter(user=user).delete()


def after_password_set_by_other(*, actor, user: User) -> None:
    """A password set by someone else (a page, the API or the admin) is temporary, and its owner is told."""
    revoke_tokens(user)
    user.must_change_password = True
    user._change_reason = "由%s重置密码" % (actor.full_name or actor.username)
    user.save(update_fields=["must_change_password"])
    notify(recipients=[user], title=_("您的密码已被重置"),
           body=_("%(who)s于%(when)s为您设置了新密码。请使用告知您的临时密码登录，并立即修改密码；"
                  "如非您本人申请，请联系系统管理员。") % {
               "who": actor.full_name or actor.username,
               "when": timezone.localtime().strftime("%Y-%m-%d %H:%M")})


@transaction.atomic
def user_change_password(*, user: User, new_password: str) -> None:
    user.set_password(new_password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    revoke_tokens(user)


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
        # Ids come from a form or a JSON body: only plain numbers can name a notification.
        qs = qs.filter(pk__in=[int(i) for i in ids if str(i).isdigit() and len(str(i)) <= 18])
    return qs.update(read_at=timezone.now())
