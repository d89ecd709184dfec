"""deploy: `manage.py create_db_roles` makes the owner and runtime roles and the database, then
`manage.py migrate` runs as the owner and leaves the runtime role only what it needs. Against
the test server, with uniquely named roles and database, dropped afterwards."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

ROOT = Path(__file__).resolve().parent.parent.parent

pytestmark = pytest.mark.postgres


def server_url(user, database):
    db = settings.DATABASES["default"]
    return f"postgres://{user}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{database}"


@pytest.fixture
def fresh_names():
    """(admin URL, owner URL, runtime URL); the database and both roles are dropped at the end."""
    name = f"consult_t{uuid.uuid4().hex[:10]}"
    admin = server_url(settings.DATABASES["default"]["USER"], "postgres")
    yield admin, server_url(f"{name}_owner", name), server_url(name, name)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [name]
        )
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'DROP ROLE IF EXISTS "{name}"')
        conn.execute(f'DROP ROLE IF EXISTS "{name}_owner"')


def manage_env(env):
    keep = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DATABASE_OWNER_URL")}
    return {**keep, "CONN_MAX_AGE": "0", "EMBEDDED_SCHEDULER": "0", **env}


def manage(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env=manage_env(env),
    )


def one(url, sql, params=()):
    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute(sql, params).fetchone()


def test_it_creates_both_roles_and_migrate_leaves_the_runtime_role_least_privilege(
    fresh_names, tmp_path
):
    admin, owner_url, runtime_url = fresh_names
    database = runtime = owner_url.rsplit("/", 1)[1]
    owner = f"{database}_owner"
    call_command("create_db_roles", admin_url=admin, owner_url=owner_url, runtime_url=runtime_url)
    on_db = admin.rsplit("/", 1)[0] + "/" + database
    assert one(
        on_db, "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = %s", [database]
    ) == (owner,)
    assert one(
        on_db,
        "SELECT bool_or(rolsuper OR rolcreaterole OR rolcreatedb) FROM pg_roles "
        "WHERE rolname IN (%s, %s)",
        [owner, runtime],
    ) == (False,)

    migrated = manage(
        "migrate", "--noinput", env={"DATABASE_URL": runtime_url, "DATABASE_OWNER_URL": owner_url}
    )
    assert migrated.returncode == 0, migrated.stderr + migrated.stdout
    assert f"Granted the runtime role {runtime}" in migrated.stdout
    assert (
        one(
            on_db,
            "SELECT count(*) FILTER (WHERE tableowner <> %s), count(*) FROM pg_tables "
            "WHERE schemaname = 'public'",
            [owner],
        )[0]
        == 0
    )
    rights = {
        table: one(
            on_db,
            "SELECT has_table_privilege(%s, %s, 'SELECT'), has_table_privilege(%s, %s, 'INSERT'), "
            "has_table_privilege(%s, %s, 'UPDATE'), has_table_privilege(%s, %s, 'DELETE'), "
            "has_table_privilege(%s, %s, 'TRUNCATE')",
            [runtime, table] * 5,
        )
        for table in (
            "audit_auditevent",
            "audit_auditcheckpoint",
            "cases_message",
            "audit_audithead",
        )
    }
    assert rights == {
        "audit_auditevent": (True, True, False, False, False),
        "audit_auditcheckpoint": (True, True, False, False, False),
        "cases_message": (True, True, True, True, False),
        "audit_audithead": (True, True, True, True, False),
    }
    # Tables a later migration creates are granted as they appear (default privileges).
    assert one(
        on_db, "SELECT count(*) FROM pg_default_acl WHERE pg_get_userbyid(defaclrole) = %s", [owner]
    ) == (2,)

    as_runtime = {"DATABASE_URL": runtime_url}
    checked = manage("check", "--database", "default", env=as_runtime)
    # No role warning (consult.W003, autovacuum off, is the server's and may be present here).
    assert checked.returncode == 0 and "audit.W" not in checked.stderr + checked.stdout, (
        checked.stderr + checked.stdout
    )
    seeded = manage("seed_demo", env=as_runtime)  # the application writes as the runtime role
    assert seeded.returncode == 0, seeded.stderr + seeded.stdout
    verified = manage("audit_verify", env=as_runtime)
    assert verified.returncode == 0 and verified.stdout.startswith("OK"), (
        verified.stderr + verified.stdout
    )
    with (
        psycopg.connect(runtime_url, autocommit=True) as conn,
        pytest.raises(psycopg.errors.InsufficientPrivilege),
    ):
        conn.execute("DELETE FROM audit_auditevent")
    # The nightly backup needs no owner: the runtime role reads every table.
    backed_up = subprocess.run(
        [str(ROOT / "deploy" / "backup"), "--dir", str(tmp_path), "--keep", "1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**manage_env(as_runtime), "PYTHON": sys.executable},
    )
    assert backed_up.returncode == 0, backed_up.stderr + backed_up.stdout
    assert len(list(tmp_path.glob("consult-*.dump"))) == 1

    # Run again (after an upgrade, say): still idempotent, and the owner check holds as the owner.
    call_command("create_db_roles", admin_url=admin, owner_url=owner_url, runtime_url=runtime_url)
    as_owner = manage("check", "--database", "default", env={"DATABASE_URL": owner_url})
    assert "audit.W001" in as_owner.stderr + as_owner.stdout


def test_it_refuses_one_role_for_both(fresh_names):
    admin, owner_url, _ = fresh_names
    with pytest.raises(CommandError, match="two different roles"):
        call_command("create_db_roles", admin_url=admin, owner_url=owner_url, runtime_url=owner_url)


@pytest.mark.nginx
def test_run_cluster_migrates_as_the_owner_and_runs_as_the_runtime_role(fresh_names, tmp_path):
    from deploy.run_cluster import Cluster

    admin, owner_url, runtime_url = fresh_names
    database = runtime = owner_url.rsplit("/", 1)[1]
    cluster = Cluster(
        workdir=tmp_path / "cluster",
        env={
            "DATABASE_URL": runtime_url,
            "DATABASE_OWNER_URL": owner_url,
            "DATABASE_ADMIN_URL": admin,
            "CONN_MAX_AGE": "0",
        },
    )
    cluster.prepare()  # roles, migrate as the owner, the demo data as the runtime role
    on_db = admin.rsplit("/", 1)[0] + "/" + database
    assert one(
        on_db, "SELECT array_agg(DISTINCT tableowner) FROM pg_tables WHERE schemaname = 'public'"
    ) == ([f"{database}_owner"],)
    assert one(on_db, "SELECT count(*) > 0 FROM cases_case") == (True,)
    assert cluster.runtime_env["DATABASE_URL"] == runtime_url
    assert (
        "DATABASE_OWNER_URL" not in cluster.runtime_env
        and "DATABASE_ADMIN_URL" not in cluster.runtime_env
    )
    assert runtime not in one(on_db, "SELECT array_agg(DISTINCT tableowner) FROM pg_tables")[0]
