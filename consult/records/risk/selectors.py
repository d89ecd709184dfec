"""A case's risk history."""

from consult.records.risk.models import RiskAssessment


def risk_history(case):
    return RiskAssessment.objects.filter(case=case).select_related("author")
