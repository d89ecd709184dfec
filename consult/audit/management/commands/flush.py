"""Django's `flush`, able to empty the append-only audit tables on SQLite too.

PostgreSQL flushes with TRUNCATE, which row triggers do not see. SQLite flushes with DELETE,
which the append-only triggers refuse, so there the triggers are dropped and reinstalled in
the same transaction as the flush (test suites flush between transactional tests).
"""
from django.core.management.commands import flush
from django.db import connections, transaction

from consult.audit import triggers


class Command(flush.Command):
    def handle(self, **options):
        connection = connections[options["database"]]
        if connection.vendor != "sqlite":
            return super().handle(**options)
        with transaction.atomic(using=options["database"]):
            triggers.drop(connection)
            super().handle(**options)
            triggers.install(connection)
