"""Concurrent changes of one account serialize (PostgreSQL row lock on the account).

Each run starts 50 threads together (a barrier), each doing one random add / remove / privilege
toggle / enable-disable through the services with its own database connection. After each run
the audit trail, replayed in order, must be one valid serial history: every row starts from the
state the previous row ended in (no lost update), every transition obeys the privilege rules, and
the last row ends in the account's current state. SQLite serializes every write anyway and has no
row locks, so the test runs on PostgreSQL only (CI's second run).
"""

from __future__ import annotations

import random
import threading

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connections

from accounts.models import Account, AuditEvent, User
from integrations import registry, services
from integrations.registry import PRIVILEGES
from tests.accounts.factories import CustomerAccountFactory, UserFactory
from tests.integrations.helpers import brings

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        "postgresql" not in settings.DATABASES["default"]["ENGINE"],
        reason="needs PostgreSQL row locks (CI runs it with DATABASE_URL=postgres://...); SQLite has none",
    ),
]

THREADS = 50
RUNS = 4
TYPES = sorted(registry.PROVIDERS)


def _operation(rng: random.Random):
    kind = rng.choice(["add", "add", "remove", "privilege", "enable"])
    type_ = rng.choice(TYPES)
    if kind == "add":
        return lambda actor, account: services.integration_add(actor=actor, account=account, type=type_)
    if kind == "remove":
        return lambda actor, account: services.integration_remove(actor=actor, account=account, type=type_)
    if kind == "privilege":
        privilege, value = rng.choice(PRIVILEGES), rng.choice([True, False])
        return lambda actor, account: services.privilege_set(
            actor=actor, account=account, privilege=privilege, enabled=value
        )
    value = rng.choice([True, False])
    return lambda actor, account: services.integration_set_enabled(
        actor=actor, account=account, type=type_, enabled=value
    )


def _run_concurrently(actor: User, account: Account, rng: random.Random) -> list[BaseException]:
    operations = [_operation(rng) for _ in range(THREADS)]
    barrier = threading.Barrier(THREADS)
    unexpected: list[BaseException] = []

    def work(operation):
        try:
            barrier.wait()
            operation(actor, Account.objects.get(pk=account.pk))
        except ValidationError:
            pass  # refused by the rules (already added, not added, setup incomplete): fine
        except BaseException as exc:  # deadlocks, lost locks, integrity errors: not fine
            unexpected.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(op,)) for op in operations]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return unexpected


def _check_transition(event: AuditEvent) -> None:
    before, after = event.before, event.after
    was, now = set(before["integrations"]), set(after["integrations"])
    changed = {p for p in PRIVILEGES if before[p.value] != after[p.value]}
    if event.action == "integration.added":
        (type_,) = now - was
        assert was <= now
        assert all(after[p.value] for p in brings(type_))
        assert changed <= brings(type_)
    elif event.action == "integration.removed":
        (type_,) = was - now
        assert now <= was
        for p in PRIVILEGES:
            if p in brings(type_):
                assert after[p.value] == (before[p.value] and any(p in brings(o) for o in now))
            else:
                assert p not in changed
    elif event.action.startswith("privilege."):
        assert was == now and len(changed) == 1
        (p,) = changed
        assert after[p.value] is event.action.endswith("enabled")
    elif event.action in ("integration.enabled", "integration.disabled"):
        assert was == now and not changed and before["enabled"] != after["enabled"]
    else:  # pragma: no cover
        raise AssertionError(f"unexpected audit action {event.action}")


def test_fifty_concurrent_changes_leave_a_serial_history_that_obeys_the_rules():
    account = CustomerAccountFactory()
    actor = UserFactory(account=account, role=User.Role.ACCOUNT_ADMIN)
    rng = random.Random(20170901)
    state = services.account_state(account)
    last_pk = 0

    for run in range(RUNS):
        unexpected = _run_concurrently(actor, account, rng)
        assert not unexpected, f"run {run}: {unexpected!r}"

        events = list(AuditEvent.objects.filter(account=account, pk__gt=last_pk).order_by("pk"))
        assert events, f"run {run} changed nothing"
        for event in events:
            assert event.before == state, f"run {run}: {event.action} did not start from the previous state"
            _check_transition(event)
            state = event.after
        assert services.account_state(Account.objects.get(pk=account.pk)) == state
        last_pk = events[-1].pk
