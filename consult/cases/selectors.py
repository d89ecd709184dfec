"""Case lists: sorted and filtered by risk level, and marked by the apps above cases.

The case list shows marks that other apps own (oncall: a consult about the case is open). Those
apps register an annotation in their AppConfig.ready (`case_list_annotation`), so the list shows
the mark without cases importing the app.
"""

from django.db.models import Case as When_
from django.db.models import IntegerField, Value, When

from consult.cases.models import RISK_ORDER, RiskLevel

CASE_LIST_ANNOTATIONS = []  # functions queryset → annotated queryset


def case_list_annotation(annotate):
    if annotate not in CASE_LIST_ANNOTATIONS:
        CASE_LIST_ANNOTATIONS.append(annotate)
    return annotate


def with_case_list_marks(cases):
    for annotate in CASE_LIST_ANNOTATIONS:
        cases = annotate(cases)
    return cases


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
