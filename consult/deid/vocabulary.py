"""Word lists for the de-identification scanner (pure Python, loaded once at import).

Large lists live in ``data/*.txt`` (one entry a line, ``#`` starts a comment line); the small
closed-class lists (months, states, street suffixes, cue words) are written out here.
"""

from __future__ import annotations

import os

_DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")


def _load(name: str) -> list[str]:
    with open(os.path.join(_DATA, name), encoding="utf-8") as f:
        return [ln.strip() for ln in f if ln.strip() and not ln.startswith("#")]


ENGLISH_WORDS: frozenset[str] = frozenset(_load("english_words.txt"))
_CLINICAL = _load("clinical_vocab.txt")
# single-token clinical terms, lower-cased; multi-word phrases as tuples of lower-cased tokens
CLINICAL_WORDS: frozenset[str] = frozenset(t.lower() for t in _CLINICAL if " " not in t)
CLINICAL_PHRASES: frozenset[tuple[str, ...]] = frozenset(
    tuple(w[:-2] if w.endswith("'s") else w for w in t.lower().split())
    for t in _CLINICAL
    if " " in t
)
CLINICAL_PHRASE_FIRST: frozenset[str] = frozenset(p[0] for p in CLINICAL_PHRASES)

# surnames that name a theory, test or syndrome in clinical writing ("Beck", "Yalom", "Kübler-Ross")
EPONYMS: frozenset[str] = frozenset(t.lower() for t in _load("eponyms.txt"))

MONTHS = {
    "january": 1,
    "jan": 1,
    "february": 2,
    "feb": 2,
    "march": 3,
    "mar": 3,
    "april": 4,
    "apr": 4,
    "may": 5,
    "june": 6,
    "jun": 6,
    "july": 7,
    "jul": 7,
    "august": 8,
    "aug": 8,
    "september": 9,
    "sep": 9,
    "sept": 9,
    "october": 10,
    "oct": 10,
    "november": 11,
    "nov": 11,
    "december": 12,
    "dec": 12,
}
WEEKDAYS = frozenset("monday tuesday wednesday thursday friday saturday sunday".split())

US_STATES = frozenset(
    s.lower()
    for s in (
        "Alabama,Alaska,Arizona,Arkansas,California,Colorado,Connecticut,Delaware,Florida,Georgia,"
        "Hawaii,Idaho,Illinois,Indiana,Iowa,Kansas,Kentucky,Louisiana,Maine,Maryland,Massachusetts,"
        "Michigan,Minnesota,Mississippi,Missouri,Montana,Nebraska,Nevada,New Hampshire,New Jersey,"
        "New Mexico,New York,North Carolina,North Dakota,Ohio,Oklahoma,Oregon,Pennsylvania,"
        "Rhode Island,South Carolina,South Dakota,Tennessee,Texas,Utah,Vermont,Virginia,Washington,"
        "West Virginia,Wisconsin,Wyoming,District of Columbia,Puerto Rico,Guam,American Samoa,"
        "Virgin Islands,Northern Mariana Islands"
    ).split(",")
)
STATE_ABBR = frozenset(
    """AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM
    NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC PR GU AS VI MP FM MH PW
    AA AE AP""".split()
)
COUNTRIES: frozenset[str] = frozenset(c.lower() for c in _load("countries.txt"))
# multi-word states and countries never start a name: treat them like clinical phrases
CLINICAL_PHRASES = CLINICAL_PHRASES | frozenset(
    tuple(s.split()) for s in US_STATES | COUNTRIES if " " in s
)
CLINICAL_PHRASE_FIRST = frozenset(p[0] for p in CLINICAL_PHRASES)

# Names: a given/family name that is also a common English word ("Hope", "Will", "Brown") is
# "ambiguous" and needs context before it is reported on its own.
_first = {n for n in _load("first_names.txt")}
_last = {n for n in _load("surnames.txt")}
# places that are also common given/family names stay names, but only as "ambiguous" ones
_NAMEY_PLACES = frozenset(
    "georgia virginia carolina dakota jordan chad india israel kenya washington "
    "jamaica sierra montana nevada china austin dallas houston paris".split()
)
_not_names = (
    CLINICAL_WORDS | WEEKDAYS | frozenset(MONTHS) | ((US_STATES | COUNTRIES) - _NAMEY_PLACES)
)
FIRST_NAMES: frozenset[str] = frozenset(n.lower() for n in _first) - _not_names
SURNAMES: frozenset[str] = frozenset(n.lower() for n in _last) - _not_names
_EXTRA_AMBIGUOUS = {
    "will",
    "hope",
    "grace",
    "faith",
    "joy",
    "may",
    "june",
    "april",
    "august",
    "summer",
    "autumn",
    "dawn",
    "rose",
    "mark",
    "bill",
    "art",
    "frank",
    "guy",
    "ray",
    "pat",
    "sue",
    "don",
    "chase",
    "chance",
    "dean",
    "drew",
    "gene",
    "grant",
    "hunter",
    "miles",
    "penny",
    "page",
    "sunny",
    "rocky",
    "bud",
    "chip",
    "rob",
    "sky",
    "major",
    "royal",
    "angel",
    "king",
    "love",
    "young",
    "long",
    "little",
    "white",
    "black",
    "green",
    "gray",
    "grey",
    "price",
    "rich",
    "sage",
    "star",
    "justice",
    "liberty",
    "harmony",
    "mercy",
    "trinity",
    "destiny",
    "precious",
    "unique",
    "lane",
    "jordan",
    "carol",
    "eve",
    "rusty",
    "dusty",
    "misty",
    "sandy",
    "holly",
    "ivy",
    "iris",
    "ruby",
    "pearl",
    "amber",
    "crystal",
    "jade",
    "heather",
    "lily",
    "daisy",
    "violet",
    "olive",
    "hazel",
    "ginger",
    "robin",
    "wren",
    "river",
    "ocean",
    "storm",
    "winter",
    "patience",
    "charity",
    "temperance",
    "constance",
    "verity",
    "harley",
    "marshall",
    "mason",
    "porter",
    "baker",
    "cook",
    "fisher",
    "walker",
    "turner",
    "hall",
    "hill",
    "wood",
    "woods",
    "park",
    "parks",
    "bell",
    "banks",
    "case",
    "cross",
    "day",
    "fox",
    "gates",
    "golden",
    "good",
    "hardy",
    "hart",
    "hood",
    "house",
    "hunt",
    "key",
    "lee",
    "lamb",
    "marsh",
    "moon",
    "moss",
    "noble",
    "pierce",
    "pope",
    "reed",
    "rice",
    "rush",
    "savage",
    "sharp",
    "short",
    "small",
    "snow",
    "stone",
    "strong",
    "swift",
    "wade",
    "ward",
    "warren",
    "wells",
    "west",
    "wise",
    "wolf",
    "north",
    "south",
    "east",
    "center",
    "christian",
    "doctor",
    "nurse",
    "sister",
    "son",
    "general",
    "judge",
    "unknown",
    "media",
    "metro",
    "china",
    "orange",
    "jesus",
    "israel",
    "kenya",
    "india",
    "chad",
    "georgia",
    "virginia",
    "carolina",
    "dakota",
    "austin",
    "dallas",
    "houston",
    "phoenix",
    "paris",
    "london",
    "sydney",
    "washington",
    "jamaica",
    "sierra",
    "montana",
    "nevada",
    "cuba",
    "peru",
    "france",
}
NAME_SUFFIXES = frozenset("jr sr ii iii iv md dds dmd phd psyd dvm rn np lcsw lpc esq".split())
# prepositions that, before a capitalised word, suggest a person ("visits Wall", "with Grace")
NAME_PREPS = frozenset("with visits visited visiting sees saw met meets from by".split())
AMBIGUOUS_NAMES: frozenset[str] = frozenset(
    n for n in (FIRST_NAMES | SURNAMES) if n in ENGLISH_WORDS
) | frozenset(_EXTRA_AMBIGUOUS)
US_CITIES: frozenset[str] = frozenset(c.lower() for c in _load("us_cities.txt")) - US_STATES
US_CITY_FIRST: frozenset[str] = frozenset(c.split()[0] for c in US_CITIES)
CITY_MAX_WORDS = 4

TITLES = frozenset("mr mrs ms miss mx dr prof sr sra srta mme mlle".split())

# relations and roles: a person ("her nan is 96", "grandad (97)", "her brother X")
RELATIONS = frozenset(
    """
mother father mom dad mum mam mommy daddy mama papa parent parents son daughter child kid baby
brother sister sibling twin husband wife partner spouse boyfriend girlfriend fiance fiancé fiancee
fiancée ex grandmother grandfather grandma grandpa granny gran nan nana nanna nanny grandad granddad
granda grampa gramps grandparent nonna nonno abuela abuelo oma opa babcia dziadek aunt auntie aunty
uncle cousin niece nephew stepmother stepfather stepmom stepmum stepdad stepson stepdaughter
stepbrother stepsister godmother godfather guardian carer caregiver neighbor neighbour roommate
housemate friend bestie landlord landlady boss colleague coworker co-worker sponsor
""".split()
)
# words directly before a person's name ("her brother X", "client X", "named X")
NAME_CUES_BEFORE = RELATIONS | frozenset(
    """
client patient pt brother sister mother father mom dad mum son daughter husband wife partner
spouse boyfriend girlfriend fiance fiancé fiancee fiancée friend bestie cousin aunt uncle
grandmother grandfather grandma grandpa granny nana niece nephew roommate housemate coworker
co-worker colleague boss manager supervisee neighbor neighbour stepmother stepfather stepdad
stepmom stepson stepdaughter stepbrother stepsister guardian caregiver named called nicknamed name
said says told asked texted emailed messaged dear hi hello hey thanks twin baby child kid
states stated reports reported manager po caseworker attorney lawyer teacher coach pastor
teammate classmate ex sibling sponsor pastor landlord mentee student therapist counselor counsellor
psychiatrist psychologist prescriber clinician doctor nurse officer kin contact nok
""".split()
)
# words directly after a person's name ("X said", "X's mother")
NAME_CUES_AFTER = frozenset(
    """
said says told asked reported reports stated states denied denies endorsed endorses shared
texted called calls emailed messaged wrote mentioned explained admitted disclosed noted
presented presents arrived attended missed cancelled canceled agreed refused declined cried
feels felt was is has had will would can cannot could and
""".split()
)
# cue words strong enough to accept a name that is also an English word, even in lower case
STRONG_LOWER_CUES = frozenset("named nicknamed called client patient".split())
SPEECH_AFTER = frozenset(
    """
said says told asked reported stated texted called emailed wrote mentioned shouted yelled
whispered replied answered laughed cried feels thinks thought believes wants wanted lives lived
works worked went came moved spent began reports states denies endorses shared presents presented
admits admitted disclosed described describes expressed expresses
""".split()
)

# what a person does, right after their name ("Sunny cried", "Grace has been sleeping")
PERSON_VERBS = SPEECH_AFTER | frozenset(
    """
missed cancelled canceled arrived attended showed left came slept sleeps sleeping drinks drank
drinking uses used using smokes smoking called calls calling texted texts texting emailed emails
messaged messages refused refuses declined declines agreed agrees denied denies endorsed endorsed
admits cried cries crying laughed laughs screamed seems seemed looked looks sounded sounds started
stopped kept keeps tried tries hates hated loves loved likes liked misses needs needed drove drives
driving ran runs walked walks visited visits struggled struggles struggling isolated isolates
isolating avoided avoids avoiding relapsed relapses overdosed attempted threatened hurt cut
self-harmed lost got gets quit graduated married divorced died passed survived returned turned
skipped stayed stays staying slept woke wakes waking ate eats eating stopped worries worried
worrying panicked panics panicking disclosed reports reported shared shares talked talks talking
spoke speaks speaking agreed improved improving declined declining engaged engages engaging
rang rung rings ringing phoned phones phoning popped dropped texted messaged dm'd wrote writes
""".split()
)
# what can stand between a name and a person's verb ("Grace has been ...", "Will is ...")
AUXILIARIES = frozenset(
    "is was has had will would can could cannot can't won't doesn't didn't isn't "
    "wasn't hasn't hadn't does did still also just now".split()
)
# states only a person is in: "Grace is feeling ...", "Hope is doing better"
PERSON_STATES = frozenset(
    """
feeling doing coming going back home here late due scheduled booked worried afraid scared upset
angry tearful anxious depressed suicidal sober pregnant married divorced single unemployed homeless
staying living working sleeping drinking using crying calling texting asking refusing avoiding
struggling hospitalized hospitalised admitted discharged currently expecting waiting hoping planning
trying considering thinking taking seeing meeting attending in on at with from
""".split()
)
# given names whose word reading is a modal verb: "Will has...", "Will is..." can only be a person
MODAL_NAMES = frozenset(("will",))

# words that are never (part of) a name when capitalised: function words and note words
STOP_CAPS = frozenset(
    """
a an the and or but if then so as at by for from in into of on onto to with without within
he she they we i you it his her their our my your its him them us me this that these those
there here where when while what which who whom whose why how after before since until
during about above below over under again also just not no yes ok okay per via vs re
today tonight tomorrow yesterday last next this week month year morning afternoon evening
night plan safety session sessions note notes update follow-up followup intake discharge
referral diagnosis assessment history medication medications goals goal plan plans
meds summary subjective objective assessment risk screen screening reviewed review started
good bad feeling feelings would could should shall might must can did does do
spoke called texted emailed met saw seen said told asked hospital clinic school work
mrn ssn dob id dl vin ip url email phone fax cell tel ext insurance member account bank
st ave rd apt suite po box city county state zip
insta instagram snapchat snap tiktok facebook twitter reddit discord whatsapp telegram signal
""".split()
)
LOCATION_PREPS = frozenset(
    "in from to near at outside around toward towards visiting of moved lives living born "
    "relocated relocating downtown across through".split()
)

STREET_SUFFIXES = frozenset(
    """
alley aly allee avenue ave av bayou bend bluff bluffs blvd boulevard branch br bridge brg brook
brooks burg burgs bypass byp camp canyon cape causeway cswy center centers ctr circle circles cir
cliff cliffs club common commons corner corners cor course court courts ct cove coves creek crk
crescent cres crest crossing xing crossroad curve dale dam divide drive drives dr estate estates
expressway expy extension extensions ext fall falls ferry field fields flat flats ford fords
forest forge forges fork forks fort freeway fwy garden gardens gateway glen glens green greens
grove groves harbor harbors haven heights hts highway hwy hill hills hollow inlet island islands
isle junction junctions key keys knoll knolls lake lakes land landing lane ln light lights loaf
lock locks lodge loop mall manor manors meadow meadows mews mill mills mission motorway mount
mountain mountains neck orchard oval overpass park parks parkway parkways pkwy pass passage path
pike pine pines place pl plain plains plaza plz point points port ports prairie radial ramp
ranch rapid rapids rest ridge ridges river road roads rd route row rue run shoal shoals shore
shores skyway spring springs spur spurs square squares sq station stravenue stream street
streets st summit sumit terrace ter throughway trace track trafficway trail trl trailer tunnel
turnpike underpass union unions valley valleys via viaduct view views village villages ville
vista walk walks wall way ways well wells close rise wynd quay parade esplanade promenade
""".split()
)
UNIT_WORDS = (
    "apt",
    "apartment",
    "suite",
    "ste",
    "unit",
    "#",
    "room",
    "rm",
    "floor",
    "fl",
    "bldg",
    "building",
    "lot",
    "trailer",
    "space",
)
CITY_PREFIXES = frozenset("north east west south new lake port fort mount saint st".split())
CITY_SUFFIXES = (
    "town",
    "ton",
    "land",
    "ville",
    "berg",
    "burgh",
    "borough",
    "bury",
    "view",
    "port",
    "mouth",
    "stad",
    "furt",
    "chester",
    "fort",
    "haven",
    "side",
    "shire",
    "field",
    "wood",
    "dale",
    "ford",
    "brook",
    "mont",
    "ridge",
)
NAME_PARTICLES = frozenset(
    "de del della der di da van von la le st bin al el dos das du mc".split()
)


def _untracked(words) -> dict:
    """The big word lists as dicts of strings: the garbage collector stops tracking such a dict,
    while it walks every element of a set at each full collection (~30 ms for these lists)."""
    return dict.fromkeys(words)


ENGLISH_WORDS = _untracked(ENGLISH_WORDS)
FIRST_NAMES = _untracked(FIRST_NAMES)
SURNAMES = _untracked(SURNAMES)
AMBIGUOUS_NAMES = _untracked(AMBIGUOUS_NAMES)
US_CITIES = _untracked(US_CITIES)
US_CITY_FIRST = _untracked(US_CITY_FIRST)
CLINICAL_WORDS = _untracked(CLINICAL_WORDS)
COUNTRIES = _untracked(COUNTRIES)
EPONYMS = _untracked(EPONYMS)
CLINICAL_PHRASES = _untracked(CLINICAL_PHRASES)
del _first, _last, _CLINICAL
