"""A service PostgreSQL aborted to break a deadlock runs again instead of failing the socket."""

import psycopg
import pytest
from django.db import OperationalError

from consult.realtime.workers import retrying_transient


def failing(times, error):
    calls = []

    def service():
        calls.append(1)
        if len(calls) <= times:
            raise OperationalError("aborted") from error
        return "stored"

    return service, calls


def test_it_runs_a_deadlocked_service_again():
    service, calls = failing(1, psycopg.errors.DeadlockDetected())
    assert retrying_transient(service)() == "stored"
    assert len(calls) == 2


def test_it_gives_up_after_three_attempts():
    service, calls = failing(5, psycopg.errors.SerializationFailure())
    with pytest.raises(OperationalError):
        retrying_transient(service)()
    assert len(calls) == 3


def test_it_does_not_retry_other_database_errors():
    service, calls = failing(1, psycopg.errors.UndefinedTable())
    with pytest.raises(OperationalError):
        retrying_transient(service)()
    assert len(calls) == 1
