"""The rule engine: a detector is a row `rule(name, kind, pattern, validate=..., at=...)`.

A new shape is one row in a table (rules.py, patterns.py, places.py) and one test row in
tests/deid. Patterns are compiled once and written without nested unbounded quantifiers, so
matching stays linear in the text length; `at` says where a row is tried (at the digit runs it can
start at, at its cue words, near them, at alphanumeric chunks), so a text visits only the rows
that can match it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from . import vocabulary as V

Span = tuple[int, int, str]


@dataclass(frozen=True)
class Rule:
    """One shape. Where it is tried: at the start of every digit run (`at="digits"`), at every word
    in `words` (`at="words"`), in a window around each of `words` or of the characters in `gates`
    (`at="near"`), at the start of every run of letters and digits holding a digit
    (`at="chunks"`), at every word ending in one of `words` (`at="endings"`), or
    everywhere (`at="scan"`, only when a gate is in the text)."""

    name: str
    kind: str
    pattern: re.Pattern
    group: int = 0
    validate: Callable[[str, int, int, str], bool | tuple[int, int]] | None = None
    at: str = "scan"
    words: frozenset = frozenset()
    gates: tuple[
        str, ...
    ] = ()  # scan: runs only if one is in the lower-cased text; near: anchor characters
    runs: tuple = (range(1, 8), None, "osw", None)  # digits: which runs to try (see Ctx.runs)


def rule(
    name,
    kind,
    pattern,
    *,
    group=0,
    validate=None,
    at="scan",
    words="",
    gates=(),
    flags=re.I,
    runs: str = "1-7",
    after: str | None = None,
    before: str = "o",
    first: str | None = None,
) -> Rule:
    """`runs`, `after`, `before`, `first`: for at="digits", the digit runs the pattern can start
    at: their length ('5', '1-6', 7 meaning seven or more), the class of the character after them
    and before them (see Ctx.runs), their first digit; the pattern itself still decides."""
    words = frozenset(words.split()) if isinstance(words, str) else frozenset(words)
    low, _, high = runs.partition("-")
    spec = (range(int(low), int(high or low) + 1), after, before, first)
    return Rule(
        name, kind, re.compile(pattern, flags), group, validate, at, words, tuple(gates), spec
    )


# ---------------------------------------------------------------- validators shared by the tables
_UNIT_AFTER_RE = re.compile(
    r"[ \t]?(?:mg|mcg|ml|g|kg|lbs?|pounds|%|percent|units?|iu|steps|dollars|usd|euros?|people|"
    r"calories|kcal|miles|km|feet|ft|meters|times|hours|minutes|mins|seconds|words|views|"
    r"followers|likes|cells|bytes|[kmg]i?b|characters|chars|rows|lines|"
    r"patients|clients|members|users|visits|sessions|copies|tabs?|tablets?|pills?|"
    r"a (?:year|month|week|day)|an hour|annually|yearly|monthly|weekly|k)\b|[ \t]?/",
    re.I,
)
# a number after these words is a quantity: a lab value, money, a score
_MEASURE_BEFORE_RE = re.compile(
    r"(?i)\b(?:wbc|rbc|plt|platelets?|glucose|cholesterol|ldl|hdl|triglycerides|a1c|vitamin \w|b12|"
    r"tsh|ferritin|cd4|viral load|count|level|levels|dose|income|salary|rent|owes?|owed|debt|"
    r"earns?|earned|makes|made|paid|pays?|costs?|price|worth|saved|savings|budget|score|scored|"
    r"points|steps|about|around|approximately|roughly|over|under|nearly|almost|only|just)[ \t:=]*$"
)


def not_a_measure(value: str, s: int, e: int, text: str) -> bool:
    """A number followed by a unit, or after a currency sign or a word of quantity ('WBC 11000',
    'income about 45000'), is a quantity, not an identifier."""
    if s and text[s - 1] in "$€£¥":
        return False
    if _UNIT_AFTER_RE.match(text, e):
        return False
    return not (value[:1].isdigit() and _MEASURE_BEFORE_RE.search(text, max(0, s - 24), s))


def code_after_label(value: str, s: int, e: int, text: str) -> bool:
    return sum(ch.isdigit() for ch in value) >= 3 and value.lower() not in V.CLINICAL_WORDS


# ---------------------------------------------------------------- running the rows
class _Index:
    """Which rules to try where, built once per table: rules by cue word, digit rules by the kind
    of digit run they accept, and the rest. A text then visits only the rules its words and
    digit runs can start."""

    def __init__(self, rules):
        self.by_word: dict[str, list[Rule]] = {}
        self.digit_rules = [r for r in rules if r.at == "digits"]
        self.by_run: dict[tuple, list[Rule]] = {}
        self.other = [r for r in rules if r.at not in ("words", "digits")]
        for r in rules:
            if r.at == "words":
                for w in r.words:
                    self.by_word.setdefault(w, []).append(r)
        self.words = self.by_word.keys()

    def for_run(self, key: tuple) -> list[Rule]:
        rules = self.by_run.get(key)
        if rules is None:
            n, after, before, first = key
            rules = self.by_run[key] = [
                r
                for r in self.digit_rules
                if n in r.runs[0]
                and (r.runs[1] is None or after in r.runs[1])
                and before in r.runs[2]
                and (r.runs[3] is None or first in r.runs[3])
            ]
        return rules


_INDEXES: dict[int, _Index] = {}


def _index(rules) -> _Index:
    index = _INDEXES.get(id(rules))
    if index is None:
        index = _INDEXES[id(rules)] = _Index(rules)
    return index


def _matches(c, rules) -> Iterator[tuple[Rule, re.Match]]:
    text, index = c.text, _index(rules)
    for w in index.words & c.words.keys():
        for r in index.by_word[w]:
            for t in c.words[w]:
                m = r.pattern.match(text, t.s)
                if m:
                    yield r, m
    for key, starts in c.runs.items():
        for r in index.for_run(key):
            for s in starts:
                m = r.pattern.match(text, s)
                if m:
                    yield r, m
    for r in index.other:
        for m in _other_matches(r, c):
            yield r, m


def _other_matches(r: Rule, c) -> Iterator[re.Match]:
    text = c.text
    if r.at == "chunks":
        starts = c.chunks
    elif r.at == "endings":
        endings = tuple(r.words)
        starts = [t.s for w, ts in c.words.items() if w.endswith(endings) for t in ts]
    elif r.at == "near":
        yield from _near(r, c)
        return
    else:
        if r.gates and not any(g in c.low for g in r.gates):
            return
        yield from r.pattern.finditer(text)
        return
    for s in starts:
        m = r.pattern.match(text, s)
        if m:
            yield m


_NEAR = 60


def _near(r: Rule, c) -> Iterator[re.Match]:
    """Matches starting within _NEAR of an anchor (a word of `words`, or a character of `gates`).

    Overlapping windows are merged first, so each start position is tried once however many
    anchors crowd together ('@@@@...') and the cost stays linear."""
    text = c.text
    anchors = sorted(
        [t.s for w in r.words & c.words.keys() for t in c.words[w]]
        + [i for g in r.gates for i in _positions(text, g)]
    )
    windows: list[list[int]] = []
    for a in anchors:
        if windows and a - _NEAR <= windows[-1][1] + 1:
            windows[-1][1] = a + _NEAR
        else:
            windows.append([max(0, a - _NEAR), a + _NEAR])
    last = -1
    for lo, hi in windows:
        # the search runs past hi so that a match starting before it is not cut short
        for m in r.pattern.finditer(text, max(lo, last), min(len(text), hi + 160)):
            if m.start() > hi:
                break
            last = m.end()
            yield m


def _positions(text: str, char: str) -> list[int]:
    out, i = [], text.find(char)
    while i >= 0:
        out.append(i)
        i = text.find(char, i + 1)
    return out


def run_rules(c, rules: tuple) -> Iterator[Span]:
    for r, m in _matches(c, rules):
        s, e = m.span(r.group)
        if s < 0:
            continue
        verdict = True if r.validate is None else r.validate(m.group(r.group), s, e, c.text)
        if verdict is True:
            yield s, e, r.kind
        elif verdict:  # a validator may also trim the span
            yield verdict[0], verdict[1], r.kind
