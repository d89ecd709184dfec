"""Dates (any element but a bare year) and ages over 89."""

import pytest

from consult.deid.scanner import scan


def found(text: str, part: str, kind: str) -> bool:
    start = text.index(part)
    end = start + len(part)
    covered = set()
    for f in scan(text):
        if f.kind == kind:
            covered.update(range(f.start, f.end))
    return all(i in covered for i in range(start, end) if not text[i].isspace())


@pytest.mark.parametrize(
    "text, part",
    [
        ("Stopped answering texts since 03/05/1979.", "03/05/1979"),
        ("Next session is April 2025; safety plan copied.", "April 2025"),
        ("Intake on December 02; PHQ-9 was 19.", "December 02"),
        ("DOB Jun 12th, seen weekly since.", "Jun 12th"),
        ("DOB the 30th of October, seen weekly.", "the 30th of October"),
        ("Next session is 31 October 2025.", "31 October 2025"),
        ("Stopped answering since 2025-07-30.", "2025-07-30"),
        ("Stopped answering texts since 6/3.", "6/3"),
        ("admitted on the third of July and discharged later", "the third of July"),
        ("Seen on March 3rd, 2024 at 10:30 am.", "March 3rd, 2024"),
        ("Appointment Sept. 9 confirmed.", "Sept. 9"),
        ("Date: 1980-07-28 19:49:46", "1980-07-28 19:49:46"),
    ],
)
def test_it_flags_dates(text, part):
    assert found(text, part, "DATE")


@pytest.mark.parametrize(
    "text, part",
    [
        ("The client's grandmother, age 94, recently moved in.", "94"),
        ("Her father is a 92-year-old veteran.", "92"),
        ("aged 101 and living alone", "101"),
        ("The patient is a 94-year-old woman.", "94"),
        ("Grandpa turned 90 last week.", "90"),
        ("He is 97 years old.", "97"),
    ],
)
def test_it_flags_ages_over_89(text, part):
    assert found(text, part, "AGE_OVER_89")


@pytest.mark.parametrize(
    "text",
    [
        "Client is a 27-year-old presenting with panic attacks.",
        "Her grandmother, age 89, lives nearby.",
        "She moved here in 2019.",
        "Supervisor suggested a follow-up call on Monday.",
        "Christmas is a known trigger since her father died around the holidays.",
        "Thanksgiving was hard this year.",
        "She has withdrawn from friends over the last month.",
        "May I share the plan with her partner?",
        "The first may be the hardest week.",
    ],
)
def test_it_does_not_flag_years_weekdays_holidays_or_young_ages(text):
    assert scan(text) == []
