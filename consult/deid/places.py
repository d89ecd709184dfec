"""Places smaller than a state: street addresses, PO boxes, cities, counties and ZIP codes."""
from __future__ import annotations

import re
from typing import Iterator

from . import vocabulary as V
from .tokens import BREAK, STRONG, UNKNOWN, WEAK, WORD, Tok

Span = tuple[int, int, str]


def _alt(words) -> str:
    forms = set()
    for w in words:
        forms.update((w.capitalize(), w.upper()))
    return "|".join(sorted((re.escape(f) for f in forms), key=len, reverse=True))


_SUFFIX = _alt(V.STREET_SUFFIXES)
_ABBR = "|".join(sorted(V.STATE_ABBR))
_STATE = "|".join(sorted((re.escape(s.title()) for s in V.US_STATES), key=len, reverse=True))
_NAMEWORD = r"(?:[A-Z][A-Za-z'’.-]*|\d{1,3}(?:st|nd|rd|th))"
_UNIT = (r"(?:,?\s*(?:Apt\.?|Apartment|Suite|Ste\.?|Unit|Room|Rm\.?|Floor|Fl\.?|Bldg\.?|Building|Lot|Space|Trailer|#)"
         r"\s*#?\s*[A-Za-z]?\d{1,6}[A-Za-z]?(?:-?[A-Za-z0-9]{1,4})?\b)")
_CITYTAIL = r"(?:,\s*(?!(?:" + _ABBR + r")\b)[A-Z][a-z]+(?:[ -][A-Z][a-z]+){0,2})"
_STATEZIP = r"(?:,?\s*(?:(?:" + _ABBR + r")\b|(?:" + _STATE + r")\b)(?:\s+\d{5}(?:-\d{4})?)?)"
STREET_RE = re.compile(
    r"(?<![\w.-])\d{1,6}[A-Za-z]?(?:-\d{1,5})?\s+(?:(?:[NSEW]|N[EW]|S[EW])\.?\s+)?(?:" + _NAMEWORD + r"\s+){1,4}?"
    r"(?:" + _SUFFIX + r")\b\.?" + _UNIT + r"?" + _CITYTAIL + r"?" + _STATEZIP + r"?")
COMMA_STATE_RE = re.compile(
    r",[ \t]*(?:(?:" + _ABBR + r")\b(?!\.\w)|(?:" + _STATE + r")\b)(?:\.?\s+\d{5}(?:-\d{4})?\b)?")
CITY_BEFORE_RE = re.compile(r"(?:[A-Z][a-z]+[ -]){0,3}[A-Z][a-z]+$")
ZIP5_RE = re.compile(r"(?<![\w.$/-])\d{5}(?:-\d{4})?(?![\w/-]|\.\d)")
ZIP_BEFORE_RE = re.compile(
    r"(?:\b(?:zip|zipcode|zip\s+code|postal\s+code|postcode|post\s+code)\b[^.\n\d]{0,25}"
    r"|\b(?:lives?|living|resides?|residing|moved|relocated|located|stays?|staying|address(?:\s+is)?|"
    r"area|in|near|from|around|to)\s+(?:at\s+|in\s+|to\s+|near\s+|is\s+)?"
    r"|\b(?:" + _ABBR + r"|" + _STATE + r")\.?\s+|\n\s*)$", re.I)
_ZIP_UNIT_RE = re.compile(r"\s*(?:mg|steps|dollars|people|calories|miles|feet|ft|times|hours|minutes|words|%|\$)", re.I)
POBOX_RE = re.compile(r"\b(?:P\.?\s?O\.?\s*Box|Post\s+Office\s+Box|PO\s+Box)\s*#?\s*\d{1,8}\b", re.I)
MILITARY_RE = re.compile(
    r"\b(?:PSC|CMR|Unit)\s+\d{3,5},?\s+Box\s+\d{2,5}(?:\s+(?:APO|FPO|DPO)\s+A[AEP]\s+\d{5})?"
    r"|\b(?:USNS|USNV|USS|USCGC)\s+[A-Z][a-z]+(?:\s+FPO\s+A[AEP]\s+\d{5})?|\b(?:APO|FPO|DPO)\s+A[AEP]\s+\d{5}\b")
UNIT_RE = re.compile(r"\b(?:Apt\.?|Apartment|Suite|Ste\.)\s*#?\s*[A-Za-z]?\d{1,6}[A-Za-z]?\b")
ZIP4_RE = re.compile(r"(?i)\bzip(?:\s*code)?\W{0,3}(\d{4})\b")
COUNTY_RE = re.compile(r"\b[A-Z][a-z]+(?:[ -][A-Z][a-z]+)?\s+(?:County|Parish|Borough|Township)\b")
CITY_OF_RE = re.compile(r"\b(?:city|town|village|township|borough|neighbou?rhood|suburb|hamlet)\s+of\s+"
                        r"([A-Z][a-z]+(?:[ -][A-Z][a-z]+){0,2})")
_STRONG_PREPS = frozenset("in near outside around from visiting".split())
_MOVE_VERBS = frozenset("moved relocated relocating drove driving flew flying trip travel traveled "
                        "travelled went going back commute commutes commuting lives".split())


def _is_place_stem(low: str, strict: bool) -> bool:
    for suf in V.CITY_SUFFIXES:
        if low.endswith(suf) and len(low) - len(suf) >= 3:
            stem = low[: -len(suf)]
            if stem in V.FIRST_NAMES or stem in V.SURNAMES:
                if not strict or stem not in V.AMBIGUOUS_NAMES:
                    return True
            # doubled letter dropped/kept: "Jamesshire", "Weaverland"
    return False


def _prep_before(toks: list[Tok], i: int, text: str) -> bool:
    if i == 0:
        return False
    p = toks[i - 1]
    if text[p.e:toks[i].s] != " ":
        return False
    if p.low in _STRONG_PREPS or p.low in ("at", "of"):
        return True
    if p.low in ("to", "into") and i >= 2 and toks[i - 2].low in _MOVE_VERBS:
        return True
    return False


def find_places(c) -> Iterator[Span]:
    from .patterns import _at
    text, toks, digits = c.text, c.toks, c.digits
    if digits:
        for m in _at(STREET_RE, text, digits):
            yield m.start(), m.end(), "ADDRESS"
        low = text.lower()
        if "box" in low:
            for m in POBOX_RE.finditer(text):
                yield m.start(), m.end(), "ADDRESS"
            for m in MILITARY_RE.finditer(text):
                yield m.start(), m.end(), "ADDRESS"
        elif "PO " in text or "USS" in text or "USNS" in text:
            for m in MILITARY_RE.finditer(text):
                yield m.start(), m.end(), "ADDRESS"
        if "Apt" in text or "Suite" in text or "Ste." in text or "Apartment" in text:
            for m in UNIT_RE.finditer(text):
                yield m.start(), m.end(), "ADDRESS"
        for m in _at(ZIP5_RE, text, digits):
            s, e = m.span()
            if ZIP_BEFORE_RE.search(text, max(0, s - 30), s) and not _ZIP_UNIT_RE.match(text, e):
                yield s, e, "ADDRESS"
        if "zip" in low:
            for m in ZIP4_RE.finditer(text):
                yield m.start(1), m.end(1), "ADDRESS"
    if "County" in text or "Parish" in text or "Borough" in text or "Township" in text:
        for m in COUNTY_RE.finditer(text):
            yield m.start(), m.end(), "ADDRESS"
    if "," in text:
        for m in COMMA_STATE_RE.finditer(text):
            cm = CITY_BEFORE_RE.search(text, max(0, m.start() - 40), m.start())
            if cm:
                first = cm.group().split()[0].lower()
                if first not in V.STOP_CAPS and first not in V.CLINICAL_WORDS:
                    yield cm.start(), m.end(), "ADDRESS"
    if " of " in text:
        for m in CITY_OF_RE.finditer(text):
            yield m.start(1), m.end(1), "ADDRESS"
    n = len(toks)
    i = 0
    while i < n:
        t = toks[i]
        if not t.cap or t.cls == BREAK and t.low not in V.CITY_PREFIXES:
            i += 1
            continue
        prep = _prep_before(toks, i, text)
        # gazetteer: longest run of up to 4 capitalised words
        if t.low in V.US_CITY_FIRST:
            best = 0
            k = i
            words = [t.low]
            while True:
                if " ".join(words) in V.US_CITIES:
                    best = k
                    found = True
                else:
                    found = False
                if k + 1 >= n or len(words) >= V.CITY_MAX_WORDS or text[toks[k].e:toks[k + 1].s] != " " \
                        or not toks[k + 1].cap:
                    break
                k += 1
                words.append(toks[k].low)
            del found
            if best or " ".join(words[:1]) in V.US_CITIES:
                end_tok = toks[best] if best else t
                after = text[end_tok.e:end_tok.e + 4]
                state_after = after.startswith(", ") and len(after) > 2 and after[2].isupper()
                if prep or state_after:
                    yield t.s, end_tok.e, "ADDRESS"
                    i = (best or i) + 1
                    continue
        # generated-looking place names: "Port Mark", "Lake Judithville", "Derekstad"
        if t.low in V.CITY_PREFIXES and i + 1 < n and text[t.e:toks[i + 1].s] == " ":
            nx = toks[i + 1]
            if nx.cap and nx.low not in V.US_STATES and (
                    nx.cls in (STRONG, WEAK) or _is_place_stem(nx.low, strict=not prep)
                    or (prep and nx.cls == UNKNOWN)):
                if (t.low + " " + nx.low) not in V.US_STATES:
                    yield t.s, nx.e, "ADDRESS"
                    i += 2
                    continue
        if t.cls in (UNKNOWN, WEAK, STRONG, WORD) and _is_place_stem(t.low, strict=not prep):
            yield t.s, t.e, "ADDRESS"
        elif prep and t.cls == UNKNOWN and not t.sent_start and toks[i - 1].low in _STRONG_PREPS:
            # "works at the plant in Xyzville": an unknown capitalised word after a place preposition
            e = t.e
            if i + 1 < n and toks[i + 1].cls == UNKNOWN and text[t.e:toks[i + 1].s] == " ":
                e = toks[i + 1].e
            yield t.s, e, "ADDRESS"
        i += 1
