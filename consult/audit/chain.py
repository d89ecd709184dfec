"""Hash chain arithmetic: pure Python, standard library only.

An event's hash is SHA-256 over the previous event's hash and the event's canonical JSON
(sorted keys, no whitespace, UTF-8). The first event of a stream chains from GENESIS.
A checkpoint signs a stream's head (seq, hash) with HMAC-SHA256 under a key kept outside
the database.
Payloads hold ids and content hashes, never clinical text, so the chain itself cannot leak.
"""

import datetime
import hashlib
import hmac
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


def timestamp(moment):
    """The text form of an event's time that its hash covers: ISO 8601 in UTC."""
    return moment.astimezone(datetime.UTC).isoformat()


def checkpoint_body(*, stream, seq, hash, signed_at):
    return {"stream": stream, "seq": seq, "hash": hash, "signed_at": signed_at}


def checkpoint_hmac(key, body):
    """HMAC-SHA256 over a checkpoint's canonical JSON; only the key holder can make one."""
    return hmac.new(key.encode(), canonical_json(body), hashlib.sha256).hexdigest()


def checkpoint_signature_valid(key, body, signature):
    return hmac.compare_digest(checkpoint_hmac(key, body), signature)


def canonical_json_around_seq(body):
    """An event body's canonical JSON as the text before and after its seq value.

    For a database that assigns the seq and hashes in the same statement:
    before + str(seq) + after == canonical_json(body). Keys sort as action, actor_id,
    created_at, payload, seq, stream, so seq is the last key but one.
    """
    rest = {key: value for key, value in body.items() if key not in ("seq", "stream")}
    assert sorted(body) == sorted(rest) + ["seq", "stream"], "seq must sort last but one"
    before = canonical_json(rest)[:-1] + b',"seq":'
    after = b',"stream":' + canonical_json(body["stream"]) + b"}"
    return before.decode(), after.decode()
