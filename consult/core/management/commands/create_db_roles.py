"""Create the owner and runtime PostgreSQL roles and the database, as an administrator.

    DATABASE_OWNER_URL=postgres://consult_owner:...@db/consult \\
    DATABASE_URL=postgres://consult:...@db/consult \\
    manage.py create_db_roles --admin-url postgres://postgres@db/postgres

Roles, passwords and the database name come from the two URLs; run it again any time (it is
idempotent), then `manage.py migrate` (which connects as the owner). deploy/README.md.
"""

import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from consult.core import dbroles


class Command(BaseCommand):
    help = (
        "Create the database's owner role (migrations) and runtime role (the application), and "
        "their grants."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--admin-url",
            required=True,
            help="a superuser (or CREATEROLE + CREATEDB) connection, e.g. postgres://postgres@db/postgres",
        )
        parser.add_argument("--owner-url", default=None, help="default: DATABASE_OWNER_URL")
        parser.add_argument("--runtime-url", default=None, help="default: DATABASE_URL")

    def handle(self, **options):
        owner_url = options["owner_url"] or settings.DATABASE_OWNER_URL
        runtime_url = options["runtime_url"] or os.environ.get("DATABASE_URL", "")
        if not owner_url or not runtime_url.startswith("postgres"):
            raise CommandError(
                "set DATABASE_OWNER_URL and a PostgreSQL DATABASE_URL (or pass "
                "--owner-url/--runtime-url)"
            )
        try:
            dbroles.create_roles(
                options["admin_url"],
                owner_url=owner_url,
                runtime_url=runtime_url,
                out=self.stdout.write,
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
