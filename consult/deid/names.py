"""Person-name detection: dictionaries of given and family names plus context cues.

A capitalised run of name-like tokens ("Kelli Fuller", "Ms. Graham", "D. Robinson") is reported
when it holds an unambiguous dictionary name, a title or an initial. A name that is also an
English word ("Hope", "Will", "Grace"), an eponym ("Beck") or a word in no dictionary is reported
only when the context says person: a relation, role or scheduling cue before it ("her brother
Joy", "client Destiny", "cover Hope on Thursday"), a person's verb after it ("Sunny said",
"Grace has been sleeping", "Will has"), or a possessive ("Will's mother"). Lower-case names need
a cue too ("my client hope said", "her sister ruta").
"""

from __future__ import annotations

from collections.abc import Iterator

from . import vocabulary as V
from .memo import memo
from .tokens import (
    BREAK,
    EPONYM,
    INITIAL,
    JOINER,
    STRONG,
    TITLE,
    UNKNOWN,
    WEAK,
    WORD,
    Tok,
)

Span = tuple[int, int, str]
_STARTS = frozenset((TITLE, INITIAL, STRONG, WEAK, UNKNOWN, EPONYM))
_CONTINUES = _STARTS | {JOINER}
_TALK = frozenset(
    "spoke speak speaking met meet meeting talked talk talking session sessions "
    "call called phone visit visited lives living stays staying live dating".split()
)
_AGE_AFTER = (" is a ", ", a ", " (age", ", age", " is an ", ", an ", " (dob", ", dob", ", who")
# verbs of arranging care whose object is a person: "cover Hope on Thursday", "seeing Sky again"
SCHEDULE_CUES = frozenset(
    """
cover covering covered see seeing saw meet meeting met call calling text texting email emailing
book booked schedule scheduled reschedule rescheduled remind reminded ask asking tell telling page
paged notify notified refer referred admit admitted discharge discharged treat treating treated
visit visiting visited thank thanked introduce introduced assign assigned transfer transferred
""".split()
)
_PERSON_NOUNS = frozenset(
    """
woman man girl boy lady gentleman mother father parent widow widower veteran student teacher nurse
client patient grandmother grandfather teen teenager adolescent child kid toddler infant
""".split()
)


# ---------------------------------------------------------------- cues around a run
def _gap(text: str, a: Tok, b: Tok) -> str:
    return text[a.e : b.s]


def _joined(text: str, a: Tok, b: Tok) -> bool:
    """b directly follows a inside one name: single space, or '. ' after an initial/title."""
    if a.poss:
        return False
    gap = _gap(text, a, b)
    return gap == " " or (gap in (". ", ".") and a.cls in (INITIAL, TITLE))


def _prev_word(toks: list[Tok], i: int, text: str) -> Tok | None:
    if i == 0:
        return None
    gap = _gap(text, toks[i - 1], toks[i])
    if "\n" in gap or gap.strip(" '\"“‘:,(") or len(gap) > 3:
        return None
    return toks[i - 1]


def _before2(toks: list[Tok], i: int) -> str:
    return toks[i - 2].low if i >= 2 else ""


def _cue_before(toks: list[Tok], i: int, text: str) -> bool:
    """A relation, role, naming or scheduling word just before token i."""
    if (
        i and toks[i - 1].low == "w" and _gap(text, toks[i - 1], toks[i]) == "/ "
    ):  # "spoke w/ Crystal"
        return True
    p = _prev_word(toks, i, text)
    if p is None:
        return False
    t, two = toks[i], _before2(toks, i)
    after_colon = text[p.e : p.e + 1] in "?:"
    if p.low == "name":
        return after_colon
    if p.low in V.NAME_CUES_BEFORE:
        return True
    if p.low in ("with", "to", "and") and two in _TALK:
        return True
    if p.low in V.NAME_PREPS and not p.cap:
        return t.low not in V.MONTHS
    if p.low in SCHEDULE_CUES and not p.cap:
        return not _reads_as_date(t, text)
    if p.low in ("is", "was"):
        return two == "name" or (two in V.NAME_CUES_BEFORE and t.cls in (STRONG, UNKNOWN, WEAK))
    return (
        (p.low in ("him", "her", "them") and two in ("named", "called", "call", "calls"))
        or (p.low == "me" and two in ("calls", "call", "called"))
        or (p.low == "by" and two in ("goes", "go", "going"))
    )


def _reads_as_date(t: Tok, text: str) -> bool:
    """'April 4', 'May the 3rd': a month followed by a day is a date, not a person."""
    if t.low not in V.MONTHS:
        return False
    after = text[t.e : t.e + 9].lstrip(" ,.").lower()
    return (
        not after
        or after[0].isdigit()
        or after.startswith(("the ", "through", "to ", "until", "and ", "or ", "-"))
    )


_PREPOSITIONS = frozenset("in on at with from".split())


def _person_predicate(toks: list[Tok], j: int, text: str, verbs_only: bool = False) -> bool:
    """What follows token j reads as something a person does: 'said', 'has been sleeping',
    'is a 34-year-old', 'is feeling'. verbs_only (for a lower-case word that is also a name):
    only an auxiliary and a person's verb or state ('grace is doing', not 'peer tries')."""
    k = j + 1
    if k >= len(toks) or _gap(text, toks[j], toks[k]) not in (" ", ", "):
        return False
    verb = toks[k].low
    if verb in V.PERSON_VERBS and not verbs_only:
        return True  # 'Sunny rang', 'my 2pm, Urquhart, disclosed'
    if _gap(text, toks[j], toks[k]) != " ":
        return False
    if verb not in V.AUXILIARIES or k + 1 >= len(toks) or _gap(text, toks[k], toks[k + 1]) != " ":
        return False
    nxt = toks[k + 1].low
    if nxt == "been" and k + 2 < len(toks):
        nxt = toks[k + 2].low
    if nxt in ("a", "an"):
        rest = text[toks[k + 1].e + 1 : toks[k + 1].e + 30]
        return rest[:1].isdigit() or rest.split(" ", 1)[0].strip(",.").lower() in _PERSON_NOUNS
    if verbs_only and nxt in _PREPOSITIONS:
        return False  # 'hope is in short supply'
    return nxt in V.PERSON_VERBS or nxt in V.PERSON_STATES


def _cue_after(toks: list[Tok], j: int, text: str, strict: bool) -> bool:
    """Evidence after the run ending at token j; strict runs need a person's verb or a
    possessive."""
    t = toks[j]
    if t.poss:
        return True
    if _person_predicate(toks, j, text):
        return True
    if strict:
        return (
            t.low in V.MODAL_NAMES
            and j + 1 < len(toks)
            and toks[j + 1].low in V.AUXILIARIES
            and _gap(text, t, toks[j + 1]) == " "
        )
    if text.startswith(_AGE_AFTER, t.e):
        return True
    return (
        j + 1 < len(toks)
        and _gap(text, t, toks[j + 1]) == " "
        and toks[j + 1].low in V.NAME_CUES_AFTER
    )


# ---------------------------------------------------------------- runs of capitalised words
def _grow(toks: list[Tok], i: int, text: str) -> int:
    j = i
    while (
        j + 1 < len(toks) and toks[j + 1].cls in _CONTINUES and _joined(text, toks[j], toks[j + 1])
    ):
        j += 1
    if _word_surname_after(toks, j, text):
        j += 1  # "Rebecca Hides", "Moira Pagan": a capitalised word right after a given name
    return j


def _word_surname_after(toks: list[Tok], j: int, text: str) -> bool:
    t = toks[j]
    if (
        j + 1 >= len(toks)
        or t.cls != STRONG
        or t.low not in V.FIRST_NAMES
        or not _joined(text, t, toks[j + 1])
    ):
        return False
    nx = toks[j + 1]
    return (
        nx.cap
        and nx.cls == WORD
        and not nx.sent_start
        and nx.low not in V.STOP_CAPS
        and nx.low not in V.CLINICAL_WORDS
        and "'" not in nx.w
    )


def _last_comma_first(toks: list[Tok], i: int, j: int, text: str) -> int:
    """'Johnson, Charles': a surname, a comma and a given name (not a list of three)."""
    k = j + 1
    if k >= len(toks) or _gap(text, toks[j], toks[k]) != ", " or not toks[k].cap:
        return j
    last, first = toks[j], toks[k]
    given = first.cls in (STRONG, WEAK) and first.low in V.FIRST_NAMES
    family = last.low in V.SURNAMES or last.cls == STRONG
    if not (given and (family or last.cls == UNKNOWN)) and not (
        first.cls == UNKNOWN and last.cls == STRONG and last.low in V.SURNAMES
    ):
        return j
    if k + 1 < len(toks) and _gap(text, first, toks[k + 1]) == ", " and toks[k + 1].cap:
        return j  # "Smith, Jones, Brown": a list
    return k


def _title_run(toks: list[Tok], i: int, j: int, text: str) -> int | None:
    """A title takes the next capitalised word whatever it is ('Mr. Small', 'Ms. Fox')."""
    run = toks[i : j + 1]
    if len(run) > 2 or (len(run) == 2 and run[1].cls != INITIAL):
        return j
    k = j + 1
    if (
        k < len(toks)
        and toks[k].cap
        and toks[k].cls != BREAK
        and _gap(text, toks[j], toks[k]) in (". ", " ")
    ):
        return k
    return None


def _by_dictionary(classes: list[int]) -> bool:
    strong, weak, unknown = classes.count(STRONG), classes.count(WEAK), classes.count(UNKNOWN)
    if INITIAL in classes:
        return bool(strong or weak or unknown) and classes[-1] != INITIAL
    return (
        strong >= 2
        or (strong and (weak or unknown))
        or (weak and unknown)
        or unknown >= 2
        or (strong == 1 and len(classes) == 1)
    )


def _judge(toks: list[Tok], i: int, j: int, text: str) -> tuple[int | None, int]:
    """(last token of the name or None, last token consumed) for the run toks[i..j]."""
    j = _last_comma_first(toks, i, j, text)
    run = toks[i : j + 1]
    classes = [r.cls for r in run]
    if all(c == EPONYM for c in classes):
        # "Yalom's factors", "Bowlby and Ainsworth": a person only after a title or a relation cue
        return (j if _eponym_is_person(toks, i, text) else None), j
    classes = [WEAK if c in (EPONYM, JOINER) else c for c in classes]
    if TITLE in classes:
        end = _title_run(toks, i, j, text)
        return end, end if end is not None else j
    if INITIAL in classes and not (STRONG in classes or WEAK in classes or UNKNOWN in classes):
        nxt = j + 1  # "D. Kaiser": an initial makes even a vocabulary word a surname
        if (
            nxt < len(toks)
            and toks[nxt].cap
            and toks[nxt].low in V.CLINICAL_WORDS
            and _gap(text, toks[j], toks[nxt]) == ". "
        ):
            return nxt, nxt
    if _by_dictionary(classes) or (
        classes.count(WEAK) >= 2 and run[0].low in V.FIRST_NAMES and run[-1].low in V.SURNAMES
    ):
        return j, j
    if _cue_before(toks, i, text):
        return j, j
    if classes == [WEAK] and _capitalised_mid_sentence(toks, i, text):
        return j, j
    if WEAK in classes or UNKNOWN in classes:
        strict = WEAK in classes or run[0].sent_start
        if _cue_after(toks, j, text, strict=strict):
            return j, j
    return None, j


_DETERMINERS = frozenset(
    "the a an this that these those my our your his her their its every each no some any".split()
)


def _capitalised_mid_sentence(toks: list[Tok], i: int, text: str) -> bool:
    """'gave it to Maria yesterday': a name that is also a rare word, capitalised where a word
    would not be, is a name (not after a determiner, not a month, not part of a longer proper
    noun such as 'Hope Street')."""
    t = toks[i]
    if t.sent_start or t.low in V.MONTHS:
        return False
    if i and (
        toks[i - 1].low in _DETERMINERS or (toks[i - 1].cap and _gap(text, toks[i - 1], t) == " ")
    ):
        return False  # 'the Will', or Title Case ('Put Your Love In Me')
    if text[t.e : t.e + 2].lstrip(" ")[:1].isdigit():
        return False  # 'Ward 4', 'Bay 2': a numbered place
    nxt = toks[i + 1] if i + 1 < len(toks) else None
    return not (nxt is not None and nxt.cap and _gap(text, t, nxt) in (" ", "-"))


def _eponym_is_person(toks: list[Tok], i: int, text: str) -> bool:
    if i == 0 or _gap(text, toks[i - 1], toks[i]) not in (" ", ". "):
        return False
    p = toks[i - 1]
    return p.cls == TITLE or (
        p.low in V.NAME_CUES_BEFORE and p.low not in V.PERSON_VERBS and p.low != "name"
    )


def _with_suffixes(toks: list[Tok], j: int, text: str) -> tuple[int, int]:
    """End offset and last token, taking 'Jr.', 'DDS', 'PhD' after the name."""
    e = toks[j].e
    if toks[j].low in ("jr", "sr") and text[e : e + 1] == ".":
        e += 1
    while (
        j + 1 < len(toks)
        and toks[j + 1].low in V.NAME_SUFFIXES
        and text[e : toks[j + 1].s] in (" ", ", ")
    ):
        j += 1
        e = toks[j].e
        if text[e : e + 1] == "." and toks[j].low in ("jr", "sr"):
            e += 1
    return e, j


def find_names(text: str, toks: list[Tok]) -> Iterator[Span]:
    found: list[tuple[int, int]] = []  # (first token, last token) of each capitalised name
    i, n = 0, len(toks)
    while i < n:
        t = toks[i]
        if t.cls not in _STARTS:
            if t.cls == WORD and not t.cap and _could_be_lower_name(t.low):
                yield from _lower_name(text, toks, i)
            i += 1
            continue
        end, j = _judge(toks, i, _grow(toks, i, text), text)
        if end is not None:
            e, j = _with_suffixes(toks, end, text)
            found.append((i, end))
            yield t.s, e, "NAME"
        i = j + 1
    yield from _coordinated(toks, found, text)


_COORDINATION = (", ", " and ", " & ", ", and ", " or ", " / ")


def _coordinated(toks: list[Tok], found: list[tuple[int, int]], text: str) -> Iterator[Span]:
    """'Monjeau, Graves and Reed': a capitalised word listed beside a name is a name too."""
    named = {k for a, b in found for k in range(a, b + 1)}
    todo = list(found)
    while todo:
        a, b = todo.pop()
        for k in (a - 1, b + 1):
            if (
                0 <= k < len(toks)
                and k not in named
                and toks[k].cls in (UNKNOWN, WEAK, STRONG)
                and not (toks[k].sent_start and toks[k].cls == WEAK)
                and _gap(text, *sorted((toks[k], toks[a if k < a else b]), key=lambda t: t.s))
                in _COORDINATION
            ):
                named.add(k)
                todo.append((k, k))
                yield toks[k].s, toks[k].e, "NAME"


# ---------------------------------------------------------------- lower-case names
def _lower_cued(toks: list[Tok], i: int, text: str) -> bool:
    """Is there a cue that makes lower-case toks[i] a name: 'named grace',
    'client jennifer said'."""
    t = toks[i]
    prev = toks[i - 1].low if i > 0 and _gap(text, toks[i - 1], t) in (" ", " '", " \"") else ""
    nxt = toks[i + 1].low if i + 1 < len(toks) and _gap(text, t, toks[i + 1]) == " " else ""
    speech = nxt in V.SPEECH_AFTER or nxt in V.PERSON_VERBS or t.poss
    if prev in ("named", "nicknamed") or (prev == "is" and i >= 2 and toks[i - 2].low == "name"):
        return True
    if t.low in V.AMBIGUOUS_NAMES:
        if (
            _starts_sentence(toks, i, text)
            and t.low in V.FIRST_NAMES
            and _person_predicate(toks, i, text, verbs_only=True)
        ):
            return True  # 'grace is doing better', 'hope has been sleeping at her aunt's'
        return (
            prev in V.NAME_CUES_BEFORE and speech and prev not in ("said", "says", "told", "asked")
        )
    if t.low not in V.FIRST_NAMES:
        # a word in no dictionary after a relation ('her sister ruta') or before a person's verb
        return (
            t.low not in V.ENGLISH_WORDS
            and len(t.low) > 2
            and (
                (prev in V.NAME_CUES_BEFORE and prev not in V.PERSON_VERBS)
                or (nxt in V.SPEECH_AFTER and _starts_sentence(toks, i, text))
            )
        )
    return prev in V.NAME_CUES_BEFORE or speech


def _starts_sentence(toks: list[Tok], i: int, text: str) -> bool:
    before = text[max(0, toks[i].s - 3) : toks[i].s].rstrip(" ")
    return i == 0 or not before or before[-1] in ".!?\n:;-|"


def _lower_full_name(toks: list[Tok], i: int, text: str) -> int | None:
    """A lower-case full name: 'benjamin a seiler', 'leone mazzi'; returns the last token."""
    if toks[i].low in V.AMBIGUOUS_NAMES or toks[i].low not in V.FIRST_NAMES:
        return None
    k = i + 1
    if k < len(toks) and len(toks[k].w) == 1 and _gap(text, toks[k - 1], toks[k]) == " ":
        k += 1
    if (
        k < len(toks)
        and _gap(text, toks[k - 1], toks[k]) in (" ", ". ")
        and not toks[k].cap
        and toks[k].w.isalpha()
        and toks[k].low not in V.STOP_CAPS
        and (toks[k].low in V.SURNAMES or toks[k].low not in V.ENGLISH_WORDS)
    ):
        return k
    return None


@memo(32768)
def _could_be_lower_name(low: str) -> bool:
    if low in V.FIRST_NAMES:
        return low not in V.STOP_CAPS and low not in V.CLINICAL_WORDS
    return (
        len(low) > 2
        and low not in V.ENGLISH_WORDS
        and low not in V.STOP_CAPS
        and low not in V.CLINICAL_WORDS
    )


def _lower_name(text: str, toks: list[Tok], i: int) -> Iterator[Span]:
    t = toks[i]
    if not _could_be_lower_name(t.low):
        return
    full = _lower_full_name(toks, i, text)
    if full is not None:
        yield t.s, toks[full].e, "NAME"
    elif _lower_cued(toks, i, text):
        nxt = toks[i + 1] if i + 1 < len(toks) and _gap(text, t, toks[i + 1]) == " " else None
        surname = nxt is not None and nxt.low in V.SURNAMES and nxt.low not in V.AMBIGUOUS_NAMES
        yield t.s, nxt.e if surname else t.e, "NAME"
