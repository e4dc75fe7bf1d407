"""Engine-dependent database helpers (``core.db``): a bulk write leaves PostgreSQL's planner
informed (``planner_statistics_refresh``); rows written in one statement (``rows_insert``)."""

import uuid

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from accounts.models import AuditEvent, User
from core.db import planner_statistics_refresh, rows_insert
from tests.accounts.factories import CustomerAccountFactory, UserFactory

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="planner statistics are PostgreSQL's (set DATABASE_URL to run it)",
)


def estimated_rows() -> float:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'accounts_user'")
        return cursor.fetchone()[0]


@postgresql_only
@pytest.mark.django_db
def test_the_refresh_counts_the_rows_just_written():
    UserFactory.create_batch(40, password=False)
    before = estimated_rows()

    planner_statistics_refresh(User)

    assert before < 40
    assert estimated_rows() == 40


@postgresql_only
@pytest.mark.django_db
def test_the_refresh_of_some_columns_counts_the_rows_too():
    UserFactory.create_batch(30, password=False)

    planner_statistics_refresh((User, ["account"]))

    assert estimated_rows() == 30


@pytest.mark.django_db
def test_rows_insert_writes_what_bulk_create_would_in_one_statement():
    account = CustomerAccountFactory()
    actor = UserFactory(account=account, password=False)
    events = [
        AuditEvent(
            account=account,
            account_ref=account.account_id,
            actor=actor if n % 2 else None,
            actor_label=f"Ada 'the first' \\ \"{n}\"\t",
            action="user.created",
            target_type="user",
            after={"email": f"p{n}@example.com", "tags": ["a", 'b"c'], "n": n, "none": None},
        )
        for n in range(30)
    ]
    seen = []

    def wrapper(execute, sql, params, many, context):
        seen.append(sql.split()[0])
        return execute(sql, params, many, context)

    with (
        CaptureQueriesContext(connection) as queries,
        connection.execute_wrapper(wrapper),
        transaction.atomic(),
    ):
        rows_insert(events)

    statement = "COPY" if connection.vendor == "postgresql" else "INSERT"
    assert [
        query["sql"].split()[0] for query in queries.captured_queries if "SAVEPOINT" not in query["sql"]
    ] == [statement]
    assert seen.count(statement) == 1
    stored = list(AuditEvent.objects.filter(account=account).order_by("after__n"))
    assert [(e.actor_id, e.actor_label, e.after, e.before, e.created_at is not None) for e in stored] == [
        (
            actor.pk if n % 2 else None,
            f"Ada 'the first' \\ \"{n}\"\t",
            {"email": f"p{n}@example.com", "tags": ["a", 'b"c'], "n": n, "none": None},
            {},
            True,
        )
        for n in range(30)
    ]


@pytest.mark.django_db(transaction=True)
def test_rows_insert_fails_whole_with_the_database_error_django_knows():
    account = CustomerAccountFactory()
    good = AuditEvent(
        account=account, account_ref=account.account_id, actor_label="a", action="x", target_type="y"
    )
    broken = AuditEvent(
        account_id=10**9, account_ref=uuid.uuid4(), actor_label="a", action="x", target_type="y"
    )  # no such account

    with pytest.raises(IntegrityError), transaction.atomic():
        rows_insert([good, broken])

    assert not AuditEvent.objects.filter(action="x").exists()
