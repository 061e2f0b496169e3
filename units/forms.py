from core.forms import StyledModelForm
from units.models import DispatchingUnit
from core.roles import is_system_admin


class DispatchingUnitForm(StyledModelForm):
    class Meta:
        model = DispatchingUnit
        fields = ["name", "kind", "credit_code", "address", "contact_name", "contact_phone"]


class DispatchingUnitEditForm(DispatchingUnitForm):
    """A unit edits its address and contacts; who it is (name, credit code, kind) stays as registered."""

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        if actor is None or not is_system_admin(actor):
            for name in DispatchingUnit.IDENTITY_FIELDS:
                self.fields[name].disabled = True
                self.fields[name].help_text = "单位名称、类型和统一社会信用代码如需更正，请联系系统管理员。"
