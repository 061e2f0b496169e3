"""Pages of public notices and objections: official pages and public pages (no login)."""
import django_filters
import django_tables2 as tables
from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
import hashlib

from django.core.cache import cache
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from core.roles import Role
from core.roles import ORGANIZERS  # the named role groups, declared once
from core.china import mask_phone
from core.files import file_response, serve_file
from core.forms import add_errors, error_text
from core.queries import related_count
from core.generic import PageMixin, ScopedDetailView, ScopedFormView, ScopedListView, WorkflowActionView
from core.menu import OFFICIALS
from core.models import SensitiveAccess
from core.scoping import CHANGE, VIEW, can, get_for_user, restrict
from cycles.selectors import current_cycle
from matching.models import Pairing
from notices import services
from notices.choices import NOTICE_WORKFLOW, OBJECTION_WORKFLOW, NoticeStatus
from notices.selectors import entries_as_shown, with_effective_state
from notices.forms import NoticeForm, ObjectionForm, ReceiptForm
from notices.models import NoticeEntry, Objection, PublicNotice



def mask_name(name: str) -> str:
    return (name[:1] + "*" * max(len(name) - 1, 1)) if name else ""


class NoticeTable(tables.Table):
    title = tables.Column(linkify=True)
    # The effective status (``notices.selectors``): a notice past its period reads as closed before the job runs.
    status = tables.Column(verbose_name="状态", accessor="current_status")
    entry_count = tables.Column(verbose_name="团队数")
    objection_count = tables.Column(verbose_name="异议")

    class Meta:
        model = PublicNotice
        fields = ["title", "doc_number", "issuer", "first_day", "last_day", "status", "entry_count", "objection_count"]
        attrs = {"class": "table table-sm table-hover align-middle"}

    def render_status(self, value):
        return NoticeStatus(value).label

    def value_status(self, value):
        return NoticeStatus(value).label


class NoticeFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label="状态", field_name="current_status", choices=NoticeStatus.choices)

    class Meta:
        model = PublicNotice
        fields = []


class ObjectionTable(tables.Table):
    receipt_number = tables.Column(linkify=True)
    team = tables.Column(verbose_name="异议对象", accessor="entry__team_name")
    notice = tables.Column(verbose_name="公示", accessor="notice__title")
    name = tables.Column(verbose_name="异议人")

    class Meta:
        model = Objection
        fields = ["receipt_number", "team", "notice", "name", "status", "created_at"]
        attrs = {"class": "table table-sm table-hover align-middle"}

    def render_name(self, value):
        return mask_name(value)

    def value_name(self, value):
        return mask_name(value)


class NoticeListView(ScopedListView):
    model = PublicNotice
    table_class = NoticeTable
    title = "公示"
    roles = OFFICIALS
    filterset_class = NoticeFilter
    search_fields = ["title", "doc_number"]
    create_url_name = "notices:notice_create"
    create_roles = ORGANIZERS
    empty_text = "暂无公示。遴选确定后，组织单位可对拟结对团队发布公示。"

    def base_queryset(self):
        # The objection count counts only the objections the user may read (a county reads the city's notice, not
        # the objections to it).
        readable = restrict(Objection.objects.all(), self.request.user).values("pk")
        notices = PublicNotice.objects.annotate(entry_count=related_count(NoticeEntry, "notice"),
                                                objection_count=related_count(Objection, "notice", Q(pk__in=readable)))
        return with_effective_state(notices).order_by("-start_date", "-pk")

    def get_queryset(self):
        return super().get_queryset().distinct()


class NoticeCreateView(ScopedFormView):
    form_class = NoticeForm
    title = "拟定公示"
    roles = ORGANIZERS
    breadcrumbs = [("公示", "/notices/")]

    def dispatch(self, request, *args, **kwargs):
        self.cycle = current_cycle(request)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["pairings"] = services.pairings_ready_for_notice(self.request.user, self.cycle)
        return kwargs

    def get_initial(self):
        user = self.request.user
        place = user.county.name if user.county_id else (user.city.name if user.city_id else "")
        return {"title": "%s农村科技特派员驻镇帮镇扶村团队选派名单公示" % place, "start_date": timezone.localdate(),
                "working_days": self.cycle.notice_working_days if self.cycle else 5}

    def save(self, form):
        """A draft: the organizer reads it over on its page, then publishes it with the 发布公示 button."""
        data = form.cleaned_data
        notice = services.notice_prepare(actor=self.request.user, cycle=self.cycle, pairings=data["pairings"],
                                         title=data["title"], start_date=data["start_date"], contact=data["contact"],
                                         doc_number=data["doc_number"], body=data["body"],
                                         working_days=data["working_days"])
        return notice

    success_message = "公示草稿已保存（尚未公开）。请核对名单和公示期，确认无误后点击“发布公示”。"


class NoticeDetailView(ScopedDetailView):
    model = PublicNotice
    template_name = "notices/notice_detail.html"
    detail_fields = ["doc_number", "issuer", "first_day", "last_day", "working_days", "status", "contact"]
    list_url_name = "notices:notice_list"
    roles = OFFICIALS
    workflow = NOTICE_WORKFLOW
    action_url_name = "notices:notice_action"

    def get_object(self, queryset=None):
        # Read only: the effective status shows a due notice as closed; the scheduled job records the closing.
        return get_for_user(with_effective_state(PublicNotice.objects.distinct()), self.request.user, VIEW,
                            pk=self.kwargs["pk"])

    def field_rows(self):
        rows = super().field_rows()
        label = PublicNotice._meta.get_field("status").verbose_name
        return [(name, self.object.get_effective_status_display() if name == label else value) for name, value in rows]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        notice = self.object
        entries = entries_as_shown(notice)
        replaced = [e.pairing for e in entries if e.outcome == "removed"]
        context.update({
            "entries": entries,
            "objections": restrict(notice.objections.select_related("entry"), self.request.user).order_by("-created_at"),
            "can_handle": can(self.request.user, notice, CHANGE),
            "replacements": [(p, services.replacement_candidates(p), p.replaced_by.first()) for p in replaced],
        })
        return context


class ObjectionListView(ScopedListView):
    model = Objection
    table_class = ObjectionTable
    title = "异议"
    roles = OFFICIALS
    filterset_fields = ["status"]
    search_fields = ["receipt_number", "entry__team_name"]
    empty_text = "暂无异议。"

    def base_queryset(self):
        return Objection.objects.select_related("notice", "entry").order_by("-created_at")


class ObjectionDetailView(ScopedDetailView):
    model = Objection
    template_name = "notices/objection_detail.html"
    detail_fields = ["receipt_number", "entry", "grounds", "status", "finding", "handled_by", "handled_at", "created_at"]
    workflow = OBJECTION_WORKFLOW
    action_url_name = "notices:objection_action"
    list_url_name = "notices:objection_list"
    roles = OFFICIALS

    def base_queryset(self):
        return Objection.objects.select_related("notice", "entry")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        objection, user = self.object, self.request.user
        handling = context["handling"] = can(user, objection, CHANGE)
        if handling:
            # The handling officials see the objector's identity; each such view is logged.
            SensitiveAccess.objects.create(user=user, content_type=ContentType.objects.get_for_model(Objection),
                                           object_id=str(objection.pk), field="name,phone", purpose="异议处理")
            context["objector"] = (objection.name, objection.phone)
        else:
            context["objector"] = (mask_name(objection.name), mask_phone(objection.phone))
        context["history"] = []  # the objector's identity stays out of the shared history tab
        return context


def _evidence_name(objection) -> str:
    return "异议证明材料_%s" % objection.receipt_number


class ObjectionEvidenceView(PageMixin, View):
    """The objection's evidence file, to the officials handling the objection (as for the objector's identity;
    each download is logged). Officials who only read the notice see that evidence exists, not the file."""

    roles = OFFICIALS

    def get(self, request, pk):
        objection = get_object_or_404(Objection, pk=pk)
        response = serve_file(request, objection, "evidence", filename=_evidence_name(objection), action=CHANGE)
        SensitiveAccess.objects.create(user=request.user, content_type=ContentType.objects.get_for_model(Objection),
                                       object_id=str(objection.pk), field="evidence", purpose="异议证明材料")
        return response


class ObjectionActionView(WorkflowActionView):
    model = Objection
    workflow = OBJECTION_WORKFLOW

    def apply(self, obj, action, comment):
        services.objection_handle(actor=self.request.user, objection=obj, action=action, finding=comment)


class ReplacementView(PageMixin, View):
    roles = ORGANIZERS

    def post(self, request, pk):
        pairing = get_for_user(Pairing.objects.select_related("town"), request.user, VIEW, pk=pk)
        try:
            services.replacement_propose(actor=request.user, pairing=pairing, team_id=request.POST.get("team"))
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, "已确定%s的递补团队，请对递补团队另行公示。" % pairing.town.name)
        return redirect(request.META.get("HTTP_REFERER") or reverse("notices:notice_list"))


# ---------------------------------------------------------------- public pages (no login)


class NoticeActionView(WorkflowActionView):
    """发布公示: the organizer publishes its draft (the other steps of a notice are the system's)."""

    model = PublicNotice
    workflow = NOTICE_WORKFLOW

    def apply(self, obj, action, comment):
        if action != "publish":
            raise ValidationError("未知操作。")
        services.notice_release(actor=self.request.user, notice=obj, comment=comment)


def _public_notices():
    """What the public may see: published notices, never a draft."""
    return PublicNotice.objects.exclude(status=NoticeStatus.DRAFT)


def public_list(request):
    """Current and past notices, phone-friendly, no login. Read only: a due notice shows as closed (its effective
    status); the scheduled job ``close_due_notices`` records the closing."""
    from django.core.paginator import Paginator

    now = timezone.now()
    notices = with_effective_state(_public_notices(), now).order_by("-start_date", "-pk")
    # Those in their period all shown (a few at a time in any region); the past ones 20 a page.
    current = list(notices.filter(current_status=NoticeStatus.PUBLISHED))
    past = Paginator(notices.exclude(current_status=NoticeStatus.PUBLISHED), 20).get_page(request.GET.get("page"))
    return render(request, "notices/public_list.html", {"current": current, "past": past, "title": "公示公告"})


def _client_ip(request):
    from accounts.throttle import client_ip  # the one place that decides the real client address

    return client_ip(request)


def public_detail(request, pk):
    """The notice, its list and result, and the objection form while the period runs. A GET writes nothing: the
    page shows the effective status; a POST after the end is refused (the objection service says why)."""
    now = timezone.now()
    notice = get_object_or_404(with_effective_state(_public_notices(), now), pk=pk)
    status = notice.effective_status(now)
    open_for_objections = notice.open_for_objections(now)
    form = ObjectionForm(request.POST or None, request.FILES or None, notice=notice) if open_for_objections else None
    receipt = None
    if request.method == "POST":
        if not open_for_objections:
            messages.error(request, "公示期已于%s 24时结束，不再受理异议。" % notice.last_day)
        elif form.is_valid():
            data = form.cleaned_data
            try:
                receipt = services.objection_file(notice=notice, entry=data["entry"], name=data["name"], phone=data["phone"],
                                                  grounds=data["grounds"], evidence=data.get("evidence"),
                                                  ip=_client_ip(request))
            except ValidationError as error:
                add_errors(form, error)
            else:
                form = ObjectionForm(notice=notice)
    entries = entries_as_shown(notice, status)
    return render(request, "notices/public_detail.html", {
        "notice": notice, "entries": entries, "form": form, "receipt": receipt, "status": status,
        "open_for_objections": open_for_objections, "title": notice.title,
        "cleared": [e for e in entries if e.shown_outcome == "cleared"] if status == NoticeStatus.CLOSED else None,
    })


def public_pdf(request, pk):
    """The notice as a printable PDF (public, like the page)."""
    from django.http import HttpResponse

    from notices.documents import notice_pdf

    notice = get_object_or_404(_public_notices(), pk=pk)
    response = HttpResponse(notice_pdf(notice), content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="notice-%d.pdf"' % notice.pk
    return response


# A receipt look-up is a yes/no test of a (receipt number, phone) guess: misses are counted per receipt number and
# per address, so nobody who sees a masked phone can find the rest by trying (10⁴ guesses).
RECEIPT_MISSES = (5, 3600)  # per receipt number per hour
RECEIPT_MISSES_PER_ADDRESS = (20, 3600)


class TooManyTries(Exception):
    pass


def _misses_key(kind: str, value: str) -> str:
    return "receipt-miss:%s:%s" % (kind, hashlib.sha256(value.encode()).hexdigest()[:32])


def _objection_by_receipt(form, request):
    """The objection whose receipt number and phone the filer gave, or None; TooManyTries after too many misses."""
    if not form.is_valid():
        return None
    number = form.cleaned_data["receipt_number"].strip().upper()
    keys = [(_misses_key("number", number), RECEIPT_MISSES[0]),
            (_misses_key("ip", services.client_fingerprint(_client_ip(request))), RECEIPT_MISSES_PER_ADDRESS[0])]
    if any(cache.get(key, 0) >= limit for key, limit in keys):
        raise TooManyTries
    objection = Objection.objects.select_related("entry", "notice").filter(
        receipt_number=number, phone=form.cleaned_data["phone"].strip()).first()
    if objection is None:
        for key, _limit in keys:
            if cache.add(key, 1, RECEIPT_MISSES[1]) is False:
                try:
                    cache.incr(key)
                except ValueError:
                    cache.set(key, 1, RECEIPT_MISSES[1])
    return objection


def public_receipt(request):
    """The filer reads the outcome with the receipt number and the phone given."""
    form = ReceiptForm(request.POST or None)
    objection = None
    if request.method == "POST" and form.is_valid():
        try:
            objection = _objection_by_receipt(form, request)
        except TooManyTries:
            form.add_error(None, "查询失败次数过多，请1小时后再试，或电话联系公示单位。")
        else:
            if objection is None:
                form.add_error(None, "未找到该回执号，或联系电话不一致。")
    return render(request, "notices/public_receipt.html", {"form": form, "objection": objection, "title": "异议处理结果查询"})


def public_receipt_evidence(request):
    """The filer's own evidence file: only for a POST proving the receipt number and phone; otherwise 404."""
    if request.method != "POST":
        raise Http404
    try:
        objection = _objection_by_receipt(ReceiptForm(request.POST), request)
    except TooManyTries:
        raise Http404
    if objection is None or not objection.evidence:
        raise Http404
    SensitiveAccess.objects.create(user=None, content_type=ContentType.objects.get_for_model(Objection),
                                   object_id=str(objection.pk), field="evidence",
                                   purpose="公众凭回执号和电话下载证明材料（来源 %s）"
                                   % services.client_fingerprint(_client_ip(request))[:12])
    return file_response(objection.evidence, _evidence_name(objection))
