from consult.accounts.models import User


def user_dict(user):
    return {"id": user.pk, "username": user.username, "name": user.display_name}


def user_row_dict(pk, username, first_name, last_name):
    """user_dict of a user read as a row (id, username, first_name, last_name)."""
    return {"id": pk, "username": username, "name": User.name_from(first_name, last_name, username)}


def message_dict(message):
    return {
        "seq": message.seq,
        "client_id": message.client_id,
        "author": user_dict(message.author),
        "html": message.body_html,
        "corrects": message.corrects.seq if message.corrects_id else None,
        "created_at": message.created_at.isoformat(),
    }


def message_row_dict(
    seq, client_id, author_id, username, first_name, last_name, html, corrects_seq, created_at
):
    """message_dict of a message read as a row (consult/cases/store.py): the same frame without
    model instances, which were most of a room join's CPU (50 messages, authors, corrections)."""
    return {
        "seq": seq,
        "client_id": client_id,
        "author": user_row_dict(author_id, username, first_name, last_name),
        "html": html,
        "corrects": corrects_seq,
        "created_at": created_at.isoformat(),
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
