from consult.cases.serializers import user_dict


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
        "follow_up_due": entry.follow_up_due.isoformat() if entry.follow_up_due else None,
        "consult_id": entry.consult_id,
        "session_minutes": entry.session_minutes,
        "created_at": entry.created_at.isoformat(),
        "acknowledged": {"by": user_dict(ack.user), "at": ack.at.isoformat()} if ack else None,
    }
