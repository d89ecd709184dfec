"""The hash arithmetic, pure: a table of bodies, no database."""

import pytest

from consult.audit import chain

BODIES = [
    {
        "stream": "case:C-23456",
        "seq": 1,
        "created_at": "2026-01-02T03:04:05.678901+00:00",
        "actor_id": 7,
        "action": "message.posted",
        "payload": {"seq": 1, "body_sha256": "ab" * 32, "corrects_seq": None},
    },
    {
        "stream": "user:12",
        "seq": 1234567,
        "created_at": "2026-01-02T03:04:05+00:00",
        "actor_id": None,
        "action": "team.membership_added",
        "payload": {},
    },
    {
        "stream": "case:C-Z",
        "seq": 10,
        "created_at": "x",
        "actor_id": 1,
        "action": "a",
        "payload": {"kind": "NAME", "note": "naïve \"quoted\" }{"},
    },
]


@pytest.mark.parametrize("body", BODIES)
def test_it_splits_the_canonical_json_around_the_seq_for_the_database(body):
    before, after = chain.canonical_json_around_seq(body)
    assert (before + str(body["seq"]) + after).encode() == chain.canonical_json(body)


def test_it_chains_each_hash_to_the_one_before():
    first = chain.event_hash(chain.GENESIS, BODIES[0])
    assert first == chain.event_hash(
        chain.GENESIS, dict(reversed(BODIES[0].items()))
    )  # key order is irrelevant
    assert chain.event_hash(first, BODIES[1]) != chain.event_hash(chain.GENESIS, BODIES[1])


def test_it_signs_checkpoints_so_only_the_key_verifies_them():
    body = chain.checkpoint_body(
        stream="case:C-23456", seq=50, hash="ab" * 32, signed_at="2026-01-02T00:00:00+00:00"
    )
    signature = chain.checkpoint_hmac("key-one", body)
    assert chain.checkpoint_signature_valid("key-one", body, signature)
    assert not chain.checkpoint_signature_valid("key-two", body, signature)
    assert not chain.checkpoint_signature_valid("key-one", {**body, "seq": 51}, signature)
