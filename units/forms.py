from core.forms import StyledModelForm
from units.models import DispatchingUnit


class DispatchingUnitForm(StyledModelForm):
    class Meta:
        model = DispatchingUnit
        fields = ["name", "kind", "credit_code", "address", "contact_name", "contact_phone"]
