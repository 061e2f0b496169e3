"""API for users in scope and the caller's notifications."""
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from accounts import services
from accounts.models import Notification, User
from core.api import PasswordChanged, ScopedReadOnlyViewSet
from core.scoping import restrict


class UserSerializer(serializers.ModelSerializer):
    role_display = serializers.CharField(source="get_role_display", read_only=True)
    scope = serializers.CharField(source="scope_label", read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "full_name", "role", "role_display", "scope", "organization", "city", "county",
                  "town", "team", "unit", "is_active", "last_login"]


class UserViewSet(ScopedReadOnlyViewSet):
    """Users an official may see; ``/me/`` is the caller; ``reset_password`` gives a temporary password."""

    queryset = User.objects.select_related("city", "county", "town", "team", "unit")
    serializer_class = UserSerializer
    filterset_fields = ["role", "county", "town", "is_active"]
    search_fields = ["username", "full_name"]

    @action(detail=False, methods=["get"])
    def me(self, request):
        return Response(UserSerializer(request.user).data)

    @action(detail=True, methods=["post"])
    def reset_password(self, request, pk=None):
        user = self.get_object()
        try:
            password = services.user_reset_password(actor=request.user, user=user)
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc))
        return Response({"username": user.username, "temporary_password": password})


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "title", "body", "link", "created_at", "read_at"]


class MarkReadInput(serializers.Serializer):
    ids = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=2**63 - 1), required=False,
                                allow_null=True, max_length=5000)


class NotificationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The caller's inbox."""

    serializer_class = NotificationSerializer
    permission_classes = [PasswordChanged]

    def get_queryset(self):
        return restrict(Notification.objects.all(), self.request.user)

    @extend_schema(request=MarkReadInput)
    @action(detail=False, methods=["post"])
    def mark_read(self, request):
        """``{"ids": [...]}`` marks those as read; without ``ids`` (or ``null``) every unread notification."""
        body = MarkReadInput(data=request.data)
        body.is_valid(raise_exception=True)
        count = services.notifications_mark_read(user=request.user, ids=body.validated_data.get("ids"))
        return Response({"marked": count})
