from django.conf import settings
from django.db import models


class GuidanceEntry(models.Model):
    """One version of a supervisor's guidance on a case. Never edited: an amendment is a new row
    with the same `number`, the next `version`, and `replaces` pointing at the version before."""

    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="guidance_entries"
    )
    number = (
        models.PositiveIntegerField()
    )  # the entry's number in the case's log, shared by its versions
    version = models.PositiveIntegerField(default=1)
    # One-to-one: a version is replaced at most once, so an entry's versions form a single line.
    replaces = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assessment = models.TextField()
    recommendation = models.TextField()
    actions = models.TextField(blank=True)
    follow_up_due = models.DateField(null=True, blank=True)
    followup = models.ForeignKey(
        "followups.FollowUp", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    consult = models.ForeignKey(
        "oncall.ConsultRequest",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="guidance_entries",
    )
    # Length of the guidance conversation, for the therapist's supervision hours.
    session_minutes = models.PositiveIntegerField(default=30)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["case", "number", "version"], name="one_guidance_version"
            ),
        ]
        ordering = ["case", "-number", "-version"]

    @property
    def is_current(self):
        return not hasattr(self, "replaced_by")


class Acknowledgement(models.Model):
    """The case owner has read this version of the guidance."""

    entry = models.OneToOneField(
        GuidanceEntry, on_delete=models.PROTECT, related_name="acknowledgement"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
