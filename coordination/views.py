"""Pages of coordination (/coordination/): the user's groups with their figures, a group with its members, meetings
and follow-ups, meetings with their documents, and the follow-up items across the groups in scope.

Every read goes through ``core.scoping`` (out of scope: 404; towns, teams, units and experts reach nothing); every
write through ``coordination.services``. The city's offices and the province read every county's mechanism; only the
offices of a group's own level keep it (a city official reading a county's group sees no edit button and gets 404 on
its forms).
"""
from __future__ import annotations

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect
from django.template.defaultfilters import linebreaksbr
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView

from coordination import selectors, services
from coordination.choices import FOLLOW_UP_WORKFLOW, OFFICES, READERS, FollowUpStatus, GroupLevel
from coordination.filters import FollowUpFilter
from coordination.forms import FollowUpForm, GroupForm, MeetingForm, MemberForm
from coordination.models import FollowUp, Group, GroupMember, Meeting, MeetingDocument
from coordination.tables import FollowUpTable, overdue_chip, status_chip
from core.china import mask_phone
from core.files import serve_file
from core.generic import PageMixin, ScopedDetailView, ScopedFormView, ScopedListView, WorkflowActionView
from core.models import SensitiveAccess
from core.roles import Role, is_system_admin
from core.scoping import CHANGE, VIEW, get_for_user, restrict
from regions.models import County

HOME_TITLE = _("协调指导")
FOLLOW_UPS_TITLE = _("督办事项")
CREATION_LABELS = {"open": "交办"}


def _day(value) -> str:
    return formats.date_format(value, "Y-m-d") if value else ""


def _moment(value) -> str:
    return formats.date_format(timezone.localtime(value), "Y-m-d H:i") if value else ""


def _home_crumb():
    return (HOME_TITLE, reverse("coordination:home"))


def _kept_group(user, pk) -> Group:
    """A group the user keeps (its level's offices), else 404: a reader above sees it but has no form on it."""
    group = get_for_user(Group.objects.select_related("city", "county"), user, VIEW, pk=pk)
    if not selectors.keeps(user, group):
        raise Http404
    return group


# ------------------------------------------------------------------------------------------------ home
class HomeView(PageMixin, TemplateView):
    """The user's group(s): the city's group and the counties' mechanisms, each with its figures."""

    template_name = "coordination/home.html"
    title = HOME_TITLE
    roles = READERS

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        groups = list(selectors.groups_with_figures(user))
        covered = {group.county_id for group in groups if group.county_id}
        missing = list(restrict(County.objects.select_related("city"), user).exclude(pk__in=covered).order_by("code"))
        if user.role == Role.CITY_ST:
            may_create = not any(group.level == GroupLevel.CITY for group in groups)
        elif user.role == Role.COUNTY_ST:
            may_create = user.county_id not in covered
        else:
            may_create = is_system_admin(user)
        context.update({
            "city_groups": [group for group in groups if group.level == GroupLevel.CITY],
            "county_groups": [group for group in groups if group.level == GroupLevel.COUNTY],
            "missing_counties": missing,
            "may_create": may_create,
            "overdue_total": sum(group.overdue_count for group in groups),
        })
        return context


# ------------------------------------------------------------------------------------------------ groups
class GroupCreateView(ScopedFormView):
    form_class = GroupForm
    roles = services.GROUP_CREATORS
    title = _("建立协调指导小组（协调机制）")
    success_message = _("已建立。请登记小组成员。")

    def get_breadcrumbs(self):
        return [_home_crumb(), (self.get_title(), None)]

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "admin": is_system_admin(self.request.user)}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        if user.role == Role.CITY_ST:
            context["form_notice"] = _("建立%(c)s的协调指导小组（市科技局、市乡村振兴局牵头）。") % {"c": user.city.name}
        elif user.role == Role.COUNTY_ST:
            context["form_notice"] = _("建立%(c)s的协调机制。") % {"c": user.county.name}
        return context

    def save(self, form):
        return services.group_save(actor=self.request.user, values=form.cleaned_data)


class GroupEditView(ScopedFormView):
    model = Group
    form_class = GroupForm
    roles = services.GROUP_CREATORS
    title = _("修改协调指导小组")

    def get_breadcrumbs(self):
        group = self.get_instance()
        return [_home_crumb(), (group.name, group.get_absolute_url()), (self.get_title(), None)]

    def save(self, form):
        return services.group_save(actor=self.request.user, values=form.cleaned_data, group=self.get_instance())


class GroupDetailView(ScopedDetailView):
    model = Group
    template_name = "coordination/group_detail.html"
    roles = READERS
    edit_url_name = "coordination:group_edit"

    def base_queryset(self):
        return Group.objects.select_related("city", "county", "created_by")

    def get_breadcrumbs(self):
        return [_home_crumb(), (self.get_title(), None)]

    def field_rows(self):
        group = self.object
        return [
            (_("层级"), group.get_level_display()),
            (_("所属"), group.place_name),
            (_("工作职责"), linebreaksbr(group.duties)),
            (_("成立日期"), _day(group.established_on)),
            (_("成立文号"), group.document_number),
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        group, user = self.object, self.request.user
        keeper = selectors.keeps(user, group)
        members = list(GroupMember.objects.filter(group=group).select_related("user").order_by("-active", "role_in_group",
                                                                                                "pk"))
        shown = selectors.sees_phone(user, group)
        for member in members:
            member.phone_shown = member.phone if shown else mask_phone(member.phone) if member.phone else ""
        if shown and any(member.phone for member in members) and not is_system_admin(user):
            SensitiveAccess.objects.create(user=user, content_type=ContentType.objects.get_for_model(Group),
                                           object_id=str(group.pk), field="members.phone", purpose="查看小组成员电话")
        today = timezone.localdate()
        items = list(FollowUp.objects.filter(group=group).select_related("owner", "meeting")
                     .order_by("status", "due_date", "pk")[:50])
        for item in items:
            item.chip, item.late = status_chip(item), overdue_chip(item, today)
        context.update({
            "keeper": keeper,
            "can_change": context["can_change"],  # the group itself: its level's S&T office
            "members": members,
            "meetings": list(Meeting.objects.filter(group=group).annotate(document_count=Count("documents"))
                             .order_by("-date", "-pk")[:50]),
            "follow_ups": items,
            "open_count": FollowUp.objects.filter(group=group, status=FollowUpStatus.OPEN).count(),
            "overdue_count": selectors.overdue(FollowUp.objects.filter(group=group), today).count(),
        })
        return context


# ------------------------------------------------------------------------------------------------ members
class MemberCreateView(ScopedFormView):
    form_class = MemberForm
    roles = OFFICES
    title = _("登记小组成员")
    success_message = _("成员已登记。")

    def group(self):
        if not hasattr(self, "_group"):
            self._group = _kept_group(self.request.user, self.kwargs["group_pk"])
        return self._group

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "group": self.group()}

    def get_breadcrumbs(self):
        group = self.group()
        return [_home_crumb(), (group.name, group.get_absolute_url()), (self.get_title(), None)]

    def save(self, form):
        return services.member_save(actor=self.request.user, values=form.cleaned_data, group=self.group())


class MemberEditView(ScopedFormView):
    model = GroupMember
    form_class = MemberForm
    roles = OFFICES
    title = _("修改小组成员")

    def get_breadcrumbs(self):
        member = self.get_instance()
        return [_home_crumb(), (member.group.name, member.group.get_absolute_url()), (self.get_title(), None)]

    def save(self, form):
        return services.member_save(actor=self.request.user, values=form.cleaned_data, member=self.get_instance())


# ------------------------------------------------------------------------------------------------ meetings
class MeetingCreateView(MemberCreateView):
    form_class = MeetingForm
    title = _("记录小组会议")
    success_message = _("会议已记录。")

    def save(self, form):
        data = form.cleaned_data
        return services.meeting_save(actor=self.request.user, values=data, group=self.group(),
                                     attendees=list(data.get("attendees") or []), documents=data.get("documents"))


class MeetingEditView(ScopedFormView):
    model = Meeting
    form_class = MeetingForm
    roles = OFFICES
    title = _("修改小组会议")

    def get_breadcrumbs(self):
        meeting = self.get_instance()
        return [_home_crumb(), (meeting.group.name, meeting.group.get_absolute_url()),
                (str(meeting), meeting.get_absolute_url()), (self.get_title(), None)]

    def save(self, form):
        data = form.cleaned_data
        return services.meeting_save(actor=self.request.user, values=data, meeting=self.get_instance(),
                                     attendees=list(data.get("attendees") or []), documents=data.get("documents"))


class MeetingDetailView(ScopedDetailView):
    model = Meeting
    template_name = "coordination/meeting_detail.html"
    roles = READERS
    edit_url_name = "coordination:meeting_edit"

    def base_queryset(self):
        return Meeting.objects.select_related("group__city", "group__county", "created_by")

    def get_breadcrumbs(self):
        group = self.object.group
        return [_home_crumb(), (group.name, group.get_absolute_url()), (self.get_title(), None)]

    def field_rows(self):
        meeting = self.object
        names = "、".join(member.name for member in meeting.attendees.all())
        return [
            (_("小组"), meeting.group.name),
            (_("会议日期"), _day(meeting.date)),
            (_("会议地点"), meeting.place),
            (_("出席成员"), names),
            (_("其他参会人员"), linebreaksbr(meeting.other_attendees)),
            (_("会议议题"), linebreaksbr(meeting.agenda)),
            (_("会议议定事项"), linebreaksbr(meeting.decisions)),
            (_("记录人"), (meeting.created_by.full_name or meeting.created_by.username) if meeting.created_by else ""),
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        items = list(FollowUp.objects.filter(meeting=self.object).select_related("owner").order_by("due_date", "pk"))
        for item in items:
            item.chip, item.late = status_chip(item), overdue_chip(item, today)
        context.update({"documents": list(self.object.documents.all()), "follow_ups": items})
        return context


class DocumentView(PageMixin, View):
    """A meeting's document, to whoever reads the meeting (404 otherwise)."""

    roles = READERS

    def get(self, request, pk):
        document = get_for_user(MeetingDocument.objects.select_related("meeting"), request.user, VIEW, pk=pk)
        return serve_file(request, document, "file", filename=document.name, inline=True)


class DocumentDeleteView(PageMixin, View):
    roles = OFFICES

    def post(self, request, pk):
        document = get_for_user(MeetingDocument.objects.select_related("meeting"), request.user, CHANGE, pk=pk)
        meeting = document.meeting
        try:
            services.document_delete(actor=request.user, document=document)
        except PermissionDenied as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("文件已删除。"))
        return redirect(meeting.get_absolute_url())


# ------------------------------------------------------------------------------------------------ follow-ups
class FollowUpListView(ScopedListView):
    model = FollowUp
    table_class = FollowUpTable
    filterset_class = FollowUpFilter
    template_name = "coordination/followup_list.html"
    title = FOLLOW_UPS_TITLE
    roles = READERS
    search_fields = ["title", "detail", "owner__name", "owner_text", "owner_organization"]
    search_placeholder = "事项、责任人或单位"
    export_filename = "督办事项"
    empty_text = "暂无督办事项。小组会议议定的事项，或会外交办的事项，可在小组页面新增。"

    def get_breadcrumbs(self):
        return [_home_crumb(), (self.get_title(), None)]

    def base_queryset(self):
        return FollowUp.objects.select_related("group", "owner", "meeting").order_by("status", "due_date", "pk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        scoped = restrict(FollowUp.objects.all(), self.request.user)
        context["open_count"] = scoped.filter(status=FollowUpStatus.OPEN).count()
        context["overdue_count"] = selectors.overdue(scoped).count()
        return context


class FollowUpCreateView(MemberCreateView):
    form_class = FollowUpForm
    title = _("新增督办事项")
    success_message = _("督办事项已交办。")

    def get_initial(self):
        initial = super().get_initial()
        meeting = (self.request.GET.get("meeting") or "").strip()
        if meeting.isdigit() and len(meeting) < 19:
            initial["meeting"] = Meeting.objects.filter(group=self.group(), pk=int(meeting)).first()
        return initial

    def save(self, form):
        return services.follow_up_save(actor=self.request.user, values=form.cleaned_data, group=self.group())


class FollowUpEditView(ScopedFormView):
    model = FollowUp
    form_class = FollowUpForm
    roles = OFFICES
    title = _("修改督办事项")

    def get_instance(self):
        item = super().get_instance()
        if item is not None and not selectors.keeps(self.request.user, item.group):
            raise Http404  # the owner reaches the item to report it done, not to edit it
        return item

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and (is_system_admin(request.user) or request.user.role in self.roles):
            item = self.get_instance()
            if item.status != FollowUpStatus.OPEN:
                messages.error(request, "督办事项当前为“%s”，不能再修改。" % item.get_status_display())
                return redirect(item.get_absolute_url())
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs(self):
        item = self.get_instance()
        return [_home_crumb(), (item.title, item.get_absolute_url()), (self.get_title(), None)]

    def save(self, form):
        return services.follow_up_save(actor=self.request.user, values=form.cleaned_data, item=self.get_instance())


class FollowUpDetailView(ScopedDetailView):
    model = FollowUp
    roles = READERS
    workflow = FOLLOW_UP_WORKFLOW
    action_url_name = "coordination:followup_action"
    list_url_name = "coordination:followup_list"
    list_title = FOLLOW_UPS_TITLE

    def base_queryset(self):
        return FollowUp.objects.select_related("group__city", "group__county", "owner", "meeting", "created_by")

    def field_rows(self):
        item = self.object
        rows = [
            (_("小组"), item.group.name),
            (_("来源会议"), str(item.meeting) if item.meeting_id else _("会外交办")),
            (_("具体要求"), linebreaksbr(item.detail)),
            (_("责任人"), item.owner_name),
            (_("责任单位"), item.owner_organization),
            (_("完成期限"), format_html("{} {}", _day(item.due_date), overdue_chip(item))),
            (_("状态"), status_chip(item)),
            (_("交办人"), (item.created_by.full_name or item.created_by.username) if item.created_by else ""),
        ]
        if item.completion_note:
            rows += [(_("办结情况"), linebreaksbr(item.completion_note)), (_("办结时间"), _moment(item.done_at))]
        if item.cancelled_at:
            rows.append((_("撤销时间"), _moment(item.cancelled_at)))
        return rows

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        item, user = self.object, self.request.user
        for row in context["transitions"]:
            if row.action in CREATION_LABELS:
                row.action_label = CREATION_LABELS[row.action]
        keeper = selectors.keeps(user, item.group)
        if not keeper:  # the owner's own account: only "办结"
            context["actions"] = [action for action in context["actions"] if action[0] == "complete"]
        context["can_change"] = keeper and item.status == FollowUpStatus.OPEN
        context["edit_url_name"] = "coordination:followup_edit"
        context["overdue"] = item.is_overdue()
        return context


class FollowUpActionView(WorkflowActionView):
    model = FollowUp
    workflow = FOLLOW_UP_WORKFLOW

    def apply(self, obj, action, comment):
        if action not in self.workflow:
            raise ValidationError("未知操作。")
        services.follow_up_act(actor=self.request.user, item=obj, action=action, comment=comment)
