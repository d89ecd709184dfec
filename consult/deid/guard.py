"""The one entry point every free-text field passes before it is saved or broadcast."""
from dataclasses import dataclass

from consult.core.errors import IdentifierFound
from consult.deid.scanner import scan


@dataclass(frozen=True, slots=True)
class Confirmation:
    """The writer's word that a flagged span is not an identifier (a false alarm)."""

    start: int
    end: int
    kind: str

    def as_dict(self):
        return {"start": self.start, "end": self.end, "kind": self.kind}


def guard_text(text, *, field, confirmations=()):
    """Raise IdentifierFound for any flagged span the writer has not confirmed.

    Returns the confirmations that matched a finding, for the record; a confirmation that
    matches nothing confirms nothing and is dropped.
    """
    confirmed = {(c.start, c.end, c.kind) for c in confirmations}
    findings = scan(text)
    unconfirmed = [f for f in findings if (f.start, f.end, f.kind) not in confirmed]
    if unconfirmed:
        raise IdentifierFound(unconfirmed, field=field)
    return [Confirmation(f.start, f.end, f.kind) for f in findings]
