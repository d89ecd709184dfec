"""Links into other parts of the product that may not be installed yet."""

from django.urls import NoReverseMatch, reverse

# Names helper apps give their "request an urgent consult for this case" page, most likely first.
URGENT_CONSULT_URL_NAMES = ("consult-urgent", "urgent-consult", "consult-request-urgent")


def urgent_consult_url(case):
    for name in URGENT_CONSULT_URL_NAMES:
        try:
            return reverse(name, args=[case.code])
        except NoReverseMatch:
            continue
    # The case room's consult panel: ?urgent=1 opens its form with "urgent" chosen.
    return reverse("case-room", args=[case.code]) + "?urgent=1#consult-panel"
