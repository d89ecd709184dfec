"""Every frame the server sends is in docs/protocol.md with exactly the fields its builder puts
in it, and every frame the doc lists has a builder (consult/events/frames.py).

The doc's tables of server frames (header `| type | fields | when |`) and of shapes
(`| shape | fields | notes |`) give each frame's fields in their first code span, in the
notation the doc explains at its top. Each builder is called here on stand-ins for the models
it reads, and what it returns is compared with the doc, nested objects included.
"""

import re
from datetime import UTC, date, datetime
from pathlib import Path
from types import SimpleNamespace as Fake

import pytest

from consult.core.errors import IdentifierFound, RateLimited, Unavailable, ValidationFailed
from consult.deid.scanner import Finding
from consult.events import frames

DOC = (Path(__file__).resolve().parents[2] / "docs" / "protocol.md").read_text()
NOW = datetime(2026, 11, 26, 4, 50, tzinfo=UTC)


# The doc ------------------------------------------------------------------------------------


def doc_tables(first_columns):
    """{first cell's code span: fields cell} of every row of the tables whose header starts so."""
    rows, in_table = {}, False
    for line in DOC.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if not line.startswith("|"):
            in_table = False
        elif cells[: len(first_columns)] == first_columns:
            in_table = True
        elif in_table and not set(cells[0]) <= set("- "):
            names = re.findall(r"`([^`]+)`", cells[0])
            if cells[1].startswith("as in"):
                continue  # `error`, `pong` | as in the case room
            assert len(names) == 1, f"one type per row: {line}"
            assert names[0] not in rows, f"{names[0]} is described twice"
            rows[names[0]] = cells[1]
    return rows


def parse_fields(cell):
    """`a, b?, c: shape, d: {e, f}, g: [h]` → {name: (optional, kind)}; `—` → {}.

    kind: None (a value), ("shape", name), ("object", fields) or ("list", kind)."""
    if cell.startswith("—"):
        return {}
    spec = re.match(r"`([^`]+)`", cell)
    assert spec, f"no fields in {cell!r}"
    tokens = re.findall(r"[A-Za-z_][A-Za-z0-9_]*|[{}\[\]:,?]|\S", spec.group(1))
    fields = _fields(tokens)
    assert not tokens, f"cannot read {spec.group(1)!r} from {''.join(tokens)!r}"
    return fields


def _fields(tokens):
    fields = {}
    while True:
        name = tokens.pop(0)
        assert re.fullmatch(r"[a-z_]+", name), f"not a field name: {name!r}"
        optional = _take(tokens, "?")
        fields[name] = (optional, _kind(tokens) if _take(tokens, ":") else None)
        if not _take(tokens, ","):
            return fields


def _kind(tokens):
    if _take(tokens, "{"):
        fields = _fields(tokens)
        assert _take(tokens, "}")
        return ("object", fields)
    if _take(tokens, "["):
        kind = _kind(tokens)
        assert _take(tokens, "]")
        return ("list", kind)
    return ("shape", tokens.pop(0))


def _take(tokens, token):
    if tokens and tokens[0] == token:
        tokens.pop(0)
        return True
    return False


SHAPES = {name: parse_fields(cell) for name, cell in doc_tables(["shape", "fields"]).items()}
DOC_FRAMES = {
    name: parse_fields(cell) for name, cell in doc_tables(["type", "fields", "when"]).items()
}


def mismatches(fields, value, where):
    """What differs between a frame (or a part of one) and the fields the doc gives it."""
    if not isinstance(value, dict):
        return [f"{where} is {type(value).__name__}, the doc says an object"]
    found = [f"{where}.{name}: not in the doc" for name in value.keys() - fields.keys() - {"type"}]
    for name, (optional, kind) in fields.items():
        if name not in value:
            if not optional:
                found.append(f"{where}.{name}: in the doc, not sent")
        elif kind is not None and value[name] is not None:
            found += _kind_mismatches(kind, value[name], f"{where}.{name}")
    return found


def _kind_mismatches(kind, value, where):
    match kind:
        case ("shape", name):
            assert name in SHAPES, f"{where}: no shape {name!r} in the doc"
            return mismatches(SHAPES[name], value, where)
        case ("object", fields):
            return mismatches(fields, value, where)
        case ("list", item):
            assert value, f"{where}: give the sample one item at least, to check it"
            if not isinstance(value, list):
                return [f"{where} is {type(value).__name__}, the doc says a list"]
            return [m for one in value for m in _kind_mismatches(item, one, f"{where}[]")]


# Stand-ins for what the builders read -------------------------------------------------------

alice = Fake(pk=1, username="alice", display_name="Alice Therapist")
north = Fake(pk=3, name="North")
case = Fake(
    pk=5, code="C-7F3KQ", title="T", status="open", risk_level="high", team=north, owner=alice
)
message = Fake(
    seq=12,
    client_id="k3x9",
    author=alice,
    author_id=1,
    body_html="<p>x</p>",
    corrects_seq=None,
    created_at=NOW,
)
consult = Fake(
    pk=7,
    kind="urgent",
    state="acknowledged",
    tier=1,
    tier_label="Primary",
    round=1,
    case=case,
    case_id=5,
    team=north,
    team_id=3,
    requester=alice,
    question="?",
    signs={"plan": True},
    signs_note="",
    created_at=NOW,
    escalate_at=None,
    acknowledged_at=NOW,
    acknowledged_by=alice,
    acknowledged_by_id=1,
    resolved_at=NOW,
    resolved_by=alice,
    resolved_by_id=1,
    outcome="",
    updated_at=NOW,
)
page = Fake(
    pk=9, consult=consult, tier=1, tier_label="Primary", sent_at=NOW, repeats=0, seen_at=None
)
followup = Fake(
    pk=11,
    case=case,
    owner=alice,
    due_at=NOW,
    source="guidance",
    source_id=2,
    completed_at=NOW,
    completed_by=alice,
    completed_by_id=1,
    note="",
)
entry = Fake(
    pk=13,
    case=case,
    number=1,
    version=1,
    replaces_id=None,
    author=alice,
    assessment="a",
    recommendation="r",
    actions="",
    follow_up_due=date(2026, 12, 1),
    consult_id=None,
    session_minutes=30,
    created_at=NOW,
    acknowledgement=Fake(user=alice, at=NOW),
)
review = Fake(
    pk=17,
    team=north,
    facilitator=alice,
    scheduled_at=NOW,
    status="open",
    current_position=1,
)
agenda_item = Fake(position=1, case=case, minutes="m", minutes_by=alice, minutes_by_id=1)
flagged = IdentifierFound([Finding(0, 4, "NAME")], field="body")

SAMPLES = {
    "error": [
        lambda: frames.error(ValidationFailed("x", field="body"), request="message.send"),
        lambda: frames.error(flagged, request="message.send", client_id="9f1c2e"),
        lambda: frames.error(Unavailable()),
        lambda: frames.error(RateLimited(retry_after=0.1)),
    ],
    "pong": [frames.pong],
    "degraded": [frames.degraded],
    "live": [frames.live],
    "room.joined": [
        lambda: frames.room_joined(
            case=case,
            me=alice,
            members=[alice],
            last_seq=12,
            messages=[message],
            has_more=False,
            presence=[alice],
            read_positions={"1": 12},
        )
    ],
    "message.ack": [lambda: frames.message_ack(message, duplicate=False)],
    "message.new": [lambda: frames.message_new(message)],
    "message.redacted": [lambda: frames.message_redacted(message)],
    "history": [lambda: frames.history(after_seq=0, messages=[message], has_more=False)],
    "presence": [lambda: frames.presence([alice])],
    "read.updated": [lambda: frames.read_updated(user_id=1, seq=12)],
    "consult.updated": [lambda: frames.consult_updated(consult)],
    "consult.unanswered": [
        lambda: frames.consult_unanswered(
            consult, message="m", resources=[{"name": "988", "contact": "call"}]
        )
    ],
    "followup.scheduled": [lambda: frames.followup_scheduled(followup)],
    "followup.completed": [lambda: frames.followup_completed(followup)],
    "dashboard.snapshot": [lambda: frames.dashboard_snapshot(consults=[consult], pages=[page])],
    "page": [lambda: frames.page(page, consult)],
    "followup.due": [lambda: frames.followup_due(followup)],
    "case.activity": [lambda: frames.case_activity(message, code=case.code)],
    "case.read": [lambda: frames.case_read(code=case.code, seq=12, unread=0)],
    "case.consult": [lambda: frames.case_consult(code=case.code, active=True)],
    "mention": [lambda: frames.mention(message, code=case.code, by=alice)],
    "emergency_access.granted": [
        lambda: frames.emergency_access_granted(Fake(pk=19, case=case, user=alice, expires_at=NOW))
    ],
    "guidance.logged": [lambda: frames.guidance_logged(entry)],
    "guidance.amended": [lambda: frames.guidance_amended(entry)],
    "guidance.acknowledged": [
        lambda: frames.guidance_acknowledged(Fake(entry_id=13, user=alice, at=NOW), code=case.code)
    ],
    "risk.changed": [
        lambda: frames.risk_changed(
            Fake(
                assessment=Fake(version=2, level="high", signs=["plan"]),
                from_level="moderate",
                prompts_urgent_consult=True,
            ),
            code=case.code,
            by=alice,
        )
    ],
    "safety_plan.saved": [
        lambda: frames.safety_plan_saved(Fake(version=3), code=case.code, by=alice)
    ],
    "review.minutes_recorded": [
        lambda: frames.review_minutes_recorded(code=case.code, session_id=17)
    ],
    "record.redacted": [
        lambda: frames.record_redacted(
            code=case.code, record="entry_id", record_id=13, field="assessment"
        )
    ],
    "review.state": [lambda: frames.review_state(review, agenda=[agenda_item], attendees=[alice])],
}


# The tests ----------------------------------------------------------------------------------


def test_the_doc_and_the_builders_name_the_same_frames():
    assert sorted(DOC_FRAMES.keys() - frames.BUILDERS.keys()) == [], "in the doc, no builder"
    assert sorted(frames.BUILDERS.keys() - DOC_FRAMES.keys()) == [], "a builder, not in the doc"
    assert SAMPLES.keys() == frames.BUILDERS.keys(), "every builder is sampled here"


@pytest.mark.parametrize("frame_type", sorted(SAMPLES))
def test_a_frame_has_the_fields_the_doc_gives_it(frame_type):
    built = [sample() for sample in SAMPLES[frame_type]]
    fields = DOC_FRAMES[frame_type]
    for frame in built:
        assert type(frame) is frames.Frame
        assert frame["type"] == frame_type
        assert mismatches(fields, frame, frame_type) == []
    sent = set().union(*built) - {"type"}
    assert sorted(fields.keys() - sent) == [], "optional fields the samples never sent"


def test_every_shape_is_used():
    text = " ".join(doc_tables(["type", "fields", "when"]).values()) + " ".join(
        doc_tables(["shape", "fields"]).values()
    )
    used = set(re.findall(r":\s*\[?(\w+)", text))
    assert sorted(SHAPES.keys() - used) == []


def test_only_built_frames_are_encoded():
    assert frames.encode(frames.pong()) == '{"type":"pong"}'
    with pytest.raises(TypeError):
        frames.encode({"type": "pong"})
