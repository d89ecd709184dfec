"""``python manage.py deid_scan``: scan JSON lines from stdin for patient identifiers.

Input lines:  {"id": ..., "text": "..."}
Output lines: {"id": ..., "findings": [{"start": int, "end": int, "type": KIND}, ...]}
A malformed line yields an empty findings list and a short note on stderr (never the text).
"""

import sys

from django.core.management.base import BaseCommand

from consult.deid.cli import run


class Command(BaseCommand):
    help = "Read {id, text} JSON lines on stdin; write {id, findings} JSON lines on stdout."

    def handle(self, *args, **options):
        run(sys.stdin, sys.stdout, sys.stderr)
