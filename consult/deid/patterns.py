"""Shape- and keyword-driven detectors: numbers, contact details, dates and ages.

Each detector yields ``(start, end, kind)`` triples. All regexes are compiled once at import and
written without nested unbounded quantifiers, so matching stays linear in the text length.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from . import vocabulary as V
from .engine import rule, run_rules

Span = tuple[int, int, str]

# ---------------------------------------------------------------- contact details
EMAIL_RE = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24}\b"
)
_TLD = (
    "com|org|net|edu|gov|mil|int|io|info|biz|us|co|me|ly|app|ai|tv|health|care|example|uk|ca|"
    "de|fr|es|it|nl|be|ch|at|se|dk|no|fi|pl|cz|hu|pt|br|au|nz|in|jp|cn|ru|cy|uy|si|mx|ie|online|"
    "site|blog|xyz|social|page|link|club|dev|shop|store"
)
URL_RE = re.compile(r"(?i)(?<![\w.@-])(?:https?://|ftp://|www\.)[^\s<>\"'()\[\]{}]+")
DOT_TLD_RE = re.compile(r"(?i)\.(?=[a-z])(?:" + _TLD + r")(?![\w@-])")
DOMAIN_BEFORE_RE = re.compile(
    r"(?<![\w@.-])(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$"
)
PATH_AFTER_RE = re.compile(r"/[^\s<>\"'()\[\]{}]*")
IPV4_RE = re.compile(
    r"(?<![\w.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?![\w]|\.\d)"
)
IPV6_RE = re.compile(r"(?<![\w:])(?:[0-9A-Fa-f]{1,4})?(?::[0-9A-Fa-f]{0,4}){2,7}(?:%\w+)?(?![\w:])")
PHONE_RE = re.compile(
    r"(?<![\w+])(?:(?:\+?1|001)[\s.-]?)?(?:\(\d{3}\)[\s.-]?|\d{3}[\s.-]?)\d{3}[\s.-]?\d{4}"
    r"(?:\s*(?:x|ext\.?|extension)\s*\d{1,6})?(?!\w)",
    re.I,
)
INTL_PHONE_RE = re.compile(
    r"(?<![\w+])\+\d{1,3}[\s.-]?(?:\(0?\d{1,4}\)[\s.-]?)?\d[\d\s.-]{5,14}\d(?!\w)"
)
PHONE_CUE_FIRST = frozenset(
    "phone tel telephone mobile cell cellphone fax desk office home work landline call called "
    "reach reached text texted number answering registered messages contact".split()
)
PHONE_CUE_RE = re.compile(
    r"\b(?:phone|tel|telephone|mobile|cell|cellphone|fax|desk|office|home|work|landline|"
    r"call(?:ed)?(?: me| her| him| them)?(?: at| on)?|"
    r"reach(?:ed)?(?: me| her| him| them)?(?: at| on)|"
    r"text(?:ed)?(?: me| her| him)?(?: at| on)|number(?: is)?|answering at|registered|messages to|"
    r"contact(?: number)?)"
    r"\s*[:#]?\s*(\+?\(?\d[\d\s().-]{5,20}\d)(?:\s*(?:x|ext\.?)\s*\d{1,6})?",
    re.I,
)

# ---------------------------------------------------------------- keyword-introduced identifiers
_FILL = (
    r"(?:[\s:#=.\-]*(?:number|numbers|num|nbr|no|id|is|was|of|on file|lists?|listed|reads?|"
    r"ends? in|ending in|shows|are)\b)*[\s:#=.\-]*"
)
_VAL = (
    r"((?=[A-Za-z0-9-]*\d)[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){2,40}"
    r"(?:[ ](?=\d)\d{2,}(?:[ -]\d{2,}){0,3})?)"
)
_KEYWORDS = [
    ("SSN", r"ssn|ss#|soc(?:ial)?[\s-]*sec(?:urity)?(?:[\s-]*(?:number|no\.?|#|card))?"),
    (
        "MRN",
        r"mrn|mr#|medical[\s-]*record(?:[\s-]*(?:number|no\.?|#))?|med[\s-]*rec(?:ord)?|chart(?:[\s-]*(?:number|no\.?|#|id))|"
        r"hospital[\s-]*(?:number|no\.?|#|id)|patient[\s-]*(?:id|number|no\.?|#)|record[\s-]*(?:number|no\.?|#)|encounter(?:[\s-]*(?:id|number))",
    ),
    (
        "HEALTH_PLAN",
        r"member[\s-]*(?:id|number|no\.?|#)|subscriber[\s-]*(?:id|number|no\.?|#)?|policy(?:[\s-]*(?:id|number|no\.?|#))?|"
        r"insurance(?:[\s-]*(?:member|policy|plan|card))?[\s-]*(?:id|number|no\.?|#)|health[\s-]*plan(?:[\s-]*(?:member|beneficiary))?(?:[\s-]*(?:id|number|no\.?|#))?|"
        r"plan[\s-]*(?:id|number)|group[\s-]*(?:id|number|no\.?|#)|medicaid(?:[\s-]*(?:id|number|no\.?|#))?|medicare(?:[\s-]*(?:id|number|no\.?|#))?|"
        r"beneficiary(?:[\s-]*(?:id|number|no\.?|#))?|insurance",
    ),
    (
        "VEHICLE",
        r"(?:license|licence|number|tag)[\s-]*plates?|plates?|vin|vehicle[\s-]*(?:id|identification)(?:[\s-]*(?:number|no\.?|#))?|registration",
    ),
    (
        "LICENSE",
        r"(?:driver'?s?|driving)[\s-]*licen[cs]e(?:[\s-]*(?:number|no\.?|#|id))?|licen[cs]e(?:[\s-]*(?:number|no\.?|#|id))?|dl|dea(?:[\s-]*(?:number|no\.?|#))?|npi|"
        r"certificate(?:[\s-]*(?:number|no\.?|#))?|permit(?:[\s-]*(?:number|no\.?|#))?|passport(?:[\s-]*(?:number|no\.?|#))?",
    ),
    (
        "ACCOUNT",
        r"(?:bank|checking|savings|billing|credit|debit|patient|hospital)?[\s-]*(?:account|acct|a/c)(?:[\s-]*(?:number|no\.?|#|id))?|routing(?:[\s-]*(?:number|no\.?|#))?|"
        r"iban|swift|(?:credit|debit|bank|gift)?[\s-]*card(?:[\s-]*(?:number|no\.?|#))?|cc|invoice(?:[\s-]*(?:number|no\.?|#))?|claim(?:[\s-]*(?:number|no\.?|#|id))?",
    ),
    (
        "DEVICE",
        r"serial(?:[\s-]*(?:number|no\.?|#))?|s/n|sn|device(?:[\s-]*(?:id|serial|number))?|imei|udi|pacemaker|implant|pump|monitor|hearing[\s-]*aid|"
        r"cgm|meter|mac[\s-]*address|model(?:[\s-]*(?:number|no\.?|#))?|lot(?:[\s-]*(?:number|no\.?|#))?",
    ),
]
KEYWORD_RES = [
    (kind, re.compile(r"\b(?:" + kw + r")" + _FILL + _VAL + r"(?![\w-])", re.I))
    for kind, kw in _KEYWORDS
]
# first words of the keywords, so that a keyword pattern is only tried where one starts
KEYWORD_FIRST = {
    "SSN": "ssn ss soc social",
    "MRN": "mrn mr medical med chart hospital patient record encounter",
    "HEALTH_PLAN": (
        "member subscriber policy insurance health plan group medicaid medicare beneficiary"
    ),
    "VEHICLE": "license licence number tag plate plates vin vehicle registration",
    "LICENSE": (
        "driver driver's drivers driving license licence dl dea npi certificate permit passport"
    ),
    "ACCOUNT": "bank checking savings billing credit debit patient hospital account acct a iban "
    "swift card gift cc invoice claim routing",
    "DEVICE": (
        "serial s sn device imei udi pacemaker implant pump monitor hearing cgm meter mac model lot"
    ),
}
KEYWORD_STARTS: dict[str, list] = {}
for _kind, _rx in KEYWORD_RES:
    for _w in KEYWORD_FIRST[_kind].split():
        KEYWORD_STARTS.setdefault(_w, []).append((_kind, _rx))
PLATE_RE = re.compile(
    r"\b(?:license|licence|number|tag)?[\s-]*plates?"
    + _FILL
    + r"((?=[A-Z0-9 -]*\d)[A-Z0-9]{1,4}[ -]?[A-Z0-9]{1,5})(?![\w-])",
    re.I,
)
SHAPES_RE = None  # built below
SSN_RE = re.compile(r"(?<![\w-])(?!000|666)\d{3}([- ])(?!00)\d{2}\1(?!0000)\d{4}(?![\w-])")
VIN_RE = re.compile(
    r"(?<![\w-])(?=[A-Z0-9]*\d[A-Z0-9]*\d)(?=[A-Z0-9]*[A-Z][A-Z0-9]*[A-Z])[A-Z0-9]{17}(?![\w-])"
)
IBAN_RE = re.compile(r"(?<![\w-])[A-Z]{2}\d{2}[A-Z0-9]{11,30}(?![\w-])")
CARD_RE = re.compile(r"(?<![\w-])\d{4}[ -]?\d{4}[ -]?\d{4}[ -]?\d{1,7}(?![\w-])")
SERIAL_RE = re.compile(
    r"(?<![\w-])(?:SN|S/N)[-:#]?\s?(?=[A-Z0-9-]*\d)[A-Z0-9][A-Z0-9-]{3,30}(?![\w-])"
)
SHAPES_RE = re.compile(
    "|".join(
        f"(?P<{k}>{rx.pattern})"
        for k, rx in (
            (
                "SSN",
                re.compile(
                    r"(?<![\w-])(?!000|666)\d{3}(?P<sep>[- ])(?!00)\d{2}(?P=sep)(?!0000)\d{4}"
                    r"(?![\w-])"
                ),
            ),
            ("VEHICLE", VIN_RE),
            ("ACCOUNT", IBAN_RE),
            ("ACCOUNT2", CARD_RE),
            ("DEVICE", SERIAL_RE),
        )
    )
)

# ---------------------------------------------------------------- dates
_MON = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
_MONTH = r"(?:" + _MON + r"\.?)"
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_ORDW = (
    r"(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|"
    r"thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth|"
    r"twenty[- ](?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth)|thirtieth|"
    r"thirty[- ]first)"
)
_YEAR = r"(?:1[89]\d\d|20\d\d|'\d\d)"
_TIME = r"(?:,?\s*(?:at\s+)?\d{1,2}:\d{2}(?::\d{2})?(?:\s*[ap]\.?m\.?)?)?"
_NOUNIT = r"(?!\s*(?:mg|mcg|ml|%|percent|units?|tabs?|tablets?|pills?)\b)"
DATE_RES = [
    re.compile(
        r"(?<![\w/.-])"
        + _MONTH
        + r"\s+(?:the\s+)?(?:"
        + _DAY
        + r"|"
        + _ORDW
        + r")\b(?:,?\s+"
        + _YEAR
        + r"\b)?"
        + _NOUNIT
        + _TIME,
        re.I,
    ),
    re.compile(
        r"(?<![\w/.-])(?:the\s+)?(?:"
        + _DAY
        + r"\s+(?:of\s+|day\s+of\s+)?|"
        + _ORDW
        + r"\s+(?:day\s+)?of\s+)"
        + _MONTH
        + r"(?![a-z])(?:,?\s+"
        + _YEAR
        + r"\b)?",
        re.I,
    ),
    re.compile(r"(?<![\w/.-])" + _MONTH + r",?\s+(?:of\s+)?" + _YEAR + r"\b", re.I),
    re.compile(
        r"(?<![\w/.-])(?:1[89]\d\d|20\d\d)[-/.](?:0?[1-9]|1[0-2])[-/.](?:[12]\d|3[01]|0?[1-9])"
        r"(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?(?![\w/-])"
    ),
    re.compile(
        r"(?<![\w/.-])(?:[12]\d|3[01]|0?[1-9])([/-])(?:[12]\d|3[01]|0?[1-9])\1(?:\d{4}|\d{2})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?(?![\w/-])"
    ),
    re.compile(
        r"(?<![\w/.-])(?:[12]\d|3[01]|0?[1-9])\.(?:[12]\d|3[01]|0?[1-9])\.(?:1[89]\d\d|20\d\d)(?![\w-]|\.\d)"
    ),
    re.compile(r"(?<![\w/.-])(?:0?[1-9]|1[0-2])/(?:1[89]\d\d|20\d\d)(?![\w/-])"),
]
NUM_DATE_RE = re.compile(
    "|".join(
        rx.pattern.replace("([/-])", "(?P<dsep>[/-])").replace("\\1", "(?P=dsep)")
        for rx in DATE_RES[3:]
    )
)
SHORT_DATE_RE = re.compile(r"(?<![\w/.$-])(0?[1-9]|1[0-2])/([12]\d|3[01]|0?[1-9])(?![\w/%-])")
_RATING_RE = re.compile(
    r"(?:rat\w*|scor\w*|scale|pain|anxiety|mood|sleep|level|intensity|suds|stress|urge|craving|"
    r"energy|out of|was|at|a|from|to)\W*$",
    re.I,
)
_FRACTION_AFTER_RE = re.compile(
    r"\s*(?:of|tabs?|tablets?|pills?|doses?|cups?|miles?|hours?|mg|inch|on\b|scale|points?)", re.I
)

# ---------------------------------------------------------------- ages over 89
_AGE_N = r"(9\d|1[0-2]\d)"
_AGE_W = (
    r"(ninety(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?|"
    r"(?:one\s+)?hundred(?:\s+and)?(?:[- ](?:one|two|three|four|five|six|seven|eight|nine|ten))?)"
)
AGE_RES = [
    re.compile(
        r"\b"
        + _AGE_N
        + r"(?=[\s-]*(?:years?|yrs?)[\s-]*(?:old|of\s+age)|[\s-]*(?:yo|y/o|y\.o\.|yr[\s-]*old)\b)",
        re.I,
    ),
    re.compile(
        r"\b(?:age[ds]?|aged|age\s*:|turned|turning|turns|birthday)\s*(?:of\s+|is\s+|was\s+|at\s+)?"
        + _AGE_N
        + r"\b(?![./]\d)",
        re.I,
    ),
    re.compile(r"\b" + _AGE_W + r"(?=[\s-]*(?:years?|yrs?)[\s-]*(?:old|of\s+age))", re.I),
    re.compile(r"\b(?:age[ds]?|aged|turned|turning|turns)\s+" + _AGE_W + r"\b", re.I),
    re.compile(
        r"\bin\s+(?:his|her|their|my)\s+(?:late\s+|early\s+|mid[- ])?(90s|nineties)\b", re.I
    ),
    re.compile(r"\b" + _AGE_N + r"(?=\s*(?:M|F|male|female|man|woman|yo[mf])\b)"),
]


DIGITS_RE = re.compile(r"\d+")
NUM_DATE_RE = re.compile(
    "|".join(
        rx.pattern.replace("([/-])", "(?P<dsep>[/-])").replace("\\1", "(?P=dsep)")
        for rx in DATE_RES[3:]
    )
)
MONTH_FIRST_RE = re.compile("|".join(DATE_RES[i].pattern for i in (0, 2)), re.I)
WEEKDAY_DATE_RE = re.compile(
    r"(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,?\s+(?:"
    + "|".join(DATE_RES[i].pattern.replace(r"(?<![\w/.-])", "") for i in (0, 1, 3, 4))
    + ")",
    re.I,
)
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
DAY_FIRST_RE = DATE_RES[1]
_ORDINALS = tuple(sorted(set(re.sub(r"[^a-z|]", "", _ORDW.replace("[- ]", "|")).split("|"))))
_MONTH_WORDS_LIST = (
    "january jan february feb march mar april apr may june jun july jul august aug "
    "september sep sept october oct november nov december dec"
).split()
AGE_CUE_RE = AGE_RES[1]
_AGE_PERSON = tuple(
    sorted(set("he she who patient client pt veteran resident".split()) | V.RELATIONS)
)
AGE_PERSON_RE = re.compile(
    r"[A-Za-z]+\s+(?:is|was|turns|turned|just\s+turned|is\s+now|will\s+be)\s+(9\d|1[0-2]\d)\b"
    r"(?!\s*(?:%|percent|mg|kg|lbs?|pounds|minutes|mins|bpm|/|\.\d))",
    re.I,
)
_AGE_CUE_WORDS = ("age", "ages", "aged", "turned", "turning", "turns", "birthday")


class Ctx:
    """Per-text anchors: where digit runs, alphanumeric chunks and words start.

    Digit runs are also bucketed in `runs` by (length up to 7, the class of the character after:
    ' ' space, 'l' letter, '/', '.', '-' or 'o' other; the class before: 'o' space or other, 's'
    one of '/.-', 'w' a letter or digit; the first digit), so that a rule tries only the runs it
    could start at: a text of '1/1/1/...' has thousands of runs,
    but only the first is not preceded by a separator."""

    __slots__ = ("text", "toks", "digits", "chunks", "low", "words", "runs")

    def __init__(self, text: str, toks):
        self.text = text
        self.low = text.lower()
        self.toks = toks
        self.words: dict[str, list] = {}  # lower-cased word → its tokens
        for t in toks:
            self.words.setdefault(t.low, []).append(t)
        self.digits = []
        self.runs: dict[tuple[int, str, str], list[int]] = {}
        chunks = []
        for m in DIGITS_RE.finditer(text):
            s, e = m.span()
            self.digits.append(s)
            before = text[s - 1] if s else " "
            if before.isalnum():
                i = s
                while i > 0 and text[i - 1].isalnum():
                    i -= 1
                if not chunks or chunks[-1] != i:
                    chunks.append(i)
                cls_before = "w"
            else:
                cls_before = "s" if before in "/.-" else "o"
            after = text[e] if e < len(text) else ""
            cls_after = (
                "l"
                if after.isalpha()
                else " "
                if after in " \t\n"
                else after
                if after in "/.-"
                else "o"
            )
            self.runs.setdefault((min(e - s, 7), cls_after, cls_before, text[s]), []).append(s)
        self.chunks = chunks


def _trim(text: str, s: int, e: int) -> int:
    while e > s and text[e - 1] in ".,;:!?'\")":
        e -= 1
    return e


# ---------------------------------------------------------------- validators
def _trimmed_url(value: str, s: int, e: int, text: str):
    e = _trim(text, s, e)
    return (s, e) if e - s > 4 else False


def _cued_phone(value: str, s: int, e: int, text: str):
    """At least seven digits after 'phone', 'call me at' ...; an extension stays with the number."""
    if sum(ch.isdigit() for ch in value) < 7:
        return False
    end = e
    while end > s and not text[end - 1].isdigit():
        end -= 1
    return s, end


def _ipv6(value: str, s: int, e: int, text: str) -> bool:
    return ("::" in value or value.count(":") >= 3) and sum(ch.isalnum() for ch in value) >= 3


def _short_date(value: str, s: int, e: int, text: str) -> bool:
    """'3/14' is a date; '7/10' after a rating word, '1/2 tab' or '3/5 on the scale' is not."""
    day = value.split("/")[1]
    if day in ("10", "5") and (
        _RATING_RE.search(text, max(0, s - 30), s) or "/" + day in text[max(0, s - 40) : s]
    ):
        return False
    return not _FRACTION_AFTER_RE.match(text, e)


_SCALE_RE = re.compile(r"[A-Z]{2,6}-?\d{1,2}")


def _not_a_scale(value: str, s: int, e: int, text: str) -> bool:
    """'policy. PHQ-9 of 14': a scale name after a keyword is not its number."""
    return not _SCALE_RE.fullmatch(value) and value.lower() not in V.CLINICAL_WORDS


_PLATE_WORDS = "plate plates tag license licence number"
_MRN_RE = re.compile(r"(?i)mrn[\s:#-]*(\d{3,12})\b")

CONTACT_RULES = (
    rule("e-mail address", "EMAIL", EMAIL_RE.pattern, at="near", gates=("@",), flags=0),
    rule(
        "web address with a scheme",
        "URL",
        URL_RE.pattern,
        at="words",
        words="http https ftp www",
        validate=_trimmed_url,
    ),
    rule("IPv4 address", "IP", IPV4_RE.pattern, at="digits", runs="1-3", after=".", flags=0),
    rule("IPv6 address", "IP", IPV6_RE.pattern, gates=("::", ":"), validate=_ipv6, flags=0),
    rule(
        "phone number after a cue",
        "PHONE",
        PHONE_CUE_RE.pattern,
        group=1,
        at="words",
        words=" ".join(PHONE_CUE_FIRST),
        validate=_cued_phone,
    ),
)
ID_RULES = tuple(
    rule(
        f"{kind.lower()} after its keyword",
        kind,
        rx.pattern,
        group=1,
        at="words",
        words=KEYWORD_FIRST[kind],
        validate=_not_a_scale,
    )
    for kind, rx in KEYWORD_RES
) + (
    rule(
        "plate after its keyword",
        "VEHICLE",
        PLATE_RE.pattern,
        group=1,
        at="words",
        words=_PLATE_WORDS,
    ),
    rule(
        "social security number", "SSN", SSN_RE.pattern, at="digits", runs="3", after=" -", flags=0
    ),
    rule("card number", "ACCOUNT", CARD_RE.pattern, at="digits", runs="4-7", flags=0),
    rule("vehicle identification number", "VEHICLE", VIN_RE.pattern, at="chunks", flags=0),
    rule(
        "vehicle identification number from a digit",
        "VEHICLE",
        VIN_RE.pattern,
        at="digits",
        after="l",
        flags=0,
    ),
    rule("IBAN", "ACCOUNT", IBAN_RE.pattern, at="chunks", flags=0),
    rule("serial number", "DEVICE", SERIAL_RE.pattern, at="words", words="sn s", flags=0),
    rule("MRN run together", "MRN", _MRN_RE.pattern, group=1, gates=("mrn",), flags=0),
)
DATE_SHAPE_RULES = (
    rule(
        "month name first",
        "DATE",
        MONTH_FIRST_RE.pattern,
        at="words",
        words=" ".join(_MONTH_WORDS_LIST),
    ),
    rule("day first", "DATE", DAY_FIRST_RE.pattern, at="digits", runs="1-2", after=" l"),
    rule(
        "ordinal day first",
        "DATE",
        DAY_FIRST_RE.pattern,
        at="words",
        words=" ".join(("the",) + _ORDINALS),
    ),
    rule(
        "weekday and date", "DATE", WEEKDAY_DATE_RE.pattern, at="words", words=" ".join(_WEEKDAYS)
    ),
    rule(
        "numeric date", "DATE", NUM_DATE_RE.pattern, at="digits", runs="1-4", after="/.-", flags=0
    ),
    rule(
        "month/day",
        "DATE",
        SHORT_DATE_RE.pattern,
        at="digits",
        runs="1-2",
        after="/",
        validate=_short_date,
        flags=0,
    ),
)
AGE_SHAPE_RULES = tuple(
    rule(name, "AGE_OVER_89", AGE_RES[i].pattern, group=1, gates=("ninet", "hundred", "90s"))
    for name, i in (("age in words", 2), ("age in words after a cue", 3), ("in their nineties", 4))
) + (
    rule(
        "age before years old",
        "AGE_OVER_89",
        AGE_RES[0].pattern,
        group=1,
        at="digits",
        runs="2-3",
        after=" l-",
        first="19",
    ),
    rule(
        "age before sex",
        "AGE_OVER_89",
        AGE_RES[5].pattern,
        group=1,
        at="digits",
        runs="2-3",
        after=" l",
        first="19",
        flags=0,
    ),
    rule(
        "age after a cue",
        "AGE_OVER_89",
        AGE_CUE_RE.pattern,
        group=1,
        at="words",
        words=" ".join(_AGE_CUE_WORDS),
    ),
    rule(
        "age after a person",
        "AGE_OVER_89",
        AGE_PERSON_RE.pattern,
        group=1,
        at="words",
        words=" ".join(_AGE_PERSON),
    ),
)
PATTERN_TABLES = (CONTACT_RULES, ID_RULES, DATE_SHAPE_RULES, AGE_SHAPE_RULES)


def _phones(c: Ctx) -> Iterator[Span]:
    """Phone shapes start at a digit, or at the '(' or '+' just before one: at a run that starts a
    number (not one after a letter), or at three or more digits after a separator ('ph.555...')."""
    text = c.text
    runs = [
        s
        for (n, _, before, _), starts in c.runs.items()
        if before == "o" or (before == "s" and n >= 3)
        for s in starts
    ]
    for s in sorted({s - 1 if s and text[s - 1] in "(+" else s for s in runs} | set(runs)):
        m = PHONE_RE.match(text, s) or (INTL_PHONE_RE.match(text, s) if text[s] == "+" else None)
        if m:
            yield m.start(), m.end(), "PHONE"


def _dotted_domains(c: Ctx) -> Iterator[Span]:
    """'instagram.com/ronald59', 'miller-snyder.org': a domain found from its top-level part."""
    text = c.text
    for m in DOT_TLD_RE.finditer(text):
        d = DOMAIN_BEFORE_RE.search(text, max(0, m.start() - 80), m.start())
        if d:
            pm = PATH_AFTER_RE.match(text, m.end())
            yield d.start(), _trim(text, d.start(), pm.end()) if pm else m.end(), "URL"


PATTERN_RULES = tuple(r for table in PATTERN_TABLES for r in table)


def find_patterns(c: Ctx) -> Iterator[Span]:
    yield from run_rules(c, PATTERN_RULES)
    yield from _phones(c)
    if "." in c.text:
        yield from _dotted_domains(c)
