"""A hung statement is cancelled by PostgreSQL after DB_STATEMENT_TIMEOUT_MS, so a request or a
frame fails fast (and is answered `unavailable`) instead of holding a thread."""

import os

import pytest
from django.db import OperationalError, connection

from tests.conftest import on_postgres

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def test_the_connection_carries_the_timeouts():
    if not on_postgres():
        pytest.skip("PostgreSQL only")
    options = connection.settings_dict["OPTIONS"]
    assert options["connect_timeout"] == 5 and options["keepalives"] == 1
    limit_ms = int(os.environ.get("DB_STATEMENT_TIMEOUT_MS", 15000))
    with connection.cursor() as cursor:
        cursor.execute("SELECT setting::int FROM pg_settings WHERE name = 'statement_timeout'")
        assert cursor.fetchone()[0] == limit_ms


def test_a_hung_statement_is_cancelled():
    if not on_postgres():
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL statement_timeout = 200")
        with pytest.raises(OperationalError, match="statement timeout"):
            cursor.execute("SELECT pg_sleep(5)")
