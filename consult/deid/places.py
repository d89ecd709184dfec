"""Places smaller than a state: street addresses (US and elsewhere), PO boxes, cities, counties,
postal codes.

Shapes are rows of PLACE_RULES; what needs the words around it is a small cue function below
(a city before ", ST", a gazetteer city after a place preposition, a generated-looking place
name). Every address found is then extended over what follows it on the envelope: a unit, a
city, a state, a postal code, a country, across commas and line breaks.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from . import vocabulary as V
from .engine import not_a_measure, rule, run_rules
from .memo import memo
from .tokens import BREAK, STRONG, UNKNOWN, WEAK, WORD, Tok

Span = tuple[int, int, str]


def _trie(words) -> str:
    """One regex alternation for many words, shared prefixes factored out ('Ave|Avenue' →
    'Ave(?:nue)?'), so a failed match costs a few character tests instead of one per word."""
    tree: dict = {}
    for w in words:
        node = tree
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}
    return _trie_pattern(tree)


def _trie_pattern(node: dict) -> str:
    ends = "" in node
    branches = [re.escape(ch) + _trie_pattern(child) for ch, child in sorted(node.items()) if ch]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return "(?:" + body + ")?" if ends else body


def _alt(words) -> str:
    forms = set()
    for w in words:
        forms.update((w.capitalize(), w.upper()))
    return _trie(forms)


_SUFFIX = _alt(V.STREET_SUFFIXES)
_ABBR = "|".join(sorted(V.STATE_ABBR))
_STATE = "|".join(sorted((re.escape(s.title()) for s in V.US_STATES), key=len, reverse=True))
_CAP = r"[A-ZÀ-ÞΑ-Ω]"
_NAMEWORD = r"(?:[A-Z][A-Za-z'’.-]*|\d{1,3}(?:st|nd|rd|th))"
_UNIT = (
    r"(?:,?\s*(?:Apt\.?|Apartment|Suite|Ste\.?|Unit|Room|Rm\.?|Floor|Fl\.?|Flat|Bldg\.?|Building|Lot|Space|Trailer|#)"
    r"\s*#?\s*[A-Za-z]?\d{1,6}[A-Za-z]?(?:-?[A-Za-z0-9]{1,4})?\b)"
)
_CITYTAIL = r"(?:,\s*(?!(?:" + _ABBR + r")\b)[A-Z][a-z]+(?:[ -][A-Z][a-z]+){0,2})"
_STATEZIP = r"(?:,?\s*(?:(?:" + _ABBR + r")\b|(?:" + _STATE + r")\b)(?:\s+\d{5}(?:-\d{4})?)?)"
_STREET = (
    r"(?<![\w.-])\d{1,6}[A-Za-z]?(?:-\d{1,5})?\s+(?:(?:[NSEW]|N[EW]|S[EW])\.?\s+)?(?:"
    + _NAMEWORD
    + r"\s+){1,4}?(?:"
    + _SUFFIX
    + r")\b\.?(?:\s(?:"
    + _SUFFIX
    + r")\b\.?)?"
    + _UNIT
    + r"?"
    + _CITYTAIL
    + r"?"
    + _STATEZIP
    + r"?"
)
# street words of other countries, as the end of one word ("Storgatan", "Hauptstrasse",
# "Kiannonkatu")
_FOREIGN_ENDINGS = (
    "gatan gata gate gade vej veien vegen vägen väg vei stræde stræti tie katu kuja polku tori "
    "strasse straße str weg gasse platz allee damm ufer laan straat gracht plein kade singel ulica "
    "utca körút iela gatvė gatve prospekt ulitsa caddesi sokak cesta ulice trg tér út"
).split()
# street words of other countries that come first ("Rua das Flores 221", "ul. Polna 12/4")
_FOREIGN_PREFIXES = (
    "rua rue calle carrer via viale vicolo piazza piazzale avenida avda av paseo plaza praça largo "
    "travessa estrada rambla camino chemin allée boulevard bd quai impasse ul ulica aleja plac os "
    "strada bulevardul calea odos leoforos"
).split()
_FOREIGN_PREFIX = (
    "(?:"
    + "|".join(
        sorted(
            re.escape(p.capitalize()) + (r"\.?" if len(p) <= 4 else "") for p in _FOREIGN_PREFIXES
        )
    )
    + r"|ul\.|os\.)"
)
_CONNECT = (
    r"(?:d[aeo]s?|de la|del|dei|degli|dello|di|della|delle|du|des|le|la|les|van|von|der|den|al|el|"
    r"u\.|utca|aleja|gate|mnt|sur|upon)"
)
_HOUSE_NO = r"\d{1,5}[A-Za-z]?(?:[ \t]?[/-][ \t]?\d{1,4}[A-Za-z]?)?(?![\w/-])\.?"
# street words written apart after the name in other countries ("Andrássy út 60", "Gedimino pr. 9")
_STREET_WORDS = (
    "út utca u. körút gate gata gatan iela gatvė gatve pr. prospekt prospektas tee mnt aleja ulica "
    "vej vei"
)
_ADDRESS_CUE = (
    r"(?:address(?:es)?(?:\s+is)?|lives?\s+(?:at|on)|living\s+(?:at|on)|resides?\s+(?:at|on)|residing\s+at|"
    r"stays?\s+at|staying\s+at|moved\s+to|moving\s+to|located\s+at|sen[dt]\s+(?:it\s+|this\s+)?to|"
    r"mail(?:ed)?\s+to|deliver(?:ed)?\s+to|visit\s+to|visited\s+(?:her|him|them)\s+at|"
    r"drops?\s+(?:you\s+|her\s+|him\s+)?off\s+at|meet\s+(?:you|her|him|them)\s+at|still\s+live\s+at)"
    r"[ \t]*:?[ \t\n]*"
)


_LETTERS_RE = re.compile(r"[^\W\d_]+")


def _street_like(value: str, s: int, e: int, text: str) -> bool:
    """Some word of the match is in no English dictionary: 'Puruntie', not '2 Tablets 3'."""
    return any(_unknown_word(w.lower()) for w in _LETTERS_RE.findall(value)) and not_a_measure(
        value, s, e, text
    )


def _unknown_word(low: str) -> bool:
    return low not in V.ENGLISH_WORDS and low not in V.CLINICAL_WORDS


def _not_after_money(value: str, s: int, e: int, text: str) -> bool:
    return not_a_measure(value, s, e, text) and text[max(0, s - 1) : s] not in ("#",)


PLACE_RULES = (
    rule("US street address", "ADDRESS", _STREET, at="digits", runs="1-6", after=" l-", flags=0),
    rule(
        "foreign street with a suffix",
        "ADDRESS",
        r"[^\W\d_][\w'-]{0,40}?\.?[ \t]+" + _HOUSE_NO,
        at="endings",
        words=_FOREIGN_ENDINGS,
        validate=_street_like,
    ),
    rule(
        "foreign street with a prefix",
        "ADDRESS",
        _FOREIGN_PREFIX
        + r"[ \t]+(?:"
        + _CONNECT
        + r"[ \t]+)*"
        + _CAP
        + r"[\w'’.-]*(?:[ \t]+(?:"
        + _CONNECT
        + r"[ \t]+)*"
        + _CAP
        + r"[\w'’.-]*){0,3},?[ \t]+"
        + _HOUSE_NO,
        flags=0,
        at="words",
        words=_FOREIGN_PREFIXES,
    ),
    rule(
        "number, street name, number",
        "ADDRESS",
        r"(?<![\w.,/-])\d{1,6}[ \t]+"
        + _CAP
        + r"[^\W\d_'’.-]*\.?(?:[ \t]+[^\W\d_][^\W\d_'’.-]*\.?){0,3}[ \t]+"
        + _HOUSE_NO,
        at="digits",
        runs="1-6",
        after=" ",
        validate=_street_like,
        flags=0,
    ),
    rule(
        "number before a foreign street",
        "ADDRESS",
        r"(?<![\w.,/-])\d{1,6}(?:[ \t]+\d{1,6})?[ \t]+"
        + _FOREIGN_PREFIX
        + r"[ \t]+(?:"
        + _CONNECT
        + r"[ \t]+)*"
        + _CAP
        + r"[\w'’.-]*(?:[ \t]+(?:"
        + _CONNECT
        + r"[ \t]+)*"
        + _CAP
        + r"[\w'’.-]*){0,3}",
        flags=0,
        at="digits",
        runs="1-6",
        after=" ",
    ),
    rule(
        "street corner",
        "ADDRESS",
        r"(?:the[ \t]+)?corner[ \t]+of[ \t]+((?:\d{1,6}[ \t]+)?"
        + _CAP
        + r"[\w'’.-]*(?:[ \t]+[\w'’.-]+){0,4}?"
        r"[ \t]+(?:and|&)[ \t]+(?:\d{1,6}[ \t]+)?"
        + _CAP
        + r"[\w'’.-]*(?:[ \t]+"
        + _CAP
        + r"[\w'’.-]*){0,3})",
        group=1,
        flags=0,
        at="words",
        words="corner the",
    ),
    rule(
        "street after an address cue",
        "ADDRESS",
        r"(?i:"
        + _ADDRESS_CUE
        + r")((?:\d{1,6}[ \t]+)?"
        + _CAP
        + r"[\w'’.-]*(?:[ \t]+[\w'’.-]+){0,4}?[ \t]+"
        + _HOUSE_NO
        + ")",
        group=1,
        at="words",
        flags=0,
        validate=_street_like,
        words="address addresses lives live living resides reside residing stays stay staying "
        "moved moving located send sent mail mailed deliver delivered visit visited drops drop "
        "meet still",
    ),
    rule(
        "street without a number after a preposition",
        "ADDRESS",
        r"(?i:on|at|off|along|to|near|from|in|into|onto|down|up|by)[ \t]+(?:the[ \t]+)?"
        r"((?:[A-Z][a-z'’-]+[ \t]+){1,3}"
        r"(?:Street|St\.?|Avenue|Ave\.?|Road|Rd\.?|Lane|Ln\.?|Drive|Boulevard|Blvd\.?|Court|Ct\.?|Place|Terrace|Way|"
        r"Crescent|Close|Parkway|Pkwy\.?|Highway|Hwy\.?|Circle|Trail|Row|Square|Alley)\b)",
        group=1,
        flags=0,
        at="words",
        words="on at off along to near from in into onto down up by",
        validate=lambda v, s, e, text: v.split()[0].lower() not in V.STOP_CAPS,
    ),
    rule(
        "name, street word, number",
        "ADDRESS",
        _CAP
        + r"[\w'’.-]*[ \t]+(?:"
        + _STREET_WORDS.replace(" ", "|").replace(".", "\\.")
        + r")[ \t]+"
        + _HOUSE_NO,
        flags=0,
        at="near",
        words=_STREET_WORDS.replace(".", ""),
    ),
    rule(
        "street name and number after a preposition",
        "ADDRESS",
        r"(?i:at|to|on|from)[ \t]+("
        + _CAP
        + r"[^\W\d_'’.-]*(?:[ \t]+"
        + _CAP
        + r"[^\W\d_'’.-]*){0,2}[ \t]+\d{1,4}[A-Za-z]?)"
        r"(?![\w/:.,-]\d|[\w:])",
        group=1,
        flags=0,
        at="words",
        words="at to on from",
        validate=lambda v, s, e, text: (
            _street_like(v, s, e, text) and v.split()[0].lower() not in V.FIRST_NAMES
        ),
    ),
    rule(
        "PO box",
        "ADDRESS",
        r"\b(?:P\.?\s?O\.?\s*Box|Post\s+Office\s+Box|PO\s+Box)\s*#?\s*\d{1,8}\b",
        gates=("box",),
    ),
    rule(
        "military address",
        "ADDRESS",
        r"\b(?:PSC|CMR|Unit)\s+\d{3,5},?\s+Box\s+\d{2,5}(?:\s+(?:APO|FPO|DPO)\s+A[AEP]\s+\d{5})?"
        r"|\b(?:USNS|USNV|USS|USCGC)\s+[A-Z][a-z]+(?:\s+FPO\s+A[AEP]\s+\d{5})?|\b(?:APO|FPO|DPO)\s+A[AEP]\s+\d{5}\b",
        flags=0,
        gates=("box", "po ", "uss", "usns", "usnv", "uscgc"),
    ),
    rule(
        "unit",
        "ADDRESS",
        r"(?:Apt\.?|Apartment|Suite|Ste\.|Flat)\s*#?\s*[A-Za-z]?\d{1,6}[A-Za-z]?\b",
        flags=0,
        at="words",
        words="apt apartment suite ste flat",
    ),
    rule(
        "bare ZIP code",
        "ADDRESS",
        r"(?<![\w.,/$€£#-])\d{5}(?:-\d{4})?(?![\w/-]|[.,]\d)",
        at="digits",
        runs="5",
        validate=_not_after_money,
    ),
    rule(
        "4-digit ZIP after its label",
        "ADDRESS",
        r"\bzip(?:\s*code)?\W{0,3}(\d{4})\b",
        group=1,
        gates=("zip",),
    ),
    rule(
        "UK postcode",
        "ADDRESS",
        r"\b[A-Z]{1,2}\d[A-Z\d]?[ \t]?\d[ABD-HJLNP-UW-Z]{2}\b",
        flags=0,
        at="chunks",
    ),
    rule(
        "Canadian postal code",
        "ADDRESS",
        r"\b[ABCEGHJ-NPRSTVXY]\d[A-Z][ \t]?\d[A-Z]\d\b",
        flags=0,
        at="chunks",
    ),
    rule(
        "county",
        "ADDRESS",
        r"\b[A-Z][a-z]+(?:[ -][A-Z][a-z]+)?\s+(?:County|Parish|Borough|Township)\b",
        flags=0,
        gates=("county", "parish", "borough", "township"),
    ),
    rule(
        "city of",
        "ADDRESS",
        r"(?i:city|town|village|township|borough|neighbou?rhood|suburb|hamlet)\s+of\s+"
        r"([A-Z][a-z]+(?:[ -][A-Z][a-z]+){0,2})",
        group=1,
        flags=0,
        at="words",
        words="city town village township borough neighborhood neighbourhood suburb hamlet",
    ),
)

# ---------------------------------------------------------------- the rest of an envelope
_TAIL_RE = re.compile(
    r"(?:[ \t]*[,\n][ \t\n,]*|[ \t]+)(?:(?:Apt\.?|Apartment|Suite|Ste\.?|Unit|Flat|Floor|Fl\.?|"
    r"Room|#)[ \t]*#?[ \t]*[A-Za-z]?\d{1,6}[A-Za-z]?"
    r"|\d{4,6}(?:-\d{4})?(?![\w/-])|(?:" + _ABBR + r")\b(?:[ \t]+\d{5}(?:-\d{4})?)?)"
    r"|(?:[ \t]*[,\n][ \t\n,]*|[ \t]+)("
    + _CAP
    + r"[\w'’.-]*(?:[ -](?:"
    + _CONNECT
    + r"[ -])?"
    + _CAP
    + r"[\w'’.-]*){0,3})"
)


def _extend(text: str, e: int) -> int:
    """Take the unit, city, state, postal code and country that follow an address."""
    for _ in range(6):
        m = _TAIL_RE.match(text, e)
        if not m:
            break
        if m.group(1):
            first = m.group(1).split()[0].lower().rstrip(".,")
            if text[m.start() : m.start(1)].strip(" \t") == "" and not _after_address_piece(
                text, e
            ):
                break
            if (
                first in V.STOP_CAPS
                or first in V.WEEKDAYS
                or first in V.MONTHS
                or first in V.CLINICAL_WORDS
                or first in V.TITLES
            ):
                break
        e = m.end()
    return e


_PIECE_END_RE = re.compile(r"(?:\d|" + _SUFFIX + r"|[A-Z]{2,})\.?$")


def _after_address_piece(text: str, e: int) -> bool:
    """A capitalised word joins an address on the same line only after a number, a street word or
    a word in capitals ('Apt. 615 Moosleerau', 'Crown Street Kishiev Squares')."""
    return bool(_PIECE_END_RE.search(text, max(0, e - 12), e))


_NUMBER_BEFORE_RE = re.compile(r"(?<![\w.,/-])\d{1,6}[ \t]+$")


def _extend_back(text: str, s: int) -> int:
    m = _NUMBER_BEFORE_RE.search(text, max(0, s - 8), s)
    return m.start() if m else s


# ---------------------------------------------------------------- cue functions over words
_COMMA_STATE_RE = re.compile(
    r",[ \t]*(?:(?:" + _ABBR + r")\b(?!\.\w)|(?:" + _STATE + r")\b)(?:\.?\s+\d{5}(?:-\d{4})?\b)?"
)
_CITY_BEFORE_RE = re.compile(r"(?:[A-Z][a-z]+[ -]){0,3}[A-Z][a-z]+$")
_STRONG_PREPS = frozenset("in near outside around from visiting".split())
_UNKNOWN_PLACE_PREPS = _STRONG_PREPS | {"to", "into"}  # 'to' only after a move verb (_prep_before)
_MOVE_VERBS = frozenset(
    "moved moving move moves relocated relocating relocate drove driving flew flying trip "
    "travel traveled travelled went going back commute commutes commuting lives returned "
    "returning".split()
)


def _city_before_state(c) -> Iterator[Span]:
    """'Fresno, CA', 'Springfield, Illinois 62704'."""
    if "," not in c.text:
        return
    for m in _COMMA_STATE_RE.finditer(c.text):
        cm = _CITY_BEFORE_RE.search(c.text, max(0, m.start() - 40), m.start())
        if cm:
            first = cm.group().split()[0].lower()
            if first not in V.STOP_CAPS and first not in V.CLINICAL_WORDS:
                yield cm.start(), m.end(), "ADDRESS"


def _prep_before(toks: list[Tok], i: int, text: str) -> bool:
    if i == 0:
        return False
    p = toks[i - 1]
    if text[p.e : toks[i].s] != " ":
        return False
    return (
        p.low in _STRONG_PREPS
        or p.low in ("at", "of")
        or (p.low in ("to", "into") and i >= 2 and toks[i - 2].low in _MOVE_VERBS)
    )


@memo(16384)
def _is_place_stem(low: str, strict: bool) -> bool:
    """A name with a place ending: 'Jamesshire', 'Weaverland', 'Derekstad'."""
    for suf in V.CITY_SUFFIXES:
        if low.endswith(suf) and len(low) - len(suf) >= 3:
            stem = low[: -len(suf)]
            if (stem in V.FIRST_NAMES or stem in V.SURNAMES) and not (
                strict and stem in V.AMBIGUOUS_NAMES
            ):
                return True
    return False


def _gazetteer_city(toks: list[Tok], i: int, text: str) -> int | None:
    """Index of the last token of the longest known US city starting at token i, if any."""
    words, best = [toks[i].low], None
    k = i
    while True:
        if " ".join(words) in V.US_CITIES:
            best = k
        if (
            k + 1 >= len(toks)
            or len(words) >= V.CITY_MAX_WORDS
            or text[toks[k].e : toks[k + 1].s] != " "
            or not toks[k + 1].cap
        ):
            return best
        k += 1
        words.append(toks[k].low)


def _city_in_context(toks: list[Tok], i: int, text: str) -> int | None:
    """A gazetteer city after a place preposition or before ', State'."""
    if toks[i].low not in V.US_CITY_FIRST:
        return None
    end = _gazetteer_city(toks, i, text)
    if end is None:
        return None
    after = text[toks[end].e : toks[end].e + 4]
    state_after = after.startswith(", ") and len(after) > 2 and after[2].isupper()
    return end if _prep_before(toks, i, text) or state_after else None


def _prefixed_place(toks: list[Tok], i: int, text: str) -> int | None:
    """'Port Mark', 'Lake Judithville', 'West Deborah': a place prefix and a name."""
    t = toks[i]
    if t.low not in V.CITY_PREFIXES or i + 1 >= len(toks) or text[t.e : toks[i + 1].s] != " ":
        return None
    nx, prep = toks[i + 1], _prep_before(toks, i, text)
    if (
        nx.cap
        and nx.low not in V.US_STATES
        and (t.low + " " + nx.low) not in V.US_STATES
        and (
            nx.cls in (STRONG, WEAK)
            or _is_place_stem(nx.low, not prep)
            or (prep and nx.cls == UNKNOWN)
        )
    ):
        return i + 1
    return None


def _unknown_after_prep(toks: list[Tok], i: int, text: str) -> int | None:
    """'works at the plant in Xyzville': an unknown capitalised word after a place preposition."""
    t = toks[i]
    if (
        t.cls != UNKNOWN
        or t.sent_start
        or t.poss
        or not _prep_before(toks, i, text)
        or toks[i - 1].low not in _UNKNOWN_PLACE_PREPS
    ):
        return None
    if i + 1 < len(toks) and toks[i + 1].cls == UNKNOWN and text[t.e : toks[i + 1].s] == " ":
        return i + 1
    return i


def _places_by_words(c) -> Iterator[Span]:
    toks, text = c.toks, c.text
    i = 0
    while i < len(toks):
        t = toks[i]
        if not t.cap or (t.cls == BREAK and t.low not in V.CITY_PREFIXES):
            i += 1
            continue
        end = _city_in_context(toks, i, text)
        if end is None:
            end = _prefixed_place(toks, i, text)
        if (
            end is None
            and t.cls in (UNKNOWN, WEAK, STRONG, WORD)
            and not t.poss
            and _is_place_stem(t.low, not _prep_before(toks, i, text))
        ):
            end = i
        if end is None:
            end = _unknown_after_prep(toks, i, text)
        if end is not None:
            yield t.s, toks[end].e, "ADDRESS"
            i = end
        i += 1


def _merged(spans) -> list[list]:
    out: list[list] = []
    for s, e, kind in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e, kind])
    return out


def find_places(c) -> Iterator[Span]:
    text = c.text
    for s, e, kind in _merged(run_rules(c, PLACE_RULES)):
        yield _extend_back(text, s), _extend(text, e), kind
    yield from _city_before_state(c)
    yield from _places_by_words(c)
