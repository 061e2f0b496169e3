"""The expert pool list: contacts masked for anyone but the pool's own S&T office and the expert themself."""
import django_tables2 as tables
from django.utils.html import format_html

from core.china import mask_phone
from core.roles import Role, is_system_admin
from reviews.models import Expert

NOWRAP = {"td": {"class": "text-nowrap"}}


def keeps_pool(user, expert) -> bool:
    """The pool's own S&T office (the city's for the city pool, a county's for its pool) or the administrator: who
    keeps the entry and sees its contacts. Decided from the row (no query): the organizer rule's change scope."""
    if is_system_admin(user):
        return True
    if user.role == Role.CITY_ST:
        return expert.organizer_level == "city" and expert.city_id == user.city_id
    if user.role == Role.COUNTY_ST:
        return expert.organizer_level == "county" and expert.county_id == user.county_id
    return False


def sees_contacts(user, expert) -> bool:
    """Contacts (phone, email) unmasked: the pool's S&T office and the expert themself."""
    return keeps_pool(user, expert) or (expert.user_id is not None and expert.user_id == user.pk)


def mask_email(value: str) -> str:
    """``l***@example.com``: the first letter and the domain."""
    if not value:
        return ""
    name, _at, domain = value.partition("@")
    return "%s***@%s" % (name[:1], domain) if domain else "***"


class ExpertTable(tables.Table):
    always_visible = ("name",)
    name = tables.Column(verbose_name="姓名", linkify=True)
    pool = tables.Column(verbose_name="专家库", accessor="pk", order_by=("organizer_level", "county__code"))
    field = tables.Column(verbose_name="专业领域")
    keywords = tables.Column(verbose_name="专长关键词")
    title = tables.Column(verbose_name="职称")
    title_rank = tables.Column(verbose_name="职称级别", attrs=NOWRAP)
    unit_name = tables.Column(verbose_name="工作单位")
    phone = tables.Column(verbose_name="手机号码", attrs=NOWRAP, orderable=False)
    email = tables.Column(verbose_name="电子邮箱", orderable=False)
    available = tables.Column(verbose_name="可参加评审", attrs=NOWRAP)
    account = tables.Column(verbose_name="平台账号", accessor="user_id", orderable=False, empty_values=(), attrs=NOWRAP)

    class Meta:
        model = Expert
        fields = ["name", "pool", "field", "keywords", "title", "title_rank", "unit_name", "phone", "email",
                  "available", "account"]
        attrs = {"class": "table table-sm table-hover align-middle"}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def _shown(self, record) -> bool:
        return self.user is not None and sees_contacts(self.user, record)

    def render_pool(self, record):
        return record.keeper_name

    def render_phone(self, value, record):
        return value if self._shown(record) else mask_phone(value)

    def render_email(self, value, record):
        return value if self._shown(record) else mask_email(value)

    def render_available(self, value, record):
        if value:
            return "是"
        return format_html('<span data-testid="unavailable">否{}</span>',
                           "（%s）" % record.availability_note if record.availability_note else "")

    def value_available(self, value, record):
        return "是" if value else "否"

    def render_account(self, value):
        return "已开通" if value else "未开通"

    def value_account(self, value):
        return "已开通" if value else "未开通"
