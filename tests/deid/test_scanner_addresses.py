"""Addresses beyond the US shape: ZIPs after any label, streets without a number or with the unit
first, other countries' street shapes, envelopes across lines; plates near a vehicle word."""

import pytest

from .helpers import covered


@pytest.mark.parametrize(
    "text, part",
    [
        ("She lives on Maple Avenue with her aunt.", "Maple Avenue"),
        ("He moved to Birchwood Lane last year.", "Birchwood Lane"),
        ("Unit 5 - 221 Baker Street", "221 Baker Street"),
        ("Lives on the south side, 60614.", "60614"),
        ("his ZIP is on 60614", "60614"),
        ("ZIP:60614", "60614"),
        ("Mail goes to 60614 now.", "60614"),
        ("Post code on the form: 60614", "60614"),
        ("ZIP: 60614-1234 per the letter", "60614-1234"),
        ("Flat 3, 22 Baker Street, London", "Flat 3"),
        ("Flat 3, 22 Baker Street, London", "22 Baker Street, London"),
        ("Apt 4B, 9006 Cedar Hollow Rd.", "9006 Cedar Hollow Rd."),
        ("Her parents still live at Storgatan 41, Uppsala.", "Storgatan 41, Uppsala"),
        ("Address: Mannerheimintie 14 B 22, Tampere", "Mannerheimintie 14"),
        ("Address: ul. Polna 12/4, Gdansk", "ul. Polna 12/4, Gdansk"),
        ("She moved to Rua das Flores 221, Porto.", "Rua das Flores 221, Porto"),
        ("Send it to Calle de Alcala 95, Madrid", "Calle de Alcala 95, Madrid"),
        ("He stays at Vaci utca 18 when in town.", "Vaci utca 18"),
        (
            "The letter arrived at 6400 12 Timms Drive Suite 215\nNUNGATTA\nAustralia",
            "6400 12 Timms Drive Suite 215\nNUNGATTA\nAustralia",
        ),
        (
            "They met at the corner of 3744 Retreat Avenue and Elm Street.",
            "3744 Retreat Avenue and Elm Street",
        ),
        ("Postcode SW1A 1AA on the form.", "SW1A 1AA"),
        ("Sending the letter to Viru 4.", "Viru 4"),
        (
            "Flat is at Via dei Mille 17, Linköping; the buzzer is broken.",
            "Via dei Mille 17, Linköping",
        ),
        ("He stays at Andrássy út 60 in the summer.", "Andrássy út 60"),
        ("Moving back to Trondheim after the divorce.", "Trondheim"),
        ("Postal code K1A 0B1.", "K1A 0B1"),
    ],
)
def test_it_flags_addresses(text, part):
    assert covered(text, part)


@pytest.mark.parametrize(
    "text, plate",
    [
        ("He sleeps in a grey Subaru, TP51 KKU, outside the shelter.", "TP51 KKU"),
        ("The white van 8XDF840 has been parked outside all week.", "8XDF840"),
        ("Neighbour saw the pickup KDR-4471 circling the block.", "KDR-4471"),
        ("Her car, 7ABC123, was towed.", "7ABC123"),
    ],
)
def test_it_flags_plates_near_a_vehicle_word(text, plate):
    assert covered(text, plate)
