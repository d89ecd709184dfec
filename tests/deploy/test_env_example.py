"""deploy/env.example lists every environment variable consult/settings.py reads, and no other."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
READS = re.compile(r"""(?:env(?:bool|int|list)|os\.environ\.get)\(\s*["']([A-Z][A-Z0-9_]*)["']""")


def settings_variables():
    names = set(READS.findall((ROOT / "consult" / "settings.py").read_text()))
    return names | {"DATABASE_URL"}  # read by dj_database_url.config()


def example_variables():
    lines = (ROOT / "deploy" / "env.example").read_text().splitlines()
    return {line.split("=", 1)[0].strip() for line in lines if re.match(r"^[A-Z][A-Z0-9_]*=", line)}


def test_it_lists_every_setting_in_env_example():
    assert settings_variables() - example_variables() == set()


def test_it_lists_nothing_settings_does_not_read():
    assert example_variables() - settings_variables() == set()
