"""Reading form and request values that every app parses the same way."""

from datetime import datetime

from django.utils import timezone

from consult.core.errors import ValidationFailed


def posted_moment(value, field):
    """A datetime-local input ("2025-01-01T09:30") in the server's zone,
    or an ISO time with offset."""
    try:
        moment = datetime.fromisoformat(value or "")
    except ValueError:
        raise ValidationFailed(f"{field} must be a date and time", field=field) from None
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment
