"""Base pieces for the REST API: every viewset reads through the scoping function."""
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.http import Http404
from django.db.models import ProtectedError, RestrictedError
from rest_framework import permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response

from core.history import history_rows
from core.models import Transition
from core.scoping import CHANGE, VIEW, can, restrict
from core.workflow import Conflict, transitions_for
from core.roles import is_system_admin


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


def read_input(serializer_class, request) -> dict:
    """The request body checked by ``serializer_class`` (types only; the service checks the rules), or 400."""
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def call_service(function, **kwargs):
    """Call a service; its Chinese ValidationError / PermissionDenied / Conflict become 400 / 403 / 409."""
    try:
        return function(**kwargs)
    except (DjangoValidationError, DjangoPermissionDenied) as error:
        raise django_errors_to_drf(error)


def _dependents(exc) -> str:
    """What still refers to the record a ProtectedError/RestrictedError refused to delete: 需求（3条）、团队（1条）."""
    counts: dict[str, int] = {}
    for obj in list(getattr(exc, "protected_objects", None) or getattr(exc, "restricted_objects", None) or [])[:1000]:
        meta = getattr(obj, "_meta", None)
        if meta is not None:
            name = str(meta.verbose_name)
            counts[name] = counts.get(name, 0) + 1
    return "、".join("%s（%d条）" % (name, count) for name, count in sorted(counts.items()))


def exception_handler(exc, context):
    """DRF's handler, plus the errors services and the database raise, each answered in Chinese, never a 500.

    Django ``ValidationError`` → 400 with its messages; ``PermissionDenied`` → 403; ``core.workflow.Conflict`` →
    409; ``IntegrityError`` (a concurrent write won) → 409; ``ProtectedError``/``RestrictedError`` → 409 naming
    what depends on the record; ``ValueError``/``TypeError`` (input a view parsed without checking) → 400, logged
    with its traceback so the view gets fixed. Everything else: DRF's default (an unknown error stays a 500).
    """
    import logging

    from django.db import IntegrityError
    from rest_framework.views import exception_handler as drf_exception_handler

    logger = logging.getLogger("core.api")
    request = context.get("request")
    where = "%s %s" % (request.method, request.path) if request is not None else type(context.get("view")).__name__
    if isinstance(exc, Http404):  # Django's English "No Need matches the given query." never reaches a user
        exc = NotFound("未找到该记录，或该记录不在您的管辖范围内。")
    elif isinstance(exc, DjangoPermissionDenied):
        exc = PermissionDenied(str(exc) or None)  # None: DRF's own "您没有执行该操作的权限。"
    elif isinstance(exc, DjangoValidationError):  # core.workflow.Conflict (a ValidationError) becomes ConflictError
        exc = django_errors_to_drf(exc)
    elif isinstance(exc, (ProtectedError, RestrictedError)):
        dependents = _dependents(exc)
        exc = ConflictError("该记录仍被%s引用，不能删除。" % (dependents or "其他记录"))
    elif isinstance(exc, IntegrityError):
        logger.warning("IntegrityError answered 409 at %s: %s", where, exc)
        exc = ConflictError("与已有记录冲突，请刷新后重试。")
    elif isinstance(exc, (ValueError, TypeError)):
        logger.error("Unchecked input answered 400 at %s", where, exc_info=exc)
        exc = ValidationError({"detail": "请求数据格式不正确。"})
    return drf_exception_handler(exc, context)


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

    def get_serializer(self, *args, **kwargs):
        """For a write, the serializer checks types and formats only: whether the values collide with a stored row
        (unique fields, unique-together) is the service's ``full_clean``, asked *after* the scope check, so a user
        outside the record's scope learns nothing about what exists there."""
        serializer = super().get_serializer(*args, **kwargs)
        if self.request is not None and self.request.method not in permissions.SAFE_METHODS and hasattr(serializer, "fields"):
            from rest_framework.validators import UniqueTogetherValidator, UniqueValidator

            serializer.validators = [v for v in serializer.validators if not isinstance(v, UniqueTogetherValidator)]
            for field in serializer.fields.values():
                field.validators = [v for v in field.validators if not isinstance(v, UniqueValidator)]
        return serializer

    def check_create_allowed(self):
        user = self.request.user
        if not (is_system_admin(user) or user.role in self.create_roles):
            raise PermissionDenied("您的角色不能新增此类记录。")

    def save_record(self, instance):
        """The service that writes one record for this viewset (checks scope and permission first, validates,
        saves, records history). Default: :func:`core.services.record_save`; a viewset whose app has a service of
        its own overrides this (or ``perform_create``/``perform_update`` to call it with the validated data)."""
        from core.services import record_save

        return record_save(actor=self.request.user, instance=instance, create_roles=self.create_roles,
                           reason="API")

    def _write(self, serializer, instance):
        """Put the validated values on ``instance`` in memory, then hand it to the service: nothing is saved first."""
        many = {}
        for name, value in serializer.validated_data.items():
            column = instance._meta.get_field(name)
            if column.many_to_many:
                many[name] = value
            else:
                setattr(instance, name, value)
        try:
            with transaction.atomic():
                serializer.instance = self.save_record(instance)
                for name, value in many.items():
                    getattr(serializer.instance, name).set(value)
        except (DjangoValidationError, DjangoPermissionDenied) as exc:
            raise django_errors_to_drf(exc)

    def perform_create(self, serializer):
        self.check_create_allowed()
        self._write(serializer, serializer.Meta.model())

    def perform_update(self, serializer):
        self._write(serializer, serializer.instance)

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

    def create(self, request, *args, **kwargs):
        """``Idempotency-Key`` makes a retried create return the first record (200) instead of a second one."""
        from core import idempotency

        key = idempotency.key_from(request)
        try:
            with transaction.atomic(), idempotency.once(request.user, key) as claim:
                serializer = self.get_serializer(data=request.data)
                serializer.is_valid(raise_exception=True)
                self.perform_create(serializer)
                claim.done(serializer.instance)
                response = Response(serializer.data, status=201, headers=self.get_success_headers(serializer.data))
        except idempotency.AlreadySubmitted as duplicate:
            earlier = idempotency.earlier_object(duplicate.earlier)
            if earlier is None or not restrict(type(earlier)._default_manager.filter(pk=earlier.pk),
                                               request.user).exists():
                raise ConflictError("该请求已提交过（Idempotency-Key 重复）。")
            return Response(self.get_serializer(earlier).data, status=200, headers={"Idempotent-Replay": "true"})
        return response


class ScopedReadOnlyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Read only, scoped."""
