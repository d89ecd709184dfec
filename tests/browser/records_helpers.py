"""Ending a records browser test cleanly."""

import time

from consult.cases.models import Presence


def leave_rooms(*pages, timeout=5):
    """Close the pages' browsers and wait until the servers have processed every room leave.

    Otherwise a server may still be inside a leave transaction when the test database is
    truncated, and PostgreSQL resolves that as a deadlock.
    """
    for page in pages:
        page.context.close()
    deadline = time.monotonic() + timeout
    while Presence.objects.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
