"""Django's `migrate`, run as the tables' owner when DATABASE_OWNER_URL is set.

The web processes and the scheduler connect as the runtime role of DATABASE_URL, which may not
create or alter tables (consult/core/dbroles.py). Migrations connect as the owner instead, and
afterwards the runtime role's grants are applied again: new tables get its ordinary rights, the
audit tables only SELECT and INSERT.
"""

from django.conf import settings
from django.core.management.commands import migrate
from django.db import DEFAULT_DB_ALIAS, connections

from consult.core import dbroles


class Command(migrate.Command):
    def handle(self, *args, **options):
        owner_url = settings.DATABASE_OWNER_URL
        if (
            not owner_url
            or options["database"] != DEFAULT_DB_ALIAS
            or connections[DEFAULT_DB_ALIAS].vendor != "postgresql"
        ):
            return super().handle(*args, **options)
        runtime = dbroles.runtime_role(DEFAULT_DB_ALIAS)
        with dbroles.connected_as_owner(owner_url, DEFAULT_DB_ALIAS) as owner:
            super().handle(*args, **options)
            if runtime and runtime != owner.settings_dict["USER"]:
                dbroles.grant_runtime(owner, runtime)
                if options["verbosity"] >= 1:
                    self.stdout.write(
                        f"Granted the runtime role {runtime} its rights (audit tables: SELECT, "
                        f"INSERT)"
                    )
