"""The review-room wire protocol: client frame schemas (docs/protocol.md). Pure Python.

Same rules as the case room: JSON objects with a `type`, unknown types and fields refused.
"""
import orjson

from consult.core.errors import ProtocolError, ValidationFailed
from consult.realtime.protocol import ClientFrame, Field, _check_fields

REVIEW_FRAMES = {
    "agenda.goto": {"position": Field(int)},
    "minutes.save": {"position": Field(int), "text": Field(str)},
    "review.close": {},
    "ping": {},
}


def parse_review_frame(text, *, max_bytes):
    if text is None:
        raise ProtocolError("invalid_json", "frames must be JSON text, not binary")
    if len(text.encode()) > max_bytes:
        raise ProtocolError("frame_too_large", f"frames are limited to {max_bytes} bytes")
    try:
        data = orjson.loads(text)
    except orjson.JSONDecodeError:
        raise ProtocolError("invalid_json", "the frame is not valid JSON") from None
    if not isinstance(data, dict):
        raise ProtocolError("invalid_json", "a frame must be a JSON object")
    frame_type = data.pop("type", None)
    if not isinstance(frame_type, str):
        raise ValidationFailed("type is missing or not a string", field="type")
    schema = REVIEW_FRAMES.get(frame_type)
    if schema is None:
        raise ProtocolError("unknown_type", f"unknown frame type {frame_type[:40]!r}", field="type")
    _check_fields(schema, data)
    if data.get("position") is not None and data["position"] < 1:
        raise ValidationFailed("position starts at 1", field="position")
    return ClientFrame(frame_type, data)
