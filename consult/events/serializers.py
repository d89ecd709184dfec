"""How each entity looks on the wire: one function per entity (docs/protocol.md, Shapes).

Every frame and JSON answer that carries a user, case, message, consult, page, follow-up,
guidance entry or review builds it here, so an entity has one shape everywhere. Duck-typed:
a model instance or a plain row with the same attributes (consult/cases/store.py reads a
room's history as rows, far cheaper than model instances), and no domain app is imported.
"""


def _iso(moment):
    return moment.isoformat() if moment else None


def user_dict(user):
    return {"id": user.pk, "username": user.username, "name": user.display_name}


def _user_or_none(user_id, user):
    return user_dict(user) if user_id else None


def case_dict(case):
    return {
        "code": case.code,
        "title": case.title,
        "status": case.status,
        "risk_level": case.risk_level,
        "team": case.team.name,
        "owner": user_dict(case.owner),
    }


def message_dict(message):
    return {
        "seq": message.seq,
        "client_id": message.client_id,
        "author": user_dict(message.author),
        "html": message.body_html,
        "corrects": message.corrects_seq,
        "created_at": message.created_at.isoformat(),
    }


def consult_url(consult_id):
    return f"/dashboard/#consult-{consult_id}"


def followup_url(followup_id):
    return f"/dashboard/#followup-{followup_id}"


def consult_dict(consult):
    """For the team's own screens (case room, dashboards): holds the question, never leaves
    the app."""
    return {
        "id": consult.pk,
        "kind": consult.kind,
        "state": consult.state,
        "tier": consult.tier,
        "tier_label": consult.tier_label,
        "round": consult.round,
        "case": consult.case.code if consult.case_id else None,
        "team": {"id": consult.team_id, "name": consult.team.name},
        "requester": user_dict(consult.requester),
        "question": consult.question,
        "signs": consult.signs,
        "signs_note": consult.signs_note,
        "created_at": _iso(consult.created_at),
        "escalate_at": _iso(consult.escalate_at),
        "acknowledged_at": _iso(consult.acknowledged_at),
        "acknowledged_by": _user_or_none(consult.acknowledged_by_id, consult.acknowledged_by),
        "resolved_at": _iso(consult.resolved_at),
        "resolved_by": _user_or_none(consult.resolved_by_id, consult.resolved_by),
        "outcome": consult.outcome,
        "updated_at": _iso(consult.updated_at),
        "url": consult_url(consult.pk),
    }


def page_dict(page, consult):
    """May reach a lock screen: ids, case code, urgency and a link, no clinical text."""
    return {
        "id": page.pk,
        "consult_id": consult.pk,
        "case": consult.case.code if consult.case_id else None,
        "urgency": consult.kind,
        "tier": page.tier,
        "tier_label": page.tier_label,
        "sent_at": _iso(page.sent_at),
        "deadline_at": _iso(consult.escalate_at),
        "repeat": page.repeats,
        "seen": page.seen_at is not None,
        "url": consult_url(consult.pk),
    }


def followup_dict(followup):
    return {
        "id": followup.pk,
        "case": followup.case.code,
        "owner": user_dict(followup.owner),
        "due_at": followup.due_at.isoformat(),
        "source": followup.source,
        "source_id": followup.source_id,
        "completed_at": _iso(followup.completed_at),
        "completed_by": _user_or_none(followup.completed_by_id, followup.completed_by),
        "note": followup.note,
    }


def guidance_dict(entry):
    ack = getattr(entry, "acknowledgement", None)
    return {
        "id": entry.pk,
        "case": entry.case.code,
        "number": entry.number,
        "version": entry.version,
        "replaces": entry.replaces_id,
        "author": user_dict(entry.author),
        "assessment": entry.assessment,
        "recommendation": entry.recommendation,
        "actions": entry.actions,
        "follow_up_due": _iso(entry.follow_up_due),
        "consult_id": entry.consult_id,
        "session_minutes": entry.session_minutes,
        "created_at": entry.created_at.isoformat(),
        "acknowledged": {"by": user_dict(ack.user), "at": ack.at.isoformat()} if ack else None,
    }


def review_dict(session):
    return {
        "id": session.pk,
        "team": session.team.name,
        "facilitator": user_dict(session.facilitator),
        "scheduled_at": session.scheduled_at.isoformat(),
        "status": session.status,
        "current_position": session.current_position,
    }


def agenda_item_dict(item):
    return {
        "position": item.position,
        "case": {
            "code": item.case.code,
            "title": item.case.title,
            "risk_level": item.case.risk_level,
        },
        "minutes": item.minutes,
        "minutes_by": _user_or_none(item.minutes_by_id, item.minutes_by),
    }
