"""The embedded SQLite database refuses audit edits too, and `flush`
(used between tests) still works."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def manage(db_path, *args):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db_path}", "REDIS_URL": ""}
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    db_path = tmp_path_factory.mktemp("sqlite") / "consult.sqlite3"
    manage(db_path, "migrate", "--noinput", "-v0")
    manage(db_path, "seed_demo")
    manage(db_path, "audit_checkpoint")
    return db_path


def test_it_refuses_update_and_delete_of_audit_rows_on_sqlite(demo_db):
    with sqlite3.connect(demo_db) as db:
        assert db.execute("SELECT count(*) FROM audit_auditevent").fetchone()[0] > 0
        for sql in (
            "UPDATE audit_auditevent SET action = 'x'",
            "DELETE FROM audit_auditevent",
            "UPDATE audit_auditcheckpoint SET hmac = 'x'",
            "DELETE FROM audit_auditcheckpoint",
        ):
            with pytest.raises(sqlite3.IntegrityError, match="audit rows are append-only"):
                db.execute(sql)
    assert manage(demo_db, "audit_verify").startswith("OK: ")


def test_it_still_flushes_and_keeps_the_triggers(demo_db):
    manage(demo_db, "flush", "--noinput")
    with sqlite3.connect(demo_db) as db:
        assert db.execute("SELECT count(*) FROM audit_auditevent").fetchone()[0] == 0
        triggers = {
            name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        }
    assert {
        "audit_auditevent_append_only_update",
        "audit_auditevent_append_only_delete",
        "audit_auditcheckpoint_append_only_update",
        "audit_auditcheckpoint_append_only_delete",
    } <= triggers
