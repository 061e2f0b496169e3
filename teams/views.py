"""Pages for the commissioner registry (特派员库) and teams."""
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.views import View

from core.roles import Role, is_system_admin
from core.china import mask_phone
from core.queries import related_count
from core.generic import ImportView, PageMixin, ScopedDetailView, ScopedFormView, ScopedListView
from core.menu import OFFICIALS, TEAMS
from core.scoping import CHANGE, VIEW, can, get_for_user, restrict
from cycles.selectors import current_cycle
from teams import services
from teams.filters import CommissionerFilter, TeamFilter
from teams.forms import CommissionerEditForm, MemberAddForm, PersonForm, TeamForm
from teams.models import Commissioner, Team, TeamMembership
from teams.selectors import (commissioner_id_number, handles_commissioner, log_unmasked, may_verify,
                             memberships_for_team, sees_phone, team_locked)
from teams.tables import CommissionerTable, TeamTable
from units.models import DispatchingUnit

VIEWERS = OFFICIALS | TEAMS | {Role.UNIT}
# The town of an active pairing opens its team's people (phones included).
PERSON_VIEWERS = VIEWERS | {Role.TOWN}
REGISTRARS = frozenset({Role.CITY_ST, Role.COUNTY_ST, Role.UNIT})
PERSON_KEYS = ["name", "gender", "phone", "unit", "title", "title_level", "education", "specialty",
               "expertise_keywords", "bio", "in_work_team"]


class CommissionerListView(ScopedListView):
    model = Commissioner
    table_class = CommissionerTable
    filterset_class = CommissionerFilter
    title = "特派员库"
    roles = VIEWERS
    search_fields = ["name", "specialty", "expertise_keywords", "unit__name"]
    search_placeholder = "姓名、专业或专长"
    create_url_name = "teams:commissioner_create"
    create_roles = REGISTRARS
    import_url_name = "teams:commissioner_import"
    import_roles = services.IMPORTERS
    empty_text = "特派员库暂无记录。派出单位可登记或导入本单位人员。"

    def base_queryset(self):
        return Commissioner.objects.select_related("unit")


class CommissionerDetailView(ScopedDetailView):
    model = Commissioner
    template_name = "teams/commissioner_detail.html"
    detail_fields = ["name", "gender", "id_number_masked", "phone", "unit", "title", "title_level", "education",
                     "specialty", "expertise_keywords", "bio", "in_work_team", "verified_at"]
    list_url_name = "teams:commissioner_list"
    list_title = "特派员库"
    edit_url_name = "teams:commissioner_edit"
    roles = PERSON_VIEWERS

    def base_queryset(self):
        return Commissioner.objects.select_related("unit", "user", "verified_by")

    def field_rows(self):
        """The mobile number (and the account name made from it) masked unless this user may see it."""
        person, user = self.object, self.request.user
        phone_visible = sees_phone(user, person)
        if phone_visible and person.phone:
            log_unmasked(user=user, commissioner=person, field="phone", purpose="详情页查看")
        self.phone_visible = phone_visible
        rows = super().field_rows()
        if not phone_visible:
            label = Commissioner._meta.get_field("phone").verbose_name
            rows = [(name, mask_phone(value) if name == label else value) for name, value in rows]
        return rows

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, person = self.request.user, self.object
        context["phone_visible"] = getattr(self, "phone_visible", sees_phone(user, person))
        if person.user_id:
            username = person.user.username
            # Member accounts are named after the mobile number ("tp" + number): masked with it.
            hidden = not context["phone_visible"] and username.startswith("tp") and username[2:].isdigit()
            context["account_name"] = "tp" + mask_phone(username[2:]) if hidden else username
        may_reveal = handles_commissioner(user, person)
        context["may_reveal"] = may_reveal
        if may_reveal and self.request.GET.get("reveal") == "id_number":
            context["id_number"] = commissioner_id_number(user=user, commissioner=person, purpose="详情页查看")
        context["may_verify"] = (not person.is_verified and person.user_id and person.user_id != user.pk
                                 and user.role in {Role.UNIT, Role.CITY_ST, Role.COUNTY_ST} and may_verify(user, person))
        memberships = list(TeamMembership.objects.filter(commissioner=person).select_related("team", "cycle"))
        context["memberships"] = memberships
        # A team's page is linked only for who may open it (the paired town reads the people, not the team's page).
        context["viewable_teams"] = set(restrict(Team.objects.filter(pk__in=[m.team_id for m in memberships]), user)
                                        .values_list("pk", flat=True))
        return context


class CommissionerCreateView(ScopedFormView):
    form_class = PersonForm
    title = "登记特派员"
    roles = REGISTRARS
    breadcrumbs = [("特派员库", "/teams/commissioners/")]

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        form.fields["unit"].queryset = restrict(DispatchingUnit.objects.active(), self.request.user)
        return form

    def save(self, form):
        data = form.cleaned_data
        return services.commissioner_create(actor=self.request.user, id_number=data["id_number"],
                                            **{key: data[key] for key in PERSON_KEYS})


class CommissionerEditView(ScopedFormView):
    model = Commissioner
    form_class = CommissionerEditForm
    roles = VIEWERS

    def get_title(self):
        return "编辑 %s" % self.get_instance()

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        user, person = self.request.user, self.get_instance()
        if not (is_system_admin(user) or user.role == Role.UNIT or person.user_id == user.pk):
            for name in services.IDENTITY_FIELDS:
                if name in form.fields:
                    form.fields[name].disabled = True
                    form.fields[name].help_text = "只能由本人或其派出单位修改。"
        return form

    def save(self, form):
        return services.commissioner_update(actor=self.request.user, commissioner=self.get_instance(),
                                            **form.cleaned_data)


class CommissionerVerifyView(PageMixin, View):
    """POST: the dispatching unit or the organizer confirms a self-registered person's account."""

    roles = frozenset({Role.UNIT, Role.CITY_ST, Role.COUNTY_ST})

    def post(self, request, pk):
        person = get_for_user(Commissioner.objects.all(), request.user, VIEW, pk=pk)
        try:
            services.commissioner_verify(actor=request.user, commissioner=person)
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, "；".join(getattr(error, "messages", [str(error)])))
        else:
            messages.success(request, "已核验%s的账号。" % person.name)
        return redirect(request.POST.get("next") or person.get_absolute_url())


class CommissionerImportView(ImportView):
    title = "导入特派员"
    roles = services.IMPORTERS
    template_title = "特派员导入模板"
    instructions = [
        "每行一人；身份证号码须为18位有效号码，请把该列设为文本格式。",
        "派出单位须为平台已登记的单位全称；派出单位用户只能导入本单位人员。",
        "全部行校验通过才保存；任何一行有误，都不保存。导入不开通账号。",
    ]
    success_url_name = "teams:commissioner_list"
    breadcrumbs = [("特派员库", "/teams/commissioners/")]

    def get_columns(self):
        return services.commissioner_columns()

    def run_import(self, upload):
        return services.commissioners_import(actor=self.request.user, file=upload, filename=upload.name)


class TeamListView(ScopedListView):
    model = Team
    table_class = TeamTable
    filterset_class = TeamFilter
    title = "特派员团队"
    roles = VIEWERS
    search_fields = ["name", "leader_name", "lead_unit__name", "expertise_summary", "research_directions"]
    import_url_name = "teams:team_import"
    import_roles = services.TEAM_IMPORTERS
    empty_text = "暂无团队。团队负责人可在征集通知公开页面注册申报。"

    def base_queryset(self):
        # Explicit: an aggregate drops Meta.ordering, and a page of an unordered list is not stable.
        return (Team.objects.select_related("lead_unit", "cycle")
                .annotate(member_count=related_count(TeamMembership, "team")).order_by("name", "pk"))


class TeamDetailView(ScopedDetailView):
    model = Team
    template_name = "teams/team_detail.html"
    detail_fields = ["name", "cycle", "lead_unit", "leader_name", "summary", "expertise_summary",
                     "research_directions"]
    list_url_name = "teams:team_list"
    list_title = "特派员团队"
    edit_url_name = "teams:team_edit"
    roles = VIEWERS

    def field_rows(self):
        return super().field_rows() + [("可提供的服务类型", self.object.service_types_display),
                                       ("专长对应的产业问题", self.problems() or "—")]

    def problems(self) -> str:
        """The problems the team's texts name (by the taxonomy's disciplinary terms), as matching finds them."""
        from needs.taxonomy import current_taxonomy

        team = self.object
        text = "。".join([team.name, team.summary, team.expertise_summary, team.research_directions])
        found = current_taxonomy().problem_index.find(text)
        return "、".join(dict.fromkeys(finding.problem for finding in found))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        team, user = self.object, self.request.user
        context["memberships"] = memberships_for_team(team)
        context["can_manage"] = can(user, team, CHANGE) and not team_locked(team)
        context["locked"] = team_locked(team)
        # The team's applications through the reverse relation (calls sits above teams and is not imported).
        context["applications"] = restrict(team.applications.all(), user).select_related("call")
        cycle = team.cycle
        context["size_rule"] = "%d–%d 人（含负责人）" % (cycle.team_size_min, cycle.team_size_max)
        return context


class TeamEditView(ScopedFormView):
    model = Team
    form_class = TeamForm
    roles = frozenset({Role.TEAM_LEADER})

    def get_title(self):
        return "编辑团队 %s" % self.get_instance()

    def save(self, form):
        return services.team_update(actor=self.request.user, team=self.get_instance(), **form.cleaned_data)


class MemberAddView(ScopedFormView):
    form_class = MemberAddForm
    roles = frozenset({Role.TEAM_LEADER})

    def dispatch(self, request, *args, **kwargs):
        self.team = get_for_user(Team.objects.all(), request.user, CHANGE, pk=kwargs["pk"]) \
            if request.user.is_authenticated else None
        return super().dispatch(request, *args, **kwargs)

    def get_title(self):
        return "%s · 添加成员" % self.team

    def save(self, form):
        data = form.cleaned_data
        membership, password = services.team_member_add(
            actor=self.request.user, team=self.team, id_number=data["id_number"],
            create_account=data["create_account"], **{key: data[key] for key in PERSON_KEYS})
        if password:
            messages.info(self.request, "已为%s开通账号：用户名 %s，初始密码 %s（首次登录须修改，请妥善转告）。" % (
                membership.commissioner.name, membership.commissioner.user.username, password))
        return self.team


class MemberRemoveView(PageMixin, View):
    roles = frozenset({Role.TEAM_LEADER})

    def post(self, request, pk, membership):
        team = get_for_user(Team.objects.all(), request.user, CHANGE, pk=pk)
        row = get_for_user(TeamMembership.objects.filter(team=team), request.user, CHANGE, pk=membership)
        try:
            services.team_member_remove(actor=request.user, membership=row)
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, "；".join(getattr(error, "messages", [str(error)])))
        else:
            messages.success(request, "已移除%s。" % row.commissioner.name)
        return redirect(team.get_absolute_url())


class TeamImportView(ImportView):
    title = "导入团队"
    roles = services.TEAM_IMPORTERS
    template_title = "团队导入模板"
    instructions = [
        "每行一个团队；负责人和成员须已在特派员库中登记（可先导入特派员）。",
        "人数（含负责人）须符合本周期要求；同一人不能出现在两个团队中。",
        "导入到当前帮扶周期；全部行校验通过才保存，任何一行有误都不保存。导入不开通账号。",
    ]
    success_url_name = "teams:team_list"
    breadcrumbs = [("特派员团队", "/teams/")]

    def dispatch(self, request, *args, **kwargs):
        self.cycle = current_cycle(request)
        return super().dispatch(request, *args, **kwargs)

    def get_title(self):
        return "%s（%s）" % (self.title, self.cycle)

    def get_columns(self):
        return services.team_columns()

    def run_import(self, upload):
        return services.teams_import(actor=self.request.user, cycle=self.cycle, file=upload, filename=upload.name)
