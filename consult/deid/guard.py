"""The one entry point every free-text field passes before it is saved or broadcast."""

import re
from dataclasses import dataclass
from urllib.parse import unquote_plus, urlsplit

from consult.core.errors import IdentifierFound
from consult.deid.scanner import scan
from consult.deid.visible import rendered_findings


@dataclass(frozen=True, slots=True)
class Confirmation:
    """The writer's word that a flagged span is not an identifier (a false alarm)."""

    start: int
    end: int
    kind: str

    def as_dict(self):
        return {"start": self.start, "end": self.end, "kind": self.kind}


def guard_text(text, *, field, confirmations=(), allowed=()):
    """Raise IdentifierFound for any flagged span the writer has not confirmed.

    Returns the confirmations that matched a finding, for the record; a confirmation that
    matches nothing confirms nothing and is dropped. The scanner reads the text as a reader
    sees it (character references decoded, invisible characters dropped...) and gives spans of
    the text as written. `allowed` are spans the application itself knows are no identifiers
    (an @mention of a colleague on the case's team, which the HANDLE rule flags): dropped from
    the findings exactly as given, and not returned, since nobody confirmed them.
    """
    confirmed = {(c.start, c.end, c.kind) for c in confirmations}
    exempt = {(a.start, a.end, a.kind) for a in allowed}
    findings = [f for f in scan(text) if (f.start, f.end, f.kind) not in exempt]
    unconfirmed = [f for f in findings if (f.start, f.end, f.kind) not in confirmed]
    if unconfirmed:
        error = IdentifierFound(unconfirmed, field=field)
        error.text = text  # the text the offsets count in, for the writer's own page
        raise error
    return [Confirmation(f.start, f.end, f.kind) for f in findings]


class FieldsFlagged(IdentifierFound):
    """Several fields of one form were flagged; `errors` holds one IdentifierFound per field."""

    def __init__(self, errors):
        super().__init__([f for e in errors for f in e.findings], field=errors[0].field)
        self.errors = errors

    def as_dict(self):
        return {
            **super().as_dict(),
            "fields": {e.field: [f.as_dict() for f in e.findings] for e in self.errors},
        }


def guard_fields(texts, confirmations=None):
    """Pass every {field: text} through the guard, so the writer sees every flagged span at once.

    `confirmations` is {field: [Confirmation]}; returns {field: [the confirmations that matched]}.
    """
    errors, accepted = [], {}
    for field, text in texts.items():
        try:
            accepted[field] = guard_text(
                text, field=field, confirmations=(confirmations or {}).get(field, ())
            )
        except IdentifierFound as error:
            errors.append(error)
    if errors:
        raise FieldsFlagged(errors)
    return accepted


_URL_SEPARATORS = re.compile(r"[/?&=#:;_]+")


def url_words(url):
    """What a URL carries besides its host, decoded, as words (the text guard_url scans)."""
    parts = urlsplit(url)
    return " ".join(
        _URL_SEPARATORS.sub(" ", unquote_plus(part))
        for part in (parts.username or "", parts.path, parts.query, parts.fragment)
    ).strip()


def guard_url(url, *, field, confirmations=()):
    """A URL the app calls (a team's webhook) is a URL by nature, but what it carries must not
    identify anyone (`.../hook?patient=John+Smith`): its url_words are scanned. Raise
    IdentifierFound (offsets count in those words); return the confirmations that matched."""
    return guard_text(url_words(url), field=field, confirmations=confirmations)


def guard_rendered(html, *, source, field, confirmations=()):
    """Scan what readers of `html`, rendered from `source`, will see: markup can join what the
    source scan saw apart (`J**oh**n`). Raise IdentifierFound for anything not confirmed."""
    unexplained = rendered_findings(html, source=source, confirmed=confirmations)
    if unexplained:
        raise IdentifierFound(unexplained, field=field)


def flagged_spans(error, texts):
    """{field: [{start, end, kind, text}]}: what to show the writer, in their own page only."""
    errors = getattr(error, "errors", [error])
    return {
        e.field: [
            {**f.as_dict(), "text": getattr(e, "text", texts.get(e.field, ""))[f.start : f.end]}
            for f in e.findings
        ]
        for e in errors
    }
