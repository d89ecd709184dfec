"""Append-only triggers (consult/audit/triggers.py), and checkpoints for trails written before them."""
from django.conf import settings
from django.db import migrations


def install(apps, schema_editor):
    from consult.audit import triggers

    triggers.install(schema_editor.connection)


def drop(apps, schema_editor):
    from consult.audit import triggers

    triggers.drop(schema_editor.connection)


def sign_existing_trails(apps, schema_editor):
    """Events written before checkpoints existed get one every AUDIT_CHECKPOINT_EVERY, as new ones do."""
    from django.utils import timezone

    from consult.audit import chain

    AuditEvent = apps.get_model("audit", "AuditEvent")
    AuditCheckpoint = apps.get_model("audit", "AuditCheckpoint")
    now = timezone.now()
    every = settings.AUDIT_CHECKPOINT_EVERY
    for stream, seq, hash in AuditEvent.objects.order_by("stream", "seq").values_list("stream", "seq", "hash"):
        if seq % every == 0:
            body = chain.checkpoint_body(stream=stream, seq=seq, hash=hash, signed_at=chain.timestamp(now))
            AuditCheckpoint.objects.create(stream=stream, seq=seq, hash=hash, signed_at=now,
                                           hmac=chain.checkpoint_hmac(settings.AUDIT_HMAC_KEY, body))


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_checkpoints")]

    operations = [
        migrations.RunPython(install, drop),
        migrations.RunPython(sign_existing_trails, migrations.RunPython.noop),
    ]
