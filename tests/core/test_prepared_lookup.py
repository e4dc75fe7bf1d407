"""``core.db.PreparedLookup``: compiled once, it reads the same rows as the queryset it was
built from, for any keys, on any thread."""

import threading
import uuid

import pytest
from django.db import connection
from django.db.models import Exists, OuterRef
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from core.db import PreparedLookup
from tests.accounts.factories import CustomerAccountFactory, PartnerAccountFactory, UserFactory

pytestmark = pytest.mark.django_db


def _users(user_id, other_id):
    return (
        User.objects.select_related("account", "account__parent")
        .filter(user_id=user_id)
        .annotate(knows_other=Exists(User.objects.filter(user_id=other_id, account=OuterRef("account"))))
        .order_by()[:1]
    )


LOOKUP = PreparedLookup(_users)


@pytest.fixture
def people():
    partner = PartnerAccountFactory()
    first, second = CustomerAccountFactory(parent=partner), CustomerAccountFactory(parent=partner)
    return [UserFactory(account=first), UserFactory(account=first), UserFactory(account=second)]


def test_each_call_reads_its_own_keys_as_django_would(people):
    ann, bea, cyd = people
    for user, other in ((ann, bea), (ann, cyd), (cyd, ann), (bea, ann)):
        with CaptureQueriesContext(connection) as queries:
            (found,) = LOOKUP.rows(user.user_id, other.user_id)
        (expected,) = _users(user.user_id, other.user_id)

        assert len(queries) == 1
        assert found == expected
        assert found.knows_other is expected.knows_other is (user.account_id == other.account_id)
        assert [f.value_from_object(found) for f in User._meta.concrete_fields] == [
            f.value_from_object(expected) for f in User._meta.concrete_fields
        ]
        assert found.account.account_id == expected.account.account_id
        assert found.account.parent.name == expected.account.parent.name


def test_no_row_is_an_empty_list(people):
    assert LOOKUP.rows(uuid.uuid4(), people[0].user_id) == []


@pytest.mark.django_db(transaction=True)
def test_another_thread_compiles_and_reads_on_its_own_connection(people):
    ann, bea, _ = people
    LOOKUP.rows(ann.user_id, bea.user_id)  # compiled on this thread
    found = []

    def read():
        try:
            found.extend(LOOKUP.rows(bea.user_id, ann.user_id))
        finally:
            connection.close()

    worker = threading.Thread(target=read)
    worker.start()
    worker.join()

    assert [(user.pk, user.knows_other) for user in found] == [(bea.pk, True)]


def test_a_builder_that_drops_a_key_is_refused():
    lookup = PreparedLookup(lambda user_id, ignored: User.objects.filter(user_id=user_id))

    with pytest.raises(ValueError, match="Every key"):
        lookup.rows(uuid.uuid4(), uuid.uuid4())
