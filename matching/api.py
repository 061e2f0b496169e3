"""API for selection rounds, runs, their results, and pairings."""
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from core.api import ScopedReadOnlyViewSet, django_errors_to_drf
from core.api import read_input as _input, call_service as _call  # the shared API helpers
from core.scoping import VIEW, restrict
from matching import services
from matching.models import Pairing, SelectionRound, SelectionRun
from matching.selectors import proposal
from matching.tasks import start_run


class SelectionRunSerializer(serializers.ModelSerializer):
    class Meta:
        model = SelectionRun
        fields = ["id", "round", "number", "status", "weights", "total_score", "error", "created_at", "inputs", "result",
                  "task_run", "taxonomy_version"]


class SelectionRoundSerializer(serializers.ModelSerializer):
    runs = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = SelectionRound
        fields = ["id", "call", "cycle", "title", "status", "weights", "meeting_date", "meeting_participants",
                  "finalized_run", "finalized_at", "runs"]
        read_only_fields = ["cycle", "status", "finalized_run", "finalized_at", "weights"]


ID = {"min_value": 1, "max_value": 2**63 - 1}


class RoundOpenInput(serializers.Serializer):
    call = serializers.IntegerField(**ID)
    title = serializers.CharField(default="", allow_blank=True, max_length=200)
    early_reason = serializers.CharField(default="", allow_blank=True, max_length=2000,
                                         help_text="申报截止前发起遴选时必填的理由")


class RunInput(serializers.Serializer):
    weights = serializers.DictField(child=serializers.FloatField(), required=False, allow_null=True,
                                    help_text="各项权重（0到10），不填则沿用本遴选的权重")


class PairInput(serializers.Serializer):
    town = serializers.IntegerField(**ID)
    team = serializers.IntegerField(**ID)


class ConstraintInput(PairInput):
    kind = serializers.ChoiceField(choices=[("lock", "锁定"), ("exclude", "排除")])
    reason = serializers.CharField(default="", allow_blank=True, max_length=500)


class PanelInput(PairInput):
    score = serializers.FloatField(min_value=0, max_value=100)


class MeetingInput(serializers.Serializer):
    meeting_date = serializers.DateField()
    meeting_participants = serializers.CharField(max_length=2000)
    meeting_minutes = serializers.FileField(required=False)


class FinalizeInput(serializers.Serializer):
    run = serializers.IntegerField(**ID)




def _pair(data):
    from regions.models import Town
    from teams.models import Team

    town = Town.objects.filter(pk=data["town"]).first()
    team = Team.objects.filter(pk=data["team"]).first()
    if town is None or team is None:
        raise serializers.ValidationError({"town": "请指定镇和团队。"})
    return town, team




class SelectionRoundViewSet(ScopedReadOnlyViewSet):
    """Selection rounds in scope. POST ``{"call": id}`` opens one; actions run the engine, adjust and finalize."""

    queryset = SelectionRound.objects.select_related("call", "cycle").prefetch_related("runs")
    serializer_class = SelectionRoundSerializer
    filterset_fields = ["call", "cycle", "status"]

    @extend_schema(request=RoundOpenInput)
    def create(self, request):
        from calls.models import Call

        data = _input(RoundOpenInput, request)
        call = get_object_or_404(restrict(Call.objects.all(), request.user, VIEW), pk=data["call"])
        selection_round = _call(services.round_open, actor=request.user, call=call, title=data["title"],
                                early_reason=data["early_reason"])
        return Response(SelectionRoundSerializer(selection_round).data, status=201)

    def _round(self, request, pk):
        # DRF's get_object_or_404: an id that is not a number ("abc") is 404 like a missing one.
        return get_object_or_404(restrict(SelectionRound.objects.all(), request.user, VIEW), pk=pk)

    @extend_schema(request=RunInput)
    @action(detail=True, methods=["post"])
    def run(self, request, pk=None):
        """``{"weights": {...}}`` (optional): snapshot the inputs and run the engine in the background."""
        selection_round = self._round(request, pk)
        data = _input(RunInput, request)
        run = _call(services.run_create, actor=request.user, selection_round=selection_round,
                    weights=data.get("weights"))
        task_run = start_run(actor=request.user, run=run)
        run.refresh_from_db()
        return Response({"run": SelectionRunSerializer(run).data, "task_run": str(task_run.pk)}, status=202)

    @extend_schema(request=ConstraintInput)
    @action(detail=True, methods=["post"])
    def constraints(self, request, pk=None):
        """``{"town": id, "team": id, "kind": "lock"|"exclude", "reason": "..."}``."""
        selection_round = self._round(request, pk)
        data = _input(ConstraintInput, request)
        town, team = _pair(data)
        row = _call(services.constraint_set, actor=request.user, selection_round=selection_round, town=town, team=team,
                    kind=data["kind"], reason=data["reason"])
        return Response({"id": row.pk, "kind": row.kind, "reason": row.reason}, status=201)

    @extend_schema(request=PanelInput)
    @action(detail=True, methods=["post"])
    def panel(self, request, pk=None):
        """``{"town": id, "team": id, "score": 0–100}``: the selection meeting's score for a pair."""
        selection_round = self._round(request, pk)
        data = _input(PanelInput, request)
        town, team = _pair(data)
        row = _call(services.panel_score_set, actor=request.user, selection_round=selection_round, town=town, team=team,
                    score=data["score"])
        return Response({"id": row.pk, "score": float(row.score)}, status=201)

    @extend_schema(request={"multipart/form-data": MeetingInput, "application/json": MeetingInput})
    @action(detail=True, methods=["post"])
    def meeting(self, request, pk=None):
        selection_round = self._round(request, pk)
        data = _input(MeetingInput, request)
        _call(services.meeting_record, actor=request.user, selection_round=selection_round,
              meeting_date=data["meeting_date"], participants=data["meeting_participants"],
              minutes=data.get("meeting_minutes"))
        return Response(SelectionRoundSerializer(selection_round).data)

    @extend_schema(request=FinalizeInput)
    @action(detail=True, methods=["post"])
    def finalize(self, request, pk=None):
        """``{"run": id}``: create the pairings exactly as that run shows them."""
        selection_round = self._round(request, pk)
        data = _input(FinalizeInput, request)
        run = selection_round.runs.filter(pk=data["run"]).first()
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
