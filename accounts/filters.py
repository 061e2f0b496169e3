import django_filters

from accounts.choices import Role
from accounts.models import User


class UserFilter(django_filters.FilterSet):
    role = django_filters.ChoiceFilter(label="角色", choices=Role.choices, empty_label="全部")
    is_active = django_filters.BooleanFilter(label="启用")

    class Meta:
        model = User
        fields = ["role", "is_active"]
