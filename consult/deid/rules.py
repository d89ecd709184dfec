"""Rule tables for the shapes issue 14 added: obfuscated e-mails, handles, other unique ids,
plates near vehicle words, more date and age shapes; and mixed-script words.

Each row is `rule(name, kind, pattern, ...)` (see engine.py); a new shape is one row here and one
test row in tests/deid.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from . import vocabulary as V
from .engine import Span, code_after_label, not_a_measure, rule, run_rules


def long_digit_group(value: str, s: int, e: int, text: str) -> bool:
    digits = sum(ch.isdigit() for ch in value)
    return digits >= 8 and not_a_measure(value, s, e, text)


_SCALE_NAME_RE = re.compile(r"[A-Z]{2,6}-?\d{1,2}")  # 'PHQ-9', 'GAD7': no plate


def plate_shaped(value: str, s: int, e: int, text: str) -> bool:
    compact = value.replace("-", "").replace(" ", "")
    if not 5 <= len(compact) <= 8 or text[e : e + 1] == "/":
        return False
    return (
        any(ch.isalpha() for ch in compact)
        and any(ch.isdigit() for ch in compact)
        and value.lower() not in V.CLINICAL_WORDS
        and not _SCALE_NAME_RE.fullmatch(value)
    )


_LETTERS_HYPHEN_RE = re.compile(r"(?<![\w-])[A-Z]{1,10}-$")


def _letters_hyphen_before(value: str, s: int, e: int, text: str):
    """'CRIMSON-0447', 'VP-559A': capitals, a hyphen, three or more digits (not 'PHQ-9')."""
    m = _LETTERS_HYPHEN_RE.search(text, max(0, s - 11), s)
    return (m.start(), e) if m and text[m.start() : e].lower() not in V.CLINICAL_WORDS else False


def handle_shaped(value: str, s: int, e: int, text: str) -> bool:
    return any(ch.isdigit() or ch in "_." for ch in value) or text[s - 1] == "@"


# ---------------------------------------------------------------- the tables
_TLD = (
    r"(?:com|org|net|edu|gov|io|co|us|uk|ca|de|fr|es|it|nl|se|dk|no|fi|pl|cz|ru|au|nz|in|me|info|biz|"
    r"app|dev|xyz|online|email|mail)"
)
_AT = r"(?:[ \t]*(?:\(at\)|\[at\]|\{at\}|<at>|@)[ \t]*|[ \t]+(?:at|AT)[ \t]+)"
_DOT = r"(?:[ \t]*(?:\(dot\)|\[dot\]|\{dot\}|<dot>)[ \t]*|[ \t]+(?:dot|DOT)[ \t]+|\.)"
_OBF_DOT = r"(?:[ \t]*(?:\(dot\)|\[dot\]|\{dot\}|<dot>)[ \t]*|[ \t]+(?:dot|DOT)[ \t]+)"
_MAIL_HOSTS = (
    r"gmail|googlemail|yahoo|ymail|hotmail|outlook|live|msn|icloud|me|mac|aol|proton|protonmail|"
    r"pm|gmx|mail|comcast|verizon|att|sbcglobal|zoho|fastmail|hey|tutanota|yandex|web|t-online"
)
_SITE_WORDS = (
    "instagram insta ig snapchat snap tiktok twitter threads facebook fb reddit discord telegram "
    "whatsapp signal venmo cash cashapp paypal kik twitch steam xbox psn gamertag username user "
    "screen handle account"
)
_HANDLE_SITES = (
    r"instagram|insta|ig|snapchat|snap|tiktok|twitter|x\.com|threads|facebook|fb|reddit|discord|"
    r"telegram|whatsapp|signal|venmo|cash ?app|paypal|kik|twitch|steam|xbox|psn|gamertag|"
    r"username|user ?name|screen ?name|handle|account"
)

CONTACT_RULES = (
    rule(
        "obfuscated email",
        "EMAIL",
        r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}"
        + _AT
        + r"(?!www\b)[A-Za-z0-9-]{1,63}(?:"
        + _DOT
        + r"[A-Za-z0-9-]{1,63}){0,3}"
        + _OBF_DOT
        + _TLD
        + r"\b",
        at="near",
        words="dot",
        flags=0,
    ),
    rule(
        "email with a spelled-out at",
        "EMAIL",
        r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}"
        + _AT
        + r"(?:"
        + _MAIL_HOSTS
        + r")(?:\.[A-Za-z]{2,6}){1,2}\b",
        at="near",
        words=_MAIL_HOSTS.replace("|", " "),
    ),
    rule(
        "spaced at sign email",
        "EMAIL",
        r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}[ \t]*@[ \t]*[A-Za-z0-9-]{1,63}"
        r"(?:\.[A-Za-z0-9-]{1,63}){1,4}\b",
        at="near",
        gates=("@",),
    ),
    rule(
        "social handle",
        "HANDLE",
        r"@[A-Za-z0-9_][A-Za-z0-9_.]{1,29}(?<!\.)",
        gates=("@",),
        validate=lambda v, s, e, text: (
            s == 0 or not (text[s - 1].isalnum() or text[s - 1] in "_@.")
        ),
    ),
    rule("reddit user", "HANDLE", r"(?<![\w/])/?u/[A-Za-z0-9_-]{3,20}", gates=("u/",)),
    rule(
        "handle after a site",
        "HANDLE",
        r"(?:" + _HANDLE_SITES + r")(?:[ \t]+(?:is|name|handle|account|id))?[ \t]*[:=]?[ \t]*@?"
        r"([A-Za-z][A-Za-z0-9_.]{2,29}(?<!\.))",
        group=1,
        validate=handle_shaped,
        at="words",
        words=_SITE_WORDS,
    ),
)

_FILE_TYPES = (
    "jpg jpeg png gif heic tif tiff pdf doc docx xls xlsx ppt pptx mp4 mov m4a mp3 wav txt csv zip"
)
_ID_LABELS = (
    "pt patient client member record file chart case epic cerner emr ehr mychart account acct ref "
    "reference id ident identifier badge employee student inmate booking docket claim confirmation "
    "ticket order tracking customer registration enrollment enrolment"
)
ID_RULES = (
    rule(
        "long digit run",
        "OTHER_ID",
        r"(?<![\w.,/$€£-])\d{7,}(?![\w]|[.,]\d)",
        validate=not_a_measure,
        at="digits",
        runs="7",
    ),
    rule(
        "grouped digit run",
        "OTHER_ID",
        r"(?<![\w.,/$€£-])\d{2,6}(?:([ .-])\d{2,6}(?:\1\d{2,6}){1,4})(?![\w]|[.,/-]\d)",
        validate=long_digit_group,
        at="digits",
        runs="2-6",
        after=" .-",
    ),
    rule(
        "letters and digits code",
        "OTHER_ID",
        r"(?<![\w-])(?:[A-Za-z]{1,4}\d{5,14}[A-Za-z]{0,3}|\d{5,14}[A-Za-z]{1,3}|[A-Za-z]{1,3}\d{2,6}[A-Za-z]{1,3}\d{3,8})(?![\w-])",
        at="chunks",
        validate=not_a_measure,
    ),
    rule(
        "digits and letters code",
        "OTHER_ID",
        r"(?<![\w-])\d{5,14}[A-Za-z]{1,3}(?![\w-])",
        at="digits",
        runs="5-7",
        after="l",
        validate=not_a_measure,
    ),
    rule(
        "hyphenated code",
        "OTHER_ID",
        r"\d{3,8}[A-Z]{0,2}(?![\w-])",
        at="digits",
        runs="3-7",
        before="s",
        flags=0,
        validate=_letters_hyphen_before,
    ),
    rule(
        "file name",
        "OTHER_ID",
        r"(?<![\w./-])[A-Za-z0-9][\w-]{0,60}[_\d][\w-]{0,60}\.(?:"
        + _FILE_TYPES.replace(" ", "|")
        + r")\b",
        at="near",
        words=_FILE_TYPES,
    ),
    rule(
        "code after an id label",
        "OTHER_ID",
        r"(?:" + _ID_LABELS.replace(" ", "|") + r")"
        r"(?:[ \t]*(?:id|no\.?|num|number|nbr|code|#))?[ \t]*(?:#|:|=|is|was)?[ \t]*#?[ \t]*"
        r"((?=[A-Za-z0-9-]*\d)[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){2,24})(?![\w-])",
        group=1,
        validate=code_after_label,
        at="words",
        words=_ID_LABELS,
    ),
)

_VEHICLE_WORDS = (
    r"car|cars|truck|pickup|van|minivan|suv|sedan|coupe|hatchback|wagon|jeep|vehicle|motorcycle|"
    r"motorbike|scooter|moped|rv|camper|trailer|bus|taxi|cab|toyota|honda|ford|chevy|chevrolet|"
    r"nissan|hyundai|kia|subaru|mazda|tesla|bmw|audi|volkswagen|vw|dodge|ram|gmc|buick|lexus|"
    r"volvo|jeep|prius|camry|corolla|civic|accord|altima|outback|f-150|silverado|tacoma|"
    r"driving|drives|drove|parked|parks|registered"
)
_PLATE = (
    r"(?=[A-Z0-9])((?=[A-Z0-9 -]{0,9}\d)(?=[A-Z0-9 -]{0,9}[A-Z])[A-Z0-9]{1,4}[ -]?[A-Z0-9]{1,5})"
    r"(?![\w-])"
)
VEHICLE_RULES = (
    rule(
        "plate near a vehicle word",
        "VEHICLE",
        r"(?<![\w-])" + _PLATE,
        group=1,
        validate=plate_shaped,
        flags=0,
        at="near",
        words=_VEHICLE_WORDS.replace("|", " "),
    ),
)

_MON = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
_D = r"(?:[12]\d|3[01]|0?[1-9])"
_MONTH_WORDS = (
    "january jan february feb march mar april apr may june jun july jul august aug september sep "
    "sept october oct november nov december dec"
)
DATE_RULES = (
    rule(
        "day-month-year with a month name",
        "DATE",
        r"(?<![\w/.-])"
        + _D
        + r"(?P<sep>[-/. ])"
        + _MON
        + r"\.?(?P=sep)(?:\d{4}|'?\d{2})(?![\w/-])",
        at="digits",
        runs="1-2",
        after=" -/.",
    ),
    rule(
        "month-day-year with a month name",
        "DATE",
        r"(?<![\w/.-])" + _MON + r"(?P<sep>[-/.])" + _D + r"(?P=sep)(?:\d{4}|\d{2})(?![\w/-])",
        at="words",
        words=_MONTH_WORDS,
    ),
    rule(
        "year-month-day with a month name",
        "DATE",
        r"(?<![\w/.-])(?:19|20)\d\d(?P<sep>[-/. ])" + _MON + r"(?P=sep)" + _D + r"(?![\w/-])",
        at="digits",
        runs="4",
        after=" -/.",
    ),
    rule(
        "day.month.yy",
        "DATE",
        r"(?<![\w/.-])" + _D + r"\." + _D + r"\.\d\d(?![\w-]|\.\d)",
        at="digits",
        runs="1-2",
        after=".",
    ),
    rule(
        "compact year-month-day",
        "DATE",
        r"(?<![\w.,/-])(?:19|20)\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])(?![\w]|[.,]\d)",
        at="digits",
        runs="7",
    ),
    rule(
        "day.month.year at a sentence end",
        "DATE",
        r"(?<![\w/.-])" + _D + r"\." + _D + r"\.(?:1[89]\d\d|20\d\d|\d\d)(?=\.(?!\d))",
        at="digits",
        runs="1-2",
        after=".",
    ),
)

_AGE = r"(9\d|1[0-2]\d)"
AGE_RULES = (
    rule(
        "age abbreviation",
        "AGE_OVER_89",
        r"(?<![\w.])"
        + _AGE
        + r"(?=[ \t-]?(?:y\.?\s?o\.?|y/o|yrs?\.?(?:[ \t-]*old)?|years?(?:[ \t-]*old)?|yo[mf]?|"
        r"y\.o\.[mf]?|-year-old)(?![A-Za-z]))",
        at="digits",
        runs="2-3",
        after=" l-",
        first="19",
    ),
    rule(
        "age in apposition",
        "AGE_OVER_89",
        _AGE + r"(?=[ \t]*[,;)]|[ \t]+(?:and|who|lives|is|was|has|had|still)\b)",
        group=1,
        validate=lambda v, s, e, text: _person_before(text, s),
        at="digits",
        runs="2-3",
        first="19",
    ),
)


def _person_before(text: str, s: int) -> bool:
    m = _WORD_BEFORE_RE.search(text, max(0, s - 40), s) if s and text[s - 1] in " \t,(" else None
    if not m:
        return False
    word = m.group(1)
    low = word.lower().rstrip(".")
    if low in V.NAME_CUES_BEFORE or low in V.RELATIONS or low in _PERSON_NOUNS:
        return True
    return (
        word[0].isupper()
        and low not in V.STOP_CAPS
        and low not in V.MONTHS
        and low not in V.WEEKDAYS
    )


_WORD_BEFORE_RE = re.compile(r"([A-Za-z][A-Za-z.'-]*)(?:'s)?[ \t]*[,(][ \t]*$")
_PERSON_NOUNS = frozenset(
    """man woman lady gentleman widow widower veteran resident patient client
grandmother grandfather grandma grandpa mother father mom dad aunt uncle husband wife neighbor
neighbour
""".split()
)

RULE_TABLES = (CONTACT_RULES, ID_RULES, VEHICLE_RULES, DATE_RULES, AGE_RULES)


RULES = tuple(r for table in RULE_TABLES for r in table)


def find_by_rules(c) -> Iterator[Span]:
    yield from run_rules(c, RULES)


# ---------------------------------------------------------------- mixed scripts
_LATIN = "A-Za-z\u00c0-\u024f"
_LOOKALIKE = "\u0370-\u03ff\u0400-\u052f"
_WORD_RE = re.compile(
    r"[^\W\d_](?:[^\W\d_]|[\u00ad\u200b-\u200f\u2060-\u2064\ufeff\u0300-\u036f])*"
)
_HAS_LATIN = re.compile(f"[{_LATIN}]")
_HAS_LOOKALIKE = re.compile(f"[{_LOOKALIKE}]")


def find_mixed_script(text: str) -> Iterator[Span]:
    """A word mixing Latin with Cyrillic or Greek letters is written to look like something else."""
    if text.isascii() or not _HAS_LOOKALIKE.search(text):
        return
    for m in _WORD_RE.finditer(text):
        w = m.group()
        if _HAS_LATIN.search(w) and _HAS_LOOKALIKE.search(w):
            yield m.start(), m.end(), "MIXED_SCRIPT"
