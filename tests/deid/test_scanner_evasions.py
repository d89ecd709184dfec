"""Evasions: identifiers written so a naive scanner misses them while a reader still sees them."""

import pytest

from consult.deid.normalize import normalise
from consult.deid.scanner import scan

from .helpers import covered, kinds_over

ZW = "\u200b"


@pytest.mark.parametrize(
    "family, text, part",
    [
        ("zero-width space in a name", f"Client J{ZW}ohn Smi{ZW}th called.", f"J{ZW}ohn Smi{ZW}th"),
        ("zero-width joiner in an MRN", "MRN 44\u200d71\u200d923 on file.", "44\u200d71\u200d923"),
        ("soft hyphen in a phone", "Call 555-867\u00ad-5309 tonight.", "555-867\u00ad-5309"),
        ("word joiner and BOM", "Phone: 212\u2060555\ufeff0199", "212\u2060555\ufeff0199"),
        ("bidi controls", "Email \u202ejdoe@mail.com\u202c please", "jdoe@mail.com"),
        ("decimal character reference", "Client &#74;ohn Smith, MRN 4471923", "&#74;ohn Smith"),
        ("hex character reference", "Client &#x4A;ohn Smith came.", "&#x4A;ohn Smith"),
        (
            "named character reference",
            "Email jdoe&commat;gmail.com tonight",
            "jdoe&commat;gmail.com",
        ),
        ("reference encoded twice", "Client &amp;#74;ohn Smith came.", "&amp;#74;ohn Smith"),
        (
            "references for every digit",
            "SSN &#52;&#53;&#54;-&#55;&#56;-&#57;&#48;&#49;&#50;",
            "&#52;&#53;&#54;-&#55;&#56;-&#57;&#48;&#49;&#50;",
        ),
        ("fullwidth digits in a date", "DOB ０３/０４/１９６１ per intake.", "０３/０４/１９６１"),
        (
            "fullwidth digits in an IP",
            "Logged in from １９２.１６８.１.２４",
            "１９２.１６８.１.２４",
        ),
        ("fullwidth age", "She is ９６ years old.", "９６"),
        ("Cyrillic lookalike in a keyword", "МRN 4471923", "4471923"),
        ("Greek lookalikes in a name", "Client Jοhn Smith (Greek omicron).", "Jοhn Smith"),
        ("spaced digits", "Call me at 5 5 5 8 6 7 5 3 0 9 tonight.", "5 5 5 8 6 7 5 3 0 9"),
        (
            "spaced digits with dashes",
            "SSN 1 2 3 - 4 5 - 6 7 8 9 on the form.",
            "1 2 3 - 4 5 - 6 7 8 9",
        ),
        (
            "number words",
            "Her cell is five five five, eight six seven, five three oh nine.",
            "five five five, eight six seven, five three oh nine",
        ),
        (
            "number words for an MRN",
            "MRN four four seven one nine two three",
            "four four seven one nine two three",
        ),
    ],
)
def test_it_sees_through_hidden_identifiers(family, text, part):
    assert covered(text, part), family


@pytest.mark.parametrize(
    "text, part, kind",
    [
        ("Reach her at jdoe at gmail dot com after 5.", "jdoe at gmail dot com", "EMAIL"),
        ("Her address is jdoe(at)gmail(dot)com.", "jdoe(at)gmail(dot)com", "EMAIL"),
        ("Contact jane.doe [at] outlook [dot] com", "jane.doe [at] outlook [dot] com", "EMAIL"),
        ("Write to jdoe＠gmail.com", "jdoe＠gmail.com", "EMAIL"),
        ("Write to jdoe @ gmail.com today", "jdoe @ gmail.com", "EMAIL"),
        ("He posts as @jsmith93 every night.", "@jsmith93", "HANDLE"),
        ("She vents on reddit as u/sadgirl_2004.", "u/sadgirl_2004", "HANDLE"),
        ("Her instagram is kayla.m.rose", "kayla.m.rose", "HANDLE"),
        ("Snapchat: brodie_22", "brodie_22", "HANDLE"),
        ("Profile at instagram.com/jsmith93", "instagram.com/jsmith93", "URL"),
        ("Reference 4471923005 was on the letter.", "4471923005", "OTHER_ID PHONE"),
        ("The number 44719 23005 17 was on the card.", "44719 23005 17", "OTHER_ID PHONE"),
        ("Her code 4471 9230 0517 8 was on the card.", "4471 9230 0517 8", "OTHER_ID ACCOUNT"),
        ("Pt # 4471923", "4471923", "OTHER_ID"),
        ("Her study token CRIMSON-0447 is on the consent.", "CRIMSON-0447", "OTHER_ID"),
        ("CPAP unit QX5622937 was returned.", "QX5622937", "OTHER_ID"),
        ("Photo marisol_frontal_2024.jpg was attached.", "marisol_frontal_2024.jpg", "OTHER_ID"),
        ("ID 5551234 per the front desk", "5551234", "OTHER_ID"),
        ("Record 778123 was pulled.", "778123", "OTHER_ID"),
        ("Epic ID: E1234567", "E1234567", "OTHER_ID"),
        ("He drives a blue Honda, 7ABC123, to work.", "7ABC123", "VEHICLE"),
        ("Her truck (KDR-4471) was towed.", "KDR-4471", "VEHICLE"),
        ("Saw 8GHJ 221 parked outside in his van.", "8GHJ 221", "VEHICLE"),
        ("Her father, 96, lives alone.", "96", "AGE_OVER_89"),
        ("Her nan is 96 and still does the school run.", "96", "AGE_OVER_89"),
        ("Lives with grandad (97).", "97", "AGE_OVER_89"),
        ("Mr. Olsen (97) still drives.", "97", "AGE_OVER_89"),
        ("She is 95 y.o. and frail.", "95", "AGE_OVER_89"),
        ("95yo widow, lives alone", "95", "AGE_OVER_89"),
        ("A 91-yr-old veteran", "91", "AGE_OVER_89"),
        ("Born 04.03.1961.", "04.03.1961", "DATE"),
        ("DOB: 3.4.61 per the intake form", "3.4.61", "DATE"),
        ("Admitted 4-Mar-25 overnight.", "4-Mar-25", "DATE"),
        ("Discharged 20250304 per the letter.", "20250304", "DATE"),
        ("Seen on Mar-04-2025 for intake.", "Mar-04-2025", "DATE"),
    ],
)
def test_it_flags_new_shapes(text, part, kind):
    assert covered(text, part)
    assert kinds_over(text, part) & set(kind.split())


@pytest.mark.parametrize(
    "text, word",
    [
        ("Please review the nоtes (Cyrillic o).", "nоtes"),
        ("see the МRN field", "МRN"),
    ],
)
def test_a_word_mixing_scripts_is_itself_a_finding(text, word):
    assert "MIXED_SCRIPT" in kinds_over(text, word)


@pytest.mark.parametrize(
    "text, part",
    [
        (f"Client J{ZW}ohn Smith", f"J{ZW}ohn Smith"),
        ("Client &#74;ohn Smith", "&#74;ohn Smith"),
        ("x &amp; y, Client &#x4A;ohn Smith", "&#x4A;ohn Smith"),
        ("DOB ０３/０４/１９６１", "０３/０４/１９６１"),
        ("Call five five five one two one two", "five five five one two one two"),
    ],
)
def test_findings_map_back_to_exact_spans_of_the_original(text, part):
    start = text.index(part)
    assert (start, start + len(part)) in [(f.start, f.end) for f in scan(text)]


def test_normalised_text_drops_invisible_characters_and_decodes_references():
    assert normalise(f"J{ZW}ohn &#83;mith&amp;co ＭＲＮ").text == "John Smith&co MRN"


def test_plain_ascii_is_scanned_as_is():
    norm = normalise("Client Kelli Fuller")
    assert norm.text == "Client Kelli Fuller" and norm.span(7, 19) == (7, 19)
