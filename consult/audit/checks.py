"""Database checks (run by `migrate` and by `check --database default`): the runtime role of
DATABASE_URL must not be able to erase the audit trail (consult/core/dbroles.py)."""

from django.core.checks import Tags, Warning, register
from django.db import connections

from consult.audit import sql
from consult.audit.triggers import APPEND_ONLY_TABLES
from consult.core.dbroles import runtime_role

HINT = (
    "Connect the application as a least-privilege runtime role and migrate as the owner "
    "(DATABASE_OWNER_URL): `manage.py create_db_roles`, deploy/README.md."
)


@register(Tags.database, Tags.security)
def check_runtime_role(app_configs=None, databases=None, **kwargs):
    if not databases:
        return []  # needs a connection: only `check --database ...` and `migrate` ask for it
    problems = []
    for alias in databases:
        connection = connections[alias]
        if connection.vendor == "postgresql":
            problems += runtime_role_problems(connection, runtime_role(alias))
    return problems


def runtime_role_problems(connection, role=None):
    """Warnings for `role` (None: the connection's own login role) as the application's role."""
    with connection.cursor() as cursor:
        cursor.execute(sql.ROLE, [role])
        row = cursor.fetchone()
        if row is None:
            return []
        role, superuser = row
        cursor.execute(sql.TABLES_OWNED, [role, list(APPEND_ONLY_TABLES)])
        owned = [name for (name,) in cursor.fetchall()]
        cursor.execute(sql.TABLES_WRITABLE, [list(APPEND_ONLY_TABLES), role])
        writable = [name for (name,) in cursor.fetchall()]
    problems = []
    if superuser:
        problems.append(
            Warning(
                f"the application's database role {role} is a superuser: it can switch off the "
                "audit triggers and erase the trail",
                hint=HINT,
                id="audit.W002",
            )
        )
    if owned:
        problems.append(
            Warning(
                f"the application's database role {role} owns {', '.join(owned)}: it can "
                "disable their append-only triggers",
                hint=HINT,
                id="audit.W001",
            )
        )
    if writable and not superuser and not owned:
        problems.append(
            Warning(
                f"the application's database role {role} may UPDATE, DELETE or TRUNCATE "
                f"{', '.join(writable)}",
                hint="Run `manage.py migrate` as the owner "
                "(DATABASE_OWNER_URL): it grants the runtime role only SELECT and INSERT there.",
                id="audit.W003",
            )
        )
    return problems
