from django.core.management.base import BaseCommand

from consult.audit.checkpoints import checkpoint_all_streams


class Command(BaseCommand):
    help = "Sign (HMAC with AUDIT_HMAC_KEY) the head of every audit stream that moved since its last checkpoint."

    def handle(self, **options):
        signed = checkpoint_all_streams()
        self.stdout.write(f"signed {signed} stream heads")
