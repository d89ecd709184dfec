"""`audit_checkpoint --export FILE` and `audit_verify --checkpoints FILE`: the checkpoints exported
before a backup hold a restored trail to how far it reached,
and cannot be forged without the key."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from consult.cases.services import message_post

pytestmark = pytest.mark.django_db


def verify(*args):
    out = io.StringIO()
    call_command("audit_verify", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def exported(alice, north_case, tmp_path):
    message_post(
        actor=alice, case_code=north_case.code, client_id="m1", body="Slept better this week"
    )
    path = tmp_path / "consult.checkpoints.json"
    out = io.StringIO()
    call_command("audit_checkpoint", "--export", str(path), stdout=out)
    assert "exported the latest checkpoint of" in out.getvalue()
    return path


def test_it_exports_each_streams_latest_signed_head_without_text(exported, north_case):
    document = json.loads(exported.read_text())
    assert document["format"] == "consult-audit-checkpoints/1"
    [case_checkpoint] = [
        c for c in document["checkpoints"] if c["stream"] == f"case:{north_case.code}"
    ]
    assert case_checkpoint["seq"] == 2 and len(case_checkpoint["hmac"]) == 64
    assert "Slept" not in exported.read_text()


def test_the_trail_verifies_against_its_own_export(exported):
    assert verify("--checkpoints", str(exported)).startswith("OK:")


def test_a_forged_export_is_refused(exported, north_case):
    document = json.loads(exported.read_text())
    for checkpoint in document["checkpoints"]:
        if checkpoint["stream"] == f"case:{north_case.code}":
            checkpoint["seq"] = 1  # points at an earlier event, signature no longer matches
    exported.write_text(json.dumps(document))
    with pytest.raises(CommandError, match="audit trail broken"):
        verify("--checkpoints", str(exported))


def test_a_stream_the_database_lacks_is_reported(exported):
    document = json.loads(exported.read_text())
    document["checkpoints"].append({**document["checkpoints"][0], "stream": "case:C-GONE1"})
    exported.write_text(json.dumps(document))
    with pytest.raises(CommandError, match="case:C-GONE1 seq"):
        verify("--checkpoints", str(exported))


def test_an_unreadable_file_is_a_clear_error(tmp_path):
    (tmp_path / "not.json").write_text("{}")
    with pytest.raises(CommandError, match="cannot read the exported checkpoints"):
        verify("--checkpoints", str(tmp_path / "not.json"))
    with pytest.raises(CommandError, match="cannot read the exported checkpoints"):
        verify("--checkpoints", str(tmp_path / "missing.json"))
