"""The review-room wire protocol: client frame schemas (docs/protocol.md). Pure Python.

Same rules as the case room: JSON objects with a `type`, unknown types and fields refused.
"""

from consult.core.errors import ValidationFailed
from consult.realtime.protocol import Field, parse_client_frame

REVIEW_FRAMES = {
    "agenda.goto": {"position": Field(int)},
    "minutes.save": {
        "position": Field(int),
        "text": Field(str),
        "confirmations": Field(list, required=False),
    },
    "review.close": {},
    "ping": {},
}


def parse_review_frame(text, *, max_bytes):
    frame = parse_client_frame(text, max_bytes=max_bytes, frames=REVIEW_FRAMES)
    if frame.get("position") is not None and frame.get("position") < 1:
        raise ValidationFailed("position starts at 1", field="position")
    return frame
