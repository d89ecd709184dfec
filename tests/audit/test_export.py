"""A case's trail downloads as JSON Lines that verify offline,
and the download is itself on the trail."""

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from consult.audit.checkpoints import checkpoint_all_streams
from consult.audit.models import AuditEvent
from consult.cases.services import message_post
from tests.support.audit import trail

pytestmark = pytest.mark.django_db

VERIFIER = Path(__file__).resolve().parents[2] / "tools" / "verify_audit_export.py"


def export(client, user, case):
    client.force_login(user)
    return client.get(f"/cases/{case.code}/audit/export.jsonl")


def offline_verify(path, *args, env=None):
    """The documented command: python3 tools/verify_audit_export.py FILE
    (no Django, no database)."""
    return subprocess.run(
        [sys.executable, "-I", str(VERIFIER), *args, str(path)],
        capture_output=True,
        text=True,
        env=env or {},
        timeout=30,
    )


@pytest.fixture
def exported(client, alice, bob, north_case, tmp_path):
    for n in range(3):
        message_post(actor=alice, case_code=north_case.code, client_id=f"m{n}", body=f"Note {n}")
    checkpoint_all_streams()
    response = export(client, bob, north_case)
    path = tmp_path / "trail.jsonl"
    path.write_bytes(response.content)
    return response, path


def test_it_downloads_every_event_and_checkpoint_ending_with_the_export_itself(
    exported, bob, north_case
):
    response, path = exported
    assert response["Content-Type"] == "application/x-ndjson"
    assert (
        response["Content-Disposition"] == f'attachment; filename="audit-{north_case.code}.jsonl"'
    )
    lines = [json.loads(line) for line in path.read_bytes().splitlines()]
    assert lines[0] == {
        "type": "header",
        "format": "consult-audit-jsonl/1",
        "stream": f"case:{north_case.code}",
        "events": 5,
        "checkpoints": 1,
    }
    assert [(line["seq"], line["action"]) for line in lines[1:6]] == [
        (1, "case.created"),
        (2, "message.posted"),
        (3, "message.posted"),
        (4, "message.posted"),
        (5, "audit.exported"),
    ]
    assert (lines[6]["type"], lines[6]["seq"], lines[6]["hash"]) == (
        "checkpoint",
        4,
        lines[4]["hash"],
    )
    assert "Note" not in path.read_text() and "self-harm" not in path.read_text()


def test_it_records_the_export_as_one_event(exported, bob, north_case):
    assert trail(north_case, seq=True)[-1] == (
        5,
        "audit.exported",
        "bob",
        {"format": "consult-audit-jsonl/1"},
    )


def test_it_verifies_offline_with_the_documented_command(exported, north_case):
    _, path = exported
    result = offline_verify(path)
    assert (result.returncode, result.stdout) == (
        0,
        (
            f"OK: case:{north_case.code}: 5 events form an unbroken chain; "
            "1 checkpoints match it, signatures not checked (no key)\n"
        ),
    )


def test_it_checks_signatures_offline_for_whoever_holds_the_key(exported, settings):
    _, path = exported
    good = offline_verify(
        path, "--check-signatures", env={"AUDIT_HMAC_KEY": settings.AUDIT_HMAC_KEY}
    )
    assert (good.returncode, good.stdout.endswith("signatures valid\n")) == (0, True)
    bad = offline_verify(path, "--check-signatures", env={"AUDIT_HMAC_KEY": "not-the-key"})
    assert (bad.returncode, bad.stdout) == (
        1,
        "BROKEN: line 7: the checkpoint at seq 4 has an invalid signature under this key\n",
    )


def load_verifier():
    spec = importlib.util.spec_from_file_location("verify_audit_export", VERIFIER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def one_byte_edits(raw, start, end):
    """Every export with one byte of raw[start:end] changed to another printable byte."""
    for position in range(start, end):
        replacement = b"1" if raw[position : position + 1] != b"1" else b"2"
        yield position, raw[:position] + replacement + raw[position + 1 :]


def test_it_fails_offline_after_any_one_byte_edit_of_the_header_or_an_event(exported):
    _, path = exported
    raw = path.read_bytes()
    verifier = load_verifier()
    events_end = raw.index(b'{"hash"', raw.index(b'"audit.exported"'))  # the first checkpoint line
    undetected = []
    for position, edited in one_byte_edits(raw, 0, events_end):
        try:
            verifier.verify(edited)
            undetected.append(position)
        except verifier.Broken:
            pass
    assert undetected == []


def test_it_fails_offline_after_an_edit_of_a_payload_digit(exported, north_case):
    _, path = exported
    raw = path.read_bytes()
    event = AuditEvent.objects.get(case=north_case, seq=3)
    digest = event.payload["body_sha256"]
    digit = next(position for position, char in enumerate(digest) if char.isdigit())
    changed = digest[:digit] + str((int(digest[digit]) + 1) % 10) + digest[digit + 1 :]
    edited = raw.replace(digest.encode(), changed.encode())
    assert len(edited) == len(raw) and edited != raw
    path.write_bytes(edited)
    result = offline_verify(path)
    assert (result.returncode, result.stdout) == (
        1,
        "BROKEN: line 4: seq 3: the hash does not match the content: the event was changed\n",
    )


def test_it_answers_404_to_an_outsider_and_records_only_the_refusal(client, oscar, north_case):
    before = len(trail(north_case))
    assert export(client, oscar, north_case).status_code == 404
    assert [event[0] for event in trail(north_case)[before:]] == ["access.denied"]
