"""The API router: each app registers its viewsets here (or through its ``register_routes``)."""
from rest_framework.routers import DefaultRouter

from accounts.api import NotificationViewSet, UserViewSet
from core.api_views import TaskRunViewSet
from cycles.api import CycleViewSet
from regions.api import (
    CountyViewSet, TownClassificationViewSet, TownViewSet, VillageViewSet, WorkTeamViewSet,
)
from units.api import DispatchingUnitViewSet

router = DefaultRouter()
router.register("cycles", CycleViewSet)
router.register("counties", CountyViewSet)
router.register("towns", TownViewSet)
router.register("town-classifications", TownClassificationViewSet)
router.register("villages", VillageViewSet)
router.register("work-teams", WorkTeamViewSet)
router.register("units", DispatchingUnitViewSet)
router.register("users", UserViewSet)
router.register("notifications", NotificationViewSet, basename="notification")
router.register("task-runs", TaskRunViewSet, basename="taskrun")

# Apps of the programme's steps register their own routes.
from needs.api import register_routes as needs_routes  # noqa: E402
from teams.api import register_routes as teams_routes  # noqa: E402
from calls.api import register_routes as calls_routes  # noqa: E402
from matching.api import register_routes as matching_routes  # noqa: E402
from registrations.api import register_routes as registrations_routes  # noqa: E402
from notices.api import register_routes as notices_routes  # noqa: E402
from projects.api import register_routes as projects_routes  # noqa: E402
from reviews.api import register_routes as reviews_routes  # noqa: E402
from fieldwork.api import register_routes as fieldwork_routes  # noqa: E402
from replacements.api import register_routes as replacements_routes  # noqa: E402
from evaluations.api import register_routes as evaluations_routes  # noqa: E402
from coordination.api import register_routes as coordination_routes  # noqa: E402
from reports.api import register_routes as reports_routes  # noqa: E402

for register in (needs_routes, teams_routes, calls_routes, matching_routes, registrations_routes, notices_routes,
                 projects_routes, reviews_routes, fieldwork_routes, replacements_routes, evaluations_routes,
                 coordination_routes, reports_routes):
    register(router)
