"""Root URLs: public pages, the signed-in shell, the admin and the API."""
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from config.api import router
from core import health


urlpatterns = [
    path("", include("portal.urls")),
    path("", include("core.urls")),
    path("accounts/", include("accounts.urls")),
    path("regions/", include("regions.urls")),
    path("cycles/", include("cycles.urls")),
    path("units/", include("units.urls")),
    path("needs/", include("needs.urls")),
    path("teams/", include("teams.urls")),
    path("calls/", include("calls.urls")),
    path("matching/", include("matching.urls")),
    path("registrations/", include("registrations.urls")),
    path("notices/", include("notices.urls")),
    path("assistance/", include("projects.urls")),
    path("review/", include("reviews.urls")),
    path("field/", include("fieldwork.urls")),
    path("cases/", include("replacements.urls")),
    path("evaluations/", include("evaluations.urls")),
    path("coordination/", include("coordination.urls")),
    path("reports/", include("reports.urls")),
    path("public/", include("notices.public_urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(router.urls)),
    path("api/v1/auth/", include("accounts.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("captcha/", include("captcha.urls")),
    # For load balancers and Prometheus (deploy/README.md): /health/ checks database, cache, storage and task queue;
    # /metrics answers METRICS_ALLOWED_IPS only.
    path("health/", health.health, name="health"),
    path("health/live/", health.live, name="health-live"),
    path("metrics", health.metrics, name="prometheus-metrics"),
]
# No /media/ route in any mode: attachments are served only by scoped views (core.files).
