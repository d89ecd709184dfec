"""A publish that fails after commit (Redis away) must not turn a stored change into an error."""

import logging
from types import SimpleNamespace

import pytest
from django.db import transaction

from consult.events import frames
from consult.realtime import broadcast, hub


def refuse(*args, **kwargs):
    raise ConnectionError("redis is away")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("group", ["case.1", "user.1"])
def test_a_failed_publish_after_commit_is_logged_not_raised(monkeypatch, caplog, group):
    monkeypatch.setattr(hub, "publish", refuse)
    monkeypatch.setattr(broadcast, "send_now", refuse)
    with caplog.at_level(logging.WARNING, logger="consult.realtime.broadcast"):
        with transaction.atomic():
            frame = frames.message_redacted(SimpleNamespace(seq=1, body_html="clinical words"))
            broadcast.publish_on_commit(group, frame)
    assert [r.getMessage() for r in caplog.records] == [
        f"publishing to {group.split('.')[0]} failed after commit (ConnectionError)"
    ]
    assert "clinical" not in caplog.text
