def user_dict(user):
    return {"id": user.pk, "username": user.username, "name": user.display_name}


def message_dict(message):
    return {
        "seq": message.seq,
        "client_id": message.client_id,
        "author": user_dict(message.author),
        "html": message.body_html,
        "corrects": message.corrects.seq if message.corrects_id else None,
        "created_at": message.created_at.isoformat(),
    }


def case_dict(case):
    return {
        "code": case.code,
        "title": case.title,
        "status": case.status,
        "risk_level": case.risk_level,
        "team": case.team.name,
        "owner": user_dict(case.owner),
    }
