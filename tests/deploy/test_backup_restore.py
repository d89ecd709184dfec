"""deploy/backup and deploy/restore: a backup restores into a fresh database and its audit trail
verifies there, against its own checkpoints and those exported before the dump; a doctored dump
(one audit row edited, or a trail's tail cut off with its checkpoints) is caught."""

import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from consult.audit import triggers
from consult.cases.services import message_post

ROOT = Path(__file__).resolve().parent.parent.parent

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres,
    pytest.mark.skipif(shutil.which("pg_dump") is None, reason="pg_dump is not installed"),
]


def url(name):
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


@pytest.fixture
def databases():
    """new() makes an empty database on the test server; all of them are dropped at the end."""
    made = []

    def new():
        name = f"{connection.settings_dict['NAME']}_r{uuid.uuid4().hex[:8]}"
        with psycopg.connect(url("postgres"), autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        made.append(name)
        return name

    yield new
    with psycopg.connect(url("postgres"), autocommit=True) as admin:
        for name in made:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [name]
            )
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')


def run(argv, database):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DATABASE_OWNER_URL")}
    env.update({"DATABASE_URL": url(database), "PYTHON": sys.executable, "CONN_MAX_AGE": "0"})
    return subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def script(name, *args, database):
    return run([str(ROOT / "deploy" / name), *args], database)


def manage(*args, database):
    return run([sys.executable, "manage.py", *args], database)


def tamper(database, *statements):
    """As the superuser who holds the database's keys: triggers off, edit, triggers back on."""
    guards = [
        (table, name)
        for table in triggers.APPEND_ONLY_TABLES
        for name in (triggers.trigger_name(table), triggers.truncate_trigger_name(table))
    ]
    with psycopg.connect(url(database), autocommit=True) as conn, conn.transaction():
        for table, name in guards:
            conn.execute(f"ALTER TABLE {table} DISABLE TRIGGER {name}")
        for sql, params in statements:
            conn.execute(sql, params)
        for table, name in guards:
            conn.execute(f"ALTER TABLE {table} ENABLE ALWAYS TRIGGER {name}")


def dump(database, path):
    subprocess.run(
        ["pg_dump", "--format=custom", f"--file={path}", url(database)], check=True, timeout=300
    )
    return path


@pytest.fixture
def backup(alice, north_case, tmp_path):
    """A backup of the test database holding a case with a few messages; returns its dump path."""
    for n in range(4):
        message_post(
            actor=alice, case_code=north_case.code, client_id=f"m{n}", body=f"Session note {n}"
        )
    made = script(
        "backup",
        "--dir",
        str(tmp_path / "backups"),
        "--keep",
        "2",
        database=connection.settings_dict["NAME"],
    )
    assert made.returncode == 0, made.stderr + made.stdout
    [dump_path] = sorted((tmp_path / "backups").glob("consult-*.dump"))
    return dump_path


def test_a_backup_restores_into_a_fresh_database_and_verifies(backup, north_case, databases):
    exported = json.loads(
        backup.with_name(backup.name.replace(".dump", ".checkpoints.json")).read_text()
    )
    assert {"stream": f"case:{north_case.code}", "seq": 5} in [
        {"stream": c["stream"], "seq": c["seq"]} for c in exported["checkpoints"]
    ]  # created + 4 messages
    assert "Session note" not in json.dumps(exported)  # ids and hashes only

    fresh = databases()
    restored = script("restore", str(backup), database=fresh)
    assert restored.returncode == 0, restored.stderr + restored.stdout
    assert "OK:" in restored.stdout and "exported checkpoints" in restored.stdout
    with psycopg.connect(url(fresh)) as conn:
        assert conn.execute("SELECT count(*) FROM cases_message").fetchone() == (4,)
        assert conn.execute(
            "SELECT count(*) FROM pg_trigger WHERE tgenabled = 'A' AND tgname LIKE 'audit_%%'"
        ).fetchone() == (4,)


def test_a_dump_with_one_audit_row_edited_is_caught(backup, north_case, databases, tmp_path):
    doctored = databases()
    assert script("restore", str(backup), database=doctored).returncode == 0
    tamper(
        doctored,
        (
            "UPDATE audit_auditevent SET payload = payload || '{\"client_id\": \"x\"}' "
            "WHERE stream = %s AND seq = 3",
            [f"case:{north_case.code}"],
        ),
    )
    doctored_dump = dump(doctored, tmp_path / "doctored.dump")

    fresh = databases()
    restored = script(
        "restore", str(doctored_dump), str(backup.with_suffix(".checkpoints.json")), database=fresh
    )
    assert restored.returncode != 0
    assert f"case:{north_case.code} seq 3" in restored.stdout + restored.stderr
    assert "its hash does not match its content" in restored.stdout


def test_a_dump_with_its_trail_cut_short_passes_alone_but_not_against_the_exported_checkpoints(
    backup, north_case, databases, tmp_path
):
    """Cutting the last events and their checkpoints leaves a chain that agrees with itself; only
    the checkpoints exported before the backup know how far it reached."""
    stream = f"case:{north_case.code}"
    doctored = databases()
    assert script("restore", str(backup), database=doctored).returncode == 0
    tamper(
        doctored,
        ("DELETE FROM audit_auditcheckpoint WHERE stream = %s AND seq > 3", [stream]),
        ("DELETE FROM audit_auditevent WHERE stream = %s AND seq > 3", [stream]),
        (
            "UPDATE audit_audithead h SET seq = 3, hash = e.hash, prev_hash = e.prev_hash FROM "
            "audit_auditevent e WHERE h.stream = %s AND e.stream = h.stream AND e.seq = 3",
            [stream],
        ),
    )
    alone = manage("audit_verify", database=doctored)
    assert alone.returncode == 0, (
        alone.stderr + alone.stdout
    )  # the cut trail is consistent in itself
    doctored_dump = dump(doctored, tmp_path / "cut.dump")

    fresh = databases()
    restored = script(
        "restore", str(doctored_dump), str(backup.with_suffix(".checkpoints.json")), database=fresh
    )
    assert restored.returncode != 0
    assert f"{stream} seq 5" in restored.stdout
    assert "exported before the backup covers an event that is missing" in restored.stdout


def test_backup_keeps_the_newest_dumps_only(alice, north_case, tmp_path):
    directory = tmp_path / "backups"
    directory.mkdir()
    for stamp in ("20250101T000000Z", "20250102T000000Z", "20250103T000000Z"):
        (directory / f"consult-{stamp}.dump").write_bytes(b"old")
        (directory / f"consult-{stamp}.checkpoints.json").write_text("{}")
    made = script(
        "backup", "--dir", str(directory), "--keep", "2", database=connection.settings_dict["NAME"]
    )
    assert made.returncode == 0, made.stderr + made.stdout
    left = sorted(path.name for path in directory.iterdir())
    assert len(left) == 4 and "consult-20250103T000000Z.dump" in left
    assert not any("20250101" in name or "20250102" in name for name in left)
