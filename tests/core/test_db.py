"""A bulk write leaves PostgreSQL's planner informed (``core.db.planner_statistics_refresh``)."""

import pytest
from django.db import connection

from accounts.models import User
from core.db import planner_statistics_refresh
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="planner statistics are PostgreSQL's (set DATABASE_URL to run it)",
)


def estimated_rows() -> float:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'accounts_user'")
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_the_refresh_counts_the_rows_just_written():
    UserFactory.create_batch(40, password=False)
    before = estimated_rows()

    planner_statistics_refresh(User)

    assert before < 40
    assert estimated_rows() == 40
