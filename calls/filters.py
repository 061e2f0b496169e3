"""Filters for call and application lists."""
import django_filters

from calls.choices import ApplicationStatus, CallStatus, OrganizerLevel
from calls.models import Application, Call
from core.scoping import restrict


class CallFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label="状态", choices=CallStatus.choices, empty_label="全部")
    organizer_level = django_filters.ChoiceFilter(label="组织层级", choices=OrganizerLevel.choices, empty_label="全部")

    class Meta:
        model = Call
        fields = ["status", "organizer_level"]


class ApplicationFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label="状态", choices=ApplicationStatus.choices, empty_label="全部")
    call = django_filters.ModelChoiceFilter(label="征集通知", empty_label="全部", queryset=lambda request: restrict(
        Call.objects.all(), request.user if request else None))

    class Meta:
        model = Application
        fields = ["status", "call"]
