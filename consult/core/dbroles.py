"""The two PostgreSQL roles Consult runs with, and what each may do.

- The **owner** (DATABASE_OWNER_URL) owns the database and every table: it runs `migrate`, and
  only it could disable the audit triggers.
- The **runtime** role (DATABASE_URL) is what the web processes and the scheduler connect as. It
  owns nothing and is no superuser. It may SELECT, INSERT, UPDATE and DELETE on ordinary tables
  and use their sequences, but only SELECT and INSERT on the audit tables: no UPDATE, DELETE or
  TRUNCATE, so the application's own credentials cannot erase or rewrite the trail.

`manage.py create_db_roles` makes both roles and the database (as a PostgreSQL administrator),
sets default privileges so tables the owner creates later are granted to the runtime role, and
`manage.py migrate` (consult/core/management/commands/migrate.py) re-applies the grants after
every migration, taking the audit tables' extra rights away again.
"""

from contextlib import contextmanager
from urllib.parse import urlsplit

import dj_database_url
from django.conf import settings
from django.db import connections
from django.db.utils import load_backend
from psycopg import sql

SCHEMA = "public"
ORDINARY_TABLE_RIGHTS = "SELECT, INSERT, UPDATE, DELETE"
SEQUENCE_RIGHTS = "USAGE, SELECT, UPDATE"
AUDIT_TABLE_RIGHTS = "SELECT, INSERT"

# The tables the runtime role may only read and append to. The app that owns them registers them
# (audit's AppConfig.ready calls append_only), so core names no other app's table.
APPEND_ONLY_TABLES = []


def append_only(*tables):
    APPEND_ONLY_TABLES.extend(table for table in tables if table not in APPEND_ONLY_TABLES)


def runtime_grants(runtime, existing_audit_tables=None):
    """Statements giving `runtime` its rights on the tables and sequences that exist now."""
    role, schema = sql.Identifier(runtime), sql.Identifier(SCHEMA)
    statements = [
        sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(schema, role),
        sql.SQL("GRANT " + ORDINARY_TABLE_RIGHTS + " ON ALL TABLES IN SCHEMA {} TO {}").format(
            schema, role
        ),
        sql.SQL("REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA {} FROM {}").format(
            schema, role
        ),
        sql.SQL("GRANT " + SEQUENCE_RIGHTS + " ON ALL SEQUENCES IN SCHEMA {} TO {}").format(
            schema, role
        ),
    ]
    for table in APPEND_ONLY_TABLES if existing_audit_tables is None else existing_audit_tables:
        table = sql.Identifier(SCHEMA, table)
        statements += [
            sql.SQL("REVOKE ALL ON {} FROM PUBLIC, {}").format(table, role),
            sql.SQL("GRANT " + AUDIT_TABLE_RIGHTS + " ON {} TO {}").format(table, role),
        ]
    return statements


def default_privileges(owner, runtime):
    """Tables and sequences `owner` creates from now on are granted to `runtime` as they appear."""
    owner, role, schema = sql.Identifier(owner), sql.Identifier(runtime), sql.Identifier(SCHEMA)
    return [
        sql.SQL(
            "ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA {} GRANT "
            + ORDINARY_TABLE_RIGHTS
            + " ON TABLES TO {}"
        ).format(owner, schema, role),
        sql.SQL(
            "ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA {} GRANT "
            + SEQUENCE_RIGHTS
            + " ON SEQUENCES TO {}"
        ).format(owner, schema, role),
    ]


def existing_audit_tables(cursor):
    cursor.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = %s AND tablename = ANY(%s)",
        [SCHEMA, list(APPEND_ONLY_TABLES)],
    )
    return sorted(name for (name,) in cursor.fetchall())


def grant_runtime(connection, runtime):
    """Apply the runtime role's grants through a Django connection (as the owner, or an admin)."""
    with connection.cursor() as cursor:
        statements = runtime_grants(runtime, existing_audit_tables(cursor))
        for statement in statements:
            cursor.execute(statement.as_string(connection.connection))


def runtime_role(alias="default"):
    """The role DATABASE_URL connects as (None: libpq's default, the operating system user)."""
    return settings.DATABASES[alias].get("USER") or None


@contextmanager
def connected_as_owner(owner_url, alias="default"):
    """connections[alias] is the owner of `owner_url` until the block ends (for `migrate`).

    The owner URL gives the role, its password, host and port (TLS parameters from its query);
    the database stays the connection's own, so a test database is never swapped for the real one.
    """
    runtime = connections[alias]
    parsed = dj_database_url.parse(owner_url)
    settings_dict = {
        **runtime.settings_dict,
        **{key: parsed[key] for key in ("USER", "PASSWORD", "HOST", "PORT")},
    }
    settings_dict["OPTIONS"] = {
        **runtime.settings_dict.get("OPTIONS", {}),
        **parsed.get("OPTIONS", {}),
    }
    # The application's statement timeout is for requests; a migration may rewrite a big table.
    settings_dict["OPTIONS"]["options"] = "-c statement_timeout=0"
    owner = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, alias)
    runtime.close()
    connections[alias] = owner
    try:
        yield owner
    finally:
        owner.close()
        connections[alias] = runtime


def role_settings(url):
    """(role, password, database name) from a database URL."""
    parsed = dj_database_url.parse(url)
    return parsed["USER"], parsed.get("PASSWORD") or None, parsed["NAME"]


def _with_database(url, database):
    return urlsplit(url)._replace(path="/" + database).geturl()


def create_roles(admin_url, *, owner_url, runtime_url, out=print):
    """Create (or bring into line) the owner and runtime roles and the database,
    as an administrator.

    Idempotent: existing roles keep their passwords unless the URLs carry one, and lose any
    SUPERUSER, CREATEROLE or CREATEDB they were given. Safe to run again after `migrate`.
    """
    import psycopg

    owner, owner_password, database = role_settings(owner_url)
    runtime, runtime_password, runtime_database = role_settings(runtime_url)
    if database != runtime_database:
        raise ValueError(
            f"the owner URL names database {database}, the runtime URL {runtime_database}"
        )
    if owner == runtime:
        raise ValueError("the owner and the runtime role must be two different roles")
    with psycopg.connect(admin_url, autocommit=True) as admin:
        for role, password in ((owner, owner_password), (runtime, runtime_password)):
            exists = admin.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role]).fetchone()
            verb = "ALTER" if exists else "CREATE"
            statement = sql.SQL(
                verb + " ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION "
                "NOBYPASSRLS"
            ).format(sql.Identifier(role))
            if password:
                statement += sql.SQL(" PASSWORD {}").format(sql.Literal(password))
            admin.execute(statement)
            out(f"role {role}: {'updated' if exists else 'created'}")
        if (
            admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone()
            is None
        ):
            admin.execute(
                sql.SQL("CREATE DATABASE {} OWNER {}").format(
                    sql.Identifier(database), sql.Identifier(owner)
                )
            )
            out(f"database {database}: created, owned by {owner}")
        admin.execute(
            sql.SQL("REVOKE ALL ON DATABASE {} FROM PUBLIC").format(sql.Identifier(database))
        )
        admin.execute(
            sql.SQL("GRANT CONNECT, TEMPORARY ON DATABASE {} TO {}").format(
                sql.Identifier(database), sql.Identifier(runtime)
            )
        )
    with psycopg.connect(_with_database(admin_url, database), autocommit=True) as admin:
        admin.execute(
            sql.SQL("REVOKE CREATE ON SCHEMA {} FROM PUBLIC").format(sql.Identifier(SCHEMA))
        )
        for statement in default_privileges(owner, runtime):
            admin.execute(statement)
        with admin.cursor() as cursor:
            for statement in runtime_grants(runtime, existing_audit_tables(cursor)):
                cursor.execute(statement)
    out(
        f"grants: {runtime} may read and write ordinary tables, only SELECT and INSERT the audit "
        f"tables"
    )
    return owner, runtime, database
