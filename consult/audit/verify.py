"""Checking chains and checkpoints: pure Python over plain dicts, no ORM.

The `audit_verify` command, the export and the audit page feed it rows from the database;
tools/verify_audit_export.py is an independent, standard-library-only reading of the same rules.

An event dict has: id, stream, seq, created_at (the hashed text), actor_id, action, payload,
prev_hash, hash, and optionally case_code. A checkpoint dict has: stream, seq, hash, signed_at
(the signed text), hmac.
"""

from dataclasses import dataclass, field

from consult.audit import chain
from consult.audit.kinds import case_stream


@dataclass(frozen=True)
class Break:
    stream: str
    seq: int
    event_id: int | None
    reason: str

    def __str__(self):
        who = f"event id {self.event_id}" if self.event_id is not None else "no event"
        return f"{self.stream} seq {self.seq} ({who}): {self.reason}"


@dataclass
class StreamReport:
    stream: str
    events: int = 0
    checkpoints: int = 0
    breaks: list = field(default_factory=list)

    @property
    def intact(self):
        return not self.breaks


def verify_stream(
    stream, events, checkpoints, *, key=None, checkpoint_every=None, head=None, exported=()
):
    """Walk one stream's events in seq order, then hold its checkpoints against them.

    `checkpoints` is a list; `key` None skips signatures (offline without the key);
    `checkpoint_every` set also requires a checkpoint at least that often; `exported` are
    checkpoints kept outside the database (exported before a backup): the chain must reach them.
    """
    report = StreamReport(stream)
    hashes, ids = {}, {}
    for event in events:
        _check_event(report, event, hashes)
        ids[event["seq"]] = event.get("id")
    last_seq = report.events
    if head is not None and (head["seq"], head["hash"]) != (
        last_seq,
        hashes.get(last_seq, chain.GENESIS),
    ):
        report.breaks.append(
            Break(
                stream,
                head["seq"],
                None,
                f"the head says seq {head['seq']} but the chain "
                f"ends at seq {last_seq}, or their hashes differ",
            )
        )
    _check_checkpoints(report, checkpoints, hashes, ids, key)
    _check_exported(report, exported, hashes, ids, key)
    if checkpoint_every:
        _check_coverage(report, [c["seq"] for c in checkpoints], last_seq, checkpoint_every)
    report.breaks.sort(key=lambda b: b.seq)
    return report


def _check_event(report, event, hashes):
    """One link: gapless seq, prev_hash linking to the event before, hash over its content."""
    expected_seq = report.events + 1
    report.events += 1
    stream, seq, event_id = report.stream, event["seq"], event.get("id")
    hashes[seq] = event["hash"]

    def broken(reason):
        report.breaks.append(Break(stream, seq, event_id, reason))

    if seq != expected_seq:
        broken(f"expected seq {expected_seq} here: the chain has a gap or a repeat")
        report.events = seq  # resynchronise so one gap is reported once
    if event["stream"] != stream:
        broken(f"the event says stream {event['stream']}")
    case_code = event.get("case_code")
    if case_code is not None and stream != case_stream(case_code):
        broken(f"the event is attached to case {case_code}, not to this stream")
    if event["prev_hash"] != hashes.get(seq - 1, chain.GENESIS if seq == 1 else None):
        broken("prev_hash does not match the hash of the event before it")
    if chain.event_hash(event["prev_hash"], event_body(event)) != event["hash"]:
        broken("its hash does not match its content: the event was changed after it was written")


def event_body(event):
    return chain.event_body(
        stream=event["stream"],
        seq=event["seq"],
        created_at=event["created_at"],
        actor_id=event["actor_id"],
        action=event["action"],
        payload=event["payload"],
    )


def _check_checkpoints(report, checkpoints, hashes, ids, key):
    for checkpoint in checkpoints:
        report.checkpoints += 1
        seq = checkpoint["seq"]
        if seq not in hashes:
            report.breaks.append(
                Break(
                    report.stream,
                    seq,
                    None,
                    "a signed checkpoint covers an event that is missing from the chain",
                )
            )
        elif hashes[seq] != checkpoint["hash"]:
            report.breaks.append(
                Break(
                    report.stream,
                    seq,
                    ids[seq],
                    "the hash differs from "
                    "the one a signed checkpoint recorded: the chain was rewritten",
                )
            )
        if key is not None and not checkpoint_valid(key, checkpoint):
            report.breaks.append(
                Break(
                    report.stream,
                    seq,
                    None,
                    "a checkpoint's signature is not valid "
                    "under AUDIT_HMAC_KEY: it was forged or altered",
                )
            )


def _check_exported(report, exported, hashes, ids, key):
    for checkpoint in exported:
        seq = checkpoint["seq"]
        if seq not in hashes:
            report.breaks.append(
                Break(
                    report.stream,
                    seq,
                    None,
                    "the checkpoint exported before the backup "
                    "covers an event that is missing: the trail was cut short",
                )
            )
        elif hashes[seq] != checkpoint["hash"]:
            report.breaks.append(
                Break(
                    report.stream,
                    seq,
                    ids[seq],
                    "the hash differs from the checkpoint "
                    "exported before the backup: the chain was rewritten",
                )
            )
        if key is not None and not checkpoint_valid(key, checkpoint):
            report.breaks.append(
                Break(
                    report.stream,
                    seq,
                    None,
                    "the exported checkpoint's signature is not "
                    "valid under AUDIT_HMAC_KEY: the file was forged or altered",
                )
            )


def checkpoint_valid(key, checkpoint):
    body = chain.checkpoint_body(
        stream=checkpoint["stream"],
        seq=checkpoint["seq"],
        hash=checkpoint["hash"],
        signed_at=checkpoint["signed_at"],
    )
    return chain.checkpoint_signature_valid(key, body, checkpoint["hmac"])


def _check_coverage(report, signed_seqs, last_seq, every):
    """Checkpoints come at least every `every` events, so deleting them shows as a hole."""
    previous = 0
    for seq in sorted(signed_seqs) + [last_seq]:
        if seq - previous > every:
            report.breaks.append(
                Break(
                    report.stream,
                    previous + every + 1,
                    None,
                    f"no signed checkpoint in the {seq - previous} events after seq "
                    f"{previous}: checkpoints were deleted",
                )
            )
            return
        previous = max(previous, seq)
