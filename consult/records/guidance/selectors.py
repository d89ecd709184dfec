"""Reading the guidance log: every version stays readable, grouped by entry, newest first."""

from itertools import groupby

from consult.records.guidance.models import GuidanceEntry


def guidance_entries(case):
    """[(current version, [older versions, newest first])] for the case, newest entry first."""
    versions = (
        GuidanceEntry.objects.filter(case=case)
        .select_related("author", "acknowledgement__user", "replaces")
        .order_by("-number", "-version")
    )
    return [
        (group[0], group[1:])
        for group in (list(items) for _, items in groupby(versions, key=lambda entry: entry.number))
    ]


def guidance_entry(case, entry_id):
    return GuidanceEntry.objects.filter(case=case, pk=entry_id).first()
