from django.conf import settings
from django.db import models


class Status(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    OPEN = "open", "In progress"
    CLOSED = "closed", "Closed"


class ReviewSession(models.Model):
    """A group case review: a team meets, a facilitator walks an ordered agenda of cases."""

    team = models.ForeignKey(
        "accounts.Team", on_delete=models.PROTECT, related_name="review_sessions"
    )
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    scheduled_at = models.DateTimeField()
    planned_minutes = models.PositiveIntegerField(default=60)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SCHEDULED)
    current_position = models.PositiveIntegerField(default=1)  # the agenda item under discussion
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-scheduled_at"]

    def __str__(self):
        return f"review {self.pk} of {self.team_id}"

    @property
    def minutes_held(self):
        """How long the session ran, to the nearest minute (at least one), once closed."""
        if not (self.opened_at and self.closed_at):
            return None
        return max(1, round((self.closed_at - self.opened_at).total_seconds() / 60))


class AgendaItem(models.Model):
    """One case on a review's agenda; its minutes land in the case's record when the review
    closes."""

    session = models.ForeignKey(ReviewSession, on_delete=models.CASCADE, related_name="agenda")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="review_items")
    position = models.PositiveIntegerField()
    minutes = models.TextField(blank=True)
    minutes_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    minutes_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["session", "position"], name="one_agenda_item_per_position"
            ),
            models.UniqueConstraint(fields=["session", "case"], name="one_agenda_item_per_case"),
        ]
        ordering = ["session", "position"]


class Attendance(models.Model):
    """Someone joined the review while it was in progress (recorded once, at their first join)."""

    session = models.ForeignKey(ReviewSession, on_delete=models.CASCADE, related_name="attendance")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    joined_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="one_attendance_per_person")
        ]
        ordering = ["joined_at"]
