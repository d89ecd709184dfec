"""Shared assertions for the scanner's tables."""

from consult.deid.scanner import scan


def covered(text: str, part: str) -> bool:
    """Every non-space character of `part` (its first occurrence in `text`) lies in some finding."""
    start = text.index(part)
    hits = set()
    for f in scan(text):
        hits.update(range(f.start, f.end))
    return all(i in hits for i in range(start, start + len(part)) if not text[i].isspace())


def kinds_over(text: str, part: str) -> set:
    start = text.index(part)
    end = start + len(part)
    return {f.kind for f in scan(text) if f.start < end and start < f.end}
