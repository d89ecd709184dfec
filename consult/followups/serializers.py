from consult.cases.serializers import user_dict


def followup_dict(followup):
    return {
        "id": followup.pk,
        "case": followup.case.code,
        "owner": user_dict(followup.owner),
        "due_at": followup.due_at.isoformat(),
        "source": followup.source,
        "source_id": followup.source_id,
        "completed_at": followup.completed_at.isoformat() if followup.completed_at else None,
        "completed_by": user_dict(followup.completed_by) if followup.completed_by_id else None,
        "note": followup.note,
    }
