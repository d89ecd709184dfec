"""What the case list shows about each room, and the frames that keep it live.

Unread counts come from read positions (consult/cases/models.py ReadPosition): the messages after
the member's position that someone else wrote. A post publishes ONE `case.activity` frame to its
team's group (`team.<id>`, through the room hub, in the same Redis pipeline as the room frame):
no per-recipient database work on the hot path; each member's browser counts it. Reading a room
publishes `case.read` with the recomputed count to the reader's own tabs, so it falls everywhere.
@mentions of team members reach the mentioned user's tabs as `mention` frames (no text).
"""

import re
from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from consult.accounts.models import User
from consult.cases.models import Message, ReadPosition
from consult.deid.guard import Confirmation
from consult.events import frames
from consult.realtime.broadcast import publish_on_commit, team_group, user_group

# Django usernames are letters, digits and @ . + - _; a trailing dot is the sentence's,
# not the name's.
MENTION = re.compile(r"(?<![\w@])@([\w.+-]{1,150})")


def with_activity(cases, user):
    """Annotate `unread` (others' messages after the user's read position) and `last_message_at`."""
    read = ReadPosition.objects.filter(case=OuterRef("pk"), user=user).values("seq")[:1]
    cases = cases.annotate(read_seq=Coalesce(Subquery(read), Value(0), output_field=IntegerField()))
    unread = (
        Message.objects.filter(case=OuterRef("pk"), seq__gt=OuterRef("read_seq"))
        .exclude(author=user)
        .order_by()
        .values("case")
        .annotate(n=Count("pk"))
        .values("n")
    )
    last = Message.objects.filter(case=OuterRef("pk")).order_by("-seq").values("created_at")[:1]
    return cases.annotate(
        unread=Coalesce(Subquery(unread), Value(0)), last_message_at=Subquery(last)
    )


def unread_count(case, user, read_seq):
    return Message.objects.filter(case=case, seq__gt=read_seq).exclude(author=user).count()


def publish_activity(message, *, code, team_id):
    publish_on_commit(team_group(team_id), frames.case_activity(message, code=code))


def publish_read(case, user, seq):
    unread = unread_count(case, user, seq)
    publish_on_commit(user_group(user.pk), frames.case_read(code=case.code, seq=seq, unread=unread))


@dataclass(frozen=True)
class Mentions:
    """The @usernames of a message that name members of the case's team: their spans, which the
    de-identification guard lets through (a colleague's username is no client's handle), and
    whom to tell (everyone named but the author)."""

    spans: tuple = ()
    user_ids: tuple = ()
    author: object = None


NO_MENTIONS = Mentions()


def mentions_in(*, actor, case_code, body):
    """Costs one query, and only when the body holds an @name; before the case row is locked."""
    if "@" not in body:
        return NO_MENTIONS
    found = [(m.start(), m.group(1).rstrip(".")) for m in MENTION.finditer(body)]
    names = {name for _, name in found if name}
    members = dict(
        User.objects.filter(
            username__in=names,
            is_active=True,
            memberships__team__cases__code=case_code,
            memberships__team__memberships__user=actor,
        )
        .values_list("username", "pk")
        .distinct()
    )
    if not members:
        return NO_MENTIONS
    spans = tuple(
        Confirmation(start, start + 1 + len(name), "HANDLE")
        for start, name in found
        if name in members
    )
    return Mentions(
        spans=spans, user_ids=tuple(sorted(set(members.values()) - {actor.pk})), author=actor
    )


def publish_mentions(message, mentions, *, code):
    if not mentions.user_ids:
        return
    frame = frames.mention(message, code=code, by=mentions.author)
    for user_id in mentions.user_ids:
        publish_on_commit(user_group(user_id), frame)
