import django_tables2 as tables

from accounts.models import User


class UserTable(tables.Table):
    username = tables.Column(linkify=True)
    scope = tables.Column(verbose_name="范围", accessor="scope_label", orderable=False)

    class Meta:
        model = User
        fields = ["username", "full_name", "role", "scope", "organization", "is_active", "last_login"]
        attrs = {"class": "table table-sm table-hover align-middle"}
