"""API for selection rounds, runs, their results, and pairings."""
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import ScopedReadOnlyViewSet, django_errors_to_drf
from core.scoping import VIEW, get_for_user
from matching import services
from matching.models import Pairing, SelectionRound, SelectionRun
from matching.selectors import proposal
from matching.tasks import start_run


class SelectionRunSerializer(serializers.ModelSerializer):
    class Meta:
        model = SelectionRun
        fields = ["id", "round", "number", "status", "weights", "total_score", "error", "created_at", "inputs", "result",
                  "task_run"]


class SelectionRoundSerializer(serializers.ModelSerializer):
    runs = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = SelectionRound
        fields = ["id", "call", "cycle", "title", "status", "weights", "meeting_date", "meeting_participants",
                  "finalized_run", "finalized_at", "runs"]
        read_only_fields = ["cycle", "status", "finalized_run", "finalized_at", "weights"]


def _call(function, **kwargs):
    try:
        return function(**kwargs)
    except (DjangoValidationError, DjangoPermissionDenied) as error:
        raise django_errors_to_drf(error)


class SelectionRoundViewSet(ScopedReadOnlyViewSet):
    """Selection rounds in scope. POST ``{"call": id}`` opens one; actions run the engine, adjust and finalize."""

    queryset = SelectionRound.objects.select_related("call", "cycle").prefetch_related("runs")
    serializer_class = SelectionRoundSerializer
    filterset_fields = ["call", "cycle", "status"]

    def create(self, request):
        from calls.models import Call

        call = get_for_user(Call.objects.all(), request.user, VIEW, pk=request.data.get("call") or 0)
        selection_round = _call(services.round_open, actor=request.user, call=call, title=request.data.get("title", ""))
        return Response(SelectionRoundSerializer(selection_round).data, status=201)

    def _round(self, request, pk):
        return get_for_user(SelectionRound.objects.all(), request.user, VIEW, pk=pk)

    @action(detail=True, methods=["post"])
    def run(self, request, pk=None):
        """``{"weights": {...}}`` (optional): snapshot the inputs and run the engine in the background."""
        selection_round = self._round(request, pk)
        run = _call(services.run_create, actor=request.user, selection_round=selection_round,
                    weights=request.data.get("weights"))
        task_run = start_run(actor=request.user, run=run)
        run.refresh_from_db()
        return Response({"run": SelectionRunSerializer(run).data, "task_run": str(task_run.pk)}, status=202)

    @action(detail=True, methods=["post"])
    def constraints(self, request, pk=None):
        """``{"town": id, "team": id, "kind": "lock"|"exclude", "reason": "..."}``."""
        from regions.models import Town
        from teams.models import Team

        selection_round = self._round(request, pk)
        town = Town.objects.filter(pk=request.data.get("town") or 0).first()
        team = Team.objects.filter(pk=request.data.get("team") or 0).first()
        if town is None or team is None:
            raise serializers.ValidationError({"town": "请指定镇和团队。"})
        row = _call(services.constraint_set, actor=request.user, selection_round=selection_round, town=town, team=team,
                    kind=request.data.get("kind", ""), reason=request.data.get("reason", ""))
        return Response({"id": row.pk, "kind": row.kind, "reason": row.reason}, status=201)

    @action(detail=True, methods=["post"])
    def panel(self, request, pk=None):
        from regions.models import Town
        from teams.models import Team

        selection_round = self._round(request, pk)
        town = Town.objects.filter(pk=request.data.get("town") or 0).first()
        team = Team.objects.filter(pk=request.data.get("team") or 0).first()
        if town is None or team is None:
            raise serializers.ValidationError({"town": "请指定镇和团队。"})
        row = _call(services.panel_score_set, actor=request.user, selection_round=selection_round, town=town, team=team,
                    score=request.data.get("score"))
        return Response({"id": row.pk, "score": float(row.score)}, status=201)

    @action(detail=True, methods=["post"])
    def meeting(self, request, pk=None):
        selection_round = self._round(request, pk)
        _call(services.meeting_record, actor=request.user, selection_round=selection_round,
              meeting_date=request.data.get("meeting_date"), participants=request.data.get("meeting_participants", ""),
              minutes=request.FILES.get("meeting_minutes"))
        return Response(SelectionRoundSerializer(selection_round).data)

    @action(detail=True, methods=["post"])
    def finalize(self, request, pk=None):
        """``{"run": id}``: create the pairings exactly as that run shows them."""
        selection_round = self._round(request, pk)
        run = selection_round.runs.filter(pk=request.data.get("run") or 0).first()
        if run is None:
            raise serializers.ValidationError({"run": "请指定本遴选的一次运行。"})
        pairings = _call(services.finalize, actor=request.user, selection_round=selection_round, run=run)
        return Response({"pairings": PairingSerializer(pairings, many=True).data})


class SelectionRunViewSet(ScopedReadOnlyViewSet):
    """Runs with their stored inputs and results; ``proposal`` is the per-town view the page shows."""

    queryset = SelectionRun.objects.all()
    serializer_class = SelectionRunSerializer
    filterset_fields = ["round", "status"]

    @action(detail=True, methods=["get"])
    def proposal(self, request, pk=None):
        return Response(proposal(self.get_object()))


class PairingSerializer(serializers.ModelSerializer):
    town_name = serializers.CharField(source="town.name", read_only=True)
    town_code = serializers.CharField(source="town.code", read_only=True)
    team_name = serializers.CharField(source="team.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Pairing
        fields = ["id", "cycle", "town", "town_code", "town_name", "team", "team_name", "organizer_level", "round",
                  "status", "status_display", "score", "reasons", "alternates", "proposed_at", "notice_started_at",
                  "notice_cleared_at", "registered_at", "active_from", "ended_at", "end_reason"]


class PairingViewSet(ScopedReadOnlyViewSet):
    """Pairings in scope (a team sees its own; officials along the tree)."""

    queryset = Pairing.objects.select_related("town", "team")
    serializer_class = PairingSerializer
    filterset_fields = ["cycle", "status", "organizer_level", "town", "team"]


def register_routes(router):
    router.register("selection-rounds", SelectionRoundViewSet)
    router.register("selection-runs", SelectionRunViewSet)
    router.register("pairings", PairingViewSet)
