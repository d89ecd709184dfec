"""Links into other parts of the product."""

from django.urls import reverse


def urgent_consult_url(case):
    """The case room's consult panel: ?urgent=1 opens its form with "urgent" chosen."""
    return reverse("case-room", args=[case.code]) + "?urgent=1#consult-panel"
