"""Person names: dictionary names, titles, initials, and names that are also words."""

import pytest

from consult.deid.scanner import scan


def flagged(text: str, part: str) -> bool:
    start = text.index(part)
    covered = set()
    for f in scan(text):
        covered.update(range(f.start, f.end))
    return all(i in covered for i in range(start, start + len(part)) if not text[i].isspace())


@pytest.mark.parametrize(
    "text, name",
    [
        ("Spoke with her brother Kelli Fuller about means restriction.", "Kelli Fuller"),
        ("Client Jeffery Gonzalez is a 34-year-old with panic attacks.", "Jeffery Gonzalez"),
        ("Donald said Rachel has stopped answering texts.", "Donald"),
        ("Donald said Rachel has stopped answering texts.", "Rachel"),
        ("Client Ms. Simmons is a 34-year-old.", "Ms. Simmons"),
        ("Mr. Small missed the session.", "Mr. Small"),
        ("Charles said D. Hernandez has stopped eating.", "D. Hernandez"),
        ("Client Johnson, Charles is a 34-year-old.", "Johnson, Charles"),
        ("Ronald Vang-Mitchell said Stacey has stopped.", "Ronald Vang-Mitchell"),
        ("Consult requested for patient Reyes-Villalobos today.", "Reyes-Villalobos"),
        ("Her partner Shane M Culp called.", "Shane M Culp"),
        ("Met with Vanessa P. Hertzog for intake.", "Vanessa P. Hertzog"),
        ("The nurse noted she prefers to be called 'Sunny' during visits.", "Sunny"),
        ("Referred by Dr. Patel for a second opinion.", "Dr. Patel"),
    ],
)
def test_it_flags_names(text, name):
    assert flagged(text, name)


@pytest.mark.parametrize(
    "text, name",
    [
        ("Spoke with her brother Joy about the plan.", "Joy"),
        ("Robin said Faith has stopped going out.", "Faith"),
        ("Robin said Faith has stopped going out.", "Robin"),
        ("Will's mother called the clinic.", "Will"),
        ("my client hope said she felt safer", "hope"),
        ("She has a daughter named grace who lives with her.", "grace"),
        ("Her sister Hope drove her to the ED.", "Hope"),
        ("follow up with benjamin a seiler next month", "benjamin a seiler"),
        ("spoke with client jennifer about sleep", "jennifer"),
    ],
)
def test_it_flags_names_that_are_words_or_lower_case_when_context_says_so(text, name):
    assert flagged(text, name)


@pytest.mark.parametrize(
    "text",
    [
        "Her hope is to return to college in the fall.",
        "Hope is what keeps her going.",
        "Will you send the safety plan copy?",
        "Grace period on the bill ends soon.",
        "She has faith that the plan will work.",
        "The client will bring his partner next time.",
        "He spoke with her sister about the plan.",
        "Her brother drove her to the appointment.",
        "We used the Stanley-Brown template and the 988 Lifeline is on the plan.",
        "Mark the calendar for the next session.",
    ],
)
def test_it_does_not_flag_words_or_relations_as_names(text):
    assert scan(text) == []
