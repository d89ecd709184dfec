"""Case lists sorted and filtered by risk level."""

from django.db.models import Case as When_
from django.db.models import IntegerField, Value, When

from consult.cases.models import RISK_ORDER, RiskLevel
from consult.risk.models import RiskAssessment


def risk_rank():
    """The risk level as a number the database can sort by (none=0 ... imminent=4)."""
    return When_(
        *[When(risk_level=level, then=Value(rank)) for level, rank in RISK_ORDER.items()],
        output_field=IntegerField(),
    )


def cases_by_risk(cases, *, level=None, sort="updated"):
    if level in RiskLevel.values:
        cases = cases.filter(risk_level=level)
    if sort == "risk":
        return cases.annotate(risk_order=risk_rank()).order_by("-risk_order", "-updated_at")
    return cases.order_by("-updated_at")


def risk_history(case):
    return RiskAssessment.objects.filter(case=case).select_related("author")
