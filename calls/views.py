"""Pages for calls (征集通知), the public call pages with leader sign-up, and applications (申报)."""
from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views import View
from django.views.generic import FormView

from core.roles import Role, is_system_admin
from core.roles import ORGANIZERS  # the named role groups, declared once
from calls import documents, selectors, services
from calls.choices import APPLICATION_WORKFLOW, CALL_WORKFLOW, EDITABLE_STATES, CallStatus
from calls.filters import ApplicationFilter, CallFilter
from calls.forms import (
    ApplicationForm, ApplicationTownForm, CallAmendForm, CallAttachmentForm, CallForm, LeaderSignupForm,
)
from calls.models import Application, ApplicationTown, Call, CallAttachment
from calls.tables import ApplicationTable, CallTable
from calls.uploads import CONTENT_TYPES
from core.files import file_response, serve_file
from core.forms import add_errors, error_text
from core.queries import related_count
from core.generic import (
    PageMixin, ScopedDetailView, ScopedFormView, ScopedListView, WorkflowActionView, _quote,
)
from core.menu import OFFICIALS, TEAMS
from core.scoping import CHANGE, VIEW, get_for_user
from cycles.selectors import current_cycle
from teams.selectors import memberships_for_team, team_leader

VIEWERS = OFFICIALS | TEAMS | {Role.UNIT, Role.TOWN}
APPLICATION_VIEWERS = OFFICIALS | TEAMS | {Role.UNIT}


def _bytes_response(content: bytes, filename: str, content_type: str):
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = "attachment; filename*=UTF-8''%s" % _quote(filename)
    return response


# --------------------------------------------------------------------------
# Calls (signed in)
# --------------------------------------------------------------------------

class CallListView(ScopedListView):
    model = Call
    table_class = CallTable
    filterset_class = CallFilter
    title = "征集通知"
    roles = VIEWERS
    search_fields = ["title", "doc_number"]
    create_url_name = "calls:call_create"
    create_roles = ORGANIZERS
    empty_text = "暂无征集通知。"

    def base_queryset(self):
        return Call.objects.select_related("county", "city", "cycle").annotate(
            application_count=related_count(Application, "call", ~Q(status="draft"))).order_by("-open_date", "-pk")


class CallDetailView(ScopedDetailView):
    model = Call
    template_name = "calls/call_detail.html"
    detail_fields = ["title", "doc_number", "issuer", "cycle", "organizer_level", "open_date", "close_date",
                     "contact", "status"]
    workflow = CALL_WORKFLOW
    action_url_name = "calls:call_action"
    list_url_name = "calls:call_list"
    list_title = "征集通知"
    edit_url_name = "calls:call_edit"
    roles = VIEWERS

    def base_queryset(self):
        return Call.objects.select_related("county", "city", "cycle")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        call, user = self.object, self.request.user
        if not context["can_change"]:
            context["actions"] = []
        own = None
        if user.role == Role.TEAM_LEADER and user.team_id:
            own = Application.objects.filter(call=call, team_id=user.team_id).first()
        context.update({
            "towns": selectors.towns_with_needs(call),
            "attachments": call.attachments.all(),
            "amendments": call.amendments.select_related("actor"),
            "is_draft": call.status == CallStatus.DRAFT,
            "own_application": own,
            "may_apply": user.role == Role.TEAM_LEADER and own is None and call.is_open
            and user.team and user.team.cycle_id == call.cycle_id,
            "applications": _visible_applications(call, user),
            "may_export": is_system_admin(user) or user.role in OFFICIALS,
        })
        return context


def _visible_applications(call, user):
    from core.scoping import restrict

    return (restrict(Application.objects.filter(call=call), user).select_related("team")
            .exclude(status="draft").order_by("pk"))


class CallCreateView(ScopedFormView):
    form_class = CallForm
    title = "发布征集通知"
    roles = ORGANIZERS
    breadcrumbs = [("征集通知", "/calls/")]
    submit_label = "保存草稿"

    def dispatch(self, request, *args, **kwargs):
        self.cycle = current_cycle(request)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["towns"] = services.organized_towns(self.request.user, self.cycle).select_related("county")
        return kwargs

    def get_title(self):
        return "%s（%s）" % (self.title, self.cycle)

    def save(self, form):
        data = dict(form.cleaned_data)
        towns = list(data.pop("towns"))
        return services.call_create(actor=self.request.user, cycle=self.cycle, towns=towns, **data)


class CallEditView(ScopedFormView):
    model = Call
    form_class = CallForm
    roles = ORGANIZERS
    submit_label = "保存"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        call = self.get_instance()
        kwargs["towns"] = services.organized_towns(self.request.user, call.cycle).select_related("county")
        return kwargs

    def get_title(self):
        return "编辑 %s" % self.get_instance()

    def save(self, form):
        data = dict(form.cleaned_data)
        towns = list(data.pop("towns"))
        call = Call.objects.get(pk=self.get_instance().pk)  # the form mutated the instance; the service re-applies
        return services.call_update(actor=self.request.user, call=call, towns=towns, **data)


class CallAmendView(ScopedFormView):
    form_class = CallAmendForm
    roles = ORGANIZERS

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.call = get_for_user(Call.objects.all(), request.user, CHANGE, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_title(self):
        return "变更或延期：%s" % self.call

    def get_initial(self):
        return {"close_date": self.call.close_date}

    def save(self, form):
        data = form.cleaned_data
        services.call_amend(actor=self.request.user, call=self.call, summary=data["summary"],
                            confirmed=data.get("confirm_short", False),
                            notice=data["notice"] or None, close_date=data["close_date"])
        return self.call


class CallAttachmentAddView(ScopedFormView):
    form_class = CallAttachmentForm
    roles = ORGANIZERS

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.call = get_for_user(Call.objects.all(), request.user, CHANGE, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_title(self):
        return "添加附件：%s" % self.call

    def save(self, form):
        services.call_attachment_add(actor=self.request.user, call=self.call, **form.cleaned_data)
        return self.call


class CallActionView(WorkflowActionView):
    model = Call
    workflow = CALL_WORKFLOW

    def apply(self, obj, action, comment):
        services.call_transition(actor=self.request.user, call=obj, action=action, comment=comment,
                                 confirmed=self.confirmed)


class CallSummaryView(PageMixin, View):
    """The call's summary table (汇总表) as XLSX, rows limited to the applications the user may see."""

    roles = OFFICIALS

    def get(self, request, pk):
        call = get_for_user(Call.objects.all(), request.user, VIEW, pk=pk)
        return _bytes_response(documents.call_summary_xlsx(call, request.user), "%s_申报汇总表.xlsx" % call.title,
                               "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


class AttachmentDownloadView(View):
    """A call's attachment: public once the call is published, else only to those who may see the call."""

    def get(self, request, pk):
        attachment = CallAttachment.objects.select_related("call").filter(pk=pk).first()
        if attachment is None:
            raise Http404
        if attachment.call.status != CallStatus.PUBLISHED:
            return serve_file(request, attachment, "file", filename=attachment.name)
        return file_response(attachment.file, attachment.name)  # published with the call: public


# --------------------------------------------------------------------------
# Public pages (no login)
# --------------------------------------------------------------------------

def public_call_list(request):
    return render(request, "calls/public_list.html", {"title": "公开征集", "calls": selectors.open_calls()})


def public_call_detail(request, pk):
    try:
        call = selectors.public_call(pk)
    except Call.DoesNotExist:
        raise Http404
    return render(request, "calls/public_detail.html", {
        "title": call.title, "call": call, "towns": selectors.towns_with_needs(call),
        "attachments": call.attachments.all(), "amendments": call.amendments.all(),
    })


class LeaderSignupView(FormView):
    """A team leader signs up from a call's public page and lands in the draft application."""

    form_class = LeaderSignupForm
    template_name = "calls/signup.html"

    def dispatch(self, request, *args, **kwargs):
        try:
            self.call = selectors.public_call(kwargs["pk"])
        except Call.DoesNotExist:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update({"call": self.call, "title": "团队负责人注册申报"})
        return context

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        for key in ("password2", "captcha"):
            data.pop(key, None)
        try:
            application = services.leader_signup(call=self.call, **data)
        except ValidationError as error:
            add_errors(form, error)
            return self.form_invalid(form)
        login(self.request, application.created_by, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(self.request, "注册成功。您现在可以填写申报；账号须经派出单位或组织单位核验后，申报方可受理。")
        return redirect(application.get_absolute_url())


# --------------------------------------------------------------------------
# Applications
# --------------------------------------------------------------------------

class ApplicationListView(ScopedListView):
    model = Application
    table_class = ApplicationTable
    filterset_class = ApplicationFilter
    title = "申报"
    roles = APPLICATION_VIEWERS
    search_fields = ["team__name", "call__title"]
    empty_text = "暂无申报。"

    def base_queryset(self):
        return selectors.with_elsewhere(Application.objects.select_related("team", "call", "team__lead_unit"))


class ApplicationDetailView(ScopedDetailView):
    model = Application
    template_name = "calls/application_detail.html"
    detail_fields = ["status", "submitted_at"]
    workflow = APPLICATION_WORKFLOW
    action_url_name = "calls:application_action"
    list_url_name = "calls:application_list"
    list_title = "申报"
    roles = APPLICATION_VIEWERS

    def base_queryset(self):
        return Application.objects.select_related("team", "team__lead_unit", "team__cycle", "call", "call__cycle")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        application, user = self.object, self.request.user
        if not context["can_change"]:
            context["actions"] = []
        editable = context["can_change"] and user.role == Role.TEAM_LEADER and application.status in EDITABLE_STATES
        leader = team_leader(application.team)
        context.update({
            "call": application.call,
            "team": application.team,
            "memberships": memberships_for_team(application.team),
            "towns": application.towns.select_related("town", "town__county").order_by("rank"),
            "editable": editable,
            "problems": services.application_problems(application) if editable else [],
            "return_comment": selectors.last_return_comment(application) if application.status == "returned" else "",
            "leader": leader,
            "may_verify_leader": leader is not None and leader.user_id and not leader.is_verified
            and user.role in {Role.CITY_ST, Role.COUNTY_ST, Role.UNIT} and _handles(user, leader),
            "requires_letter": application.call.cycle.require_recommendation_letter,
            "elsewhere": selectors.applications_elsewhere(application),
        })
        return context


def _handles(user, person):
    from teams.selectors import may_verify

    return may_verify(user, person)


class ApplicationStartView(PageMixin, View):
    """POST from a call page: a signed-in leader starts the team's application."""

    roles = frozenset({Role.TEAM_LEADER})

    def post(self, request, pk):
        call = get_for_user(Call.objects.all(), request.user, VIEW, pk=pk)
        try:
            application = services.application_start(actor=request.user, call=call)
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, error_text(error))
            return redirect(call.get_absolute_url())
        return redirect(application.get_absolute_url())


class ApplicationEditView(ScopedFormView):
    form_class = ApplicationForm
    roles = frozenset({Role.TEAM_LEADER})
    submit_label = "保存"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.application = get_for_user(Application.objects.select_related("call"), request.user, CHANGE,
                                            pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_title(self):
        return "填写申报：%s" % self.application.call

    def get_initial(self):
        return {"service_plan": self.application.service_plan}

    def save(self, form):
        return services.application_update(actor=self.request.user, application=self.application, **form.cleaned_data)


class ApplicationTownAddView(ScopedFormView):
    form_class = ApplicationTownForm
    roles = frozenset({Role.TEAM_LEADER})
    submit_label = "添加"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.application = get_for_user(Application.objects.select_related("call"), request.user, CHANGE,
                                            pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["towns"] = self.application.call.towns.select_related("county").order_by("code")
        return kwargs

    def get_initial(self):
        return {"rank": self.application.towns.count() + 1}

    def get_title(self):
        return "添加意向镇"

    def save(self, form):
        services.application_town_add(actor=self.request.user, application=self.application, **form.cleaned_data)
        return self.application


class ApplicationTownRemoveView(PageMixin, View):
    roles = frozenset({Role.TEAM_LEADER})

    def post(self, request, pk, row):
        application = get_for_user(Application.objects.all(), request.user, CHANGE, pk=pk)
        town_row = ApplicationTown.objects.filter(application=application, pk=row).first()
        if town_row is None:
            raise Http404
        try:
            services.application_town_remove(actor=request.user, row=town_row)
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, error_text(error))
        return redirect(application.get_absolute_url())


class ApplicationActionView(WorkflowActionView):
    model = Application
    workflow = APPLICATION_WORKFLOW

    def apply(self, obj, action, comment):
        if action not in self.workflow:
            raise ValidationError("未知操作。")
        services.application_act(actor=self.request.user, application=obj, action=action, comment=comment,
                                 confirmed=self.confirmed)


FILE_FIELDS = {"unit_endorsement": "派出单位推荐意见", "recommendation_letter": "驻镇工作队队长推荐函"}


class ApplicationFileView(PageMixin, View):
    """An application's uploaded file, to those who may see the application."""

    roles = APPLICATION_VIEWERS

    def get(self, request, pk, field):
        application = get_for_user(Application.objects.select_related("team"), request.user, VIEW, pk=pk)
        if field in FILE_FIELDS:
            return serve_file(request, application, field,
                              filename="%s_%s" % (application.team.name, FILE_FIELDS[field]))
        if field.startswith("evidence-") and field[9:].isdigit():
            row = ApplicationTown.objects.filter(application=application, pk=int(field[9:])).select_related("town").first()
            if row is not None:
                return serve_file(request, row, "evidence",
                                  filename="%s_%s_佐证材料" % (application.team.name, row.town.name))
        raise Http404


class ApplicationPrintView(PageMixin, View):
    """The application form (申请表) as PDF or DOCX."""

    roles = APPLICATION_VIEWERS

    def get(self, request, pk, fmt):
        application = get_for_user(Application.objects.select_related("team", "call"), request.user, VIEW, pk=pk)
        name = "%s_申请表" % application.team.name
        if fmt == "pdf":
            return _bytes_response(documents.application_pdf(application), name + ".pdf", "application/pdf")
        if fmt == "docx":
            return _bytes_response(documents.application_docx(application), name + ".docx", CONTENT_TYPES["docx"])
        raise Http404
