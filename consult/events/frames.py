"""Every frame the server sends on a websocket: one builder per type (docs/protocol.md).

A builder returns a `Frame`, and `encode` (which `publish_on_commit` and every socket's
`send_frame` go through) takes nothing else, so no frame reaches a client unless it was built
here; tests/events/test_frames_match_protocol_doc.py holds every builder to the doc, type and
fields, both ways. Builders only shape what they are given (models or rows, through
consult/events/serializers.py): no queries and no checks, since `message.new` is built once per
post on the hot path.
"""

import orjson

from consult.events.serializers import (
    agenda_item_dict,
    case_dict,
    consult_dict,
    followup_dict,
    followup_url,
    guidance_dict,
    message_dict,
    page_dict,
    review_dict,
    user_dict,
)


class Frame(dict):
    """A server → client frame made by a builder below."""

    __slots__ = ()


BUILDERS = {}  # frame type → its builder


def builds(frame_type):
    def register(build):
        BUILDERS[frame_type] = build
        return build

    return register


def encode(frame):
    """The frame's JSON text, once for all its recipients; only a built Frame is accepted."""
    if type(frame) is not Frame:
        # The type's name only: the frame itself may be clinical.
        raise TypeError(f"only consult.events.frames builders make frames, not {type(frame)}")
    return orjson.dumps(frame).decode()


# Every socket ------------------------------------------------------------------------------


@builds("error")
def error(error, *, request=None, client_id=None):
    """A refused frame (consult/core/errors.py): its code, and what it answers when known."""
    frame = Frame(type="error", **error.as_dict())
    if request:
        frame["request"] = request
    if client_id:
        frame["client_id"] = client_id
    return frame


@builds("pong")
def pong():
    return Frame(type="pong")


@builds("degraded")
def degraded():
    return Frame(type="degraded")


@builds("live")
def live():
    return Frame(type="live")


# Case room ---------------------------------------------------------------------------------


@builds("room.joined")
def room_joined(*, case, me, members, last_seq, messages, has_more, presence, read_positions):
    """`members` and `presence` are users, `messages` messages (models or rows);
    `read_positions` maps a user id (as text) to their seq."""
    return Frame(
        type="room.joined",
        case=case_dict(case),
        me=user_dict(me),
        members=[user_dict(user) for user in members],
        last_seq=last_seq,
        messages=[message_dict(message) for message in messages],
        has_more=has_more,
        presence=[user_dict(user) for user in presence],
        read_positions=read_positions,
    )


@builds("message.ack")
def message_ack(message, *, duplicate):
    return Frame(
        type="message.ack", client_id=message.client_id, seq=message.seq, duplicate=duplicate
    )


@builds("message.new")
def message_new(message):
    return Frame(type="message.new", message=message_dict(message))


@builds("message.redacted")
def message_redacted(message):
    return Frame(type="message.redacted", seq=message.seq, html=message.body_html)


@builds("history")
def history(*, after_seq, messages, has_more):
    return Frame(
        type="history",
        after_seq=after_seq,
        messages=[message_dict(message) for message in messages],
        has_more=has_more,
    )


@builds("presence")
def presence(users):
    return Frame(type="presence", users=[user_dict(user) for user in users])


@builds("read.updated")
def read_updated(*, user_id, seq):
    return Frame(type="read.updated", user_id=user_id, seq=seq)


# Consults and follow-ups (case room and /ws/me/) -------------------------------------------


@builds("consult.updated")
def consult_updated(consult):
    return Frame(type="consult.updated", consult=consult_dict(consult))


@builds("consult.unanswered")
def consult_unanswered(consult, *, message, resources):
    return Frame(
        type="consult.unanswered",
        consult_id=consult.pk,
        case=consult.case.code if consult.case_id else None,
        message=message,
        resources=resources,
    )


@builds("followup.scheduled")
def followup_scheduled(followup):
    return Frame(type="followup.scheduled", followup=followup_dict(followup))


@builds("followup.completed")
def followup_completed(followup):
    return Frame(type="followup.completed", followup=followup_dict(followup))


# Personal notifications: /ws/me/ -----------------------------------------------------------


@builds("dashboard.snapshot")
def dashboard_snapshot(*, consults, pages):
    return Frame(
        type="dashboard.snapshot",
        consults=[consult_dict(consult) for consult in consults],
        pages=[page_dict(page, page.consult) for page in pages],
    )


@builds("page")
def page(page, consult):
    return Frame(type="page", page=page_dict(page, consult))


@builds("followup.due")
def followup_due(followup):
    return Frame(
        type="followup.due",
        followup_id=followup.pk,
        case=followup.case.code,
        due_at=followup.due_at.isoformat(),
        url=followup_url(followup.pk),
    )


@builds("case.activity")
def case_activity(message, *, code):
    return Frame(
        type="case.activity",
        case=code,
        seq=message.seq,
        author_id=message.author_id,
        at=message.created_at.isoformat(),
    )


@builds("case.read")
def case_read(*, code, seq, unread):
    return Frame(type="case.read", case=code, seq=seq, unread=unread)


@builds("case.consult")
def case_consult(*, code, active):
    return Frame(type="case.consult", case=code, active=active)


@builds("mention")
def mention(message, *, code, by):
    return Frame(
        type="mention",
        case=code,
        seq=message.seq,
        by=user_dict(by),
        url=f"/cases/{code}/?at={message.seq}",
    )


@builds("emergency_access.granted")
def emergency_access_granted(grant):
    return Frame(
        type="emergency_access.granted",
        grant_id=grant.pk,
        case=grant.case.code,
        grantee=grant.user.display_name,
        expires_at=grant.expires_at.isoformat(),
        url=f"/cases/{grant.case.code}/audit/",
    )


# Case room: clinical records ---------------------------------------------------------------


@builds("guidance.logged")
def guidance_logged(entry):
    return Frame(type="guidance.logged", entry=guidance_dict(entry))


@builds("guidance.amended")
def guidance_amended(entry):
    return Frame(type="guidance.amended", entry=guidance_dict(entry))


@builds("guidance.acknowledged")
def guidance_acknowledged(acknowledgement, *, code):
    return Frame(
        type="guidance.acknowledged",
        case=code,
        entry_id=acknowledgement.entry_id,
        by=user_dict(acknowledgement.user),
        at=acknowledgement.at.isoformat(),
    )


@builds("risk.changed")
def risk_changed(change, *, code, by):
    """`change`: a consult/records/risk/services.py RiskChange (the new assessment, the level
    before)."""
    return Frame(
        type="risk.changed",
        case=code,
        version=change.assessment.version,
        from_level=change.from_level,
        to_level=change.assessment.level,
        signs=change.assessment.signs,
        by=user_dict(by),
        prompts_urgent_consult=change.prompts_urgent_consult,
    )


@builds("safety_plan.saved")
def safety_plan_saved(plan, *, code, by):
    return Frame(type="safety_plan.saved", case=code, version=plan.version, by=user_dict(by))


@builds("review.minutes_recorded")
def review_minutes_recorded(*, code, session_id):
    return Frame(type="review.minutes_recorded", case=code, session_id=session_id)


@builds("record.redacted")
def record_redacted(*, code, record, record_id, field):
    """`record` is the record's key (`plan_version_id`, `entry_id`...); `record_id` its id."""
    return Frame(type="record.redacted", case=code, record=record, id=record_id, field=field)


# Review room -------------------------------------------------------------------------------


@builds("review.state")
def review_state(session, *, agenda, attendees):
    return Frame(
        type="review.state",
        session=review_dict(session),
        agenda=[agenda_item_dict(item) for item in agenda],
        attendees=[user_dict(user) for user in attendees],
    )
