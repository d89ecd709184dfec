"""Reading a writer's confirmations from a JSON request, as the room reads them from a frame."""

import orjson

from consult.core.errors import ValidationFailed
from consult.realtime.protocol import parse_confirmations


def posted_confirmations(raw):
    """{field: (Confirmation, ...)} from `{"field": [{start, end, kind}], ...}` as JSON text."""
    if not raw:
        return {}
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise ValidationFailed("confirmations must be JSON", field="confirmations") from None
    if not isinstance(data, dict) or not all(isinstance(items, list) for items in data.values()):
        raise ValidationFailed(
            "confirmations must be {field: [{start, end, kind}]}", field="confirmations"
        )
    return {field: parse_confirmations(items) for field, items in data.items()}
