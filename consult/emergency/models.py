from django.conf import settings
from django.db import models

from consult.cases.models import Case


class EmergencyGrant(models.Model):
    """Emergency ("break-glass") access to one case for a supervisor or admin outside its team.

    Active while `expires_at` is ahead and `expired_at` is empty; the scheduler sets `expired_at`
    once it has closed the grantee's sockets and put the expiry on the case's trail.
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="emergency_grants")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="emergency_grants"
    )
    reason = models.TextField()  # passed the de-identification guard; on the trail only as its hash
    granted_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    expired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-granted_at"]
        indexes = [
            models.Index(fields=["expired_at", "expires_at"]),
            models.Index(fields=["user", "case"]),
        ]

    def __str__(self):
        return f"emergency access #{self.pk} to {self.case_id} for {self.user_id}"
