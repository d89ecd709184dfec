#!/usr/bin/env python3
"""Verify an exported Consult audit trail offline, with the Python standard library only.

    python3 tools/verify_audit_export.py audit-C-XXXXX.jsonl
    AUDIT_HMAC_KEY=... python3 tools/verify_audit_export.py --check-signatures audit-C-XXXXX.jsonl

Exit status: 0 the trail is intact, 1 it is broken (the first broken line is named), 2 the file
cannot be read as an export at all.

This file is deliberately independent of Consult's code, so it can travel with an export and
be read on its own. The rules (docs/audit.md):
  * every line is canonical JSON: keys sorted, no whitespace, UTF-8;
  * line 1 is the header {"type": "header", "format", "stream", "events", "checkpoints"};
  * event lines carry seq 1, 2, 3... with no gap; each prev_hash is the hash of the event before
    (64 zeros for the first); hash = sha256(prev_hash + canonical JSON of
    {stream, seq, created_at, actor_id, action, payload});
  * checkpoint lines {stream, seq, hash, signed_at, hmac} must name an event's exact hash; with
    the key, hmac must equal HMAC-SHA256(key, canonical JSON of {stream, seq, hash, signed_at}).
Without the key the checkpoints still pin the chain to hashes recorded when they were signed,
but only the key holder can tell a real signature from a forged one.
"""

import argparse
import hashlib
import hmac
import json
import os
import sys

FORMAT = "consult-audit-jsonl/1"
GENESIS = "0" * 64
BODY_FIELDS = ("stream", "seq", "created_at", "actor_id", "action", "payload")
LINE_FIELDS = {
    "header": {"type", "format", "stream", "events", "checkpoints"},
    "event": {"type", *BODY_FIELDS, "prev_hash", "hash"},
    "checkpoint": {"type", "stream", "seq", "hash", "signed_at", "hmac"},
}


class Broken(Exception):
    def __init__(self, line_no, reason):
        super().__init__(f"line {line_no}: {reason}")


def canonical_json(data):
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def event_hash(event):
    body = {name: event[name] for name in BODY_FIELDS}
    return hashlib.sha256(event["prev_hash"].encode() + canonical_json(body)).hexdigest()


def checkpoint_hmac(key, checkpoint):
    body = {name: checkpoint[name] for name in ("stream", "seq", "hash", "signed_at")}
    return hmac.new(key.encode(), canonical_json(body), hashlib.sha256).hexdigest()


def read_lines(raw):
    """Parse every line, insisting it is byte for byte the canonical form of what it says."""
    if not raw.endswith(b"\n"):
        raise Broken(
            raw.count(b"\n") + 1, "the file does not end with a newline: it was cut or edited"
        )
    lines = []
    for line_no, text in enumerate(raw[:-1].split(b"\n"), start=1):
        try:
            line = json.loads(text)
        except ValueError:
            raise Broken(line_no, "not valid JSON") from None
        if not isinstance(line, dict) or set(line) != LINE_FIELDS.get(line.get("type"), set()):
            raise Broken(line_no, "not a header, event or checkpoint line with exactly its fields")
        if canonical_json(line) != text:
            raise Broken(line_no, "not in canonical form: the line was edited")
        lines.append((line_no, line))
    return lines


def verify(raw, key=None):
    """Return a one-line summary of an intact export; raise Broken naming the first fault."""
    lines = read_lines(raw)
    if not lines or lines[0][1]["type"] != "header" or lines[0][1]["format"] != FORMAT:
        raise Broken(1, f"the first line must be a {FORMAT} header")
    header = lines[0][1]
    events = [(n, line) for n, line in lines[1:] if line["type"] == "event"]
    checkpoints = [(n, line) for n, line in lines[1:] if line["type"] == "checkpoint"]
    if [line["type"] for _, line in lines[1:]] != ["event"] * len(events) + ["checkpoint"] * len(
        checkpoints
    ):
        raise Broken(1, "events must come before checkpoints, after one header")
    if (header["events"], header["checkpoints"]) != (len(events), len(checkpoints)):
        raise Broken(1, "the header's counts do not match the lines: lines were added or removed")
    hashes = verify_chain(header["stream"], events)
    verify_checkpoints(header["stream"], checkpoints, hashes, key)
    signatures = "signatures valid" if key is not None else "signatures not checked (no key)"
    return (
        f"OK: {header['stream']}: {len(events)} events form an unbroken chain; "
        f"{len(checkpoints)} checkpoints match it, {signatures}"
    )


def verify_chain(stream, events):
    hashes = {0: GENESIS}
    for expected_seq, (line_no, event) in enumerate(events, start=1):
        if event["stream"] != stream:
            raise Broken(line_no, f"event of stream {event['stream']} in an export of {stream}")
        if event["seq"] != expected_seq:
            raise Broken(
                line_no, f"seq {event['seq']} where seq {expected_seq} belongs: a gap or a repeat"
            )
        if event["prev_hash"] != hashes[expected_seq - 1]:
            raise Broken(
                line_no, f"seq {expected_seq}: prev_hash does not link to the event before"
            )
        if event_hash(event) != event["hash"]:
            raise Broken(
                line_no,
                f"seq {expected_seq}: the hash does not match the content: the event was changed",
            )
        hashes[expected_seq] = event["hash"]
    return hashes


def verify_checkpoints(stream, checkpoints, hashes, key):
    for line_no, checkpoint in checkpoints:
        seq = checkpoint["seq"]
        if checkpoint["stream"] != stream or hashes.get(seq) != checkpoint["hash"] or seq == 0:
            raise Broken(
                line_no, f"the checkpoint at seq {seq} does not match the chain: it was rewritten"
            )
        if key is not None and not hmac.compare_digest(
            checkpoint_hmac(key, checkpoint), checkpoint["hmac"]
        ):
            raise Broken(
                line_no, f"the checkpoint at seq {seq} has an invalid signature under this key"
            )


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Verify an exported Consult audit trail (JSON Lines)."
    )
    parser.add_argument("export", help="the .jsonl file downloaded from a case's audit page")
    parser.add_argument(
        "--check-signatures",
        action="store_true",
        help="also check checkpoint signatures with the key in $AUDIT_HMAC_KEY",
    )
    args = parser.parse_args(argv)
    key = None
    if args.check_signatures:
        key = os.environ.get("AUDIT_HMAC_KEY")
        if not key:
            print(
                "--check-signatures needs the key in the AUDIT_HMAC_KEY environment variable",
                file=sys.stderr,
            )
            return 2
    try:
        with open(args.export, "rb") as export:
            print(verify(export.read(), key))
    except OSError as error:
        print(f"cannot read {args.export}: {error}", file=sys.stderr)
        return 2
    except Broken as error:
        print(f"BROKEN: {error}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
