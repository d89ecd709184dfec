"""Database triggers that make the audit tables append-only, on PostgreSQL and SQLite.

The models refuse save-over and delete too, but the database is where a row can be edited
without the model: `UPDATE audit_auditevent ...` from a SQL shell is refused here.

On PostgreSQL the triggers are `ENABLE ALWAYS`: they fire under `session_replication_role =
replica` too, which otherwise silences every ordinary trigger. A statement trigger refuses
TRUNCATE, which row triggers never see. Only the tables' owner (the role that migrates, see
deploy/README.md) can disable a trigger; the runtime role has no UPDATE, DELETE or TRUNCATE
privilege on these tables in the first place (consult/core/dbroles.py). `audit_verify` and the
signed checkpoints catch whatever an owner or superuser still does.

Test suites reset the database between transactional tests; `manage.py flush`
(consult/audit/management/commands/flush.py) lifts the TRUNCATE guard inside the flush's own
transaction, so no other session ever sees it off.
"""

from contextlib import contextmanager

APPEND_ONLY_TABLES = ("audit_auditevent", "audit_auditcheckpoint")

POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit rows are append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END;
$$
"""


def trigger_name(table, operation=None):
    return f"{table}_append_only" + (f"_{operation.lower()}" if operation else "")


def truncate_trigger_name(table):
    return f"{table}_no_truncate"


def postgres_install(table):
    rows, truncate = trigger_name(table), truncate_trigger_name(table)
    return [
        f"DROP TRIGGER IF EXISTS {rows} ON {table}",
        f"CREATE TRIGGER {rows} BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()",
        f"ALTER TABLE {table} ENABLE ALWAYS TRIGGER {rows}",
        f"DROP TRIGGER IF EXISTS {truncate} ON {table}",
        f"CREATE TRIGGER {truncate} BEFORE TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()",
        f"ALTER TABLE {table} ENABLE ALWAYS TRIGGER {truncate}",
    ]


def postgres_drop(table):
    return [
        f"DROP TRIGGER IF EXISTS {name} ON {table}"
        for name in (trigger_name(table), truncate_trigger_name(table))
    ]


def sqlite_install(table):
    return [
        f"CREATE TRIGGER IF NOT EXISTS {trigger_name(table, op)} BEFORE {op} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, 'audit rows are append-only: {op} on {table} refused'); END"
        for op in ("UPDATE", "DELETE")
    ]


def sqlite_drop(table):
    return [f"DROP TRIGGER IF EXISTS {trigger_name(table, op)}" for op in ("UPDATE", "DELETE")]


def install_statements(vendor):
    if vendor == "postgresql":
        return [POSTGRES_FUNCTION] + [
            sql for table in APPEND_ONLY_TABLES for sql in postgres_install(table)
        ]
    if vendor == "sqlite":
        return [sql for table in APPEND_ONLY_TABLES for sql in sqlite_install(table)]
    raise NotImplementedError(f"no append-only triggers for {vendor}: use PostgreSQL or SQLite")


def drop_statements(vendor):
    if vendor == "postgresql":
        return [sql for table in APPEND_ONLY_TABLES for sql in postgres_drop(table)]
    return [sql for table in APPEND_ONLY_TABLES for sql in sqlite_drop(table)]


def run(connection, statements):
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def install(connection):
    run(connection, install_statements(connection.vendor))


def drop(connection):
    run(connection, drop_statements(connection.vendor))


def installed_truncate_guards(connection):
    """(table, trigger) of each TRUNCATE guard present (none before the migrations ran)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE NOT t.tgisinternal AND t.tgname = ANY(%s) AND pg_table_is_visible(c.oid)",
            [[truncate_trigger_name(table) for table in APPEND_ONLY_TABLES]],
        )
        return cursor.fetchall()


@contextmanager
def truncate_guards_lifted(connection):
    """The TRUNCATE guards off, then ALWAYS on again. Use inside a transaction: no other session
    ever sees a guard off, and a rollback puts it back too."""
    guards = installed_truncate_guards(connection)
    run(connection, [f"ALTER TABLE {table} DISABLE TRIGGER {name}" for table, name in guards])
    yield
    run(connection, [f"ALTER TABLE {table} ENABLE ALWAYS TRIGGER {name}" for table, name in guards])
