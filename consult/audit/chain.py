"""Hash chain arithmetic: pure Python, standard library only.

An event's hash is SHA-256 over the previous event's hash and the event's canonical JSON
(sorted keys, no whitespace, UTF-8). The first event of a stream chains from GENESIS.
Payloads hold ids and content hashes, never clinical text, so the chain itself cannot leak.
"""
import hashlib
import json

GENESIS = "0" * 64


def canonical_json(data):
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def event_body(*, stream, seq, created_at, actor_id, action, payload):
    return {
        "stream": stream,
        "seq": seq,
        "created_at": created_at,
        "actor_id": actor_id,
        "action": action,
        "payload": payload,
    }


def event_hash(prev_hash, body):
    return hashlib.sha256(prev_hash.encode() + canonical_json(body)).hexdigest()


def content_hash(text):
    """A stable fingerprint of clinical text for the trail, without the text."""
    return hashlib.sha256(text.encode()).hexdigest()
