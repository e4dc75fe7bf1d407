"""``core.db.unique_row``: the one row of a unique lookup, read without sorting."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from core.db import unique_row
from tests.accounts.factories import UserFactory


@pytest.mark.django_db
def test_it_returns_the_row_without_an_order_by():
    user = UserFactory(password=False)

    with CaptureQueriesContext(connection) as queries:
        found = unique_row(User.objects.select_related("account").filter(user_id=user.user_id))

    assert found == user
    assert found.account == user.account  # read by the same query
    assert len(queries) == 1
    assert "ORDER BY" not in queries[0]["sql"].upper()
    assert "LIMIT 1" in queries[0]["sql"].upper()


@pytest.mark.django_db
def test_it_returns_none_when_nothing_matches():
    UserFactory(password=False)

    assert unique_row(User.objects.filter(email="nobody@example.com")) is None
