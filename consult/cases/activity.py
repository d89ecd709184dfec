"""What the case list shows about each room, and the frames that keep it live.

Unread counts come from read positions (consult/cases/models.py ReadPosition): the messages after
the member's position that someone else wrote. A post publishes ONE `case.activity` frame to its
team's group (`team.<id>`, through the room hub, in the same Redis pipeline as the room frame):
no per-recipient database work on the hot path; each member's browser counts it. Reading a room
publishes `case.read` with the recomputed count to the reader's own tabs, so it falls everywhere.
@mentions of team members reach the mentioned user's tabs as `mention` frames (no text).
"""
import re

from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from consult.accounts.models import User
from consult.cases.models import Message, ReadPosition
from consult.cases.serializers import user_dict
from consult.realtime.broadcast import publish_on_commit, team_group, user_group

# Django usernames are letters, digits and @ . + - _; a trailing dot is the sentence's, not the name's.
MENTION = re.compile(r"(?<![\w@])@([\w.+-]{1,150})")


def with_activity(cases, user):
    """Annotate `unread` (others' messages after the user's read position) and `last_message_at`."""
    read = ReadPosition.objects.filter(case=OuterRef("pk"), user=user).values("seq")[:1]
    cases = cases.annotate(read_seq=Coalesce(Subquery(read), Value(0), output_field=IntegerField()))
    unread = (Message.objects.filter(case=OuterRef("pk"), seq__gt=OuterRef("read_seq")).exclude(author=user)
              .order_by().values("case").annotate(n=Count("pk")).values("n"))
    last = Message.objects.filter(case=OuterRef("pk")).order_by("-seq").values("created_at")[:1]
    return cases.annotate(unread=Coalesce(Subquery(unread), Value(0)), last_message_at=Subquery(last))


def unread_count(case, user, read_seq):
    return Message.objects.filter(case=case, seq__gt=read_seq).exclude(author=user).count()


def publish_activity(message, *, code, team_id):
    publish_on_commit(team_group(team_id), {
        "type": "case.activity", "case": code, "seq": message.seq, "author_id": message.author_id,
        "at": message.created_at.isoformat(),
    })


def publish_read(case, user, seq):
    publish_on_commit(user_group(user.pk), {"type": "case.read", "case": case.code, "seq": seq,
                                            "unread": unread_count(case, user, seq)})


def mentioned_usernames(body):
    return {name.rstrip(".") for name in MENTION.findall(body)} - {""}


def publish_mentions(message, *, author, code, team_id, body):
    """Tell each mentioned member of the case's team, but the author; returns their ids.

    Costs a query only when the body holds an @name.
    """
    if "@" not in body:
        return []
    names = mentioned_usernames(body)
    if not names:
        return []
    mentioned = list(User.objects.filter(username__in=names, memberships__team_id=team_id, is_active=True)
                     .exclude(pk=author.pk).values_list("pk", flat=True))
    frame = {"type": "mention", "case": code, "seq": message.seq, "by": user_dict(author),
             "url": f"/cases/{code}/?at={message.seq}"}
    for user_id in mentioned:
        publish_on_commit(user_group(user_id), frame)
    return mentioned
