"""What a reader will see of a text, and where each visible character came from.

A browser decodes character references (`&#74;ohn` shows "John"), and invisible format characters
(`J\u200bohn`) split a word for a scanner but not for a reader. The scanner reads plain text that
way itself; this module is for rendered HTML: the text content a browser shows of a message
(`rendered_text`) is scanned too, and what it finds is traced back to the writer's own text
(`rendered_findings`). Pure Python.

    >>> visible_text("&#74;ohn")[0]
    'John'
"""

from __future__ import annotations

import re
import sys
import unicodedata
from html import unescape
from html.parser import HTMLParser

from .scanner import Finding, scan

# Every format character (Unicode category Cf: zero-width space and joiners, soft hyphen, BOM,
# word joiner, bidi controls, tags), the fillers and variation selectors that draw nothing, and
# the C0/C1 controls other than tab and line breaks. Built once at import (~70 ms).
_EXTRA_INVISIBLE = (
    "\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180d\u180f\u3164\ufe00-\ufe0f\uffa0"
    "\U000e0100-\U000e01ef\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
)


def _format_characters():
    points = [c for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Cf"]
    ranges, start = [], points[0]
    for previous, point in zip(points, points[1:] + [None], strict=True):
        if point != previous + 1:
            ranges.append(
                re.escape(chr(start))
                + ("" if start == previous else "-" + re.escape(chr(previous)))
            )
            start = point
    return "".join(ranges)


INVISIBLE = re.compile(f"[{_format_characters()}{_EXTRA_INVISIBLE}]")
# Numeric references with or without the semicolon, and named ones: what a browser decodes.
_REFERENCE = r"&(?:#[0-9]{1,8};?|#[xX][0-9a-fA-F]{1,7};?|[A-Za-z][A-Za-z0-9]{1,31};?)"
_HIDING = re.compile(f"{INVISIBLE.pattern}|{_REFERENCE}")
# `&amp;#74;` reads as "&#74;" and then as "J": decode until nothing changes, a few rounds at most.
_MAX_ROUNDS = 4
# Markdown's inline markup, which a reader does not see (`J**oh**n` shows "John").
_MARKUP = re.compile(r"[*_~`\\]")


def strip_invisible(text):
    return INVISIBLE.sub("", text)


def visible_text(text):
    """(what a reader sees, start offsets, end offsets):
    visible[i] came from text[starts[i]:ends[i]]."""
    starts, ends = list(range(len(text))), list(range(1, len(text) + 1))
    for _ in range(_MAX_ROUNDS):
        decoded, round_starts, round_ends = _decode_once(text)
        if decoded is None:
            break
        starts = list(map(starts.__getitem__, round_starts))
        ends = [ends[b - 1] for b in round_ends]
        text = decoded
    return text, starts, ends


def decoded_text(text):
    """visible_text's text alone, without the offsets."""
    for _ in range(_MAX_ROUNDS):
        decoded = _HIDING.sub(_shown, text)
        if decoded == text:
            break
        text = decoded
    return text


def _shown(match):
    return unescape(match.group()) if match.group().startswith("&") else ""


def _decode_once(text):
    """One round: (decoded text, start and end in `text` of each decoded character), or Nones.

    Runs between matches are copied with their offsets as ranges: the per-character work is in C.
    """
    if not _HIDING.search(text):
        return None, None, None
    pieces, starts, ends, at = [], [], [], 0
    for match in _HIDING.finditer(text):
        start, end = match.span()
        pieces.append(text[at:start])
        starts.extend(range(at, start))
        ends.extend(range(at + 1, start + 1))
        shown = _shown(match)
        pieces.append(shown)
        if shown == match.group():  # `&word` that names no character: shown as written
            starts.extend(range(start, end))
            ends.extend(range(start + 1, end + 1))
        else:
            starts.extend([start] * len(shown))
            ends.extend([end] * len(shown))
        at = end
    pieces.append(text[at:])
    starts.extend(range(at, len(text)))
    ends.extend(range(at + 1, len(text) + 1))
    decoded = "".join(pieces)
    return (None, None, None) if decoded == text else (decoded, starts, ends)


class _TextContent(HTMLParser):
    """The text a browser shows of sanitised HTML, with a line break between blocks; and what a
    reader sees on hover: titles, and a link's target unless it is the link's own text."""

    BREAKS = frozenset(
        {
            "p",
            "br",
            "li",
            "pre",
            "blockquote",
            "ul",
            "ol",
            "div",
            "tr",
            "h1",
            "h2",
            "h3",
            "h4",
            "h5",
            "h6",
        }
    )

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []
        self.links = []  # [href, text so far] of the links open now

    def handle_starttag(self, tag, attrs):
        if tag in self.BREAKS:
            self.parts.append("\n")
        attrs = dict(attrs)
        for name in ("title", "alt"):
            if attrs.get(name):
                self.parts.append(f"\n{attrs[name]}\n")
        if tag == "a":
            self.links.append([attrs.get("href") or "", ""])

    def handle_endtag(self, tag):
        if tag in self.BREAKS:
            self.parts.append("\n")
        if tag == "a" and self.links:
            href, text = self.links.pop()
            if _SCHEME.sub("", href) != _SCHEME.sub("", text.strip()):
                self.parts.append(f"\n{href}\n")

    def handle_data(self, data):
        self.parts.append(data)
        for link in self.links:
            link[1] += data


_SCHEME = re.compile(r"^(?:https?://|mailto:)", re.IGNORECASE)


def rendered_text(html):
    parser = _TextContent()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts)


def rendered_findings(html, *, source, confirmed=()):
    """Findings in what readers of `html` (rendered from `source`) will see that the writer has
    not confirmed, as spans of `source` where they can be found there (else the whole source).

    A confirmed span covers a rendered finding whose visible text lies within the span's own.
    """
    seen = rendered_text(html)  # the scanner decodes what a reader would decode in it
    confirmed_texts = [_squeezed(decoded_text(source[c.start : c.end])) for c in confirmed]
    unexplained, source_map = set(), None
    for finding in scan(seen):
        shown = _squeezed(decoded_text(seen[finding.start : finding.end]))
        if not any(shown in text for text in confirmed_texts):
            source_map = source_map or _SourceMap(source)  # built once, only when needed
            unexplained.add(Finding(*source_map.span(shown), finding.kind))
    return sorted(unexplained, key=lambda f: (f.start, f.end))


def _squeezed(text):
    return " ".join(_MARKUP.sub("", text).split())


class _SourceMap:
    """`source` as a reader sees it, squeezed like _squeezed (references decoded, invisible
    characters and markdown's inline markup skipped, runs of whitespace as one), with the span
    of `source` each of its characters came from."""

    _PIECES = re.compile(r"\s+|[*_~`\\]|[^\s*_~`\\]+")

    def __init__(self, source):
        visible, starts, ends = visible_text(source)
        pieces, self.starts, self.ends = [], [], []
        for piece in self._PIECES.finditer(visible):
            at, end = piece.span()
            if _MARKUP.match(piece.group()):
                continue
            if piece.group().isspace():
                end = at + 1
                pieces.append(" ")
            else:
                pieces.append(piece.group())
            self.starts.extend(starts[at:end])
            self.ends.extend(ends[at:end])
        self.text = "".join(pieces)
        self.whole = (0, len(source))

    def span(self, shown):
        at = self.text.find(shown) if shown else -1
        if at < 0:
            return self.whole
        return self.starts[at], self.ends[at + len(shown) - 1]
