"""Find patient identifiers (HIPAA Safe Harbor categories) in free text. Pure Python, no Django.

>>> [f.as_dict() for f in scan("Client Kelli Fuller, DOB 03/05/1979")]
[{'start': 7, 'end': 19, 'kind': 'NAME'}, {'start': 25, 'end': 35, 'kind': 'DATE'}]
"""

from __future__ import annotations

from dataclasses import dataclass

from .names import find_names
from .normalize import normalise
from .patterns import Ctx, find_patterns
from .places import find_places
from .rules import find_by_rules, find_mixed_script
from .tokens import tokenize

# OTHER_ID: any other unique number or code (a long bare digit run, a code after an id-like label);
# HANDLE: a social-media handle; MIXED_SCRIPT: a word mixing Latin with Cyrillic or Greek letters.
KINDS = (
    "NAME",
    "DATE",
    "AGE_OVER_89",
    "PHONE",
    "EMAIL",
    "SSN",
    "MRN",
    "HEALTH_PLAN",
    "ACCOUNT",
    "LICENSE",
    "VEHICLE",
    "DEVICE",
    "URL",
    "IP",
    "ADDRESS",
    "OTHER_ID",
    "HANDLE",
    "MIXED_SCRIPT",
)
# when findings overlap, the merged finding takes the kind that comes first here
_PRIORITY = {
    k: i
    for i, k in enumerate(
        (
            "EMAIL",
            "URL",
            "HANDLE",
            "IP",
            "SSN",
            "MRN",
            "HEALTH_PLAN",
            "ACCOUNT",
            "LICENSE",
            "VEHICLE",
            "DEVICE",
            "PHONE",
            "AGE_OVER_89",
            "DATE",
            "ADDRESS",
            "OTHER_ID",
            "NAME",
            "MIXED_SCRIPT",
        )
    )
}


@dataclass(frozen=True, slots=True)
class Finding:
    start: int
    end: int
    kind: str

    def as_dict(self) -> dict:
        return {"start": self.start, "end": self.end, "kind": self.kind}


def _raw(text: str):
    toks = tokenize(text)
    c = Ctx(text, toks)
    yield from find_patterns(c)
    yield from find_places(c)
    yield from find_names(text, toks)
    yield from find_by_rules(c)


def scan(text: str) -> list[Finding]:
    """Return identifier findings sorted by start, non-overlapping, as offsets into `text`."""
    if not text:
        return []
    norm = normalise(text)
    spans = [(*norm.span(s, e), k) for s, e, k in _raw(norm.text) if e > s]
    spans.extend(find_mixed_script(text))
    spans.sort()
    out: list[list] = []
    for s, e, k in spans:
        if out and s < out[-1][1]:
            last = out[-1]
            if e > last[1]:
                last[1] = e
            if _PRIORITY[k] < _PRIORITY[last[2]]:
                last[2] = k
        else:
            out.append([s, e, k])
    return [Finding(s, e, k) for s, e, k in out]
