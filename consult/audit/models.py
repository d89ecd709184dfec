from django.conf import settings
from django.db import models


class AppendOnly(models.Model):
    """Rows are written once. The model refuses changes here; database triggers refuse the rest."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError(f"{self._meta.verbose_name_plural} are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError(f"{self._meta.verbose_name_plural} are append-only")


class AuditHead(models.Model):
    """The tip of one stream's chain; appends lock this row so the chain never forks."""

    stream = models.CharField(max_length=64, primary_key=True)
    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64)
    # The hash before the last append: lets one UPDATE ... RETURNING hand back the previous
    # hash with the new seq (consult/audit/sql.py).
    prev_hash = models.CharField(max_length=64, default="0" * 64)


class AuditEvent(AppendOnly):
    stream = models.CharField(max_length=64)
    seq = models.PositiveBigIntegerField()
    # Every index is one more write on each action's critical path (bench/audit_cost.py), so
    # only (stream, seq) has one: trails are read by stream. Case and actor lookups happen when
    # someone tries to delete a case or a user, which PROTECT refuses anyway.
    case = models.ForeignKey(
        "cases.Case",
        null=True,
        on_delete=models.PROTECT,
        related_name="audit_events",
        db_index=False,
    )
    created_at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    action = models.CharField(max_length=64)
    payload = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["stream", "seq"], name="one_event_per_stream_seq")
        ]
        ordering = ["stream", "seq"]


class AuditCheckpoint(AppendOnly):
    """A stream's head (seq, hash) signed with AUDIT_HMAC_KEY at `signed_at`.

    Whoever can write the database can recompute every hash of a chain, but cannot sign:
    a rewritten chain no longer matches the hash its checkpoints signed.
    """

    stream = models.CharField(max_length=64)
    seq = models.PositiveBigIntegerField()
    hash = models.CharField(max_length=64)
    signed_at = models.DateTimeField()
    hmac = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["stream", "seq"], name="one_checkpoint_per_stream_seq")
        ]
        ordering = ["stream", "seq"]
