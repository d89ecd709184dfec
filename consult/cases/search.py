"""Search across the messages of the cases a user may see, audited as reads of those cases.

PostgreSQL: full-text search (`websearch_to_tsquery('english', ...)` against the GIN index on
`to_tsvector('english', body)`, migration 0005), best matches first. Elsewhere (the embedded
SQLite default): every word of the query must appear in the message, case-insensitively
(a LIKE per word), newest first. Messages are stored de-identified already; the query itself may
hold clinical words, so it is never logged or audited: each case that returned results gets one
`search.results_read` event with the seqs shown and their count.
"""

from django.db import transaction

from consult.audit.kinds import Action
from consult.audit.services import audit_append
from consult.cases import store
from consult.cases.models import Message
from consult.core.errors import ValidationFailed

QUERY_MIN_CHARS, QUERY_MAX_CHARS = 2, 200
RESULTS_MAX = 50
SNIPPET_CHARS = 240


def message_search(*, actor, query):
    """The matching messages (with `case` and `author` loaded), at most RESULTS_MAX."""
    query = " ".join((query or "").split())
    if not QUERY_MIN_CHARS <= len(query) <= QUERY_MAX_CHARS:
        raise ValidationFailed(
            f"search for {QUERY_MIN_CHARS} to {QUERY_MAX_CHARS} characters", field="q"
        )
    messages = Message.objects.filter(case__team__memberships__user=actor).select_related(
        "case", "author"
    )
    found = list(store.messages_matching(messages, query)[:RESULTS_MAX])
    _audit_reads(actor, found)
    return found


def _audit_reads(actor, found):
    seqs_by_case = {}
    for message in found:
        seqs_by_case.setdefault(message.case, []).append(message.seq)
    with transaction.atomic():
        for case in sorted(
            seqs_by_case, key=lambda c: c.pk
        ):  # one order: two searches never deadlock
            seqs = sorted(seqs_by_case[case])
            audit_append(
                action=Action.SEARCH_RESULTS_READ,
                actor=actor,
                case=case,
                payload={"seqs": seqs, "count": len(seqs)},
            )


def snippet(body, query):
    """Up to SNIPPET_CHARS of the message around the first word of the query it contains."""
    lowered = body.lower()
    starts = [lowered.find(word.lower()) for word in query.split()]
    start = min([s for s in starts if s >= 0], default=0)
    begin = max(0, start - SNIPPET_CHARS // 3)
    text = body[begin : begin + SNIPPET_CHARS]
    return ("…" if begin else "") + text + ("…" if begin + SNIPPET_CHARS < len(body) else "")
