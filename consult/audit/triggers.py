"""Database triggers that make the audit tables append-only, on PostgreSQL and SQLite.

The models refuse save-over and delete too, but the database is where a row can be edited
without the model: `UPDATE audit_auditevent ...` from a SQL shell is refused here. A superuser
can still disable a trigger; `audit_verify` and the signed checkpoints catch what slips past.

TRUNCATE (PostgreSQL) and `manage.py flush` (SQLite) still empty whole tables: they need the
table owner, they are how test suites reset, and they cannot silently change one event.
"""
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


def postgres_install(table):
    return [
        f"DROP TRIGGER IF EXISTS {trigger_name(table)} ON {table}",
        f"CREATE TRIGGER {trigger_name(table)} BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()",
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
        return [POSTGRES_FUNCTION] + [sql for table in APPEND_ONLY_TABLES for sql in postgres_install(table)]
    if vendor == "sqlite":
        return [sql for table in APPEND_ONLY_TABLES for sql in sqlite_install(table)]
    raise NotImplementedError(f"no append-only triggers for {vendor}: use PostgreSQL or SQLite")


def drop_statements(vendor):
    if vendor == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {trigger_name(t)} ON {t}" for t in APPEND_ONLY_TABLES]
    return [sql for table in APPEND_ONLY_TABLES for sql in sqlite_drop(table)]


def run(connection, statements):
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def install(connection):
    run(connection, install_statements(connection.vendor))


def drop(connection):
    run(connection, drop_statements(connection.vendor))
