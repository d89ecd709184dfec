"""Names by context: a scheduling or relation cue before, a person's verb after, lower-case names,
names from many countries, names listed beside a name."""

import pytest

from .helpers import covered


@pytest.mark.parametrize(
    "text, name",
    [
        ("Grace is feeling better since the move.", "Grace"),
        ("Will has been sleeping in his car again.", "Will"),
        ("Will is back at school.", "Will"),
        ("Can someone cover Hope on Thursday?", "Hope"),
        ("I'm seeing Sky again next week.", "Sky"),
        ("Please reschedule June for Monday.", "June"),
        ("Rose has been drinking more since the funeral.", "Rose"),
        ("Joy is a 34-year-old teacher.", "Joy"),
        ("Her sister ruta stays over on weekends.", "ruta"),
        ("grace is doing better since the move", "grace"),
        ("hope has been sleeping at her aunt's", "hope"),
        ("kwame came in late and tearful.", "kwame"),
        ("Talked with her brother dmitri by phone.", "dmitri"),
        ("Spouse is Malgorzata; she wants to be involved.", "Malgorzata"),
        ("Handover: Astrid Lindqvist is on the ward list.", "Astrid Lindqvist"),
        ("Collateral from the landlord, Qureshi, Leila, who found him.", "Qureshi, Leila"),
        ("Quick one - Matti missed two sessions.", "Matti"),
        ("Referral from Oluwaseun Adeyemi at the community team.", "Oluwaseun Adeyemi"),
        ("Met with Ingrid Solberg and Henrik Halvorsen.", "Henrik Halvorsen"),
        ("Our founders: Kowalczyk, Becker and Novakova.", "Kowalczyk"),
        ("Juliusz A Kwiatkowski lives nearby.", "Juliusz A Kwiatkowski"),
        ("Follow up with Jan Jílek in a couple of months.", "Jan Jílek"),
        ("Tomomi is from the next town over.", "Tomomi"),
        ("Sunny rang twice while I was in session.", "Sunny"),
        ("Next of kin: Lewandowska", "Lewandowska"),
        ("Family meeting with Liis and her stepdad went OK.", "Liis"),
        ("Supervision q: my 2pm, Urquhart, disclosed a plan last night.", "Urquhart"),
        ("She gave the letter to Maria yesterday.", "Maria"),
    ],
)
def test_it_flags_names_by_context(text, name):
    assert covered(text, name)
