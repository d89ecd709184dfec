from django.conf import settings
from django.db import models


class Source(models.TextChoices):
    MANUAL = "manual", "Scheduled by hand"
    GUIDANCE = "guidance", "From supervisor guidance"
    CONSULT = "consult", "From a consult"


class FollowUp(models.Model):
    """A check-in with a client that is due by `due_at` ("continued support").

    The reminder is a row state, not a timer: the scheduler claims due rows whose
    `reminded_at` is still empty, so a restart never loses one and two schedulers never send two.
    """

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="followups")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="followups"
    )
    due_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.MANUAL)
    # The id of the row in the source's app (a guidance entry, a consult request), if any.
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["due_at"]
        indexes = [models.Index(fields=["completed_at", "due_at"])]

    def __str__(self):
        return f"follow-up {self.pk} on {self.case_id} due {self.due_at:%Y-%m-%d %H:%M}"
