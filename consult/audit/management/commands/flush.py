"""Django's `flush`, able to empty the append-only audit tables.

PostgreSQL flushes with TRUNCATE, which the audit tables' statement trigger refuses (even under
session_replication_role = replica: it is ENABLE ALWAYS). The table owner lifts that guard inside
the flush's own transaction, so no other session ever sees it off. SQLite flushes with DELETE,
which the append-only triggers refuse, so there they are dropped and reinstalled in the same
transaction. Test suites flush between transactional tests.
"""

from django.core.management.commands import flush
from django.db import connections, transaction

from consult.audit import triggers


class Command(flush.Command):
    def handle(self, **options):
        connection = connections[options["database"]]
        if connection.vendor == "postgresql":
            with (
                transaction.atomic(using=options["database"]),
                triggers.truncate_guards_lifted(connection),
            ):
                return super().handle(**options)
        if connection.vendor != "sqlite":
            return super().handle(**options)
        with transaction.atomic(using=options["database"]):
            triggers.drop(connection)
            super().handle(**options)
            triggers.install(connection)
