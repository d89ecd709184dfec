"""Spans the application knows are no identifiers (a colleague's @username) pass the guard
exactly as given, without counting as anyone's confirmation; everything else is still refused."""

import pytest

from consult.core.errors import IdentifierFound
from consult.deid.guard import Confirmation, guard_text


def test_it_lets_an_allowed_span_through_without_returning_it_as_confirmed():
    assert (
        guard_text("@bob please look", field="body", allowed=[Confirmation(0, 4, "HANDLE")]) == []
    )


def test_it_still_refuses_what_the_allowed_span_does_not_cover_exactly():
    with pytest.raises(IdentifierFound) as refused:
        guard_text("@bob and @jane_doe_88", field="body", allowed=[Confirmation(0, 4, "HANDLE")])
    assert [(f.start, f.end, f.kind) for f in refused.value.findings] == [(9, 21, "HANDLE")]
    with pytest.raises(IdentifierFound):
        guard_text("@bob please", field="body", allowed=[Confirmation(0, 3, "HANDLE")])
