"""Changes to cases and their rooms: one function per action, one transaction each.

Every function: authorise (row lock where order matters) → de-identification guard →
model write → audit event → publish after commit.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from consult.accounts.models import Team
from consult.audit.chain import content_hash
from consult.audit.false_alarms import false_alarms_audit
from consult.audit.kinds import Action
from consult.audit.services import audit_append
from consult.cases import activity, store
from consult.cases.access import Need, case_for, is_team_member
from consult.cases.models import Case, Message, ReadPosition, RiskLevel, Status
from consult.cases.rendering import render_markdown
from consult.core.errors import AccessDenied, IdentifierFound, TooLarge, ValidationFailed
from consult.deid.guard import guard_fields, guard_rendered, guard_text
from consult.events import frames
from consult.realtime.broadcast import case_group, publish_on_commit
from consult.realtime.workers import retrying_transient


@dataclass(frozen=True)
class PostResult:  # what message_post did: stored `message`, or found it stored (a retry)
    message: Message
    duplicate: bool


def case_create(
    *, actor, team_id, title, summary="", risk_level=RiskLevel.NONE, confirmations=None
):
    if not is_team_member(actor, team_id):
        raise AccessDenied("you are not a member of that team", field="team")
    title, summary = title.strip(), summary.strip()
    if not title:
        raise ValidationFailed("a case needs a title", field="title")
    texts = {"title": title, "summary": summary}
    accepted = guard_fields(texts, confirmations)
    with transaction.atomic():
        case = Case.objects.create(
            team=Team.objects.get(pk=team_id),
            owner=actor,
            title=title,
            summary=summary,
            risk_level=risk_level,
        )
        audit_append(
            action=Action.CASE_CREATED,
            actor=actor,
            case=case,
            payload={
                "team_id": team_id,
                "owner_id": actor.pk,
                "risk_level": risk_level,
                "title_sha256": content_hash(title),
                "summary_sha256": content_hash(summary),
            },
        )
        false_alarms_audit(
            actor=actor, case=case, record={"case_id": case.pk}, accepted=accepted, texts=texts
        )
    return case


def message_post(
    *, actor, case_code, client_id, body, corrects_seq=None, confirmations=(), session_id=None
):
    """Store a message once per client_id and broadcast it after commit.

    1. The body's size, then the de-identification guard and the markdown renderer: pure and
       the slowest steps, they run before the room's row lock is taken, so a room's posts queue
       only behind each other's database work (post_draft).
    2. store.message_store authorises the poster under the case's row lock (with the role and
       the session `session_id` a socket posts under: consult/accounts/grants.py), stores the
       message and appends `message.posted`; a plain post is one statement on PostgreSQL.
    3. In the same transaction: one event per confirmed false alarm, then `message.new` to the
       room and the team's news, published on commit.
    A retry with a client_id already stored returns the stored message (duplicate=True)
    without a second row, event or broadcast: the sender may not have seen the first ack.
    """
    return _draft_stored(
        post_draft(
            actor=actor,
            case_code=case_code,
            client_id=client_id,
            body=body,
            corrects_seq=corrects_seq,
            confirmations=confirmations,
            session_id=session_id,
        )
    )


def messages_post(requests):
    """message_post for each request (its keyword arguments), in order: its PostResult, or the
    exception it raised (a ConsultError, or the database's).

    The plain posts go to PostgreSQL in one pipelined transaction (store.plain_posts_pipelined):
    each is sent as soon as its guard has run, and PostgreSQL stores it while the next one is
    checked, so a batch waits for the database once rather than once per post. A post that did
    not go that way or that it did not store (a correction, a confirmed false alarm, a retry, a
    refusal, or a batch whose transaction failed) then takes message_post's general path, one
    transaction each, which tells them apart: one post's failure stays its own."""
    results = [None] * len(requests)
    sent, general = [], []
    in_lock_order = sorted(range(len(requests)), key=lambda index: requests[index]["case_code"])
    with store.plain_posts_pipelined() as plain_posts:
        for index in in_lock_order:
            try:
                draft = post_draft(**requests[index])
                plain_post = plain_posts.send(**draft.store_arguments()) if draft.is_plain else None
            except Exception as error:  # noqa: BLE001 - a ConsultError, or one post's bug: its own
                results[index] = error
                continue
            if plain_post is None:
                general.append((index, draft))
            else:
                sent.append((index, draft, plain_post))
    for index, draft, plain_post in sent:
        if plain_post.message is None:
            general.append((index, draft))
            continue
        try:
            _posted(draft, plain_post.message)
            results[index] = PostResult(plain_post.message, duplicate=False)
        except Exception as error:  # noqa: BLE001 - as message_post: the resend is acked a duplicate
            results[index] = error
    for index, draft in general:
        try:
            results[index] = retrying_transient(_draft_stored)(draft)
        except Exception as error:  # noqa: BLE001 - one post's failure is that socket's, not the batch's
            results[index] = error
    return results


@dataclass(frozen=True)
class PostDraft:
    """A post checked as far as it can be without the database (post_draft)."""

    actor: object
    case_code: str
    client_id: str
    body: str
    body_html: str | None
    corrects_seq: int | None
    accepted: tuple  # the confirmed false alarms the guard accepted
    flagged: IdentifierFound | None  # what the guard found, raised only to a permitted poster
    mentions: object
    session_id: int | None

    @property
    def is_plain(self):
        """Stored by store.message_store's one statement: nothing but the text."""
        return self.flagged is None and self.corrects_seq is None and not self.accepted

    def store_arguments(self):
        return {
            "author": self.actor,
            "case_code": self.case_code,
            "client_id": self.client_id,
            "body": self.body,
            "body_html": self.body_html,
            "audit_payload": {
                "body_sha256": content_hash(self.body),
                "corrects_seq": self.corrects_seq,
            },
            "session_id": self.session_id,
        }


def post_draft(
    *, actor, case_code, client_id, body, corrects_seq=None, confirmations=(), session_id=None
):
    """A PostDraft: the body's size, the de-identification guard and the renderer."""
    if len(body.encode()) > settings.MESSAGE_MAX_BYTES:
        raise TooLarge(f"body is over {settings.MESSAGE_MAX_BYTES} bytes", field="body")
    if not body.strip():
        raise ValidationFailed("body is empty", field="body")
    if "\x00" in body:  # PostgreSQL cannot store it in text (the socket refuses it earlier)
        raise ValidationFailed("body holds a NUL character", field="body")
    mentions = activity.mentions_in(actor=actor, case_code=case_code, body=body)
    accepted, flagged = _guarded(body, confirmations, mentions.spans)
    body_html = render_markdown(body) if flagged is None else None
    # Markup can join for the reader what the scan saw apart (`J**oh**n`): its visible text is
    # scanned too, about one more scan's CPU (~0.3-0.5 ms for a 100-character markdown line on
    # the dev machine). Plain lines render as themselves and skip it.
    if body_html is not None and body_html != f"<p>{body}</p>":
        flagged = _rendered_flagged(body_html, body, [*accepted, *mentions.spans])
    return PostDraft(
        actor=actor,
        case_code=case_code,
        client_id=client_id,
        body=body,
        body_html=body_html,
        corrects_seq=corrects_seq,
        accepted=tuple(accepted),
        flagged=flagged,
        mentions=mentions,
        session_id=session_id,
    )


def _draft_stored(draft):
    with store.message_store(
        **draft.store_arguments(),
        corrects_seq=draft.corrects_seq,
        confirmations=draft.accepted,
        refusal=draft.flagged,
    ) as stored:
        if stored.duplicate:
            return PostResult(stored.message, duplicate=True)
        _posted(draft, stored.message)
    return PostResult(stored.message, duplicate=False)


def _posted(draft, message):
    """What follows a stored post, in its transaction: false-alarm events, then the frames."""
    false_alarms_audit(
        actor=draft.actor,
        case=message.case,
        record={"message_id": message.pk},
        accepted={"body": list(draft.accepted)},
        texts={"body": draft.body},
    )
    publish_on_commit(case_group(message.case_id), frames.message_new(message), seq=message.seq)
    _publish_team_news(message, draft.case_code, message.case.team_id, draft.mentions)


def _publish_team_news(message, case_code, team_id, mentions):
    # One frame to the team's group, whoever is in it (case list counts),
    # and one per person mentioned.
    activity.publish_activity(message, code=case_code, team_id=team_id)
    activity.publish_mentions(message, mentions, code=case_code)


def _guarded(body, confirmations, allowed):
    try:
        return guard_text(body, field="body", confirmations=confirmations, allowed=allowed), None
    except IdentifierFound as flagged:
        return (), flagged


def _rendered_flagged(body_html, body, accepted):
    try:
        guard_rendered(body_html, source=body, field="body", confirmations=accepted)
    except IdentifierFound as flagged:
        return flagged
    return None


def read_position_mark(*, actor, case_code, seq, session_id=None):
    """Record that every message up to `seq` was shown to the actor; positions only move forward."""
    case = case_for(actor, case_code, session_id=session_id)
    seq = min(seq, case.last_seq)
    with transaction.atomic():
        position, _ = ReadPosition.objects.get_or_create(case=case, user=actor)
        advanced = ReadPosition.objects.filter(pk=position.pk, seq__lt=seq).update(seq=seq)
        if advanced:
            publish_on_commit(case_group(case.pk), frames.read_updated(user_id=actor.pk, seq=seq))
            activity.publish_read(
                case, actor, seq
            )  # the reader's other tabs: the case list's count falls
    return seq


def case_update(*, actor, case_code, title=None, summary=None, reason, confirmations=None):
    """Change a case's title and/or summary; the trail keeps hashes of before, after and why."""
    with transaction.atomic():
        # Who may, before what the text says.
        case = case_for(actor, case_code, need=Need.EDITOR, lock=True)
        changes = {
            name: value.strip()
            for name, value in (("title", title), ("summary", summary))
            if value is not None
        }
        if changes.get("title") == "":
            raise ValidationFailed("a case needs a title", field="title")
        if len(changes.get("title", "")) > Case._meta.get_field("title").max_length:
            raise ValidationFailed("the title is too long", field="title")
        reason = _reason_given(reason)
        texts = {**changes, "reason": reason}
        accepted = guard_fields(texts, confirmations)
        changed = {name: value for name, value in changes.items() if getattr(case, name) != value}
        if not changed:
            raise ValidationFailed("nothing to change", field="title")
        hashes = {
            name: {"from": content_hash(getattr(case, name)), "to": content_hash(value)}
            for name, value in changed.items()
        }
        for name, value in changed.items():
            setattr(case, name, value)
        case.save(update_fields=[*changed, "updated_at"])
        audit_append(
            action=Action.CASE_EDITED,
            actor=actor,
            case=case,
            payload={"changes": hashes, "reason_sha256": content_hash(reason)},
        )
        false_alarms_audit(
            actor=actor, case=case, record={"case_id": case.pk}, accepted=accepted, texts=texts
        )
    return case


def case_set_status(
    *, actor, case_code, status, reason, confirmations=None, audit_confirmations=True
):
    with transaction.atomic():
        # Who may, before what the text says.
        case = case_for(actor, case_code, need=Need.EDITOR, lock=True)
        if status not in Status.values:
            raise ValidationFailed(
                f"status must be one of {', '.join(Status.values)}", field="status"
            )
        reason = _reason_given(reason)
        accepted = guard_fields({"reason": reason}, confirmations)
        if case.status == status:
            raise ValidationFailed(f"the case is already {status}", field="status")
        previous, case.status = case.status, status
        case.save(update_fields=["status", "updated_at"])
        audit_append(
            action=Action.CASE_STATUS_CHANGED,
            actor=actor,
            case=case,
            payload={"from": previous, "to": status, "reason_sha256": content_hash(reason)},
        )
        if audit_confirmations:  # case_edit's text change already recorded them
            false_alarms_audit(
                actor=actor,
                case=case,
                record={"case_id": case.pk},
                accepted=accepted,
                texts={"reason": reason},
            )
    return case


def case_edit(*, actor, case_code, title, summary, status, reason, confirmations=None):
    """The edit form: text and status change together or not at all."""
    with transaction.atomic():
        case = case_for(actor, case_code, need=Need.EDITOR, lock=True)
        text_changed = (title.strip(), summary.strip()) != (case.title, case.summary)
        if not text_changed and status == case.status:
            raise ValidationFailed("nothing to change", field="title")
        if text_changed:
            case = case_update(
                actor=actor,
                case_code=case_code,
                title=title,
                summary=summary,
                reason=reason,
                confirmations=confirmations,
            )
        if status != case.status:
            case = case_set_status(
                actor=actor,
                case_code=case_code,
                status=status,
                reason=reason,
                confirmations=confirmations,
                audit_confirmations=not text_changed,
            )
    return case


def _reason_given(reason):
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("say why the case is changed", field="reason")
    return reason


def case_view(*, actor, case_code, page="room", case=None):
    """Open one of a case's pages for a member: reads are audited too."""
    case = case or case_for(actor, case_code)
    with transaction.atomic():
        audit_append(action=Action.CASE_VIEWED, actor=actor, case=case, payload={"page": page})
    return case
