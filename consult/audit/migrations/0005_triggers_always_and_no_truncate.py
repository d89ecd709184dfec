"""The append-only triggers fire ALWAYS (also under session_replication_role = replica), and a
statement trigger refuses TRUNCATE of the audit tables (consult/audit/triggers.py)."""
from django.db import migrations


def install(apps, schema_editor):
    from consult.audit import triggers

    triggers.install(schema_editor.connection)


def back_to_origin_only(apps, schema_editor):
    from consult.audit import triggers

    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    triggers.run(connection, [f"DROP TRIGGER IF EXISTS {triggers.truncate_trigger_name(t)} ON {t}"
                              for t in triggers.APPEND_ONLY_TABLES])
    triggers.run(connection, [f"ALTER TABLE {t} ENABLE TRIGGER {triggers.trigger_name(t)}"
                              for t in triggers.APPEND_ONLY_TABLES])


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_head_prev_hash_fewer_indexes")]

    operations = [migrations.RunPython(install, back_to_origin_only)]
