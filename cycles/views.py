"""Pages for programme cycles."""

from core.roles import Role
from core.generic import ScopedDetailView, ScopedFormView, ScopedListView, WorkflowActionView
from core.scoping import VIEW, get_for_user
from core.services import record_save
from cycles import services
from cycles.choices import CYCLE_WORKFLOW
from cycles.forms import RULE_FIELDS, CycleCopyForm, CycleForm
from cycles.models import Cycle
from cycles.tables import CycleTable

CITY = frozenset({Role.CITY_ST})


class CycleListView(ScopedListView):
    model = Cycle
    table_class = CycleTable
    title = "帮扶周期"
    search_fields = ["name"]
    filterset_fields = ["status"]
    create_url_name = "cycles:create"
    create_roles = CITY


class CycleDetailView(ScopedDetailView):
    model = Cycle
    template_name = "cycles/cycle_detail.html"
    detail_fields = [name for name in RULE_FIELDS if name != "name"]
    list_url_name = "cycles:list"
    edit_url_name = "cycles:edit"
    workflow = CYCLE_WORKFLOW
    action_url_name = "cycles:action"


class CycleActionView(WorkflowActionView):
    model = Cycle
    workflow = CYCLE_WORKFLOW

    def apply(self, obj, action, comment):
        services.cycle_transition(actor=self.request.user, cycle=obj, action=action, comment=comment)


class CycleCreateView(ScopedFormView):
    form_class = CycleForm
    title = "新建帮扶周期"
    roles = CITY
    breadcrumbs = [("帮扶周期", "/cycles/")]

    def save(self, form):
        return record_save(actor=self.request.user, instance=form.instance, create_roles=CITY)


class CycleEditView(ScopedFormView):
    model = Cycle
    form_class = CycleForm
    roles = CITY

    def get_title(self):
        return "编辑 %s" % self.get_instance()

    def save(self, form):
        return record_save(actor=self.request.user, instance=form.instance, create_roles=CITY)


class CycleCopyView(ScopedFormView):
    form_class = CycleCopyForm
    roles = CITY

    def dispatch(self, request, *args, **kwargs):
        self.source = get_for_user(Cycle, request.user, VIEW, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_title(self):
        return "以“%s”为基础新建周期" % self.source

    def save(self, form):
        return services.cycle_copy(actor=self.request.user, source=self.source, **form.cleaned_data)
