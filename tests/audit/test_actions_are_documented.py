"""The trail's vocabulary is closed and documented: every action of consult/audit/kinds.py has a
row in one of docs/audit.md's tables of actions, every row names an action that exists, and the
append refuses any other action."""

import re
from pathlib import Path

import pytest
from django.db import transaction

from consult.audit.kinds import Action
from consult.audit.services import audit_append

DOC = Path(__file__).resolve().parents[2] / "docs" / "audit.md"


def documented_actions():
    """The `action` cells of every table whose first column is headed "action"."""
    found, in_table = [], False
    for line in DOC.read_text().splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if not line.startswith("|"):
            in_table = False
        elif cells[0] == "action":
            in_table = True
        elif in_table and not set(cells[0]) <= set("-: "):
            found += re.findall(r"`([a-z_]+\.[a-z_]+)`", cells[0])
    return found


def test_every_action_has_one_row_and_every_row_an_action():
    documented = documented_actions()
    assert sorted(documented) == sorted(set(documented)), "an action documented twice"
    assert set(documented) == {action.value for action in Action}


@pytest.mark.django_db
def test_the_append_refuses_an_action_that_is_not_in_the_vocabulary(alice, north_case):
    with transaction.atomic(), pytest.raises(ValueError, match="not a valid Action"):
        audit_append(action="case.peeked", actor=alice, case=north_case)
