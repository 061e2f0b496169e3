import django_filters

from units.choices import UnitStatus
from units.models import DispatchingUnit


class DispatchingUnitFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label="单位类型", choices=DispatchingUnit.Kind.choices, empty_label="全部")
    status = django_filters.ChoiceFilter(label="状态", choices=UnitStatus.choices, empty_label="全部")

    class Meta:
        model = DispatchingUnit
        fields = ["kind", "status"]
