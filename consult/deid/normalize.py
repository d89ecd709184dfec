"""Normalise text before scanning, keeping a map from every normalised offset back to the original.

A writer can hide an identifier from a scanner without hiding it from a reader: invisible format
characters inside a word, HTML character references the browser decodes, fullwidth digits,
Cyrillic or Greek letters that look Latin, digits spaced out or spelled as words. The scanner runs
on the normalised text and maps each finding back through `OffsetMap`, so highlighting and
one-click redaction cover exactly the characters the writer typed.

Two passes, each a list of segments (normalised start, original start, original end, length):
1. characters: drop format characters (zero-width, soft hyphen, BOM, word joiner, bidi
   controls), decode character references, NFKC each character, fold confusable letters.
2. digits: join single digits split by spaces ("5 5 5 - 1 2 1 2"), read runs of number words
   as digits ("five five five one two one two").
"""

from __future__ import annotations

import html.entities
import re
import unicodedata
from bisect import bisect_right

from .memo import memo

# Cyrillic and Greek letters whose glyphs are Latin letters (from Unicode's confusables.txt).
CONFUSABLES = str.maketrans(
    {
        "А": "A",
        "В": "B",
        "Е": "E",
        "К": "K",
        "М": "M",
        "Н": "H",
        "О": "O",
        "Р": "P",
        "С": "C",
        "Т": "T",
        "Х": "X",
        "У": "Y",
        "Ѕ": "S",
        "І": "I",
        "Ј": "J",
        "Ԁ": "D",
        "Ԛ": "Q",
        "Ԝ": "W",
        "а": "a",
        "е": "e",
        "о": "o",
        "р": "p",
        "с": "c",
        "у": "y",
        "х": "x",
        "ѕ": "s",
        "і": "i",
        "ј": "j",
        "һ": "h",
        "ԁ": "d",
        "ԛ": "q",
        "ԝ": "w",
        "ӏ": "l",
        "ɡ": "g",
        "ı": "i",
        "Α": "A",
        "Β": "B",
        "Ε": "E",
        "Ζ": "Z",
        "Η": "H",
        "Ι": "I",
        "Κ": "K",
        "Μ": "M",
        "Ν": "N",
        "Ο": "O",
        "Ρ": "P",
        "Τ": "T",
        "Υ": "Y",
        "Χ": "X",
        "ο": "o",
        "ν": "v",
        "ι": "i",
        "α": "a",
        "ρ": "p",
        "κ": "k",
        "τ": "t",
        "υ": "u",
        "ϲ": "c",
        "ϳ": "j",
    }
)
_CHAR_REF_RE = re.compile(r"&(?:#(\d{1,8})|#[xX]([0-9A-Fa-f]{1,6})|([A-Za-z][A-Za-z0-9]{1,31}));?")
_SPECIAL_RE = re.compile(_CHAR_REF_RE.pattern + r"|[^\x00-\x7f&]+")
_NAMED = html.entities.html5


class OffsetMap:
    """Maps offsets of a normalised text back to the text it came from.

    segments: sorted (norm_start, orig_start, orig_end, norm_len). A segment is either a copy
    (orig_end - orig_start == norm_len: offsets map one to one) or a replacement (all its
    normalised characters stand for the whole original span).
    """

    __slots__ = ("segments", "starts")

    def __init__(self, segments):
        self.segments = segments
        self.starts = [s[0] for s in segments]

    def _segment(self, pos: int):
        return self.segments[max(0, bisect_right(self.starts, pos) - 1)]

    def start(self, pos: int) -> int:
        ns, os_, oe, n = self._segment(pos)
        return os_ + (pos - ns) if oe - os_ == n else os_

    def end(self, pos: int) -> int:
        """Original end for a normalised (exclusive) end offset."""
        ns, os_, oe, n = self._segment(pos - 1)
        return os_ + (pos - ns) if oe - os_ == n else oe


class KeptMap:
    """Offsets of a text from which characters were only deleted: kept[i] is the original offset
    of normalised character i."""

    __slots__ = ("kept",)

    def __init__(self, kept: list[int]):
        self.kept = kept

    def start(self, pos: int) -> int:
        return self.kept[pos] if pos < len(self.kept) else (self.kept[-1] + 1 if self.kept else 0)

    def end(self, pos: int) -> int:
        return self.kept[pos - 1] + 1 if pos > 0 else 0


class _Builder:
    """Collects normalised pieces and their original spans, merging adjacent copies."""

    def __init__(self):
        self.parts: list[str] = []
        self.segments: list[list[int]] = []
        self.length = 0

    def copy(self, text: str, start: int, end: int):
        if start >= end:
            return
        last = self.segments[-1] if self.segments else None
        if (
            last
            and last[2] == start
            and last[2] - last[1] == last[3]
            and last[0] + last[3] == self.length
        ):
            last[2] = end
            last[3] += end - start
        else:
            self.segments.append([self.length, start, end, end - start])
        self.parts.append(text[start:end])
        self.length += end - start

    def copy_as(self, new: str, start: int, end: int):
        """Characters that stand one for one for text[start:end] (offsets map one to one)."""
        self.segments.append([self.length, start, end, end - start])
        self.parts.append(new)
        self.length += end - start

    def replace(self, new: str, start: int, end: int):
        if new:
            self.segments.append([self.length, start, end, len(new)])
            self.parts.append(new)
            self.length += len(new)

    def result(self, original_length: int):
        if not self.segments:
            self.segments.append([0, 0, original_length, 0])
        return "".join(self.parts), OffsetMap([tuple(s) for s in self.segments])


@memo(4096)
def _fold_char(ch: str) -> str:
    """One character as the scanner should read it: '' for a format character."""
    if unicodedata.category(ch) == "Cf":
        return ""
    return unicodedata.normalize("NFKC", ch).translate(CONFUSABLES)


def _char_ref(m: re.Match) -> str | None:
    dec, hexa, name = m.groups()
    if name is not None:
        value = _NAMED.get(name + ";") if m.group(0).endswith(";") else _NAMED.get(name)
        return value
    code = int(dec) if dec is not None else int(hexa, 16)
    if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF:
        return chr(code)
    return None


def _fold_run(b: _Builder, text: str, start: int, end: int):
    """Fold a run of non-ASCII characters; a run where every character stays one character keeps
    its offsets one to one (one segment), whatever the characters became."""
    run = text[start:end]
    folded = [_fold_char(ch) for ch in run]
    if all(len(f) == 1 for f in folded):
        joined = "".join(folded)
        if joined == run:
            b.copy(text, start, end)
        else:
            b.copy_as(joined, start, end)
        return
    for k, f in enumerate(folded):
        if f == run[k]:
            b.copy(text, start + k, start + k + 1)
        else:
            b.replace(f, start + k, start + k + 1)


def _fold_by_table(text: str):
    """The fast path: every character folds to at most one character. Returns (text, map) or
    None when some character expands (a ligature, '½')."""
    table = {}
    for ch in set(text):
        if ch >= "\x80":
            folded = _fold_char(ch)
            if len(folded) > 1:
                return None
            if folded != ch:
                table[ord(ch)] = folded or None
    if not table:
        return text, None
    folded = text.translate(table)
    if len(folded) == len(text):
        return folded, None  # one for one: the offsets do not move
    deleted = {chr(k) for k, v in table.items() if v is None}
    return folded, KeptMap([i for i, ch in enumerate(text) if ch not in deleted])


def _fold_characters(text: str) -> tuple[str, OffsetMap | None]:
    has_refs = "&" in text and _CHAR_REF_RE.search(text) is not None
    if text.isascii() and not has_refs:
        return text, None
    if not has_refs:
        fast = _fold_by_table(text)
        if fast is not None:
            return fast
    b = _Builder()
    pos = 0
    for m in _SPECIAL_RE.finditer(text):
        i = m.start()
        if i < pos:
            continue
        b.copy(text, pos, i)
        if text[i] == "&":
            ref = _CHAR_REF_RE.match(text, i)
            value = _char_ref(ref) if ref else None
            if value is None:
                b.copy(text, i, i + 1)
                pos = i + 1
                continue
            b.replace("".join(_fold_char(c) for c in value), i, ref.end())
            pos = ref.end()
        else:
            _fold_run(b, text, i, m.end())
            pos = m.end()
    b.copy(text, pos, len(text))
    return b.result(len(text))


_DIGIT_WORDS = {
    "zero": "0",
    "oh": "0",
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
}
_NW = r"(?:zero|oh|one|two|three|four|five|six|seven|eight|nine)"
_W = r"(?:zero|oh|one|two|three|four|five|six|seven|eight|nine|\d)"
# four to thirty number words or single digits in a row, at most one separator between them,
# starting with a word ("five five five one two", "five 5 5 1 2 1 2")
_NUMBER_WORDS_RE = re.compile(
    r"(?i)(?<![\w-])" + _NW + r"(?:(?:[ ,.\-]|, | - ) ?" + _W + r"){3,30}(?![\w])"
)
_WORD_OR_DIGIT_RE = re.compile(r"(?i)zero|oh|one|two|three|four|five|six|seven|eight|nine|\d")
# single digits split by spaces (with optional punctuation between groups): "5 5 5 - 1 2 1 2"
_SPACED_DIGITS_RE = re.compile(r"(?<![\w.,/-])\d(?:[ \t]{1,3}(?:[-./)(][ \t]{0,3})?\d){5,}(?![\w])")
_NUMBER_GATE_RE = re.compile(r"(?i)\d[ \t]+\d[ \t]+\d|\b" + _NW + r"[ ,.\-]{1,3}" + _W + r"\b")


def _join_digits(text: str) -> tuple[str, OffsetMap | None]:
    if not _NUMBER_GATE_RE.search(text):
        return text, None
    spans = [(m.start(), m.end(), "spaced") for m in _SPACED_DIGITS_RE.finditer(text)]
    for m in _NUMBER_WORDS_RE.finditer(text):
        if sum(1 for w in _WORD_OR_DIGIT_RE.finditer(m.group()) if not w.group().isdigit()) >= 2:
            spans.append((m.start(), m.end(), "words"))
    if not spans:
        return text, None
    b = _Builder()
    pos = 0
    for s, e, how in sorted(spans):
        if s < pos:
            continue
        b.copy(text, pos, s)
        if how == "spaced":
            _copy_without_spaces(b, text, s, e)
        else:
            for w in _WORD_OR_DIGIT_RE.finditer(text, s, e):
                b.replace(_DIGIT_WORDS.get(w.group().lower(), w.group()), w.start(), w.end())
        pos = e
    b.copy(text, pos, len(text))
    return b.result(len(text))


def _copy_without_spaces(b: _Builder, text: str, s: int, e: int):
    for i in range(s, e):
        if text[i] not in " \t":
            b.copy(text, i, i + 1)


class Normalised:
    """The text to scan and how to map a span of it back to the original."""

    __slots__ = ("text", "_maps")

    def __init__(self, text: str, maps):
        self.text = text
        self._maps = maps  # applied innermost first when mapping back

    def span(self, start: int, end: int) -> tuple[int, int]:
        for m in self._maps:
            start, end = m.start(start), m.end(end)
        return start, end


_ROUNDS = 3  # '&amp;#74;' reads '&#74;' and then 'J' once a renderer decodes it twice


def normalise(text: str) -> Normalised:
    maps = []
    folded = text
    for _ in range(_ROUNDS):
        folded, chars_map = _fold_characters(folded)
        if chars_map is None:
            break
        maps.append(chars_map)
        if "&" not in folded:
            break
    joined, digits_map = _join_digits(folded)
    if digits_map is not None:
        maps.append(digits_map)
    return Normalised(joined, maps[::-1])
