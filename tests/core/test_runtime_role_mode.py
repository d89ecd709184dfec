"""With TEST_DATABASE_ROLE=runtime (tests/runtime_role.py) the suite really is the runtime role."""

import pytest
from django.db import connection

from tests.runtime_role import ENABLED

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not ENABLED, reason="only with TEST_DATABASE_ROLE=runtime"),
]


@pytest.mark.django_db(transaction=True)
def test_the_suite_connects_as_a_runtime_role_that_cannot_touch_the_trail(north_case):
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user")
        role, superuser = cursor.fetchone()
        cursor.execute(
            "SELECT has_table_privilege('audit_auditevent', 'UPDATE, DELETE, TRUNCATE'), "
            "count(*) FROM pg_tables WHERE tableowner = current_user"
        )
        assert cursor.fetchone() == (False, 0)
    assert role.startswith("consult_test_runtime_") and not superuser
