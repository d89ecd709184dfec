"""Word tokenisation shared by the name and place detectors."""

from __future__ import annotations

import re

from . import vocabulary as V

TOKEN_RE = re.compile(r"[^\W\d_][\w'’]*(?:-[^\W\d_][\w'’]*)*")
_SENT_END = frozenset(".!?\n:;\"“(*•>-")

_MONTH_NAMES = frozenset("april may june august jan".split())  # months that are also given names
# token classes
# EPONYM: a surname that names a theory, test or syndrome; a person only when the context says so
# JOINER: a hyphenated word of plain words with a name in it ("Booth-White"): a name only after
# a given name, never on its own ("Mother-in-law")
BREAK, TITLE, INITIAL, STRONG, WEAK, UNKNOWN, WORD, EPONYM, JOINER = range(9)


class Tok:
    __slots__ = ("s", "e", "w", "low", "cap", "poss", "cls", "sent_start")

    def __init__(self, s: int, w: str, text: str):
        self.s = s
        self.w, self.low, self.poss, cap, cls = _WORDS.get(w) or _word(w)
        self.e = e = s + len(self.w)
        if not cap:
            self.cap = self.sent_start = False
            self.cls = WORD
            return
        self.cap = True
        i = s - 1
        while i >= 0 and text[i] in " \t":
            i -= 1
        self.sent_start = i < 0 or text[i] in _SENT_END
        # single letters and titles depend on what follows them ("D." is an initial)
        self.cls = classify(self.w, self.low, text, e) if cls is None else cls


_WORDS: dict[str, tuple] = {}  # a memo of _word, read directly by Tok (the hottest path)


def _word(w: str) -> tuple[str, str, bool, bool, int | None]:
    """(word without a possessive, lower case, possessive?, capitalised?, class or None when the
    context decides), remembered in _WORDS (emptied when it holds 65,536 words)."""
    if len(_WORDS) >= 65536:
        _WORDS.clear()
    info = _WORDS[w] = _word_info(w)
    return info


def _word_info(w: str) -> tuple[str, str, bool, bool, int | None]:
    poss = False
    if "'" in w or "’" in w:
        if w.endswith(("'s", "’s")) and len(w) > 3:
            w, poss = w[:-2], True
        elif w.endswith(("'", "’")):
            w = w[:-1]
    low = w.lower()
    if not w[0].isupper():
        return w, low, poss, False, WORD
    if len(w) == 1 or low in V.TITLES:
        return w, low, poss, True, None
    return w, low, poss, True, classify(w, low, "", 0)


def classify(w: str, low: str, text: str, end: int) -> int:
    if not w[0].isupper():
        return WORD
    if len(w) == 1:
        if end < len(text) and text[end] == ".":
            return INITIAL
        # a bare middle initial between two capitalised words: "Kate M Begum"
        if (
            w != "I"
            and text[end : end + 1] == " "
            and text[end + 1 : end + 2].isupper()
            and text[end + 2 : end + 3].islower()
            and end >= 3
            and text[end - 2] == " "
            and text[end - 3].isalpha()
            and (w != "A" or _after_capitalised_word(text, end - 2))
        ):
            return INITIAL
        return BREAK
    if "'" in w or "’" in w:
        return WORD  # contractions: I'm, Don't
    if low in V.TITLES and (
        end < len(text) and text[end] == "." or low in ("mr", "mrs", "ms", "mx", "dr")
    ):
        return TITLE
    if w.isupper() and len(w) > 1:
        return BREAK  # acronyms: PTSD, MRN, CBT
    if low in V.EPONYMS:
        return EPONYM
    if (
        low in V.CLINICAL_WORDS
        or low in V.STOP_CAPS
        or low in V.WEEKDAYS
        or low[:-1] in V.WEEKDAYS
        or ((low in V.US_STATES or low in V.COUNTRIES) and low not in V.FIRST_NAMES)
        or (low in V.MONTHS and low not in _MONTH_NAMES)
    ):
        return BREAK
    if "-" in low:
        return _classify_hyphenated(low)
    if low in V.FIRST_NAMES or low in V.SURNAMES:
        return WEAK if low in V.AMBIGUOUS_NAMES or low in V.MONTHS else STRONG
    if low in _MONTH_NAMES:
        return WEAK
    if low in V.ENGLISH_WORDS or (
        low.endswith("s") and len(low) > 4 and low[:-1] in V.ENGLISH_WORDS
    ):
        return WORD
    return UNKNOWN


_WORD_BEFORE_RE = re.compile(r"[^\W\d_]+$")


def _after_capitalised_word(text: str, end: int) -> bool:
    """'Juliusz A Kwiatkowski': 'A' after a capitalised word that is no function word is an
    initial."""
    m = _WORD_BEFORE_RE.search(text, max(0, end - 30), end)
    return bool(m) and m.group()[0].isupper() and m.group().lower() not in V.STOP_CAPS


def _known_word(part: str) -> bool:
    return (
        part in V.ENGLISH_WORDS
        or part in V.CLINICAL_WORDS
        or part in V.COUNTRIES
        or part in V.US_STATES
        or part in V.MONTHS
        or part in V.WEEKDAYS
        or part.isdigit()
    )


def _classify_hyphenated(low: str) -> int:
    """A hyphenated word is judged as a whole: "Same-day" and "Vietnam-era" are words, while
    "Vang-Mitchell" holds a name that is no word ("Kübler-Ross" is an eponym, caught before)."""
    parts = low.split("-")
    if any(p in V.FIRST_NAMES or p in V.SURNAMES for p in parts if p not in V.AMBIGUOUS_NAMES):
        return STRONG
    known = all(_known_word(p) for p in parts)
    if any(p in V.FIRST_NAMES or p in V.SURNAMES for p in parts):
        return JOINER if known else WEAK
    if known:
        return BREAK if any(p in V.CLINICAL_WORDS for p in parts) else WORD
    return UNKNOWN


def tokenize(text: str) -> list[Tok]:
    toks = [Tok(m.start(), m.group(), text) for m in TOKEN_RE.finditer(text)]
    n = len(toks)
    for i, t in enumerate(toks):
        if t.low in V.CLINICAL_PHRASE_FIRST and t.cap:
            for phrase in V.CLINICAL_PHRASES:
                k = len(phrase)
                if (
                    phrase[0] == t.low
                    and i + k <= n
                    and all(toks[i + j].low == phrase[j] for j in range(1, k))
                ):
                    for j in range(k):
                        toks[i + j].cls = BREAK
    return toks
