"""The dashboard page (数据看板) and its workbook: the frame comes from the user (``reports.dashboards.frame_for``),
the query string only picks the year, the cycle and — for the province — one of its own cities."""
from django.http import HttpResponse
from django.views import View
from django.views.generic import TemplateView

from core.generic import PageMixin, _quote
from reports import dashboards

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class DashboardView(PageMixin, TemplateView):
    template_name = "reports/dashboard.html"
    title = "数据看板"
    # Roles without a dashboard (a town, an expert) get the 404 of every page that is not theirs (as /reports/).
    roles = dashboards.READERS

    def get(self, request, *args, **kwargs):
        self.frame = dashboards.frame_for(request.user, request.GET)
        return super().get(request, *args, **kwargs)

    def get_title(self):
        return self.frame.title

    def get_breadcrumbs(self):
        return [("数据看板", None)]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        frame = self.frame
        data = dashboards.build(self.request.user, frame)
        context.update(frame=frame, kpis=data["kpis"], panels=data["panels"], notice=data.get("notice", ""),
                       export_query=frame.query_string)
        return context


class DashboardExportView(PageMixin, View):
    """Every panel's data table as a sheet (``?panel=<id>``: that panel's only), with the page's query."""

    roles = dashboards.READERS

    def get(self, request, *args, **kwargs):
        frame = dashboards.frame_for(request.user, request.GET)
        data = dashboards.build(request.user, frame)
        titles = {item.id: item.title for item in data["panels"]}
        panel = (request.GET.get("panel") or "").strip()
        if panel not in titles:
            panel = ""
        content = dashboards.workbook(frame, data, panel)
        period = "%d年" % frame.year if frame.year is not None else (frame.cycle.name if frame.cycle else "")
        name = "%s_%s%s.xlsx" % (frame.title, period, "_" + titles[panel] if panel else "")
        response = HttpResponse(content, content_type=XLSX)
        response["Content-Disposition"] = "attachment; filename*=UTF-8''%s" % _quote(name)
        return response
