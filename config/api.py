"""The API router: each app registers its viewsets here."""
from rest_framework.routers import DefaultRouter

from accounts.api import NotificationViewSet, UserViewSet
from core.api_views import TaskRunViewSet
from cycles.api import CycleViewSet
from regions.api import (
    CountyViewSet, TownClassificationViewSet, TownViewSet, VillageViewSet, WorkTeamViewSet,
)
from teams.api import TeamViewSet
from units.api import DispatchingUnitViewSet

router = DefaultRouter()
router.register("cycles", CycleViewSet)
router.register("counties", CountyViewSet)
router.register("towns", TownViewSet)
router.register("town-classifications", TownClassificationViewSet)
router.register("villages", VillageViewSet)
router.register("work-teams", WorkTeamViewSet)
router.register("units", DispatchingUnitViewSet)
router.register("teams", TeamViewSet)
router.register("users", UserViewSet)
router.register("notifications", NotificationViewSet, basename="notification")
router.register("task-runs", TaskRunViewSet, basename="taskrun")
