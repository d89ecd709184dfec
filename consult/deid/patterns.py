"""Shape- and keyword-driven detectors: numbers, contact details, dates and ages.

Each detector yields ``(start, end, kind)`` triples. All regexes are compiled once at import and
written without nested unbounded quantifiers, so matching stays linear in the text length.
"""
from __future__ import annotations

import re
from typing import Iterator

Span = tuple[int, int, str]

# ---------------------------------------------------------------- contact details
EMAIL_RE = re.compile(r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24}\b")
_TLD = ("com|org|net|edu|gov|mil|int|io|info|biz|us|co|me|ly|app|ai|tv|health|care|example|uk|ca|"
        "de|fr|es|it|nl|be|ch|at|se|dk|no|fi|pl|cz|hu|pt|br|au|nz|in|jp|cn|ru|cy|uy|si|mx|ie|online|"
        "site|blog|xyz|social|page|link|club|dev|shop|store")
URL_RE = re.compile(
    r"(?:\b(?:https?|ftp)://|\bwww\.)[^\s<>\"'()\[\]{}]+"
    r"|(?<![@\w.-])(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+(?:" + _TLD + r")\b"
    r"(?:/[^\s<>\"'()\[\]{}]*)?(?![\w@-])", re.I)
IPV4_RE = re.compile(
    r"(?<![\w.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?![\w]|\.\d)")
IPV6_RE = re.compile(r"(?<![\w:])(?:[0-9A-Fa-f]{1,4})?(?::[0-9A-Fa-f]{0,4}){2,7}(?:%\w+)?(?![\w:])")
PHONE_RE = re.compile(
    r"(?<![\w+])(?:\+?1[\s.-]?)?(?:\(\d{3}\)[\s.-]?|\d{3}[\s.-]?)\d{3}[\s.-]?\d{4}"
    r"(?:\s*(?:x|ext\.?|extension)\s*\d{1,6})?(?!\w)", re.I)
INTL_PHONE_RE = re.compile(r"(?<![\w+])\+\d{1,3}[\s.-]?(?:\(0?\d{1,4}\)[\s.-]?)?\d[\d\s.-]{5,14}\d(?!\w)")
PHONE_CUE_RE = re.compile(
    r"\b(?:phone|tel|telephone|mobile|cell|cellphone|fax|desk|office|home|work|landline|"
    r"call(?:ed)?(?: me| her| him| them)?(?: at| on)?|reach(?:ed)?(?: me| her| him| them)?(?: at| on)|"
    r"text(?:ed)?(?: me| her| him)?(?: at| on)|number(?: is)?|answering at|registered|messages to|contact(?: number)?)"
    r"\s*[:#]?\s*(\+?\(?\d[\d\s().-]{5,20}\d)(?:\s*(?:x|ext\.?)\s*\d{1,6})?", re.I)

# ---------------------------------------------------------------- keyword-introduced identifiers
_FILL = r"(?:[\s:#=.\-]*(?:number|numbers|num|nbr|no|id|is|was|of|on file|lists?|listed|reads?|ends? in|ending in|shows|are)\b)*[\s:#=.\-]*"
_VAL = r"((?=[A-Za-z0-9-]*\d)[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){2,40}(?:[ ](?=\d)\d{2,}(?:[ -]\d{2,}){0,3})?)"
_KEYWORDS = [
    ("SSN", r"ssn|ss#|soc(?:ial)?[\s-]*sec(?:urity)?(?:[\s-]*(?:number|no\.?|#|card))?"),
    ("MRN", r"mrn|mr#|medical[\s-]*record(?:[\s-]*(?:number|no\.?|#))?|med[\s-]*rec(?:ord)?|chart(?:[\s-]*(?:number|no\.?|#|id))|"
            r"hospital[\s-]*(?:number|no\.?|#|id)|patient[\s-]*(?:id|number|no\.?|#)|record[\s-]*(?:number|no\.?|#)|encounter(?:[\s-]*(?:id|number))"),
    ("HEALTH_PLAN", r"member[\s-]*(?:id|number|no\.?|#)|subscriber[\s-]*(?:id|number|no\.?|#)?|policy(?:[\s-]*(?:id|number|no\.?|#))?|"
                    r"insurance(?:[\s-]*(?:member|policy|plan|card))?[\s-]*(?:id|number|no\.?|#)|health[\s-]*plan(?:[\s-]*(?:member|beneficiary))?(?:[\s-]*(?:id|number|no\.?|#))?|"
                    r"plan[\s-]*(?:id|number)|group[\s-]*(?:id|number|no\.?|#)|medicaid(?:[\s-]*(?:id|number|no\.?|#))?|medicare(?:[\s-]*(?:id|number|no\.?|#))?|"
                    r"beneficiary(?:[\s-]*(?:id|number|no\.?|#))?|insurance"),
    ("VEHICLE", r"(?:license|licence|number|tag)[\s-]*plates?|plates?|vin|vehicle[\s-]*(?:id|identification)(?:[\s-]*(?:number|no\.?|#))?|registration"),
    ("LICENSE", r"(?:driver'?s?|driving)[\s-]*licen[cs]e(?:[\s-]*(?:number|no\.?|#|id))?|licen[cs]e(?:[\s-]*(?:number|no\.?|#|id))?|dl|dea(?:[\s-]*(?:number|no\.?|#))?|npi|"
                r"certificate(?:[\s-]*(?:number|no\.?|#))?|permit(?:[\s-]*(?:number|no\.?|#))?|passport(?:[\s-]*(?:number|no\.?|#))?"),
    ("ACCOUNT", r"(?:bank|checking|savings|billing|credit|debit|patient|hospital)?[\s-]*(?:account|acct|a/c)(?:[\s-]*(?:number|no\.?|#|id))?|routing(?:[\s-]*(?:number|no\.?|#))?|"
                r"iban|swift|(?:credit|debit|bank|gift)?[\s-]*card(?:[\s-]*(?:number|no\.?|#))?|cc|invoice(?:[\s-]*(?:number|no\.?|#))?|claim(?:[\s-]*(?:number|no\.?|#|id))?"),
    ("DEVICE", r"serial(?:[\s-]*(?:number|no\.?|#))?|s/n|sn|device(?:[\s-]*(?:id|serial|number))?|imei|udi|pacemaker|implant|pump|monitor|hearing[\s-]*aid|"
               r"cgm|meter|mac[\s-]*address|model(?:[\s-]*(?:number|no\.?|#))?|lot(?:[\s-]*(?:number|no\.?|#))?"),
]
KEYWORD_RES = [(kind, re.compile(r"\b(?:" + kw + r")" + _FILL + _VAL + r"(?![\w-])", re.I))
               for kind, kw in _KEYWORDS]
PLATE_RE = re.compile(r"\b(?:license|licence|number|tag)?[\s-]*plates?" + _FILL
                      + r"((?=[A-Z0-9 -]*\d)[A-Z0-9]{1,4}[ -]?[A-Z0-9]{1,5})(?![\w-])", re.I)
SSN_RE = re.compile(r"(?<![\w-])(?!000|666)\d{3}([- ])(?!00)\d{2}\1(?!0000)\d{4}(?![\w-])")
VIN_RE = re.compile(r"(?<![\w-])(?=[A-Z0-9]*\d[A-Z0-9]*\d)(?=[A-Z0-9]*[A-Z][A-Z0-9]*[A-Z])[A-Z0-9]{17}(?![\w-])")
IBAN_RE = re.compile(r"(?<![\w-])[A-Z]{2}\d{2}[A-Z0-9]{11,30}(?![\w-])")
CARD_RE = re.compile(r"(?<![\w-])\d{4}[ -]?\d{4}[ -]?\d{4}[ -]?\d{1,7}(?![\w-])")
SERIAL_RE = re.compile(r"(?<![\w-])(?:SN|S/N)[-:#]?\s?(?=[A-Z0-9-]*\d)[A-Z0-9][A-Z0-9-]{3,30}(?![\w-])")
MRN_PREFIX_RE = re.compile(r"(?i)(?<=mrn)[\s:#-]*(\d{3,12})\b")

# ---------------------------------------------------------------- dates
_MON = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
        r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)")
_MONTH = r"(?:" + _MON + r"\.?)"
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_ORDW = (r"(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|"
         r"thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth|"
         r"twenty[- ](?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth)|thirtieth|thirty[- ]first)")
_YEAR = r"(?:1[89]\d\d|20\d\d|'\d\d)"
_TIME = r"(?:,?\s*(?:at\s+)?\d{1,2}:\d{2}(?::\d{2})?(?:\s*[ap]\.?m\.?)?)?"
_NOUNIT = r"(?!\s*(?:mg|mcg|ml|%|percent|units?|tabs?|tablets?|pills?)\b)"
DATE_RES = [
    re.compile(r"(?<![\w/.-])" + _MONTH + r"\s+(?:the\s+)?(?:" + _DAY + r"|" + _ORDW + r")\b(?:,?\s+" + _YEAR + r"\b)?" + _NOUNIT + _TIME, re.I),
    re.compile(r"(?<![\w/.-])(?:the\s+)?(?:" + _DAY + r"\s+(?:of\s+|day\s+of\s+)?|" + _ORDW + r"\s+(?:day\s+)?of\s+)" + _MONTH + r"(?![a-z])(?:,?\s+" + _YEAR + r"\b)?", re.I),
    re.compile(r"(?<![\w/.-])" + _MONTH + r",?\s+(?:of\s+)?" + _YEAR + r"\b", re.I),
    re.compile(r"(?<![\w/.-])(?:1[89]\d\d|20\d\d)[-/.](?:0?[1-9]|1[0-2])[-/.](?:[12]\d|3[01]|0?[1-9])(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?(?![\w/-])"),
    re.compile(r"(?<![\w/.-])(?:[12]\d|3[01]|0?[1-9])([/-])(?:[12]\d|3[01]|0?[1-9])\1(?:\d{4}|\d{2})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?(?![\w/-])"),
    re.compile(r"(?<![\w/.-])(?:[12]\d|3[01]|0?[1-9])\.(?:[12]\d|3[01]|0?[1-9])\.(?:1[89]\d\d|20\d\d)(?![\w.-])"),
    re.compile(r"(?<![\w/.-])(?:0?[1-9]|1[0-2])/(?:1[89]\d\d|20\d\d)(?![\w/-])"),
]
SHORT_DATE_RE = re.compile(r"(?<![\w/.$-])(0?[1-9]|1[0-2])/([12]\d|3[01]|0?[1-9])(?![\w/%-])")
_RATING_RE = re.compile(
    r"(?:rat\w*|scor\w*|scale|pain|anxiety|mood|sleep|level|intensity|suds|stress|urge|craving|energy|out of|was|at|a|from|to)\W*$", re.I)
_FRACTION_AFTER_RE = re.compile(r"\s*(?:of|tabs?|tablets?|pills?|doses?|cups?|miles?|hours?|mg|inch|on\b|scale|points?)", re.I)

# ---------------------------------------------------------------- ages over 89
_AGE_N = r"(9\d|1[0-2]\d)"
_AGE_W = (r"(ninety(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?|"
          r"(?:one\s+)?hundred(?:\s+and)?(?:[- ](?:one|two|three|four|five|six|seven|eight|nine|ten))?)")
AGE_RES = [
    re.compile(r"\b" + _AGE_N + r"(?=[\s-]*(?:years?|yrs?)[\s-]*(?:old|of\s+age)|[\s-]*(?:yo|y/o|y\.o\.|yr[\s-]*old)\b)", re.I),
    re.compile(r"\b(?:age[ds]?|aged|age\s*:|turned|turning|turns|birthday)\s*(?:of\s+|is\s+|was\s+|at\s+)?" + _AGE_N + r"\b(?![./]\d)", re.I),
    re.compile(r"\b" + _AGE_W + r"(?=[\s-]*(?:years?|yrs?)[\s-]*(?:old|of\s+age))", re.I),
    re.compile(r"\b(?:age[ds]?|aged|turned|turning|turns)\s+" + _AGE_W + r"\b", re.I),
    re.compile(r"\bin\s+(?:his|her|their|my)\s+(?:late\s+|early\s+|mid[- ])?(90s|nineties)\b", re.I),
    re.compile(r"\b" + _AGE_N + r"(?=\s*(?:M|F|male|female|man|woman|yo[mf])\b)"),
]


def find_contacts(text: str) -> Iterator[Span]:
    for m in EMAIL_RE.finditer(text):
        yield m.start(), m.end(), "EMAIL"
    for m in URL_RE.finditer(text):
        s, e = m.start(), m.end()
        while e > s and text[e - 1] in ".,;:!?'\")":
            e -= 1
        if e - s > 4:
            yield s, e, "URL"
    if "." in text:
        for m in IPV4_RE.finditer(text):
            yield m.start(), m.end(), "IP"
    if "::" in text or text.count(":") >= 3:
        for m in IPV6_RE.finditer(text):
            tok = m.group(0)
            if "::" in tok or tok.count(":") >= 3:
                if sum(c.isalnum() for c in tok) >= 3:
                    yield m.start(), m.end(), "IP"
    for m in PHONE_RE.finditer(text):
        yield m.start(), m.end(), "PHONE"
    if "+" in text:
        for m in INTL_PHONE_RE.finditer(text):
            yield m.start(), m.end(), "PHONE"
    for m in PHONE_CUE_RE.finditer(text):
        s, e = m.span(1)
        val = m.group(1)
        if sum(c.isdigit() for c in val) >= 7:
            while e > s and not text[e - 1].isdigit():
                e -= 1
            yield s, m.end() if m.end() > e and text[m.end() - 1].isdigit() else e, "PHONE"


def find_ids(text: str) -> Iterator[Span]:
    for kind, rx in KEYWORD_RES:
        for m in rx.finditer(text):
            yield m.start(1), m.end(1), kind
    for m in PLATE_RE.finditer(text):
        yield m.start(1), m.end(1), "VEHICLE"
    for m in SSN_RE.finditer(text):
        yield m.start(), m.end(), "SSN"
    for m in VIN_RE.finditer(text):
        yield m.start(), m.end(), "VEHICLE"
    for m in IBAN_RE.finditer(text):
        yield m.start(), m.end(), "ACCOUNT"
    for m in CARD_RE.finditer(text):
        yield m.start(), m.end(), "ACCOUNT"
    for m in SERIAL_RE.finditer(text):
        yield m.start(), m.end(), "DEVICE"
    for m in MRN_PREFIX_RE.finditer(text):
        yield m.start(1), m.end(1), "MRN"


def find_dates(text: str) -> Iterator[Span]:
    for rx in DATE_RES:
        for m in rx.finditer(text):
            yield m.start(), m.end(), "DATE"
    if "/" in text:
        for m in SHORT_DATE_RE.finditer(text):
            s, e = m.span()
            if m.group(2) in ("10", "5") and _RATING_RE.search(text, max(0, s - 30), s):
                continue
            if _FRACTION_AFTER_RE.match(text, e):
                continue
            yield s, e, "DATE"


def find_ages(text: str) -> Iterator[Span]:
    for rx in AGE_RES:
        for m in rx.finditer(text):
            yield m.start(1), m.end(1), "AGE_OVER_89"
