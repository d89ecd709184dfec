"""Places smaller than a state: streets, cities, ZIP codes. States are not identifiers."""

import pytest

from consult.deid.scanner import scan


def flagged(text: str, part: str) -> bool:
    start = text.index(part)
    covered = set()
    for f in scan(text):
        covered.update(range(f.start, f.end))
    return all(i in covered for i in range(start, start + len(part)) if not text[i].isspace())


@pytest.mark.parametrize(
    "text, part",
    [
        ("She lives at 44429 Rose Park # 7B with her partner.", "44429 Rose Park # 7B"),
        (
            "She lives at 8385 Karen Points Suite 453, Port Melissa with her partner.",
            "8385 Karen Points Suite 453, Port Melissa",
        ),
        (
            "Home address 4417 Old Kettle Rd, Fresno, CA 93726.",
            "4417 Old Kettle Rd, Fresno, CA 93726",
        ),
        ("She lives at Port Lauren, GA 25739 with her partner.", "Port Lauren, GA 25739"),
        ("She lives at 75585 with her partner.", "75585"),
        ("He works night shifts at the plant in Derekstad and feels isolated.", "Derekstad"),
        ("He works night shifts at the plant in West Deborah and feels isolated.", "West Deborah"),
        ("She grew up in Sacramento before moving.", "Sacramento"),
        ("She moved to Springfield, Illinois last year.", "Springfield"),
        ("The patient resides in Tulare County near the city of Visalia.", "Tulare County"),
        ("The patient resides in Tulare County near the city of Visalia.", "Visalia"),
        ("Mail goes to P.O. Box 104 now.", "P.O. Box 104"),
        ("the mailing ZIP on the chart is 93291", "93291"),
    ],
)
def test_it_flags_places(text, part):
    assert flagged(text, part)


@pytest.mark.parametrize(
    "text",
    [
        "Client is in Ohio and I'm licensed there, so telehealth is fine.",
        "She is moving to Texas next year.",
        "He drove to New York for the holidays.",
        "Her hope is to return to college in the fall.",
        "She went to the ED in the middle of the night.",
    ],
)
def test_it_does_not_flag_states_or_generic_places(text):
    assert scan(text) == []
