"""A scanner that flags exactly the words a test names, so these tests hold whatever the real
scanner learns (its own tests are in tests/deid/)."""

import re

import pytest

from consult.deid.scanner import Finding


@pytest.fixture
def flags_names(monkeypatch):
    """Every "Hope" and "Grace" is flagged as a NAME, nothing else."""

    def scan(text):
        return [
            Finding(m.start(), m.end(), "NAME") for m in re.finditer(r"\b(?:Hope|Grace)\b", text)
        ]

    monkeypatch.setattr("consult.deid.visible.scan", scan)
    monkeypatch.setattr("consult.deid.guard.scan", scan)  # the guard calls the scanner directly
