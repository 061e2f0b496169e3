"""Pages for dispatching units."""
from accounts.choices import Role
from core.generic import ScopedDetailView, ScopedFormView, ScopedListView
from core.menu import OFFICIALS
from core.services import record_save
from units.filters import DispatchingUnitFilter
from units.forms import DispatchingUnitEditForm, DispatchingUnitForm
from units.models import DispatchingUnit
from units.tables import DispatchingUnitTable

# The city S&T bureau registers dispatching units (shared reference data of the province); counties ask it.
CREATORS = frozenset({Role.CITY_ST})
VIEWERS = OFFICIALS | {Role.UNIT, Role.TEAM_LEADER, Role.TEAM_MEMBER}


class UnitListView(ScopedListView):
    model = DispatchingUnit
    table_class = DispatchingUnitTable
    filterset_class = DispatchingUnitFilter
    title = "派出单位"
    roles = VIEWERS
    search_fields = ["name", "credit_code"]
    create_url_name = "units:create"
    create_roles = CREATORS


class UnitDetailView(ScopedDetailView):
    model = DispatchingUnit
    detail_fields = ["name", "kind", "credit_code", "address", "contact_name", "contact_phone"]
    list_url_name = "units:list"
    edit_url_name = "units:edit"
    roles = VIEWERS


class UnitCreateView(ScopedFormView):
    form_class = DispatchingUnitForm
    title = "新增派出单位"
    roles = CREATORS
    breadcrumbs = [("派出单位", "/units/")]

    def save(self, form):
        return record_save(actor=self.request.user, instance=form.instance, create_roles=CREATORS)


class UnitEditView(ScopedFormView):
    model = DispatchingUnit
    form_class = DispatchingUnitEditForm
    roles = VIEWERS

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["actor"] = self.request.user
        return kwargs

    def get_title(self):
        return "编辑 %s" % self.get_instance()

    def save(self, form):
        return record_save(actor=self.request.user, instance=form.instance, create_roles=CREATORS)
