"""Pages of registration (备案): submissions, their package and steps, the province's teams, the deadline dashboard."""
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from core.roles import Role, is_system_admin
from core.roles import ORGANIZERS  # the named role groups, declared once
from core.forms import error_text
from core.queries import related_count
from core.generic import PageMixin, ScopedDetailView, ScopedFormView, ScopedListView, _quote
from core.menu import OFFICIALS
from core.scoping import VIEW, get_for_user, restrict
from cycles.selectors import current_cycle
from cycles.models import Cycle
from matching.choices import LIVE_PAIRING_STATES
from matching.models import Pairing
from registrations import documents, selectors, services
from registrations.forms import ActionForm, ProvinceTeamForm, SubmissionForm
from registrations.models import RegistrationSubmission, SubmissionItem
from registrations.selectors import actions_for, deadline_dashboard, pairings_to_submit
from registrations.tables import SubmissionTable
from regions.models import Town
from teams.models import Team

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ACTION_LABELS = {"send": "报送", "resubmit": "修改后重新报送", "return": "退回修改", "confirm": "确认备案"}


class SubmissionListView(ScopedListView):
    model = RegistrationSubmission
    table_class = SubmissionTable
    title = "备案报送"
    roles = OFFICIALS
    filterset_fields = ["cycle", "recipient", "status"]
    search_fields = ["doc_number", "reference_number", "county__name"]
    create_url_name = "registrations:submission_create"
    create_roles = ORGANIZERS
    empty_text = "暂无备案报送。结对公示期满无异议后，组织单位可在此报送备案。"

    def base_queryset(self):
        return (RegistrationSubmission.objects.select_related("cycle", "county", "city")
                .annotate(pairing_count=related_count(SubmissionItem, "submission")).order_by("-created_at", "-pk"))


class SubmissionCreateView(ScopedFormView):
    form_class = SubmissionForm
    title = "新建备案报送"
    roles = ORGANIZERS
    submit_label = "保存（下一步生成材料并报送）"

    def get_cycle(self):
        return current_cycle(self.request)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["pairings"] = pairings_to_submit(self.request.user, self.get_cycle())
        kwargs["recipients"] = selectors.recipients_for_actor(self.request.user)
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if not context["form"].fields["pairings"].queryset.exists():
            context["form_notice"] = _nothing_ready(self.request.user, self.get_cycle())
            context["form_blocked"] = True
        return context

    def save(self, form):
        data = form.cleaned_data
        return services.submission_create(actor=self.request.user, cycle=self.get_cycle(), recipient=data["recipient"],
                                          pairings=list(data["pairings"]), doc_number=data["doc_number"],
                                          contact=data["contact"])


def _nothing_ready(user, cycle) -> str:
    """What the organizer is told when no pairing can be submitted yet, and what to do."""
    if cycle is None:
        return "当前没有进行中的帮扶周期。"
    counts = selectors.pairings_not_ready(user, cycle)
    parts = []
    for state, text in (("proposed", "%d 个拟结对尚未公示（请先在“公示”中发布结对名单）"),
                        ("on_notice", "%d 个结对正在公示（公示期满无异议后即可报送）"),
                        ("registered", "%d 个结对已备案"), ("active", "%d 个结对帮扶中")):
        if counts.get(state):
            parts.append(text % counts[state])
    if not parts:
        return "本周期暂无可报送的结对：结对须经遴选确定、公示期满无异议后，方可在此报送备案。"
    return "暂无可报送的结对（须公示期满无异议）。本单位本周期：" + "；".join(parts) + "。"


class SubmissionEditView(ScopedFormView):
    form_class = SubmissionForm
    model = RegistrationSubmission
    title = "修改备案报送"
    roles = ORGANIZERS

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        submission = kwargs.pop("instance")
        kwargs["pairings"] = pairings_to_submit(self.request.user, submission.cycle)
        kwargs["recipient_fixed"] = True
        kwargs["initial"] = {"recipient": submission.recipient, "doc_number": submission.doc_number,
                             "contact": submission.contact, "pairings": list(submission.pairings.all())}
        return kwargs

    def save(self, form):
        data = form.cleaned_data
        return services.submission_update(actor=self.request.user, submission=self.get_instance(),
                                          pairings=list(data["pairings"]), doc_number=data["doc_number"],
                                          contact=data["contact"])


class SubmissionDetailView(ScopedDetailView):
    model = RegistrationSubmission
    template_name = "registrations/submission_detail.html"
    detail_fields = ["cycle", "organizer_level", "county", "recipient", "status", "doc_number", "contact", "sent_on",
                     "confirmed_on", "reference_number", "confirmed_by", "return_comment"]
    list_url_name = "registrations:submission_list"
    list_title = "备案报送"
    roles = OFFICIALS

    def base_queryset(self):
        return RegistrationSubmission.objects.select_related("cycle", "city", "county", "confirmed_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        submission, user = self.object, self.request.user
        available = actions_for(user, submission)
        for step in context["transitions"]:
            step.action_label = ACTION_LABELS.get(step.action, step.action)
        context.update({
            "pairings": submission.pairings.select_related("town", "town__county", "team").order_by("town__code"),
            "available": [(name, ACTION_LABELS[name]) for name in available if name != "edit"],
            "can_edit": "edit" in available,
            "action_form": ActionForm(),
            "recipient_is_city": submission.recipient == "city",
        })
        return context


class SubmissionActionView(PageMixin, View):
    """POST one step (send, resubmit, return, confirm) with its data; the service checks and records it."""

    roles = ORGANIZERS | {Role.PROVINCE}

    def post(self, request, pk, action):
        submission = get_for_user(RegistrationSubmission.objects.all(), request.user, VIEW, pk=pk)
        if action not in ACTION_LABELS:
            raise Http404
        form = ActionForm(request.POST)
        if not form.is_valid():
            messages.error(request, "；".join("%s：%s" % (form.fields[f].label, "".join(e)) for f, e in form.errors.items()))
            return redirect(submission.get_absolute_url())
        data = form.cleaned_data
        try:
            result = services.submission_act(actor=request.user, submission=submission, action=action,
                                             comment=data["comment"], sent_on=data["sent_on"],
                                             confirmed_on=data["confirmed_on"],
                                             reference_number=data["reference_number"])
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, error_text(error))
        else:
            text = "已%s。" % ACTION_LABELS[action]
            registered = getattr(result, "registered_now", [])
            if registered:
                text += "%d个结对已完成全部备案，纳入广东省驻镇帮镇扶村农村科技特派员并开始帮扶。" % len(registered)
            messages.success(request, text)
        return redirect(submission.get_absolute_url())


class PackageView(PageMixin, View):
    """The package for the recipient: the team table (XLSX) or the cover letter (DOCX)."""

    roles = OFFICIALS

    def get(self, request, pk, kind):
        submission = get_for_user(RegistrationSubmission.objects.select_related("city", "county", "cycle"),
                                  request.user, VIEW, pk=pk)
        if kind == "table.xlsx":
            reveal = selectors.handles_submission(request.user, submission)
            content = documents.team_table_xlsx(submission, reveal_phones=reveal)
            name, mime = documents.table_title(submission), XLSX
            if reveal:  # the table carries the team people's phones in full: the download is logged
                from django.contrib.contenttypes.models import ContentType

                from core.models import SensitiveAccess

                SensitiveAccess.objects.create(
                    user=request.user, content_type=ContentType.objects.get_for_model(RegistrationSubmission),
                    object_id=str(submission.pk), field="phone", purpose="下载团队备案表（含团队成员联系电话）")
        elif kind == "letter.docx":
            content, name, mime = documents.cover_letter_docx(submission), documents.letter_title(submission), DOCX
        else:
            raise Http404
        response = HttpResponse(content, content_type=mime)
        response["Content-Disposition"] = "attachment; filename*=UTF-8''%s.%s" % (_quote(name), kind.rsplit(".", 1)[1])
        return response


class ProvinceTeamView(ScopedFormView):
    """The city records the team the province's own call sent to a province-organized town."""

    form_class = ProvinceTeamForm
    title = "登记省级组团帮扶镇的团队"
    roles = frozenset({Role.CITY_ST})
    submit_label = "登记"

    def get_cycle(self):
        return current_cycle(self.request)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        cycle = self.get_cycle()
        live = Pairing.objects.filter(cycle=cycle, status__in=LIVE_PAIRING_STATES)
        kwargs["towns"] = (restrict(Town.objects.filter(classifications__cycle=cycle,
                                                        classifications__organizing_level="province"), self.request.user)
                           .exclude(pk__in=live.values("town_id")).select_related("county").order_by("code"))
        kwargs["teams"] = Team.objects.filter(cycle=cycle).exclude(pk__in=live.values("team_id")).order_by("name")
        return kwargs

    def save(self, form):
        data = form.cleaned_data
        return services.province_team_record(actor=self.request.user, cycle=self.get_cycle(), town=data["town"],
                                             team=data["team"], status=data["status"], comment=data["comment"])

    def get_success_url(self):
        return reverse("registrations:dashboard") + "?cycle=%d" % self.object.cycle_id


class DashboardView(PageMixin, TemplateView):
    """选派进度: per organizer, towns to cover against the dispatch deadline."""

    template_name = "registrations/dashboard.html"
    title = "选派备案进度"
    roles = OFFICIALS

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        cycle = current_cycle(self.request)
        context.update({
            "cycle": cycle, "cycles": Cycle.objects.all(),
            "dashboard": deadline_dashboard(user=self.request.user, cycle=cycle) if cycle else None,
            "can_record_province": is_system_admin(self.request.user) or self.request.user.role == Role.CITY_ST,
        })
        return context
