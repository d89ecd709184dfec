"""Contact details and numbered identifiers."""

import pytest

from consult.deid.scanner import scan


def kinds_of(text: str, part: str) -> set:
    start = text.index(part)
    end = start + len(part)
    covered = set()
    kinds = set()
    for f in scan(text):
        if f.start < end and start < f.end:
            kinds.add(f.kind)
            covered.update(range(f.start, f.end))
    assert all(i in covered for i in range(start, end) if not text[i].isspace()), (text, part)
    return kinds


@pytest.mark.parametrize(
    "text, part, kind",
    [
        ("Her mother can be reached at (977) 792-4165 if needed.", "(977) 792-4165", "PHONE"),
        ("Call 1-503-865-2256 after 5.", "1-503-865-2256", "PHONE"),
        ("Reached him at +1 744 630 0551.", "+1 744 630 0551", "PHONE"),
        ("Cell 318.633.0808 ext. 12", "318.633.0808 ext. 12", "PHONE"),
        ("Mobile: 3298321708", "3298321708", "PHONE"),
        ("Desk: +41 (0)96 471 07 95", "+41 (0)96 471 07 95", "PHONE"),
        (
            "He emailed me from wilson.ronald69@gmail.com last night.",
            "wilson.ronald69@gmail.com",
            "EMAIL",
        ),
        ("She posts on instagram.com/ronald59 a lot.", "instagram.com/ronald59", "URL"),
        (
            "See https://www.facebook.com/johnsonshannon for the posts.",
            "https://www.facebook.com/johnsonshannon",
            "URL",
        ),
        ("Blog at www.miller-snyder.org/markmccoy.", "www.miller-snyder.org/markmccoy", "URL"),
        ("Logged in from 192.168.129.111 according to the alert.", "192.168.129.111", "IP"),
        ("Device address 2001:db8:85a3::8a2e:370:7334 seen.", "2001:db8:85a3::8a2e:370:7334", "IP"),
        ("Referral paperwork lists SSN 506 77 2317.", "506 77 2317", "SSN"),
        ("SSN on file is 402-19-8877.", "402-19-8877", "SSN"),
        ("social security number 645905466", "645905466", "SSN"),
        ("Hospital MRN A46383513 from the ED visit.", "A46383513", "MRN"),
        ("the chart is filed under mrn 2280 pending merge", "2280", "MRN"),
        ("Insurance member ID XHP480175585 was denied.", "XHP480175585", "HEALTH_PLAN"),
        ("Medicaid ID 12345678B on the card.", "12345678B", "HEALTH_PLAN"),
        ("Her bank account 5818059069 was emptied.", "5818059069", "ACCOUNT"),
        ("IBAN GB56HXDO88167774656119 used for the transfer.", "GB56HXDO88167774656119", "ACCOUNT"),
        ("Driver's license K5803494 was suspended.", "K5803494", "LICENSE"),
        ("Police noted the car, plate LJB 954, parked at the bridge.", "LJB 954", "VEHICLE"),
        ("VIN 1HGCM82633A004352 on the title.", "1HGCM82633A004352", "VEHICLE"),
        ("His insulin pump serial SN-45838-Y was tampered with.", "SN-45838-Y", "DEVICE"),
        ("Pacemaker serial PD59-6915-93 checked.", "PD59-6915-93", "DEVICE"),
    ],
)
def test_it_flags_numbered_identifiers(text, part, kind):
    assert kind in kinds_of(text, part)


@pytest.mark.parametrize(
    "text",
    [
        "We used the Stanley-Brown template and the 988 Lifeline is on the plan.",
        "Call 988 if the urges come back.",
        "PHQ-9 was 19 and GAD-7 was 14.",
        "BDI-II dropped from 31 to 22 over eight sessions of CBT.",
        "Started sertraline 50 mg; increased to 100 mg after two weeks.",
        "She rated her anxiety 7/10 today.",
        "Slept 6 hours, walked 10000 steps.",
        "C-SSRS screen positive for passive ideation.",
    ],
)
def test_it_does_not_flag_clinical_numbers(text):
    assert scan(text) == []
