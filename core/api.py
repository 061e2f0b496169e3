"""Base pieces for the REST API: every viewset reads through the scoping function."""
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import ProtectedError, RestrictedError
from rest_framework import permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, PermissionDenied, ValidationError
from rest_framework.response import Response

from core.history import history_rows
from core.models import Transition
from core.scoping import CHANGE, VIEW, can, restrict
from core.workflow import Conflict, transitions_for


class PasswordChanged(permissions.BasePermission):
    """Signed in and past the first-login password change."""

    message = "首次登录须先修改密码。"

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and not getattr(user, "must_change_password", False))


class TransitionSerializer(serializers.ModelSerializer):
    actor = serializers.StringRelatedField()

    class Meta:
        model = Transition
        fields = ["action", "from_state", "to_state", "actor", "comment", "created_at"]


class HistoryEntrySerializer(serializers.Serializer):
    when = serializers.DateTimeField()
    who = serializers.CharField(allow_null=True)
    kind = serializers.CharField()
    reason = serializers.CharField(allow_null=True)
    changes = serializers.ListField(child=serializers.DictField())


class ConflictError(APIException):
    status_code = 409
    default_detail = "该记录已被他人处理，请刷新后查看。"
    default_code = "conflict"


def django_errors_to_drf(exc):
    if isinstance(exc, Conflict):
        return ConflictError(exc.messages[0] if exc.messages else None)
    if isinstance(exc, DjangoValidationError):
        return ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    if isinstance(exc, DjangoPermissionDenied):
        return PermissionDenied(str(exc))
    return exc


class ScopedViewSetMixin:
    """Querysets come from :func:`core.scoping.restrict`; writes need ``change`` scope on the row.

    Subclasses set ``queryset`` (the unscoped base, with its joins) and may set
    ``create_roles`` for who may add rows. Out-of-scope rows are 404, not 403.
    """

    permission_classes = [PasswordChanged]
    create_roles: frozenset = frozenset()

    def get_queryset(self):
        action_name = VIEW if self.request.method in permissions.SAFE_METHODS else CHANGE
        return restrict(super().get_queryset(), self.request.user, action_name)

    def check_create_allowed(self):
        user = self.request.user
        if not (user.is_superuser or user.role in self.create_roles):
            raise PermissionDenied("您的角色不能新增此类记录。")

    def perform_create(self, serializer):
        self.check_create_allowed()
        try:
            with transaction.atomic():
                instance = serializer.save()
                instance.full_clean()
                if not can(self.request.user, instance, CHANGE):
                    raise DjangoPermissionDenied("不能在您的管辖范围之外新增记录。")
        except (DjangoValidationError, DjangoPermissionDenied) as exc:
            raise django_errors_to_drf(exc)

    def perform_update(self, serializer):
        try:
            with transaction.atomic():
                instance = serializer.save()
                instance.full_clean()
                if not can(self.request.user, instance, CHANGE):
                    raise DjangoPermissionDenied("不能把记录移出您的管辖范围。")
        except (DjangoValidationError, DjangoPermissionDenied) as exc:
            raise django_errors_to_drf(exc)

    def perform_destroy(self, instance):
        """Only what the model says may go (``DomainModel.delete_refusal``); a protected delete answers 409."""
        refusal = instance.delete_refusal(self.request.user) if hasattr(instance, "delete_refusal") else \
            "此类记录不能删除。"
        if refusal:
            raise PermissionDenied(refusal)
        try:
            with transaction.atomic():
                instance.delete()
        except (ProtectedError, RestrictedError) as exc:
            names = sorted({str(obj._meta.verbose_name) for obj in exc.protected_objects if hasattr(obj, "_meta")})
            raise ConflictError("仍有%s引用“%s”，不能删除。" % ("、".join(names) or "其他记录", instance))

    @action(detail=True, methods=["get"])
    def history(self, request, pk=None):
        """Who changed this record, when, and what before and after."""
        obj = self.get_object()
        return Response(HistoryEntrySerializer(history_rows(obj), many=True).data)

    @action(detail=True, methods=["get"])
    def transitions(self, request, pk=None):
        """Workflow steps taken on this record, with actor and comment."""
        obj = self.get_object()
        return Response(TransitionSerializer(transitions_for(obj), many=True).data)


class ScopedModelViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
    """Read and write, scoped."""


class ScopedReadOnlyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Read only, scoped."""
