"""Person-name detection: dictionaries of given and family names plus context cues.

A capitalised run of name-like tokens ("Kelli Fuller", "Ms. Graham", "D. Robinson") is reported
when it holds an unambiguous dictionary name, a title or an initial. A name that is also an
English word ("Hope", "Will", "Grace") or a word in no dictionary is reported only with a cue:
a relation or role before it ("her brother Joy", "client Destiny", "named grace"), a speech verb
after it ("Sunny said"), or a possessive ("Will's mother").
"""
from __future__ import annotations

from typing import Iterator

from . import vocabulary as V
from .tokens import BREAK, EPONYM, INITIAL, STRONG, TITLE, UNKNOWN, WEAK, WORD, Tok

Span = tuple[int, int, str]
_NAMEISH = (TITLE, INITIAL, STRONG, WEAK, UNKNOWN, EPONYM)
_TALK = frozenset("spoke speak speaking met meet meeting talked talk talking session sessions "
                  "call called phone visit visited lives living stays staying live dating".split())
_AGE_AFTER = (" is a ", ", a ", " (age", ", age", " is an ", ", an ", " (dob", ", dob", ", who")


def _joined(text: str, a: Tok, b: Tok) -> bool:
    """b directly follows a inside one name: single space, or '. ' after an initial/title."""
    gap = text[a.e:b.s]
    if a.poss:
        return False
    if gap == " ":
        return True
    return gap in (". ", ".") and a.cls in (INITIAL, TITLE)


def _cue_before(toks: list[Tok], i: int, text: str) -> bool:
    if i == 0:
        return False
    p = toks[i - 1]
    gap = text[p.e:toks[i].s]
    if gap == "/ " and p.low == "w":  # "spoke w/ Crystal"
        return True
    if "\n" in gap or len(gap.strip(" '\"“‘:,(")) > 0:
        return False
    if p.low in V.NAME_CUES_BEFORE and not (p.low == "name" and text[p.e:p.e + 1] not in "?:"):
        return True
    if p.low in ("with", "to", "and") and i >= 2 and toks[i - 2].low in _TALK:
        return True
    if p.low in V.NAME_PREPS and toks[i].low not in V.MONTHS and not p.cap:
        return True
    if p.low == "is" and i >= 2 and toks[i - 2].low == "name":
        return True
    if p.low in ("is", "was") and i >= 2 and toks[i - 2].low in V.NAME_CUES_BEFORE \
            and toks[i].low in V.FIRST_NAMES:  # "her sponsor is Mark"
        return True
    if p.low in ("him", "her", "them") and i >= 2 and toks[i - 2].low in ("named", "called", "call", "calls"):
        return True
    if p.low == "name" and text[p.e:p.e + 1] in "?:":
        return True
    if p.low == "me" and i >= 2 and toks[i - 2].low in ("calls", "call", "called"):
        return True
    if p.low == "by" and i >= 2 and toks[i - 2].low in ("goes", "go", "going"):
        return True
    return False


def _eponym_is_person(toks: list[Tok], i: int, text: str) -> bool:
    if i == 0 or text[toks[i - 1].e:toks[i].s] not in (" ", ". "):
        return False
    p = toks[i - 1]
    return p.cls == TITLE or (p.low in V.NAME_CUES_BEFORE and p.low not in V.SPEECH_AFTER and p.low != "name")


def _cue_after(toks: list[Tok], j: int, text: str, strict: bool) -> bool:
    """Evidence after the run ending at token j; strict runs need a speech verb or possessive."""
    t = toks[j]
    if t.poss:
        return True
    if text.startswith(_AGE_AFTER, t.e) and not strict:
        return True
    if j + 1 < len(toks):
        n = toks[j + 1]
        if text[t.e:n.s] == " ":
            return n.low in (V.SPEECH_AFTER if strict else V.NAME_CUES_AFTER)
    return False


def find_names(text: str, toks: list[Tok]) -> Iterator[Span]:
    n = len(toks)
    i = 0
    while i < n:
        t = toks[i]
        if t.cls not in _NAMEISH:
            if t.cls == WORD and not t.cap:
                yield from _lower_name(text, toks, i)
            i += 1
            continue
        # grow a run of name-like tokens
        j = i
        while j + 1 < n and toks[j + 1].cls in _NAMEISH and _joined(text, toks[j], toks[j + 1]):
            j += 1
        run = toks[i:j + 1]
        # "Last, First"
        if j + 2 <= n - 1 or j + 1 < n:
            k = j + 1
            if k < n and text[toks[j].e:toks[k].s] == ", " and toks[k].cls in (STRONG, WEAK) \
                    and toks[k].low in V.FIRST_NAMES and (toks[j].low in V.SURNAMES or toks[j].cls == STRONG) \
                    and (k + 1 >= n or text[toks[k].e:toks[k + 1].s] != ", "):
                run = toks[i:k + 1]
                j = k
        classes = [r.cls for r in run]
        if all(c == EPONYM for c in classes):
            # "Yalom's factors", "Bowlby and Ainsworth": a person only after a title or a relation cue
            if _eponym_is_person(toks, i, text):
                yield run[0].s, run[-1].e, "NAME"
            i = j + 1
            continue
        classes = [WEAK if c == EPONYM else c for c in classes]
        strong = classes.count(STRONG)
        weak = classes.count(WEAK)
        unknown = classes.count(UNKNOWN)
        has_title = TITLE in classes
        has_initial = INITIAL in classes
        ok = False
        if has_title:
            # a title takes the next capitalised word whatever it is ("Mr. Small", "Ms. Fox")
            if len(run) == 1 or (len(run) == 2 and run[1].cls == INITIAL):
                k = j + 1
                if k < n and toks[k].cap and toks[k].cls != BREAK and text[toks[j].e:toks[k].s] in (". ", " "):
                    run = toks[i:k + 1]
                    j = k
                    ok = True
            else:
                ok = True
        elif has_initial and (strong or weak or unknown):
            ok = run[-1].cls != INITIAL
        elif has_initial and j + 1 < n and toks[j + 1].cap and toks[j + 1].low in V.CLINICAL_WORDS \
                and text[toks[j].e:toks[j + 1].s] == ". ":
            j += 1  # "D. Kaiser": an initial makes even a vocabulary word a surname
            run = toks[i:j + 1]
            ok = True
        elif strong >= 2 or (strong and weak) or (strong and unknown) or (weak and unknown):
            ok = True
        elif weak >= 2:
            ok = run[0].low in V.FIRST_NAMES and run[-1].low in V.SURNAMES
        elif strong == 1 and len(run) == 1:
            ok = True
        elif unknown >= 2:
            ok = True
        if not ok and not has_title:
            before = _cue_before(toks, i, text)
            if before:
                ok = True
            elif weak or unknown:
                ok = _cue_after(toks, j, text, strict=(weak > 0 or run[0].sent_start))
        if ok:
            s, e = run[0].s, run[-1].e
            if run[-1].low in ("jr", "sr") and text[e:e + 1] == ".":
                e += 1
            # "Timothy Mitchell DDS", "Stephen Hess Jr."
            while j + 1 < n and toks[j + 1].low in V.NAME_SUFFIXES and text[e:toks[j + 1].s] in (" ", ", "):
                j += 1
                e = toks[j].e
                if text[e:e + 1] == "." and toks[j].low in ("jr", "sr"):
                    e += 1
            yield s, e, "NAME"
        i = j + 1


def _lower_name(text: str, toks: list[Tok], i: int) -> Iterator[Span]:
    """Lower-case names: 'my client hope said', 'named grace', 'jennifer said'."""
    t = toks[i]
    low = t.low
    if low not in V.FIRST_NAMES or low in V.STOP_CAPS:
        return
    ambiguous = low in V.AMBIGUOUS_NAMES
    prev = toks[i - 1].low if i > 0 and text[toks[i - 1].e:t.s] in (" ", " '", " \"") else ""
    nxt = toks[i + 1].low if i + 1 < len(toks) and text[t.e:toks[i + 1].s] == " " else ""
    speech = nxt in V.SPEECH_AFTER or t.poss
    if prev in ("named", "nicknamed") or (prev == "is" and i >= 2 and toks[i - 2].low == "name"):
        ok = True
    elif ambiguous:
        ok = prev in V.NAME_CUES_BEFORE and speech and prev not in ("said", "says", "told", "asked")
    else:
        ok = prev in V.NAME_CUES_BEFORE or speech
    # a lower-case full name: "benjamin a seiler", "leone mazzi"
    k = i + 1
    if k < len(toks) and len(toks[k].w) == 1 and text[toks[k - 1].e:toks[k].s] == " ":
        k += 1
    full = (not ambiguous and k < len(toks) and text[toks[k - 1].e:toks[k].s] in (" ", ". ")
            and not toks[k].cap and toks[k].w.isalpha() and toks[k].low not in V.STOP_CAPS
            and (toks[k].low in V.SURNAMES or toks[k].low not in V.ENGLISH_WORDS))
    if ok or full:
        e = toks[k].e if full else t.e
        if not full and nxt and nxt in V.SURNAMES and nxt not in V.AMBIGUOUS_NAMES:
            e = toks[i + 1].e
        yield t.s, e, "NAME"
