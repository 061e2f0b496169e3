import django_filters

from units.models import DispatchingUnit


class DispatchingUnitFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label="单位类型", choices=DispatchingUnit.Kind.choices, empty_label="全部")

    class Meta:
        model = DispatchingUnit
        fields = ["kind"]
