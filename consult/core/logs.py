"""Expected refusals are one log line, not a traceback.

Django logs a view's PermissionDenied with the whole stack ("Forbidden (Permission denied)");
a refusal is the domain doing its job, and a traceback per 403 buried real errors. The line that
stays names the status and the path; anything else still logs its traceback.
"""

import logging

from django.core.exceptions import PermissionDenied
from django.http import Http404

from consult.core.errors import AccessDenied, NotFound

EXPECTED = (PermissionDenied, Http404, AccessDenied, NotFound)


class RefusalsInOneLine(logging.Filter):
    def filter(self, record):
        if record.exc_info and isinstance(record.exc_info[1], EXPECTED):
            record.exc_info = None
            record.exc_text = None
        return True
