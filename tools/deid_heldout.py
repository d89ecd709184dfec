"""Generate a held-out de-identification corpus, written apart from the dev set.

    python tools/deid_heldout.py [--seed 14] [--notes 600] > tests/deid/data/heldout.jsonl

Same format as ../shared/deid/dev.jsonl ({"id", "text", "phi": [{start, end, type, value}]}), but
its own templates, names, places and phrasing: supervision-chat lines, handover notes and
consult questions, with names from many countries (Nordic, Eastern European, West African, South
Asian, Hispanic ...), names that are also words in person contexts, lowercase names, non-US
addresses, plates without a keyword, ZIPs after any label, and the date, age and number shapes a
hurried writer produces. A third of the notes hold no identifier: they carry the clinical words
that a guard must let through (eponyms, scales, hyphenated words, weekdays, ages up to 89, years).
Everything is made up. The guard is never tuned to single sentences of this file.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import unicodedata

FIRST = """Astrid Sigrid Ingrid Freja Linnea Maja Saga Elin Solveig Ragnhild Dagny Signe Thora Eero
Aleksi Juho Matti Ville Lauri Teemu Oskar Leif Bjorn Torsten Halvard Sindre Magnus Henrik Jorunn
Agnieszka Katarzyna Malgorzata Zofia Wojciech Grzegorz Tomasz Pawel Bartosz Jaroslav Radek Zdenek
Petra Lenka Jana Bohdan Oksana Taras Yulia Dmitri Svetlana Anastasia Vadim Milos Dragana Nikola
Jelena Zoltan Eszter Bence Reka Gergely Ilona Andrius Ruta Ieva Kristaps Madis Triin Kwame Abena
Kofi Ama Chidi Ngozi Oluwaseun Folake Emeka Amara Tendai Thandiwe Sipho Priya Arjun Ananya Rohan
Deepika Sanjay Meera Vikram Lakshmi Farhan Nusrat Imran Ayesha Bilal Mariam Yusuf Leila Omar Rania
Hamid Soraya Mei Jun Haruto Yui Sakura Minji Jiwoo Seojun Thanh Linh Quang Nguyet Alejandro
Valentina Joaquin Ximena Rodrigo Camila Mateo Lucia Guadalupe Esperanza Socorro Rocio Ines Tiago
Leonor Goncalo Beatriz Siobhan Niamh Padraig Eoin Aoife Ciaran Rhys Cerys Gethin Morag Hamish Isla
Fergus Wilhelmina Bartholomew Cornelius Ottilie Clementine Percival Evangeline Thaddeus Philippa
Rupert Imogen""".split()
SURNAMES = """Lindqvist Bergstrom Johansson Nyberg Sandberg Holmgren Virtanen Korhonen Makinen
Nieminen Heikkinen Laaksonen Haugen Solberg Kristiansen Bakke Halvorsen Rasmussen Kjaergaard Thorsen
Ostergaard Kowalczyk Wisniewski Zielinski Szymanski Wozniak Kaczmarek Mazur Novakova Dvorak Cerny
Prochazka Horvath Nagy Kovacs Szabo Toth Farkas Balogh Petrenko Kovalenko Shevchenko Bondarenko
Tkachenko Ivanova Smirnov Kuznetsova Popescu Ionescu Dumitru Stanciu Jovanovic Petrovic Nikolic
Kazlauskas Petrauskas Berzins Kalnins Tamm Saar Mensah Asante Boateng Owusu Okafor Adeyemi Okonkwo
Eze Balogun Mwangi Otieno Ndlovu Dlamini Banerjee Chatterjee Iyer Reddy Menon Nair Bhattacharya
Qureshi Siddiqui Chaudhry Haddad Khoury Nasser Rahimi Tehrani Nakamura Takahashi Yamamoto Watanabe
Kimura Park Choi Jeong Nguyen Tran Pham Castellanos Villanueva Quintero Echeverria Bustamante
Arredondo Figueroa Sepulveda Carvalho Ferreira Azevedo Magalhaes OSullivan Fitzgerald MacLeod
Gallagher Callaghan Llewellyn Pritchard Abernathy Whitlock Pemberton Ashworth Thistlewood
Fairbanks""".split()
EMAIL_DOMAINS = ["proton.me", "gmx.de", "outlook.com", "fastmail.fm", "uni-leipzig.de"]
# given names that are also English words or months: a person only by context
WORD_NAMES = """Grace Will Hope Joy Faith Rose Summer June April May Dawn Sky Autumn Heath Rowan
Brook Sunny Ray""".split()
CLINICAL_HALF = "Ward Hart Payne Nurse Case Bond Lamb Mercy Bloom Sorrow Care".split()
TITLES = ["Mr.", "Mrs.", "Ms.", "Dr.", "Mx."]

US_PLACES = [
    ("Bozeman", "MT"),
    ("Flagstaff", "AZ"),
    ("Duluth", "MN"),
    ("Asheville", "NC"),
    ("Bend", "OR"),
    ("Missoula", "MT"),
    ("Lafayette", "LA"),
    ("Burlington", "VT"),
    ("Ithaca", "NY"),
    ("Boise", "ID"),
    ("Tacoma", "WA"),
    ("Fargo", "ND"),
    ("Provo", "UT"),
    ("Pueblo", "CO"),
    ("Gainesville", "FL"),
    ("Savannah", "GA"),
    ("Lubbock", "TX"),
]
STREETS = [
    "Juniper",
    "Alder",
    "Chickasaw",
    "Wexford",
    "Quarry",
    "Tamarack",
    "Bluebonnet",
    "Sycamore",
    "Harbinger",
    "Old Mill",
    "Cedar Hollow",
    "Kettle Creek",
    "Larkspur",
    "Wisteria",
]
SUFFIXES = [
    "Street",
    "St.",
    "Avenue",
    "Ave",
    "Road",
    "Rd.",
    "Lane",
    "Court",
    "Terrace",
    "Way",
    "Boulevard",
    "Drive",
    "Place",
    "Circle",
    "Trail",
]
FOREIGN_ADDRESSES = [
    "Mannerheimintie 14 B 22",
    "Storgatan 41",
    "Hauptstrasse 7",
    "ul. Polna 12/4",
    "Vaci utca 18",
    "Rua das Flores 221",
    "Calle de Alcala 95",
    "Karl Johans gate 31",
    "Norrebrogade 104",
    "Via Garibaldi 8",
    "Rue Lepic 54",
    "Laisves aleja 63",
    "Prinsengracht 263",
    "Narva mnt 5",
    "Vinohradska 112",
]
FOREIGN_CITIES = [
    "Tampere",
    "Uppsala",
    "Bergen",
    "Aarhus",
    "Gdansk",
    "Brno",
    "Debrecen",
    "Kaunas",
    "Tartu",
    "Porto",
    "Leipzig",
    "Cluj-Napoca",
    "Novi Sad",
    "Lviv",
]

MEDS = ["sertraline", "lamotrigine", "quetiapine", "bupropion", "lithium", "prazosin", "naltrexone"]
CLEAN = [
    "We reviewed the Stanley and Brown safety plan line by line.",
    "Her Beck Depression Inventory dropped from 31 to 22 over six weeks.",
    "Same-day appointment offered; she declined and chose Thursday instead.",
    "Follow-up in two weeks, sooner if the urges come back.",
    "Differential includes Major Depressive Disorder versus Bipolar II Disorder.",
    "He finished the Maslach Burnout Inventory for the staff wellness project.",
    "We talked about Kübler-Ross and why grief rarely moves in stages.",
    "Shneidman's idea of psychache fits how she describes the pain.",
    "The C-SSRS screen was positive for passive ideation, no plan.",
    "Linehan's chain analysis helped map the weekend's self-harm urge.",
    "Hamilton Anxiety Rating Scale score was 18 today.",
    "Ratings on the Likert items were mostly 4 or 5.",
    "Her brother has Asperger's and she is his main support.",
    "Tourette syndrome was diagnosed at age 9.",
    "Grandmother with Alzheimer's disease now in memory care.",
    "Father has Parkinson's disease; she drives him to appointments.",
    "Family history of Huntington's disease, genetic counselling declined.",
    "Rule out Wernicke-Korsakoff given the drinking history.",
    "No projective testing; the Rorschach is not part of our battery.",
    "Group work leans on Yalom's therapeutic factors.",
    "Rogers' unconditional positive regard came up in supervision.",
    "Attachment history fits Bowlby and Ainsworth's avoidant pattern.",
    "She joked that Freud would have a field day with the dream.",
    "Jung's shadow work appeals to him more than CBT homework.",
    "Erikson's generativity stage framed the retirement worries.",
    "Piaget came up when the parents asked about their son's reasoning.",
    "Maslow's hierarchy helped prioritise housing before trauma work.",
    "PHQ-9 of 14 and GAD-7 of 11 at intake.",
    "She is 67 and recently widowed; the anniversary is in the spring.",
    "He is 45, works nights, and sleeps four to five hours.",
    "Moved from Texas to Oregon in 2019 for work.",
    "Started {med} 50 mg at bedtime; mild nausea the first week.",
    "Crisis line 988 and the warm line are both on the card.",
    "We meet Tuesdays at 3; the Monday slot is too early for her.",
    "Christmas and Thanksgiving are the hardest stretches of the year.",
    "Will discuss with the team whether a higher level of care is needed.",
    "Hope is a protective factor she named herself.",
    "Grace under pressure is how her boss describes her, which she finds ironic.",
    "Her mood was 3/10 on Monday and 6/10 by Friday.",
    "Well-being check-in: sleep 6 hours, appetite fair, no self-harm.",
    "Long-term goal: return to part-time work by the summer.",
    "Naltrexone 50 mg daily; cravings down to 2 out of 10.",
    "Her 401k and mortgage worries feed the rumination.",
    "A step-down to IOP is being considered for next month.",
    "Two-week no-show pattern; outreach by letter per policy.",
    "Self-compassion exercises from Neff's work went well.",
    "The Columbia protocol was repeated after the ED visit.",
    "BP 128/84, pulse 76 at the medication check.",
    "She walked 8000 steps a day last week.",
    "Rent went up by $1500 this year, a big stressor.",
    "The DSM-5 criteria for PTSD are met; PCL-5 score 52.",
    "Mother-in-law moved in over the winter.",
    "He is a Vietnam-era veteran and uses the VA for primary care.",
    "Seen in the Emergency Department overnight, discharged the same day.",
    "Ninety minutes of walking on Saturday lifted her mood.",
    "She was in her 80s when she first sought therapy.",
    "Kept a thought record every day since Wednesday.",
    "The Epworth Sleepiness Scale was 12.",
    "Our Monday huddle agreed on twice-weekly check-ins.",
    "Tapering clonazepam by 0.25 mg every two weeks.",
]


def pick(rng, seq):
    return seq[rng.randrange(len(seq))]


def person(rng):
    first, last = pick(rng, FIRST), pick(rng, SURNAMES)
    shape = rng.randrange(7)
    if shape == 0:
        return first
    if shape == 1:
        return f"{pick(rng, TITLES)} {last}"
    if shape == 2:
        return f"{last}, {first}"
    if shape == 3:
        return f"{first} {last}-{pick(rng, CLINICAL_HALF)}"
    if shape == 4:
        return f"{first[0]}. {last}"
    return f"{first} {last}"


def digits(rng, n):
    return "".join(str(rng.randrange(10)) for _ in range(n))


def plate(rng):
    letters = "ABCDEFGHJKLMNPRSTUVWXYZ"
    shapes = [
        lambda: (
            f"{rng.randrange(1, 9)}{''.join(pick(rng, letters) for _ in range(3))}{digits(rng, 3)}"
        ),
        lambda: f"{''.join(pick(rng, letters) for _ in range(3))}-{digits(rng, 4)}",
        lambda: (
            f"{''.join(pick(rng, letters) for _ in range(2))}{digits(rng, 2)} "
            f"{''.join(pick(rng, letters) for _ in range(3))}"
        ),
        lambda: f"{digits(rng, 3)} {''.join(pick(rng, letters) for _ in range(3))}",
    ]
    return pick(rng, shapes)()


def a_date(rng):
    y, m, d = rng.randrange(1935, 2026), rng.randrange(1, 13), rng.randrange(1, 29)
    mon = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][
        m - 1
    ]
    full = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ][m - 1]
    return pick(
        rng,
        [
            f"{m}/{d}/{y}",
            f"{d:02d}.{m:02d}.{y}",
            f"{y}-{m:02d}-{d:02d}",
            f"{d}-{mon}-{y % 100:02d}",
            f"{full} {d}, {y}",
            f"{d} {full} {y}",
            f"{mon}. {d}",
            f"{y}{m:02d}{d:02d}",
            f"{m}/{d}",
            f"the {d}th of {full}",
            f"{full} {y}",
        ],
    )


def street(rng):
    return f"{rng.randrange(2, 9999)} {pick(rng, STREETS)} {pick(rng, SUFFIXES)}"


# Each template: text with one {slot}; the slot's generator returns (value, type).
def slot_values(rng):
    city, state = pick(rng, US_PLACES)
    word_name = pick(rng, WORD_NAMES)
    return {
        "person": (person(rng), "NAME"),
        "first": (pick(rng, FIRST), "NAME"),
        "lower": (pick(rng, FIRST).lower(), "NAME"),
        "wordname": (word_name, "NAME"),
        "date": (a_date(rng), "DATE"),
        "phone": (
            pick(
                rng,
                [
                    f"({digits(rng, 3)}) {digits(rng, 3)}-{digits(rng, 4)}",
                    f"{digits(rng, 3)}.{digits(rng, 3)}.{digits(rng, 4)}",
                    f"+44 7{digits(rng, 3)} {digits(rng, 6)}",
                    f"+46 70 {digits(rng, 3)} {digits(rng, 2)} {digits(rng, 2)}",
                    f"{digits(rng, 3)} {digits(rng, 3)} {digits(rng, 4)}",
                ],
            ),
            "PHONE",
        ),
        "email": (
            pick(
                rng,
                [
                    f"{pick(rng, FIRST).lower()}.{pick(rng, SURNAMES).lower()}"
                    f"@{pick(rng, EMAIL_DOMAINS)}",
                    f"{pick(rng, FIRST).lower()}{digits(rng, 2)} at gmail dot com",
                    f"{pick(rng, SURNAMES).lower()}(at)yahoo(dot)com",
                ],
            ),
            "EMAIL",
        ),
        "ssn": (
            f"{rng.randrange(100, 665)}-{rng.randrange(10, 99)}-{rng.randrange(1000, 9999)}",
            "SSN",
        ),
        "mrn": (
            pick(rng, [digits(rng, 8), f"E{digits(rng, 7)}", f"{digits(rng, 3)}-{digits(rng, 4)}"]),
            "MRN",
        ),
        "plan": (
            pick(
                rng,
                [
                    f"XQJ{digits(rng, 9)}",
                    f"W{digits(rng, 8)}",
                    f"{digits(rng, 3)}A{digits(rng, 5)}",
                ],
            ),
            "HEALTH_PLAN",
        ),
        "account": (digits(rng, rng.randrange(9, 13)), "ACCOUNT"),
        "license": (
            pick(
                rng,
                [
                    f"D{digits(rng, 7)}",
                    f"{digits(rng, 3)}-{digits(rng, 3)}-{digits(rng, 3)}",
                    f"LMHC{digits(rng, 5)}",
                ],
            ),
            "LICENSE",
        ),
        "plate": (plate(rng), "VEHICLE"),
        "device": (
            pick(
                rng,
                [
                    f"{digits(rng, 2)}-{digits(rng, 6)}-{digits(rng, 2)}",
                    f"QX{digits(rng, 7)}",
                    f"SR{digits(rng, 6)}K",
                ],
            ),
            "DEVICE",
        ),
        "url": (
            pick(
                rng,
                [
                    f"https://{pick(rng, SURNAMES).lower()}-counselling.net/about",
                    f"linkedin.com/in/{pick(rng, FIRST).lower()}-{pick(rng, SURNAMES).lower()}",
                    f"tiktok.com/@{pick(rng, FIRST).lower()}{digits(rng, 2)}",
                ],
            ),
            "URL",
        ),
        "ip": (
            pick(
                rng,
                [
                    f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(256)}",
                    f"2001:db8:{digits(rng, 2)}::{digits(rng, 1)}",
                ],
            ),
            "IP",
        ),
        "street": (street(rng), "ADDRESS"),
        "city": (city, "ADDRESS"),
        "cityst": (f"{city}, {state}", "ADDRESS"),
        "zip": (digits(rng, 5), "ADDRESS"),
        "foreign": (f"{pick(rng, FOREIGN_ADDRESSES)}, {pick(rng, FOREIGN_CITIES)}", "ADDRESS"),
        "fcity": (pick(rng, FOREIGN_CITIES), "ADDRESS"),
        "age": (str(rng.randrange(90, 106)), "AGE_OVER_89"),
    }


TEMPLATES = [
    "Handover: {person} is on the ward list for tomorrow's review.",
    "Quick one for the group - {person} missed two sessions and isn't answering.",
    "Can someone cover {wordname} on Thursday? I'm out at a training.",
    "{wordname} said the new job is going better than expected.",
    "{wordname} has been sleeping in her car again.",
    "I'm seeing {wordname} again next week to finish the plan.",
    "Her daughter {first} drives her to every appointment.",
    "Talked with her sister {lower} by phone; she'll stay over this weekend.",
    "{lower} came in late and tearful.",
    "The referral came from {person} at the community team.",
    "Collateral from the landlord, {person}, who found him on the stairs.",
    "Spouse is {person}; she wants to be involved in safety planning.",
    "Born {date}, so the anniversary falls in the same week.",
    "Last admission was {date}; discharge summary attached.",
    "Next appointment {date} at 10.",
    "She wants the letter dated {date}.",
    "Best number for the son is {phone}.",
    "Reach her on {phone} after six.",
    "Mobile {phone} (texts only).",
    "She sends homework to {email}.",
    "He writes from {email} at odd hours.",
    "Social on the old claim form: {ssn}.",
    "Chart no. {mrn} in the hospital system.",
    "Hospital number {mrn}.",
    "Epic MRN: {mrn}",
    "Insurer ID {plan} was rejected at the front desk.",
    "Medicaid {plan}, renewal pending.",
    "Bank acct {account} shows the overdraft fees she's worried about.",
    "Her routing number {account} ended up in the scanned letter.",
    "Driver's license {license} suspended after the DUI.",
    "My license # {license} is on the letterhead.",
    "He sleeps in a grey Subaru, {plate}, outside the shelter.",
    "The white van {plate} has been parked outside her flat all week.",
    "Neighbour noted the pickup {plate} circling the block.",
    "Her ex's sedan (plate {plate}) was seen outside the school.",
    "CPAP unit {device} was returned to the supplier.",
    "Her insulin pump, serial {device}, alarms at night.",
    "He keeps a blog at {url} about recovery.",
    "Logins traced to {ip} per IT.",
    "She stays with her aunt at {street}.",
    "Home visit to {street} on Friday.",
    "Moving next month to {street}, {cityst}.",
    "Originally from {city} before the divorce.",
    "He grew up outside {cityst} and still has family there.",
    "Relocating to {cityst} for her husband's job.",
    "Mail goes to ZIP {zip} now.",
    "Post code on the form: {zip}",
    "Lives on the south side, {zip}.",
    "Address: {foreign}",
    "Her parents still live at {foreign}.",
    "Studying abroad in {fcity} this term.",
    "Grandfather is {age} and still lives on his own.",
    "Her grandmother, {age}, moved in with them.",
    "{age} yo father, widowed last year.",
    "At {age} years old, he still drives to the market.",
    "Caring for a {age}-year-old mother with dementia.",
    "The patient's aunt turned {age} in March.",
]


# A second, later set of templates and pools (--fresh), written after the guard was tuned on the
# first and scored once without changes: how the guard does on phrasing it has never seen.
FRESH_FIRST = """Brynja Hjördis Kaisa Outi Pirkko Sølvi Vibeke Aino Jaroslava Bożena Wiesław Ludmila
Zdeňka Ferenc Imre Piroska Tiit Liis Aivar Gintarė Vytautas Dace Uldis Efua Yaw Kojo Chinonso Adaeze
Ifeoma Tunde Bongani Lerato Anjali Devika Harpreet Gurpreet Navdeep Shabnam Tahmina Arash Shirin
Nilufar Xochitl Itzel Yolanda Heriberto Florencia Benedita Graça Eulália Ruairí Bronagh Tadhg
Eilidh""".split()
FRESH_SURNAMES = """Hakala Salminen Lehtonen Eriksen Lund Dahl Sörensen Jablonski Nowicki
Lewandowska Kratochvíl Svoboda Hajdu Lakatos Juhász Vaitkus Jankauskas Ozola Kask Ansah Appiah Nwosu
Obi Adebayo Khumalo Zulu Malhotra Sandhu Grewal Hosseini Karimi Mahmoud Orozco Zamora Cienfuegos
Barros Teixeira Ó Briain Mac Giolla Moffat Urquhart""".split()
FRESH_STREETS = [
    "Pohjoisesplanadi 21",
    "Drottninggatan 88",
    "Kongens gate 12",
    "Vesterbrogade 61",
    "ul. Długa 44/2",
    "Andrássy út 60",
    "Gedimino pr. 9",
    "Brīvības iela 37",
    "Viru 4",
    "Avenida da Liberdade 190",
    "Carrer de Mallorca 401",
    "Via dei Mille 17",
]
FRESH_CITIES = [
    "Oulu",
    "Linköping",
    "Trondheim",
    "Odense",
    "Poznań",
    "Olomouc",
    "Szeged",
    "Klaipėda",
    "Daugavpils",
    "Pärnu",
    "Coimbra",
    "Girona",
    "Bologna",
]
FRESH_TEMPLATES = [
    "Supervision q: my 2pm, {fperson}, disclosed a plan last night - thoughts?",
    "Phoned {fperson}'s mum this morning; she's frightened for him.",
    "Note for cover: {fperson} will ring the duty line if things escalate.",
    "{fword} rang twice while I was in session.",
    "Could you see {fword} Friday? I'm off sick.",
    "Family meeting with {ffirst} and her stepdad went OK.",
    "Pt's partner ({ffirst}) attended the second half.",
    "Brother {flower} is the emergency contact.",
    "Next of kin: {fperson}",
    "Flat is at {fstreet}, {fcity}; the buzzer is broken.",
    "She grew up in {fcity} and moved here at 19.",
    "Sending the letter to {fstreet}.",
    "Moving back to {fcity} after the divorce.",
    "Contact no. {fphone}",
    "Her new number is {fphone}, texts preferred.",
    "Personal email {femail} - please don't use the work one.",
    "DOB {fdate}.",
    "First seen {fdate}, discharged {fdate2}.",
    "Appt booked for {fdate}.",
    "Hospital no: {fmrn}",
    "NHS number {fnhs} on the referral.",
    "Her nan is {fage} and still does the school run.",
    "Lives with grandad ({fage}).",
    "Drives a silver Corolla, reg {fplate}.",
    "His motorbike {fplate} was found by the canal.",
    "Insta is @{fhandle} if you want to see the posts.",
    "Posts to r/depression as u/{fhandle}.",
    "Postcode {fpostcode}.",
]


def ascii_(name: str) -> str:
    return "".join(
        ch for ch in unicodedata.normalize("NFKD", name.lower()) if ch.isascii() and ch.isalnum()
    )


def fresh_values(rng):
    first, last = pick(rng, FRESH_FIRST), pick(rng, FRESH_SURNAMES)
    y, m, d = rng.randrange(1930, 2026), rng.randrange(1, 13), rng.randrange(1, 29)
    mon = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][
        m - 1
    ]
    return {
        "fperson": (pick(rng, [first, f"{first} {last}", f"{last}", f"Mrs {last}"]), "NAME"),
        "ffirst": (first, "NAME"),
        "flower": (first.lower(), "NAME"),
        "fword": (
            pick(rng, ["Hope", "Sunny", "Merry", "Faith", "Autumn", "Bliss", "Robin", "Crystal"]),
            "NAME",
        ),
        "fstreet": (pick(rng, FRESH_STREETS), "ADDRESS"),
        "fcity": (pick(rng, FRESH_CITIES), "ADDRESS"),
        "fphone": (
            pick(
                rng,
                [
                    f"07{digits(rng, 3)} {digits(rng, 6)}",
                    f"+358 40 {digits(rng, 3)} {digits(rng, 4)}",
                    f"({digits(rng, 3)}){digits(rng, 3)}-{digits(rng, 4)}",
                ],
            ),
            "PHONE",
        ),
        "femail": (
            pick(
                rng,
                [
                    f"{ascii_(first)}_{ascii_(last)}@hotmail.co.uk",
                    f"{ascii_(last)}{digits(rng, 2)} at yahoo dot com",
                ],
            ),
            "EMAIL",
        ),
        "fdate": (
            pick(
                rng,
                [
                    f"{d}/{m}/{y % 100:02d}",
                    f"{d} {mon} {y}",
                    f"{mon} {d}th",
                    f"{y}.{m:02d}.{d:02d}",
                ],
            ),
            "DATE",
        ),
        "fdate2": (
            f"{rng.randrange(1, 29)}.{rng.randrange(1, 13)}.{rng.randrange(2000, 2026)}",
            "DATE",
        ),
        "fmrn": (f"{digits(rng, 3)} {digits(rng, 3)} {digits(rng, 4)}", "MRN"),
        "fnhs": (f"{digits(rng, 3)} {digits(rng, 3)} {digits(rng, 4)}", "HEALTH_PLAN"),
        "fage": (str(rng.randrange(90, 104)), "AGE_OVER_89"),
        "fplate": (
            pick(
                rng,
                [
                    f"{''.join(pick(rng, 'ABCDEFGHJKLMNPRSTVWXY') for _ in range(2))}"
                    f"{digits(rng, 2)} "
                    f"{''.join(pick(rng, 'ABCDEFGHJKLMNPRSTVWXY') for _ in range(3))}",
                    f"{''.join(pick(rng, 'ABCDEFGHJKLMNPRSTVWXY') for _ in range(3))}"
                    f"-{digits(rng, 3)}",
                ],
            ),
            "VEHICLE",
        ),
        "fhandle": (f"{ascii_(first)}{digits(rng, 2)}", "HANDLE"),
        "fpostcode": (pick(rng, ["LS6 2AB", "G12 8QQ", "CF10 3AT", "BT7 1NN"]), "ADDRESS"),
    }


def clean_sentence(rng):
    return pick(rng, CLEAN).replace("{med}", pick(rng, MEDS))


def note(rng, with_phi: bool, fresh: bool = False):
    parts = [clean_sentence(rng) for _ in range(rng.randrange(1, 4))]
    phi = []
    n_phi = rng.randrange(1, 4) if with_phi else 0
    inserts = sorted(rng.sample(range(len(parts) + n_phi), n_phi))
    sentences = []
    it = iter(parts)
    for i in range(len(parts) + n_phi):
        sentences.append(
            ("phi", pick(rng, FRESH_TEMPLATES if fresh else TEMPLATES))
            if i in inserts
            else ("clean", next(it))
        )
    text = ""
    for kind, sentence in sentences:
        if text:
            text += pick(rng, [" ", " ", "\n"])
        if kind == "clean":
            text += sentence
            continue
        values = fresh_values(rng) if fresh else slot_values(rng)
        rest = sentence
        while "{" in rest:
            before, rest = rest.split("{", 1)
            slot, rest = rest.split("}", 1)
            value, typ = values[slot]
            if (
                slot == "lower"
                and not (text + before).rstrip(" ").endswith(tuple(".\n"))
                and rng.random() < 0.3
            ):
                value = value.capitalize()
            text += before
            if typ == "HANDLE":  # the handle's @ or u/ is in the template; the label covers it
                start = len(text) - (
                    1 if before.endswith("@") else 2 if before.endswith("u/") else 0
                )
                phi.append(
                    {
                        "start": start,
                        "end": len(text) + len(value),
                        "type": "URL",
                        "value": text[start:] + value,
                    }
                )
            else:
                phi.append(
                    {"start": len(text), "end": len(text) + len(value), "type": typ, "value": value}
                )
            text += value
        text += rest
    return text, phi


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--seed", type=int, default=14)
    ap.add_argument("--notes", type=int, default=600)
    ap.add_argument("--fresh", action="store_true", help="the second, later templates and pools")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    prefix = "fresh" if a.fresh else "heldout"
    for i in range(a.notes):
        text, phi = note(rng, with_phi=i % 3 != 2, fresh=a.fresh)
        sys.stdout.write(json.dumps({"id": f"{prefix}-{i:04d}", "text": text, "phi": phi}) + "\n")


if __name__ == "__main__":
    main()
