"""The frame parser as a table: every client frame a socket may receive, valid or not, and the
typed error each invalid one raises (consult/realtime/protocol.py, review_protocol.py).

Pure: no socket, no database. test_bad_frames.py checks that a socket answers these errors and
stays open; test_frames_property.py generates frames beyond this table.
"""

import pytest

from consult.core.errors import ProtocolError, TooLarge, ValidationFailed
from consult.deid.guard import Confirmation
from consult.realtime.protocol import (
    NOTIFICATION_FRAMES,
    parse_after_seq,
    parse_client_frame,
    parse_confirmations,
)
from consult.realtime.review_protocol import parse_review_frame

MAX_BYTES = 128
CASE_ROOM = parse_client_frame
NOTIFICATIONS = lambda text, max_bytes: parse_client_frame(  # noqa: E731 - a table entry
    text, max_bytes=max_bytes, frames=NOTIFICATION_FRAMES
)
REVIEW_ROOM = parse_review_frame

VALID = [
    # (parser, text, type, fields)
    (CASE_ROOM, '{"type":"message.send","client_id":"c-1_A","body":"hi"}', "message.send",
     {"client_id": "c-1_A", "body": "hi"}),
    (CASE_ROOM, '{"type":"message.send","client_id":"c1","body":"","corrects":0}', "message.send",
     {"client_id": "c1", "body": "", "corrects": 0}),
    (CASE_ROOM, '{"type":"message.send","client_id":"c1","body":"hi","confirmations":[]}',
     "message.send", {"client_id": "c1", "body": "hi", "confirmations": []}),
    (CASE_ROOM, '{"type":"message.send","client_id":"c1","body":"hi","corrects":null}',
     "message.send", {"client_id": "c1", "body": "hi", "corrects": None}),
    (CASE_ROOM, '{"type":"history.fetch","after_seq":0}', "history.fetch", {"after_seq": 0}),
    (CASE_ROOM, '{"type":"history.fetch","after_seq":9223372036854775807,"limit":500}',
     "history.fetch", {"after_seq": 2**63 - 1, "limit": 500}),
    (CASE_ROOM, '{"type":"read.mark","seq":7}', "read.mark", {"seq": 7}),
    (CASE_ROOM, '{"type":"ping"}', "ping", {}),
    (NOTIFICATIONS, '{"type":"page.seen","page_id":3}', "page.seen", {"page_id": 3}),
    (NOTIFICATIONS, '{"type":"ping"}', "ping", {}),
    (REVIEW_ROOM, '{"type":"agenda.goto","position":1}', "agenda.goto", {"position": 1}),
    (REVIEW_ROOM, '{"type":"minutes.save","position":2,"text":"ok"}', "minutes.save",
     {"position": 2, "text": "ok"}),
    (REVIEW_ROOM, '{"type":"review.close"}', "review.close", {}),
]  # fmt: skip

SEND = '{"type":"message.send","client_id":"c1",'
INVALID = [
    # (parser, text, error class, code, message, field, echoed request, echoed client_id)
    (CASE_ROOM, None, ProtocolError, "invalid_json",
     "frames must be JSON text, not binary", None, None, None),
    (CASE_ROOM, "x" * (MAX_BYTES + 1), ProtocolError, "frame_too_large",
     f"frames are limited to {MAX_BYTES} bytes", None, None, None),
    (CASE_ROOM, '{"type":"ping","pad":"' + "é" * 60 + '"}', ProtocolError, "frame_too_large",
     f"frames are limited to {MAX_BYTES} bytes", None, None, None),  # bytes, not characters
    (CASE_ROOM, "not json", ProtocolError, "invalid_json",
     "the frame is not valid JSON", None, None, None),
    (CASE_ROOM, "[1, 2]", ProtocolError, "invalid_json",
     "a frame must be a JSON object", None, None, None),
    (CASE_ROOM, '"ping"', ProtocolError, "invalid_json",
     "a frame must be a JSON object", None, None, None),
    (CASE_ROOM, '{"body":"hi"}', ValidationFailed, "invalid_field",
     "type is missing or not a string", "type", None, None),
    (CASE_ROOM, '{"type":7}', ValidationFailed, "invalid_field",
     "type is missing or not a string", "type", None, None),
    (CASE_ROOM, '{"type":"message.delete","client_id":"c9"}', ProtocolError, "unknown_type",
     "unknown frame type 'message.delete'", "type", "message.delete", "c9"),
    (CASE_ROOM, '{"type":"page.seen","page_id":1}', ProtocolError, "unknown_type",
     "unknown frame type 'page.seen'", "type", "page.seen", None),  # another route's frame
    (CASE_ROOM, '{"type":"message.send","body":"hi"}', ValidationFailed, "invalid_field",
     "client_id is required", "client_id", "message.send", None),
    (CASE_ROOM, SEND + '"body":null}', ValidationFailed, "invalid_field",
     "body is required", "body", "message.send", "c1"),
    (CASE_ROOM, SEND + '"body":42}', ValidationFailed, "invalid_field",
     "body must be a string", "body", "message.send", "c1"),
    (CASE_ROOM, SEND + '"body":"hi","corrects":"1"}', ValidationFailed, "invalid_field",
     "corrects must be an integer", "corrects", "message.send", "c1"),
    (CASE_ROOM, SEND + '"body":"hi","corrects":true}', ValidationFailed, "invalid_field",
     "corrects must be an integer", "corrects", "message.send", "c1"),
    (CASE_ROOM, SEND + '"body":"hi","corrects":1.0}', ValidationFailed, "invalid_field",
     "corrects must be an integer", "corrects", "message.send", "c1"),
    (CASE_ROOM, SEND + '"body":"hi","corrects":-1}', ValidationFailed, "invalid_field",
     "corrects must not be negative", "corrects", "message.send", "c1"),
    (CASE_ROOM, SEND + '"body":"hi","confirmations":{}}', ValidationFailed, "invalid_field",
     "confirmations must be a list", "confirmations", "message.send", "c1"),
    (CASE_ROOM, SEND + '"body":"plan\\u0000 agreed"}', ValidationFailed, "invalid_field",
     "body holds a NUL character", "body", "message.send", "c1"),  # PostgreSQL cannot store it
    (CASE_ROOM, SEND + '"body":"hi","urgent":true}', ValidationFailed, "invalid_field",
     "unknown field 'urgent'", "urgent", "message.send", "c1"),
    (CASE_ROOM, '{"type":"message.send","client_id":"no spaces!","body":"hi"}',
     ValidationFailed, "invalid_field", "client_id must be 1-64 letters, digits, - or _",
     "client_id", "message.send", None),  # a malformed client_id is not echoed
    (CASE_ROOM, '{"type":"message.send","client_id":"","body":"hi"}', ValidationFailed,
     "invalid_field", "client_id must be 1-64 letters, digits, - or _", "client_id",
     "message.send", None),
    (CASE_ROOM, '{"type":"history.fetch","after_seq":-1}', ValidationFailed, "invalid_field",
     "after_seq must not be negative", "after_seq", "history.fetch", None),
    (CASE_ROOM, '{"type":"history.fetch","after_seq":9223372036854775808}', ValidationFailed,
     "invalid_field", "after_seq must be at most 2^63-1", "after_seq", "history.fetch", None),
    (CASE_ROOM, '{"type":"history.fetch","after_seq":0,"limit":0}', ValidationFailed,
     "invalid_field", "limit must be between 1 and 500", "limit", "history.fetch", None),
    (CASE_ROOM, '{"type":"history.fetch","after_seq":0,"limit":501}', ValidationFailed,
     "invalid_field", "limit must be between 1 and 500", "limit", "history.fetch", None),
    (CASE_ROOM, '{"type":"read.mark","seq":true}', ValidationFailed, "invalid_field",
     "seq must be an integer", "seq", "read.mark", None),
    (CASE_ROOM, '{"type":"ping","seq":1}', ValidationFailed, "invalid_field",
     "unknown field 'seq'", "seq", "ping", None),
    (NOTIFICATIONS, '{"type":"page.seen"}', ValidationFailed, "invalid_field",
     "page_id is required", "page_id", "page.seen", None),
    (NOTIFICATIONS, '{"type":"message.send","client_id":"c1","body":"hi"}', ProtocolError,
     "unknown_type", "unknown frame type 'message.send'", "type", "message.send", "c1"),
    (REVIEW_ROOM, '{"type":"agenda.goto","position":0}', ValidationFailed, "invalid_field",
     "position starts at 1", "position", None, None),
    (REVIEW_ROOM, '{"type":"minutes.save","position":1}', ValidationFailed, "invalid_field",
     "text is required", "text", "minutes.save", None),
    (REVIEW_ROOM, '{"type":"minutes.save","position":1,"text":"\\u0000"}', ValidationFailed,
     "invalid_field", "text holds a NUL character", "text", "minutes.save", None),
    (REVIEW_ROOM, '{"type":"review.open"}', ProtocolError, "unknown_type",
     "unknown frame type 'review.open'", "type", "review.open", None),
]  # fmt: skip


@pytest.mark.parametrize(("parse", "text", "frame_type", "fields"), VALID)
def test_it_parses_a_valid_frame(parse, text, frame_type, fields):
    frame = parse(text, max_bytes=MAX_BYTES)
    assert (frame.type, frame.fields) == (frame_type, fields)


@pytest.mark.parametrize(
    ("parse", "text", "error", "code", "message", "field", "echoed_type", "client_id"), INVALID
)
def test_it_refuses_an_invalid_frame_with_its_typed_error(
    parse, text, error, code, message, field, echoed_type, client_id
):
    with pytest.raises(error) as raised:
        parse(text, max_bytes=MAX_BYTES)
    assert type(raised.value) is error
    assert raised.value.as_dict() == {
        "code": code,
        "message": message,
        **({"field": field} if field else {}),
    }
    assert (raised.value.request, raised.value.client_id) == (echoed_type, client_id)


def test_an_unknown_type_is_named_by_its_first_40_characters_only():
    with pytest.raises(ProtocolError) as raised:
        parse_client_frame('{"type":"' + "t" * 100 + '"}', max_bytes=4096)
    assert raised.value.message == f"unknown frame type {'t' * 40!r}"
    assert raised.value.request == "t" * 40


CONFIRMATIONS = [
    (None, ()),
    ([], ()),
    ([{"start": 0, "end": 4, "kind": "NAME"}], (Confirmation(0, 4, "NAME"),)),
]

BAD_CONFIRMATIONS = [
    ([1], ValidationFailed, "confirmations[0] must be {start: int, end: int, kind: str}"),
    ([{"start": 0, "end": 4}], ValidationFailed,
     "confirmations[0] must be {start: int, end: int, kind: str}"),
    ([{"start": 0, "end": 4, "kind": "NAME", "x": 1}], ValidationFailed,
     "confirmations[0] must be {start: int, end: int, kind: str}"),
    ([{"start": 0, "end": 4, "kind": "NAME"}, {"start": True, "end": 4, "kind": "NAME"}],
     ValidationFailed, "confirmations[1] must be {start: int, end: int, kind: str}"),
    ([{"start": -1, "end": 4, "kind": "NAME"}], ValidationFailed,
     "confirmations[0] must be {start: int, end: int, kind: str}"),
    ([{"start": 0, "end": 4, "kind": 5}], ValidationFailed,
     "confirmations[0] must be {start: int, end: int, kind: str}"),
    ([{"start": 0, "end": 1, "kind": "NAME"}] * 51, TooLarge,
     "at most 50 confirmations per message"),
]  # fmt: skip


@pytest.mark.parametrize(("raw", "parsed"), CONFIRMATIONS)
def test_it_parses_confirmations(raw, parsed):
    assert parse_confirmations(raw) == parsed


@pytest.mark.parametrize(("raw", "error", "message"), BAD_CONFIRMATIONS)
def test_it_refuses_malformed_confirmations_with_their_typed_error(raw, error, message):
    with pytest.raises(error) as raised:
        parse_confirmations(raw)
    assert type(raised.value) is error
    assert (raised.value.message, raised.value.field) == (message, "confirmations")


AFTER_SEQ = [
    (b"", None),
    (b"other=1", None),
    (b"after_seq=0", 0),
    (b"after_seq=42", 42),
    (b"after_seq=9223372036854775807", 2**63 - 1),
]

BAD_AFTER_SEQ = [
    (b"after_seq=abc", "after_seq must be a non-negative integer in ASCII digits"),
    (b"after_seq=", "after_seq must be a non-negative integer in ASCII digits"),
    (b"after_seq=-1", "after_seq must be a non-negative integer in ASCII digits"),
    ("after_seq=²".encode(), "after_seq must be a non-negative integer in ASCII digits"),
    (b"after_seq=%EF%BC%91", "after_seq must be a non-negative integer in ASCII digits"),
    (b"after_seq=1&after_seq=2", "after_seq must appear once"),
    (b"after_seq=9223372036854775808", "after_seq must be at most 2^63-1"),
    (b"after_seq=99999999999999999999", "after_seq must be a non-negative integer in ASCII digits"),
]


@pytest.mark.parametrize(("query", "after_seq"), AFTER_SEQ)
def test_it_reads_after_seq_from_the_handshake_query(query, after_seq):
    assert parse_after_seq(query) == after_seq


@pytest.mark.parametrize(("query", "message"), BAD_AFTER_SEQ)
def test_it_refuses_a_malformed_after_seq_with_a_typed_error(query, message):
    with pytest.raises(ValidationFailed) as raised:
        parse_after_seq(query)
    assert type(raised.value) is ValidationFailed
    assert (raised.value.message, raised.value.field) == (message, "after_seq")
