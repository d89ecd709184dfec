"""A GIN index for message search on PostgreSQL (consult/cases/search.py); nothing on SQLite,
where search matches words with LIKE. The expression is the one SearchVector("body",
config="english") compiles to, so the planner can use the index."""
from django.db import migrations

INDEX = "cases_message_body_fts"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON cases_message "
            "USING gin (to_tsvector('english'::regconfig, COALESCE(body, '')))"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
