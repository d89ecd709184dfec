"""Add given names and surnames from Faker's person providers to consult/deid/data (one-off import).

    pip install faker && python tools/deid_names_import.py

Faker (MIT licence) ships name lists per locale. This adds the Latin-script names of European,
Nordic, Baltic, African, South and South-East Asian and Latin American locales, Cyrillic ones
transliterated, each also without its diacritics ("Kónya" → "Konya"). Names that are English
words are kept: the scanner treats those as names only in context. Rerunning is idempotent.
"""

from __future__ import annotations

import importlib
import os
import unicodedata

LOCALES = (
    "da_DK fi_FI no_NO sv_SE is_IS pl_PL cs_CZ sk_SK hu_HU ro_RO hr_HR sl_SI lt_LT lv_LV et_EE "
    "uk_UA ru_RU bg_BG de_DE de_AT de_CH nl_NL nl_BE fr_FR it_IT es_ES es_MX es_AR es_CO pt_PT "
    "pt_BR tr_TR ga_IE en_GB en_IE en_NG yo_NG ig_NG ha_NG tw_GH sw zu_ZA en_KE en_IN en_PK vi_VN "
    "id_ID el_GR az_AZ ka_GE hy_AM"
).split()
DATA = os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "consult", "deid", "data"
)
_CYRILLIC = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюяієїґ",
        (
            "a b v g d e yo zh z i y k l m n o p r s t u f kh ts ch sh shch _ y _ e yu ya i ye yi g"
        ).split(),
        strict=True,
    )
)


def romanise(name: str) -> str:
    if not any("\u0400" <= ch <= "\u04ff" for ch in name):
        return name
    out = "".join(_CYRILLIC.get(ch.lower(), ch) for ch in name).replace("_", "")
    return out[:1].upper() + out[1:]


_PLAIN = str.maketrans(
    {
        "ø": "o",
        "Ø": "O",
        "æ": "ae",
        "Æ": "Ae",
        "ß": "ss",
        "þ": "th",
        "Þ": "Th",
        "ð": "d",
        "Ð": "D",
        "ł": "l",
        "Ł": "L",
        "đ": "d",
        "Đ": "D",
        "ı": "i",
    }
)


def strip_marks(name: str) -> str:
    """The name as written without diacritics ("Kónya" → "Konya", "Bjørn" → "Bjorn")."""
    return "".join(
        ch
        for ch in unicodedata.normalize("NFKD", name.translate(_PLAIN))
        if not unicodedata.combining(ch)
    )


def latin(name: str) -> bool:
    return all(
        ch.isalpha() and (ch.isascii() or "\u00c0" <= ch <= "\u024f") or ch in "-'" for ch in name
    )


def names_of(provider, attrs) -> set[str]:
    found = set()
    for attr in attrs:
        value = getattr(provider, attr, None)
        if isinstance(value, dict):
            value = list(value)
        for name in value or ():
            for part in romanise(str(name)).split():
                if len(part) >= 3 and latin(part):
                    found.update({part, strip_marks(part)})
    return found


def merge(path: str, new: set[str]) -> int:
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    have = {ln.strip().lower() for ln in lines if ln.strip() and not ln.startswith("#")}
    added = sorted(n for n in new if n.lower() not in have)
    with open(path, "a", encoding="utf-8") as f:
        f.writelines(n + "\n" for n in added)
    return len(added)


def main() -> None:
    first, last = set(), set()
    for loc in LOCALES:
        try:
            provider = importlib.import_module(f"faker.providers.person.{loc}").Provider
        except ImportError:
            continue
        first |= names_of(provider, ("first_names", "first_names_male", "first_names_female"))
        last |= names_of(provider, ("last_names", "last_names_male", "last_names_female"))
    print("first names added:", merge(os.path.join(DATA, "first_names.txt"), first))
    print("surnames added:", merge(os.path.join(DATA, "surnames.txt"), last))


if __name__ == "__main__":
    main()
