"""The search tests again on the embedded default's SQLite (a LIKE per word), in a child pytest:
one suite run has one database, and CI's is PostgreSQL, where test_search.py itself runs."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import on_postgres

ROOT = Path(__file__).resolve().parent.parent.parent


def test_search_behaves_the_same_on_sqlite():
    if not on_postgres():
        pytest.skip("this run is on SQLite already: test_search.py ran on it")
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "CI")}
    child = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "tests/cases/test_search.py",
            "-q",
            "-p",
            "no:cacheprovider",
        ],
        cwd=ROOT,
        env={**env, "HTTPS": "0"},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert child.returncode == 0, child.stdout[-3000:]
    # Everything passed there but the two PostgreSQL-only checks (stemming, the index):
    # it was SQLite.
    assert " passed, 2 skipped" in child.stdout, child.stdout[-1000:]
