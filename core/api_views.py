"""API for background task progress."""
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import HistoryEntrySerializer, ScopedReadOnlyViewSet
from core.models import TaskRun


class TaskRunSerializer(serializers.ModelSerializer):
    percent = serializers.IntegerField(read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = TaskRun
        fields = ["id", "kind", "label", "status", "status_display", "done", "total", "percent", "message",
                  "result", "result_url", "created_at", "finished_at"]


class TaskRunViewSet(ScopedReadOnlyViewSet):
    """The caller's background tasks and their progress."""

    queryset = TaskRun.objects.all()
    serializer_class = TaskRunSerializer

    @action(detail=True, methods=["get"])
    def history(self, request, pk=None):
        """Always empty: a task run keeps no change history (its progress is the run itself)."""
        self.get_object()
        return Response(HistoryEntrySerializer([], many=True).data)
