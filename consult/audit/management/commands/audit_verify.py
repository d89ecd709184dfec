from django.core.management.base import BaseCommand, CommandError

from consult.audit.heads import read_exported_checkpoints
from consult.audit.kinds import case_stream
from consult.audit.trail import verify_trail


class Command(BaseCommand):
    help = (
        "Check every audit chain and signed checkpoint; exits non-zero naming the first broken "
        "event."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--case", metavar="CODE", help="verify only this case's trail, e.g. C-7KQ2M"
        )
        parser.add_argument(
            "--checkpoints",
            metavar="FILE",
            help="also require the checkpoints exported to FILE before a backup "
            "(`audit_checkpoint --export`): after a restore, catches a doctored dump",
        )

    def handle(self, **options):
        stream = case_stream(options["case"]) if options["case"] else None
        exported = None
        if options["checkpoints"]:
            try:
                exported = read_exported_checkpoints(options["checkpoints"])
            except (OSError, ValueError, KeyError, TypeError) as error:
                raise CommandError(f"cannot read the exported checkpoints: {error}") from error
        reports = verify_trail(stream, exported)
        if stream is not None and not reports:
            raise CommandError(f"there is no audit trail for case {options['case']}")
        breaks = [b for report in reports for b in report.breaks]
        for broken in breaks:
            self.stdout.write(f"BROKEN {broken}")
        events = sum(r.events for r in reports)
        checkpoints = sum(r.checkpoints for r in reports)
        summary = f"{len(reports)} streams, {events} events, {checkpoints} checkpoints"
        if exported is not None:
            summary += f", {sum(map(len, exported.values()))} exported checkpoints"
        if breaks:
            raise CommandError(f"audit trail broken ({summary}); first: {breaks[0]}")
        self.stdout.write(f"OK: {summary}: every chain and checkpoint verifies")
