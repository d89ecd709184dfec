from django.core.management.base import BaseCommand

from consult.audit.checkpoints import checkpoint_all_streams
from consult.audit.heads import export_latest_checkpoints


class Command(BaseCommand):
    help = (
        "Sign (HMAC with AUDIT_HMAC_KEY) the head of every audit stream that moved since its last "
        "checkpoint."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--export",
            metavar="FILE",
            help="then write every stream's latest signed checkpoint to FILE (deploy/backup does, "
            "before pg_dump; `audit_verify --checkpoints FILE` checks a restore against it)",
        )

    def handle(self, **options):
        if options["export"]:
            streams = export_latest_checkpoints(options["export"])
            self.stdout.write(
                f"exported the latest checkpoint of {streams} streams to {options['export']}"
            )
            return
        signed = checkpoint_all_streams()
        self.stdout.write(f"signed {signed} stream heads")
