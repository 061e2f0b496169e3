"""Pages of the service activities (服务活动) and their photos, and the activity photo gallery.

Thin views over :mod:`fieldwork.services`: the list (a team sees its own with what waits, a town's work team ticks
the rows of its town awaiting confirmation and confirms them at once), the phone-first form (offline tolerant:
``static/js/offline_form.js`` keeps a draft in the browser and submits it when back online; the idempotency key makes
a repeat one record), the detail with its workflow steps and photos, the scoped photo files and the gallery. Every
read goes through ``core.scoping`` (out of scope is 404); every write is a service call.
"""
from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.generic import TemplateView

from core import idempotency
from core.files import serve_file
from core.forms import error_text
from core.generic import PageMixin, ScopedDetailView, ScopedFormView, ScopedListView, WorkflowActionView, \
    read_only_reason
from core.roles import OFFICIAL_ROLES, TEAM_ROLES, Role, is_system_admin
from core.scoping import CHANGE, VIEW, get_for_user, restrict
from fieldwork import selectors, services
from fieldwork.choices import ACTIVITY_WORKFLOW, PHOTOS_MAX, RecordStatus
from fieldwork.filters_activities import ActivityFilter, GalleryFilter
from fieldwork.forms_activities import ActivityForm, PhotoAddForm
from fieldwork.models import Activity, ActivityPhoto, Task
from fieldwork.selectors import OPEN_TASK_STATES
from fieldwork.tables_activities import ActivityTable, status_badge
from regions.models import Village

VIEWERS = OFFICIAL_ROLES | TEAM_ROLES | {Role.TOWN, Role.UNIT}
EDITABLE = (RecordStatus.SUBMITTED, RecordStatus.QUERIED)
GALLERY_PAGE = 24


def _team_edits(user, activity) -> bool:
    """The team that logged it may still change it (add or delete photos, edit) while it awaits confirmation."""
    return (is_system_admin(user) or (user.role in TEAM_ROLES and user.team_id == activity.team_id)) and \
        activity.status in EDITABLE


def _back(request, fallback: str) -> str:
    """Where a POST returns to: the page it came from on this site (the list with its filters), else ``fallback``."""
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return fallback


# --------------------------------------------------------------------------
# The list and the bulk confirmation
# --------------------------------------------------------------------------

class ActivityListView(ScopedListView):
    model = Activity
    table_class = ActivityTable
    filterset_class = ActivityFilter
    template_name = "fieldwork/activity_list.html"
    title = "服务活动"
    roles = VIEWERS
    search_fields = ["title"]
    search_placeholder = "活动名称"
    export_filename = "服务活动"
    card_title_column = "title"
    empty_text = "暂无服务活动记录。团队成员在现场用手机“记录服务活动”，所在镇驻镇工作队确认后计入统计。"

    def base_queryset(self):
        photos = (ActivityPhoto.objects.filter(activity=OuterRef("pk")).order_by().values("activity")
                  .annotate(n=Count("pk")).values("n"))
        return (Activity.objects.select_related("team", "town", "village")
                .annotate(photo_count=Coalesce(Subquery(photos, output_field=IntegerField()), Value(0)))
                .order_by("-date", "-pk"))

    def get_table_kwargs(self):
        kwargs = super().get_table_kwargs()
        user = self.request.user
        if user.role == Role.TOWN and user.town_id:
            kwargs["confirm_town_id"] = user.town_id
        else:
            kwargs["exclude"] = list(kwargs.get("exclude") or []) + ["select"]
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["is_team"] = user.role in TEAM_ROLES and bool(user.team_id)
        context["is_town"] = user.role == Role.TOWN and bool(user.town_id)
        if context["is_team"]:
            counts = restrict(Activity.objects.filter(team_id=user.team_id), user, VIEW).aggregate(
                submitted=Count("pk", filter=Q(status=RecordStatus.SUBMITTED)),
                queried=Count("pk", filter=Q(status=RecordStatus.QUERIED)))
            context["counts"] = counts
            context["may_log"] = selectors.working_pairing_of_team(user.team_id) is not None
        elif context["is_town"]:
            context["pending"] = restrict(Activity.objects.filter(town_id=user.town_id,
                                                                  status=RecordStatus.SUBMITTED), user, CHANGE).count()
            context["may_tick"] = any(context["table"].may_tick(row.record) for row in context["table"].paginated_rows)
        return context


class ActivityBulkConfirmView(PageMixin, View):
    """The town's work team confirms the ticked activities of its town at once (each its own check-and-set step;
    one already handled or out of scope is skipped with the reason)."""

    roles = frozenset({Role.TOWN})

    def post(self, request):
        back = _back(request, reverse("fieldwork:activity_list"))
        ids = [value for value in request.POST.getlist("ids") if value.strip().isdigit() and len(value) <= 18]
        if not ids:
            messages.error(request, "请先勾选要确认的服务活动。")
            return redirect(back)
        try:
            confirmed, problems = services.bulk_confirm(actor=request.user, model=Activity, ids=ids)
        except PermissionDenied as error:
            messages.error(request, error_text(error))
            return redirect(back)
        if confirmed:
            messages.success(request, "已确认 %d 条服务活动。" % confirmed)
        if problems:
            messages.warning(request, "跳过 %d 条：%s" % (len(problems), "；".join(problems[:10])
                                                         + ("……" if len(problems) > 10 else "")))
        return redirect(back)


# --------------------------------------------------------------------------
# The form: create and edit
# --------------------------------------------------------------------------

class ActivityWriteView(ScopedFormView):
    """One column on a phone. ``?villages_of=<town>`` answers the village list of a town of the paired county (the form's
    script asks it when another town is chosen)."""

    template_name = "fieldwork/activity_form.html"
    form_class = ActivityForm
    roles = TEAM_ROLES
    submit_label = "提交"
    pairing = None
    activity = None

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated and (user.role in TEAM_ROLES or is_system_admin(user)):
            response = self.load(user, kwargs)
            if response is not None:
                return response
        return super().dispatch(request, *args, **kwargs)

    def load(self, user, kwargs):
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        if "villages_of" in request.GET:
            return self.villages(request.GET.get("villages_of") or "")
        return super().get(request, *args, **kwargs)

    def villages(self, raw: str):
        raw = raw.strip()
        if not raw.isdigit() or len(raw) > 12:
            return JsonResponse({"options": []})
        rows = (Village.objects.filter(town_id=int(raw), town__county_id=self.pairing.town.county_id)
                .order_by("name").values_list("pk", "name"))
        return JsonResponse({"options": [[pk, name] for pk, name in rows]})

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.update({"pairing": self.pairing, "user": self.request.user})
        return kwargs

    def draft_key(self) -> str:
        raise NotImplementedError

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update({"pairing": self.pairing, "activity": self.activity, "draft_key": self.draft_key(),
                        "photos_max": PHOTOS_MAX,
                        "photo_count": self.activity.photos.count() if self.activity else 0})
        context["photos_left"] = max(PHOTOS_MAX - context["photo_count"], 0)
        return context

    def save_values(self, form, activity=None):
        return services.activity_save(actor=self.request.user, values=form.values(), activity=activity,
                                      participants=list(form.cleaned_data["participants"]),
                                      photos=self.request.FILES.getlist("photos"))


class ActivityCreateView(ActivityWriteView):
    title = "记录服务活动"

    def load(self, user, kwargs):
        self.pairing = selectors.working_pairing_of_team(user.team_id)
        if self.pairing is None:
            messages.error(self.request, "本团队当前没有已备案或帮扶中的结对，不能填报服务活动。")
            return redirect("fieldwork:activity_list")
        reason = read_only_reason(self.pairing)
        if reason:
            messages.error(self.request, reason)
            return redirect("fieldwork:activity_list")
        return None

    def get_breadcrumbs(self):
        return [("服务活动", reverse("fieldwork:activity_list")), (self.get_title(), None)]

    def draft_key(self) -> str:
        return "activity-new-u%s" % self.request.user.pk

    def get_initial(self):
        """From a task's page (``?task=<pk>``): the activity reports on that task (an open task of this pairing)."""
        initial = super().get_initial()
        raw = (self.request.GET.get("task") or "").strip()
        if raw.isdigit() and len(raw) < 12 and Task.objects.filter(
                pk=int(raw), pairing=self.pairing, status__in=OPEN_TASK_STATES).exists():
            initial["task"] = int(raw)
        return initial

    def save(self, form):
        return self.save_values(form)

    def get_success_message(self) -> str:
        activity = self.object
        text = "服务活动已提交，待%s驻镇工作队确认。" % activity.town.name
        if self.request.FILES.getlist("photos"):
            text += "照片正在后台处理。"
        return text


class ActivityEditView(ActivityWriteView):
    model = Activity
    title = "修改服务活动"
    submit_label = "保存"

    def load(self, user, kwargs):
        activity = get_for_user(Activity.objects.select_related("pairing__cycle", "pairing__town__county", "town",
                                                                "team"), user, CHANGE, pk=kwargs["pk"])
        if not (is_system_admin(user) or user.team_id == activity.team_id):
            raise Http404  # the town confirms it; only the team that logged it edits it
        self.activity, self.pairing = activity, activity.pairing
        self._instance = activity
        reason = read_only_reason(activity)
        if reason:
            messages.error(self.request, reason)
            return redirect(activity.get_absolute_url())
        if activity.status not in EDITABLE:
            messages.error(self.request, "该活动当前为“%s”，不能再修改。" % activity.get_status_display())
            return redirect(activity.get_absolute_url())
        return None

    def get_breadcrumbs(self):
        return [("服务活动", reverse("fieldwork:activity_list")),
                (self.activity.title, self.activity.get_absolute_url()), (self.get_title(), None)]

    def draft_key(self) -> str:
        return "activity-%s-u%s" % (self.activity.pk, self.request.user.pk)

    def save(self, form):
        self.was_queried = self.activity.status == RecordStatus.QUERIED
        return self.save_values(form, activity=Activity.objects.get(pk=self.activity.pk))

    def get_success_message(self) -> str:
        if getattr(self, "was_queried", False):
            return "已修改并重新提交，待%s驻镇工作队确认。" % self.object.town.name
        return "已保存。"


# --------------------------------------------------------------------------
# The detail, its workflow steps and its photos
# --------------------------------------------------------------------------

def _number(value, unit) -> str:
    return "%s %s" % (value, unit) if value else "—"


class ActivityDetailView(ScopedDetailView):
    model = Activity
    template_name = "fieldwork/activity_detail.html"
    workflow = ACTIVITY_WORKFLOW
    action_url_name = "fieldwork:activity_action"
    list_url_name = "fieldwork:activity_list"
    list_title = "服务活动"
    roles = VIEWERS

    def base_queryset(self):
        return Activity.objects.select_related("town__county", "home_town__county", "team__lead_unit", "village",
                                               "project", "task", "cycle", "created_by", "confirmed_by")

    def get_title(self):
        return self.object.title

    def field_rows(self):
        a = self.object
        village = a.village.name if a.village_id else a.village_name
        return [
            ("活动日期", a.date.isoformat()),
            ("团队", "%s（%s）" % (a.team.name, a.team.lead_unit.name) if a.team.lead_unit_id else a.team.name),
            ("结对镇", a.home_town.full_name),
            ("所在镇", a.town.full_name + ("（跨镇帮扶）" if a.cross_town else "")),
            ("村或地点", village or "—"),
            ("服务类型", a.get_service_type_display()),
            ("所属帮扶项目", a.project.title if a.project_id else "—"),
            ("落实的工作任务", a.task.title if a.task_id else "—"),
            ("培训人数", _number(a.people_trained, "人次")),
            ("服务农户", _number(a.households_served, "户")),
            ("服务企业/合作社", _number(a.enterprises_served, "家")),
            ("引进推广技术或品种", a.technologies or "—"),
            ("示范面积", _number(a.demo_area_mu, "亩")),
            ("填报人", (a.created_by.full_name or a.created_by.username) if a.created_by_id else "—"),
            ("填报时间", timezone.localtime(a.created_at).strftime("%Y-%m-%d %H:%M")),
            ("确认", self.confirmation()),
        ]

    def confirmation(self) -> str:
        a = self.object
        if not a.confirmed_at:
            return "—"
        who = (a.confirmed_by.full_name or a.confirmed_by.username) if a.confirmed_by_id else ""
        return ("%s %s" % (who, timezone.localtime(a.confirmed_at).strftime("%Y-%m-%d %H:%M"))).strip()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        activity, user = self.object, self.request.user
        editable = _team_edits(user, activity) and not context["read_only_reason"]
        photos = list(activity.photos.all())
        context.update({
            "status_badge": status_badge(activity),
            "participants": activity.participants.order_by("name", "pk"),
            "photos": photos,
            "editable": editable,
            "may_add_photos": editable and len(photos) < PHOTOS_MAX,
            "photos_left": PHOTOS_MAX - len(photos),
            "photo_form": PhotoAddForm() if editable else None,
            "idempotency_key": uuid.uuid4().hex,
        })
        return context


class ActivityActionView(WorkflowActionView):
    """Confirm or query (the work team of the town where it was done), resubmit or withdraw (the team)."""

    model = Activity
    workflow = ACTIVITY_WORKFLOW

    def post(self, request, pk, action):
        if action not in self.workflow:
            raise Http404
        return super().post(request, pk, action)

    def apply(self, obj, action, comment):
        services.record_act(actor=self.request.user, record=obj, action=action, comment=comment)


class PhotoAddView(PageMixin, View):
    """Add photos to an activity its team may still change (the service checks each photo and the total)."""

    roles = TEAM_ROLES

    def post(self, request, pk):
        activity = get_for_user(Activity.objects.all(), request.user, CHANGE, pk=pk)
        uploads = request.FILES.getlist("photos")
        if not uploads:
            messages.error(request, "请先选择或拍摄照片。")
            return redirect(activity.get_absolute_url())
        try:
            with transaction.atomic(), idempotency.once(request.user, idempotency.key_from(request)) as claim:
                services.photo_add(actor=request.user, activity=activity, uploads=uploads)
                claim.done(activity, activity.get_absolute_url())
        except idempotency.AlreadySubmitted:
            messages.info(request, "这些照片已上传过，未重复保存。")
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, "已添加 %d 张照片，正在后台处理。" % len(uploads))
        return redirect(activity.get_absolute_url())


class PhotoDeleteView(PageMixin, View):
    """Delete one photo (POST only) while its activity awaits confirmation; the team that logged it alone."""

    roles = TEAM_ROLES

    def post(self, request, pk):
        photo = get_for_user(ActivityPhoto.objects.select_related("activity"), request.user, CHANGE, pk=pk)
        activity = photo.activity
        try:
            services.photo_delete(actor=request.user, photo=photo)
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, "已删除照片“%s”。" % photo)
        return redirect(activity.get_absolute_url())


def _photo(request, pk) -> ActivityPhoto:
    return get_for_user(ActivityPhoto.objects.select_related("activity"), request.user, VIEW, pk=pk)


def _photo_name(photo, suffix="") -> str:
    return "活动照片_%s_%s%s" % (photo.activity.date.isoformat(), photo.pk, suffix)


class PhotoView(PageMixin, View):
    """The photo (resized once processed), shown in the browser, to whoever may see its activity."""

    roles = VIEWERS

    def get(self, request, pk):
        photo = _photo(request, pk)
        return serve_file(request, photo, "image", filename=_photo_name(photo), inline=True)


class PhotoThumbView(PageMixin, View):
    """The thumbnail; the uploaded image itself until the background task has made it."""

    roles = VIEWERS

    def get(self, request, pk):
        photo = _photo(request, pk)
        field = "thumbnail" if photo.thumbnail else "image"
        return serve_file(request, photo, field, filename=_photo_name(photo, "_缩略图"), inline=True)


# --------------------------------------------------------------------------
# The gallery
# --------------------------------------------------------------------------

class GalleryView(PageMixin, TemplateView):
    """A grid of the thumbnails of the activities this user can see (confirmed ones unless asked for all), each
    linking to its activity; by town and team."""

    template_name = "fieldwork/gallery.html"
    title = "活动相册"
    roles = VIEWERS

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        photos = restrict(ActivityPhoto.objects.select_related("activity__town", "activity__team"),
                          self.request.user, VIEW).order_by("-activity__date", "-activity_id", "pk")
        filterset = GalleryFilter(self.request.GET, queryset=photos, request=self.request)
        for field in filterset.form.fields.values():
            field.widget.attrs["class"] = "form-select form-select-sm"
        rows = filterset.qs if filterset.is_valid() else photos.none()
        page = Paginator(rows, GALLERY_PAGE).get_page(self.request.GET.get("page"))
        context.update({"filter": filterset, "page": page, "photos": page.object_list})
        return context
