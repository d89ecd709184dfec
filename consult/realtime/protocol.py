"""The case-room wire protocol: client frame schemas, parsing and close codes (docs/protocol.md).

Pure Python: parsing never touches the database, so a bad frame costs nothing and is
answered with a typed error naming exactly what was wrong.
"""

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl

import orjson

from consult.core.errors import ProtocolError, TooLarge, ValidationFailed
from consult.deid.guard import Confirmation
from consult.events import frames

WS_CLOSE_SIGNED_OUT = (
    4001  # the session ended (sign-out, expiry, revoked, password changed): sign in again
)
WS_CLOSE_ACCESS_LOST = 4403  # access taken away (membership, deactivation, role change) or refused
WS_CLOSE_SESSION_ENDED = WS_CLOSE_SIGNED_OUT
WS_CLOSE_FORBIDDEN = WS_CLOSE_ACCESS_LOST
WS_CLOSE_BAD_REQUEST = (
    4400  # the handshake's query was malformed (an `error` frame says which field)
)
WS_CLOSE_RATE_LIMITED = 4429  # the client kept sending past its rate limit
WS_CLOSE_TRY_AGAIN = 4503  # the handshake could not reach the database: reconnect with backoff
WS_CLOSE_MESSAGE_TOO_BIG = 1009  # sent by Daphne for a frame over WS_MAX_MESSAGE_BYTES

# Every integer the protocol takes (query and frames) is one non-negative integer that fits a
# PostgreSQL bigint; a query value is ASCII digits only (str.isdigit() also accepts "²" and "１").
MAX_INT = 2**63 - 1
ASCII_DIGITS = re.compile(r"[0-9]{1,19}")

# Redis (live delivery) is away / back: the socket stays open either way; on LIVE the client
# reconnects, and its fresh handshake sends what it missed (docs/protocol.md).
DEGRADED = frames.encode(frames.degraded())
LIVE = frames.encode(frames.live())

CLIENT_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
MAX_CONFIRMATIONS = 50


@dataclass(frozen=True)
class Field:
    kind: type
    required: bool = True


# Frame type → its fields. Unknown fields are refused, so a typo is an error, not a silent no-op.
CLIENT_FRAMES = {
    "message.send": {
        "client_id": Field(str),
        "body": Field(str),
        "corrects": Field(int, required=False),
        "confirmations": Field(list, required=False),
    },
    "history.fetch": {"after_seq": Field(int), "limit": Field(int, required=False)},
    "read.mark": {"seq": Field(int)},
    "ping": {},
}

# The personal notification socket (/ws/me/): pages, consult states, follow-up reminders.
NOTIFICATION_FRAMES = {
    "page.seen": {"page_id": Field(int)},
    "ping": {},
}


@dataclass(frozen=True)
class ClientFrame:
    type: str
    fields: dict

    def get(self, name, default=None):
        return self.fields.get(name, default)


def bounded_int(value, field):
    """A frame's integer field: a JSON integer (not a bool, float or string) in 0..2^63-1."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValidationFailed(f"{field} must be an integer", field=field)
    if value < 0:
        raise ValidationFailed(f"{field} must not be negative", field=field)
    if value > MAX_INT:
        raise ValidationFailed(f"{field} must be at most 2^63-1", field=field)
    return value


def query_int(query_string, field):
    """The one occurrence of `field` in a handshake's query string as an integer,
    None when absent."""
    pairs = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True)
    values = [value for name, value in pairs if name == field]
    if not values:
        return None
    if len(values) > 1:
        raise ValidationFailed(f"{field} must appear once", field=field)
    if not ASCII_DIGITS.fullmatch(values[0]):
        raise ValidationFailed(
            f"{field} must be a non-negative integer in ASCII digits", field=field
        )
    return bounded_int(int(values[0]), field)


def parse_client_frame(text, *, max_bytes, frames=None):
    """Decode and validate one client frame, or raise ProtocolError/ValidationFailed.

    An error raised once the frame is a JSON object carries its `request` (type) and `client_id`
    when it had them, so the client can match the refusal to what it sent."""
    data = _decoded(text, max_bytes=max_bytes)
    try:
        return _validated(data, frames or CLIENT_FRAMES)
    except (ProtocolError, ValidationFailed) as error:
        error.request, error.client_id = frame_context(data)
        raise


def peek(text, *, max_bytes=4096):
    """A small frame decoded for its type and client_id only (a refused frame is not validated)."""
    if text is None or len(text) > max_bytes:
        return None
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return None


def frame_context(data):
    """(type, client_id) a refused frame named, each only when well-formed enough to echo back."""
    if not isinstance(data, dict):
        return None, None
    frame_type, client_id = data.get("type"), data.get("client_id")
    frame_type = frame_type[:40] if isinstance(frame_type, str) and frame_type else None
    client_id = client_id if isinstance(client_id, str) and CLIENT_ID.match(client_id) else None
    return frame_type, client_id


def _decoded(text, *, max_bytes):
    if text is None:
        raise ProtocolError("invalid_json", "frames must be JSON text, not binary")
    if len(text) > max_bytes or len(text.encode()) > max_bytes:
        raise ProtocolError("frame_too_large", f"frames are limited to {max_bytes} bytes")
    try:
        data = orjson.loads(text)
    except orjson.JSONDecodeError:
        raise ProtocolError("invalid_json", "the frame is not valid JSON") from None
    if not isinstance(data, dict):
        raise ProtocolError("invalid_json", "a frame must be a JSON object")
    return data


def _validated(data, frames):
    fields = dict(data)
    frame_type = fields.pop("type", None)
    if not isinstance(frame_type, str):
        raise ValidationFailed("type is missing or not a string", field="type")
    schema = frames.get(frame_type)
    if schema is None:
        raise ProtocolError("unknown_type", f"unknown frame type {frame_type[:40]!r}", field="type")
    _check_fields(schema, fields)
    frame = ClientFrame(frame_type, fields)
    _check_values(frame)
    return frame


def _check_fields(schema, data):
    for name in data:
        if name not in schema:
            raise ValidationFailed(f"unknown field {name[:40]!r}", field=name[:40])
    for name, spec in schema.items():
        value = data.get(name)
        if value is None:
            if spec.required:
                raise ValidationFailed(f"{name} is required", field=name)
            continue
        if spec.kind is int:
            bounded_int(value, name)
        elif not isinstance(value, spec.kind):
            raise ValidationFailed(f"{name} must be {_type_name(spec.kind)}", field=name)
        elif spec.kind is str and "\x00" in value:  # PostgreSQL cannot store it in text
            raise ValidationFailed(f"{name} holds a NUL character", field=name)


def _type_name(kind):
    return {str: "a string", int: "an integer", list: "a list"}[kind]


def _check_values(frame):
    if frame.get("limit") is not None and not 1 <= frame.get("limit") <= 500:
        raise ValidationFailed("limit must be between 1 and 500", field="limit")
    if frame.type == "message.send":
        if not CLIENT_ID.match(frame.get("client_id")):
            raise ValidationFailed(
                "client_id must be 1-64 letters, digits, - or _", field="client_id"
            )


def parse_confirmations(raw):
    """[{start, end, kind}] → Confirmations, or ValidationFailed naming the bad entry."""
    if raw is None:
        return ()
    if len(raw) > MAX_CONFIRMATIONS:
        raise TooLarge(
            f"at most {MAX_CONFIRMATIONS} confirmations per message", field="confirmations"
        )
    confirmations = []
    for index, item in enumerate(raw):
        if not (
            isinstance(item, dict)
            and set(item) == {"start", "end", "kind"}
            and all(
                isinstance(item[k], int)
                and not isinstance(item[k], bool)
                and 0 <= item[k] <= MAX_INT
                for k in ("start", "end")
            )
            and isinstance(item["kind"], str)
        ):
            raise ValidationFailed(
                f"confirmations[{index}] must be {{start: int, end: int, kind: str}}",
                field="confirmations",
            )
        confirmations.append(Confirmation(item["start"], item["end"], item["kind"]))
    return tuple(confirmations)


def parse_after_seq(query_string):
    """The `after_seq` a reconnecting client puts in its socket URL, or None for recent history."""
    return query_int(query_string, "after_seq")


def posted_confirmations(raw):
    """A writer's confirmations from a JSON request, as the room reads them from a frame:
    {field: (Confirmation, ...)} from `{"field": [{start, end, kind}], ...}` as JSON text."""
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
