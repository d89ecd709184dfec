from django.conf import settings
from django.db import models

from consult.cases.clinical import WarningSign
from consult.cases.models import RiskLevel


class RiskAssessment(models.Model):
    """One version of a case's risk picture. Never updated: a change is the next version."""

    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="risk_assessments"
    )
    version = models.PositiveIntegerField()
    level = models.CharField(max_length=16, choices=RiskLevel.choices)
    signs = models.JSONField(default=list)  # sorted WarningSign values present
    protective_factors = models.TextField(blank=True)
    reason = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "version"], name="one_risk_version_per_case")
        ]
        ordering = ["case", "-version"]

    def sign_labels(self):
        return [WarningSign(sign).label for sign in self.signs]
