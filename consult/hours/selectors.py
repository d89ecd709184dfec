"""A therapist's supervision log for licensure: every consult, guidance session and group review.

    activity  counted when                            supervisor        format      minutes
    guidance  an entry's first version (with or       its author        individual  session length
              without a consult)
    consult   a supervisor acknowledged it, it        who acknowledged  individual  ack → resolve
              resolved, and no guidance entry
              records the session
    review    the therapist attended a closed group   the facilitator   group       open → close
              review

The supervisor's guidance entry is the record of a session: its length is what the supervisor
wrote down, so a consult with guidance counts as that guidance (never both, never neither). A
consult answered without a guidance entry counts from acknowledgement to resolution.
Amendments are not new sessions.
"""

import csv
import io
from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from consult.accounts.models import User
from consult.core.errors import AccessDenied, NotFound
from consult.oncall.models import ConsultRequest
from consult.records.guidance.models import GuidanceEntry
from consult.records.reviews.models import ReviewSession, Status

CSV_HEADER = ["date", "minutes", "supervisor", "format", "activity", "reference"]


@dataclass(frozen=True)
class SupervisionRow:
    date: date
    minutes: int
    supervisor: str
    format: str  # individual | group
    activity: str  # consult | guidance | review
    reference: str  # a case code or a review number: never clinical text

    def as_csv(self):
        return [
            self.date.isoformat(),
            self.minutes,
            self.supervisor,
            self.format,
            self.activity,
            self.reference,
        ]


def therapist_for_viewer(viewer, therapist_id):
    """(therapist, team ids whose records the viewer may count), or NotFound / AccessDenied.

    Therapists see their own log in full; a supervisor or admin sees a member of their teams,
    counted only from those teams. Anyone else learns nothing about who exists.
    """
    therapist = User.objects.filter(pk=therapist_id).first()
    if therapist is None:
        raise NotFound("no such therapist")
    if therapist.pk == viewer.pk:
        return therapist, None
    shared = set(viewer.memberships.values_list("team_id", flat=True)) & set(
        therapist.memberships.values_list("team_id", flat=True)
    )
    if not shared:
        raise NotFound("no such therapist")
    if not viewer.is_supervisor:
        raise AccessDenied("only supervisors see other therapists' supervision hours")
    return therapist, shared


def supervision_log(therapist, *, team_ids=None):
    rows = [
        *_consults(therapist, team_ids),
        *_guidance(therapist, team_ids),
        *_reviews(therapist, team_ids),
    ]
    return sorted(rows, key=lambda row: (row.date, row.activity, row.reference))


def _in_teams(queryset, team_ids, field):
    return queryset if team_ids is None else queryset.filter(**{f"{field}__in": team_ids})


def _minutes(start, end):
    return max(1, round((end - start).total_seconds() / 60))


def _consults(therapist, team_ids):
    consults = _in_teams(
        ConsultRequest.objects.filter(
            requester=therapist, acknowledged_by__isnull=False, resolved_at__isnull=False
        ),
        team_ids,
        "team_id",
    ).exclude(pk__in=GuidanceEntry.objects.filter(consult__isnull=False).values("consult_id"))
    for c in consults.select_related("acknowledged_by", "case"):
        yield SupervisionRow(
            timezone.localdate(c.acknowledged_at),
            _minutes(c.acknowledged_at, c.resolved_at),
            c.acknowledged_by.display_name,
            "individual",
            "consult",
            c.case.code if c.case_id else f"consult {c.pk}",
        )


def _guidance(therapist, team_ids):
    entries = _in_teams(
        GuidanceEntry.objects.filter(case__owner=therapist, version=1), team_ids, "case__team_id"
    )
    for e in entries.select_related("author", "case"):
        yield SupervisionRow(
            timezone.localdate(e.created_at),
            e.session_minutes,
            e.author.display_name,
            "individual",
            "guidance",
            e.case.code,
        )


def _reviews(therapist, team_ids):
    sessions = _in_teams(
        ReviewSession.objects.filter(status=Status.CLOSED, attendance__user=therapist).exclude(
            facilitator=therapist
        ),
        team_ids,
        "team_id",
    )
    for s in sessions.select_related("facilitator", "team"):
        yield SupervisionRow(
            timezone.localdate(s.opened_at),
            s.minutes_held,
            s.facilitator.display_name,
            "group",
            "review",
            f"review {s.pk}",
        )


# A spreadsheet runs a cell that starts with one of these as a formula (OWASP "CSV injection"):
# a display name such as =HYPERLINK(...) would become a link or a command on the reader's machine.
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value):
    """Text a spreadsheet shows literally: a leading ' stops formula evaluation. Numbers stay
    numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_LEADS):
        return "'" + value
    return value


def supervision_csv(rows):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    writer.writerows([csv_safe(cell) for cell in row.as_csv()] for row in rows)
    return out.getvalue()


def therapists_visible_to(viewer):
    """Whose hours the viewer may open: themself, and for supervisors their teams' therapists."""
    if not viewer.is_supervisor:
        return [viewer]
    team_ids = viewer.memberships.values_list("team_id", flat=True)
    others = User.objects.filter(memberships__team_id__in=team_ids, role="therapist").exclude(
        pk=viewer.pk
    )
    return [viewer, *others.distinct().order_by("username")]
