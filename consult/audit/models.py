from django.conf import settings
from django.db import models


class AuditHead(models.Model):
    """The tip of one stream's chain; appends lock this row so the chain never forks."""

    stream = models.CharField(max_length=64, primary_key=True)
    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64)


class AuditEvent(models.Model):
    stream = models.CharField(max_length=64)
    seq = models.PositiveBigIntegerField()
    case = models.ForeignKey("cases.Case", null=True, on_delete=models.PROTECT, related_name="audit_events")
    created_at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=64)
    payload = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["stream", "seq"], name="one_event_per_stream_seq")]
        indexes = [models.Index(fields=["case", "seq"])]
        ordering = ["stream", "seq"]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("audit events are append-only")
