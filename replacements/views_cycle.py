"""The end of a cycle (周期结束): its dates and whether its pairings have ended, the city S&T bureau's button that ends
them after the last day, what is still open (counted in the database, the first rows of each section with links; a
grant still open is stopped or settled here) and the figures the pairings closed with (a scoped list with Excel)."""
from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from core.generic import PageMixin, ScopedListView
from core.menu import OFFICIALS, TEAMS, TOWN
from core.roles import Role, is_system_admin
from core.scoping import CHANGE, VIEW, can, get_for_user, restrict
from cycles.choices import CYCLE_EDITORS
from cycles.models import Cycle
from cycles.selectors import current_cycle
from matching.models import Pairing
from replacements import services
from replacements.choices import FundingAction
from replacements.filters import FiguresFilter
from replacements.forms import GrantCloseForm
from replacements.models import PairingFigures
from replacements.selectors import open_items
from replacements.tables import FiguresTable
from replacements.views_cases import RoleGate

FIRST_ROWS = 20
CYCLE_END_TITLE = "帮扶周期结束"
FIGURES_TITLE = "结对结束时数据"
SECTIONS = [  # key, title, what to show when empty
    ("pairings", "尚未结束的结对（含拟结对、公示中、已备案、帮扶中）", "本周期结对均已结束。"),
    ("projects", "尚未完成的帮扶项目", "没有尚未完成的帮扶项目。"),
    ("grants", "尚未结清的资助", "没有尚未结清的资助。"),
    ("flags", "未解除的履职预警", "没有未解除的履职预警。"),
    ("cases", "未办结的调整更换案件", "没有未办结的调整更换案件。"),
    ("changes", "待备案的成员变更", "没有待备案的成员变更。"),
    ("tasks", "未完成的工作任务", "没有未完成的工作任务。"),
    ("requests", "未关闭的问题反映", "没有未关闭的问题反映。"),
]


class CycleEndView(RoleGate, PageMixin, TemplateView):
    """What ending ``?cycle=`` means for the user's scope: the dates, the button, the open items and the figures."""

    gate = OFFICIALS
    template_name = "replacements/cycle_end.html"
    title = CYCLE_END_TITLE

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        cycle = current_cycle(self.request)
        if cycle is None:
            raise Http404
        today = timezone.localdate()
        items = open_items(user, cycle)
        sections = []
        for key, title, empty in SECTIONS:
            queryset = items[key]
            sections.append({"key": key, "title": title, "empty": empty, "count": queryset.count(),
                             "rows": list(queryset.order_by("pk")[:FIRST_ROWS])})
        may_close_grants = is_system_admin(user) or user.role in (Role.CITY_ST, Role.COUNTY_ST)
        for section in sections:
            if section["key"] == "grants":
                for grant in section["rows"]:
                    grant.may_close = may_close_grants and can(user, grant, CHANGE)
        ended = cycle.end_date < today
        live = restrict(Pairing.objects.filter(cycle=cycle, status__in=services.WORKING), user).count()
        figures = restrict(PairingFigures.objects.filter(cycle=cycle), user, VIEW)
        context.update({
            "cycle": cycle,
            "cycles": Cycle.objects.order_by("-start_date"),
            "ended": ended,
            "live_count": live,
            "may_end": (is_system_admin(user) or user.role in CYCLE_EDITORS) and ended and live > 0,
            "sections": sections,
            "grant_form": GrantCloseForm(),
            "figures": list(figures.select_related("town__county", "team").order_by("town__code")[:FIRST_ROWS]),
            "figures_count": figures.count(),
            "figures_url": "%s?cycle=%d" % (reverse("replacements:figures_list"), cycle.pk),
        })
        return context


class CycleEndActionView(RoleGate, View):
    """The city S&T bureau ends a past cycle's working pairings now (the scheduled job would tomorrow)."""

    gate = OFFICIALS

    def post(self, request, pk):
        cycle = Cycle.objects.filter(pk=pk).first()
        if cycle is None:
            raise Http404
        try:
            ended = services.cycle_end(actor=request.user, cycle=cycle)
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
        except PermissionDenied as error:
            raise PermissionDenied(str(error))
        else:
            messages.success(request, "已结束%d个结对，其结束时的数据已保存。" % ended)
        return redirect("%s?cycle=%d" % (reverse("replacements:cycle_end"), cycle.pk))


GRANT_ERROR_FIELDS = {"settled_amount": "结算金额", "funding_action": "处理方式", "closure_reason": "理由"}


class GrantCloseView(RoleGate, View):
    """The funder stops or settles a grant still open when the cycle ends (reviews.services.grant_close)."""

    gate = frozenset({Role.CITY_ST, Role.COUNTY_ST})

    def post(self, request, pk):
        from reviews.models import Grant
        from reviews.services import grant_close

        grant = get_for_user(Grant.objects.all(), request.user, VIEW, pk=pk)
        back = "%s?cycle=%d" % (reverse("replacements:cycle_end"), grant.cycle_id)
        form = GrantCloseForm(request.POST)
        if not form.is_valid():
            problems = ["%s：%s" % (form.fields[name].label if name in form.fields else "", "；".join(errors))
                        for name, errors in form.errors.items()]
            messages.error(request, "%s：%s" % (grant.project_number, "；".join(problems)))
            return redirect(back)
        data = form.cleaned_data
        try:
            grant_close(actor=request.user, grant=grant, closure=data["closure"], amount=data.get("amount"),
                        reason=data["reason"])
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                text = "；".join("%s：%s" % (GRANT_ERROR_FIELDS.get(k, ""), "；".join(v)) if k in GRANT_ERROR_FIELDS
                                else "；".join(v) for k, v in error.message_dict.items())
            else:
                text = "；".join(error.messages)
            messages.error(request, "%s：%s" % (grant.project_number, text))
        except PermissionDenied as error:
            raise PermissionDenied(str(error))
        else:
            messages.success(request, "资助%s已%s。" % (grant.project_number,
                                                     dict(FundingAction.choices).get(data["closure"], "")))
        return redirect(back)


class FiguresListView(RoleGate, ScopedListView):
    """The figures the pairings closed with (replaced or ended with the cycle), with ?export=xlsx."""

    gate = frozenset(OFFICIALS | TEAMS | TOWN | {Role.UNIT})
    model = PairingFigures
    table_class = FiguresTable
    filterset_class = FiguresFilter
    title = FIGURES_TITLE
    search_fields = ["town__name", "team__name"]
    search_placeholder = "镇或团队名称"
    export_filename = "结对结束时数据"
    empty_text = "暂无结对结束时数据。结对被调整更换或随帮扶周期结束时，平台保存其结束时的驻镇、活动、项目和资金数据。"

    def base_queryset(self):
        return PairingFigures.objects.select_related("town__county", "team")
