"""Shared base model, workflow transitions, sensitive-data access log and task runs."""
import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.fields import COMMENT_MAX_CHARS, LimitedTextField
from core.scoping import ScopedModel


# Rules every domain record keeps when it is validated (``full_clean``, which every service calls before it saves),
# contributed by the apps that know them (cycles: a closed cycle's records are read-only). ``rule(instance)`` raises
# ValidationError naming the field.
RECORD_RULES: list = []


class DomainModel(ScopedModel):
    """Base of every domain record: timestamps, scope declaration and full change history."""

    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords(inherit=True)

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        for rule in RECORD_RULES:
            rule(self)

    def delete_refusal(self, user) -> str | None:
        """Why ``user`` may not delete this record, in Chinese; None when they may.

        Records others depend on are never hard-deleted: cycles are closed, units, towns and teams kept, workflow
        records move to a closing state. A model whose rows may go (an unused village, a taxonomy entry) overrides
        this; the API's DELETE and the admin both ask it, and a delete the database still protects answers 409.
        """
        return str(_("“%(name)s”是正式记录，其他记录可能依赖它，不能删除；不再使用时请关闭、停用或撤销。")
                   % {"name": self})


class Transition(models.Model):
    """One workflow step taken on a record: who moved it from which state to which, and why."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.CharField(max_length=64)
    subject = GenericForeignKey("content_type", "object_id")
    action = models.CharField(_("操作"), max_length=64)
    from_state = models.CharField(_("原状态"), max_length=32, blank=True)
    to_state = models.CharField(_("新状态"), max_length=32)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True, on_delete=models.SET_NULL
    )
    comment = LimitedTextField(_("意见"), max_length=COMMENT_MAX_CHARS, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("流转记录")
        verbose_name_plural = _("流转记录")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["content_type", "object_id", "created_at"])]

    def __str__(self):
        return f"{self.from_state}→{self.to_state}"


class SensitiveAccess(models.Model):
    """A logged unmasked view of personal data (ID number, phone of an objector, …)."""

    # Empty for the public: an objector who downloads their own evidence with the receipt number and phone.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, verbose_name=_("查看人"), null=True,
                             blank=True)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.CharField(max_length=64)
    field = models.CharField(_("字段"), max_length=64)
    purpose = models.CharField(_("用途"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("敏感信息查看记录")
        verbose_name_plural = _("敏感信息查看记录")


class TaskRun(models.Model):
    """A background job a user started, with progress a page can poll."""

    class Status(models.TextChoices):
        PENDING = "pending", _("排队中")
        RUNNING = "running", _("进行中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("类型"), max_length=64)
    label = models.CharField(_("名称"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("发起人")
    )
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.PENDING)
    done = models.PositiveIntegerField(_("已处理"), default=0)
    total = models.PositiveIntegerField(_("总数"), default=0)
    message = LimitedTextField(_("说明"), max_length=5000, blank=True)
    result = models.JSONField(_("结果"), default=dict, blank=True)
    result_url = models.CharField(_("结果链接"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("开始时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")
        ordering = ["-created_at"]

    def __str__(self):
        return self.label

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(self.done * 100 / self.total) if self.total else 0

    @classmethod
    def scope_q(cls, user, action):
        """Override (a task run is no domain record): the user who started it, alone."""
        return models.Q(created_by=user)


class IdempotencyKey(models.Model):
    """A submission already made: the same key from the same user makes no second record (double click, weak
    network, a retried API call). Forms carry one in a hidden field; API clients send ``Idempotency-Key``."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=64)
    content_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.CASCADE)
    object_id = models.CharField(max_length=64, blank=True)
    result_url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="one_submission_per_key")]


def _fit_change_reason(sender, history_instance=None, **kwargs):
    """simple-history keeps the change reason in 100 characters; a longer one (an amendment summary, an import
    file's name) is cut rather than failing the save on PostgreSQL. The full text stays where it belongs (the
    transition's comment, the amendment record)."""
    reason = getattr(history_instance, "history_change_reason", None)
    if reason and len(reason) > 100:
        history_instance.history_change_reason = reason[:99] + "…"


from simple_history.signals import pre_create_historical_record  # noqa: E402

pre_create_historical_record.connect(_fit_change_reason, dispatch_uid="kjtpy-fit-change-reason")


class ScheduledRun(models.Model):
    """A scheduled job's run in one period (``@scheduled_job(name, every=...)``): the first ``run_scheduled`` of the
    period inserts the row and runs the job; the timers of the other machines find it and skip. A run that failed,
    or whose machine died before it finished, is taken over by a later run in the same period."""

    job = models.CharField(_("定时任务"), max_length=64)
    period_start = models.DateTimeField(_("周期开始"))
    started_at = models.DateTimeField(_("开始时间"))
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("尝试次数"), default=1)
    result = models.CharField(_("结果"), max_length=500, blank=True)
    error = LimitedTextField(_("错误"), max_length=5000, blank=True)

    class Meta:
        verbose_name = _("定时任务运行")
        verbose_name_plural = _("定时任务运行")
        ordering = ["-period_start", "job"]
        constraints = [models.UniqueConstraint(fields=["job", "period_start"], name="one_scheduled_run_per_period")]

    def __str__(self):
        return "%s @ %s" % (self.job, self.period_start)
