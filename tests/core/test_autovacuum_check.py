"""`check --database` warns when PostgreSQL's autovacuum is off: planner statistics go stale and
the hot paths' prepared statements get plans for tables a fraction of their size."""

import pytest
from django.db import connection

from consult.core.checks import autovacuum_problems, check_autovacuum


def test_autovacuum_off_is_warned_with_what_to_do():
    [problem] = autovacuum_problems("default", "off")
    assert problem.id == "consult.W003"
    assert "stale" in problem.msg and "ANALYZE" in problem.hint


def test_autovacuum_on_is_not_warned():
    assert autovacuum_problems("default", "on") == []


@pytest.mark.django_db
def test_the_check_reads_the_servers_own_setting():
    if connection.vendor != "postgresql":
        assert check_autovacuum(databases=["default"]) == []
        return
    with connection.cursor() as cursor:
        cursor.execute("SHOW autovacuum")
        setting = cursor.fetchone()[0]
    ids = [problem.id for problem in check_autovacuum(databases=["default"])]
    assert ids == ([] if setting == "on" else ["consult.W003"])


def test_without_a_database_asked_for_nothing_is_read():
    assert check_autovacuum(databases=None) == []
