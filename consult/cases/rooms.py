"""Being in a case room: joining, reading history, presence. Reads are audited too."""
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from consult.accounts.models import User
from consult.audit.services import audit_append
from consult.cases.access import case_for_member
from consult.cases.models import Message, Presence, ReadPosition
from consult.cases.serializers import MESSAGE_ROW, case_dict, message_row_dict, user_dict
from consult.realtime.broadcast import case_group, publish_on_commit

RECENT_HISTORY = 50


def case_history(case, *, after_seq=None, limit=None):
    """Frames' dicts of the messages after `after_seq` in order, or of the most recent ones
    when it is None; and whether more follow."""
    limit = limit or settings.HISTORY_PAGE_SIZE
    messages = Message.objects.filter(case=case).values_list(*MESSAGE_ROW)
    if after_seq is None:
        page = list(messages.order_by("-seq")[:RECENT_HISTORY])[::-1]
        return [message_row_dict(*row) for row in page], False
    page = list(messages.filter(seq__gt=after_seq).order_by("seq")[: limit + 1])
    return [message_row_dict(*row) for row in page[:limit]], len(page) > limit


def room_join(*, actor, case_code, channel_name, after_seq=None):
    """Admit a member's socket to the room and return the `room.joined` frame."""
    case = case_for_member(actor, case_code)
    history, has_more = case_history(case, after_seq=after_seq)
    with transaction.atomic():
        Presence.objects.update_or_create(
            channel_name=channel_name, defaults={"case": case, "user": actor, "seen_at": timezone.now()}
        )
        audit_append(action="room.joined", actor=actor, case=case, payload=_read_range(after_seq, history))
        presence = present_users(case)
        publish_on_commit(case_group(case.pk), {"type": "presence", "users": presence})
    return case, {
        "type": "room.joined",
        "case": case_dict(case),
        "me": user_dict(actor),
        "members": [user_dict(u) for u in User.objects.filter(memberships__team=case.team_id)],
        "last_seq": case.last_seq,
        "messages": history,
        "has_more": has_more,
        "presence": presence,
        "read_positions": read_positions(case),
    }


def room_history(*, actor, case_code, after_seq, limit=None):
    case = case_for_member(actor, case_code)
    history, has_more = case_history(case, after_seq=after_seq, limit=limit)
    if history:
        with transaction.atomic():
            audit_append(action="history.read", actor=actor, case=case, payload=_read_range(after_seq, history))
    return {
        "type": "history",
        "after_seq": after_seq,
        "messages": history,
        "has_more": has_more,
    }


def _read_range(after_seq, history):
    return {
        "after_seq": after_seq,
        "first_seq": history[0]["seq"] if history else None,
        "last_seq": history[-1]["seq"] if history else None,
        "count": len(history),
    }


def room_leave(*, channel_name):
    presence = Presence.objects.filter(channel_name=channel_name).select_related("case").first()
    if presence is None:
        return
    with transaction.atomic():
        presence.delete()
        publish_on_commit(case_group(presence.case_id), {"type": "presence", "users": present_users(presence.case)})


def presence_refresh(*, channel_name):
    Presence.objects.filter(channel_name=channel_name).update(seen_at=timezone.now())


def present_users(case):
    fresh_since = timezone.now() - timedelta(seconds=settings.PRESENCE_TTL_SECONDS)
    users = User.objects.filter(
        pk__in=Presence.objects.filter(case=case, seen_at__gte=fresh_since).values("user_id")
    ).order_by("username")
    return [user_dict(u) for u in users]


def read_positions(case):
    return {str(p.user_id): p.seq for p in ReadPosition.objects.filter(case=case)}
