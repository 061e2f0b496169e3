"""Pages for dispatching units."""
from core.roles import Role
from core.generic import ScopedDetailView, ScopedFormView, ScopedListView, WorkflowActionView
from core.menu import OFFICIALS
from core.services import record_save
from core.workflow import transitions_for
from units import services
from units.choices import UNIT_WORKFLOW
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
    detail_fields = ["name", "kind", "credit_code", "status", "address", "contact_name", "contact_phone"]
    list_url_name = "units:list"
    edit_url_name = "units:edit"
    roles = VIEWERS
    # 停用/恢复 buttons for the city S&T bureau, the province and the administrator (units.choices.KEEPERS).
    workflow = UNIT_WORKFLOW
    action_url_name = "units:action"
    acts_with_view_scope = True

    def field_rows(self):
        rows = super().field_rows()
        if self.object.is_archived:
            last = transitions_for(self.object).filter(action="archive").order_by("-created_at", "-pk").first()
            if last is not None:
                rows.insert(4, ("停用理由", last.comment))
        return rows


class UnitActionView(WorkflowActionView):
    """POST 停用 (archive, with a reason) or 恢复 (restore): a workflow step, not an edit of the unit's record.

    The unit keeps its own contacts (``change`` scope is the unit's); archiving is the city S&T bureau's and the
    province's, so the service checks view scope and the step's roles instead of change scope.
    """

    model = DispatchingUnit
    workflow = UNIT_WORKFLOW

    def may_act_without_change(self, user, obj, action) -> bool:
        return True  # units.services.unit_transition checks scope and roles

    def apply(self, obj, action, comment):
        services.unit_transition(actor=self.request.user, unit=obj, action=action, comment=comment)


class UnitCreateView(ScopedFormView):
    form_class = DispatchingUnitForm
    title = "新增派出单位"
    roles = CREATORS
    breadcrumbs = [("派出单位", "/units/")]

    def save(self, form):
        return record_save(actor=self.request.user, instance=form.instance, create_roles=CREATORS, scoped_create=False)


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
        return record_save(actor=self.request.user, instance=form.instance, create_roles=CREATORS, scoped_create=False)
