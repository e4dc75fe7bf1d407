"""Synchronize 2,500 PBX users through the services the Synchronize page and the API call.

Run: ``.venv/bin/python bench/pbx_sync.py [--users N] [--runs N]``. Uses the test settings and a
throw-away database (SQLite in memory unless DATABASE_URL is set). For each run, into a fresh
account: the first sync (creates every user, with welcome links, audit events and welcome emails,
which the outbox backend stores after the commit), a changed list (10% renamed, 10% gone, 10%
new), and a no-op re-run of the same list. Prints seconds and database queries (medians over
``--runs``), the welcome-email inserts counted apart (one per new user, after the commit).
"""

import argparse
import logging
import statistics
import time

import harness  # noqa: E402,I001  (sets up Django: keep it before the Django imports)
from django.db import connection  # noqa: E402

QueryCounter, counting = harness.QueryCounter, harness.counting


def pbx_list(n: int, run: int, *, changed: bool = False) -> list[dict]:
    """The PBX's list; ``changed``: the first 10% renamed, the last 10% gone, 10% new ones."""
    tenth = n // 10
    users = []
    for i in range(n - tenth if changed else n):
        last = "Renamed" if changed and i < tenth else f"Last{i}"
        users.append(
            {
                "extension": str(10000 + i),
                "first_name": f"First{i}",
                "last_name": last,
                "email": f"u{i}.r{run}@bench.example",
            }
        )
    if changed:
        users += [
            {
                "extension": str(50000 + i),
                "first_name": "New",
                "last_name": f"N{i}",
                "email": f"new{i}.r{run}@bench.example",
            }
            for i in range(tenth)
        ]
    return users


def seed():
    from accounts.models import Account, User

    partner = Account.objects.create(
        kind="partner", name="Bench Partner", country="US", account_number="100000001"
    )
    admin = User.objects.create(
        account=partner, email="bench@partner.example", role=User.Role.PARTNER_ADMIN, is_registered=True
    )
    return partner, admin


def timed(admin, account, users) -> tuple[float, int, int, dict, float]:
    from django.db import transaction

    from gateways.pbx_users import services as pbx_sync_services

    with counting() as queries:
        start = time.perf_counter()
        with transaction.atomic():  # welcome emails are sent on commit, as in a request
            plan = pbx_sync_services.pbx_sync_apply(actor=admin, account=account, users=users)
            synced = time.perf_counter() - start
        seconds = time.perf_counter() - start
    return seconds, queries.total - queries.email, queries.email, plan.counts, synced


def one_run(partner, admin, n: int, run: int) -> dict:
    from accounts.models import Account, User

    account = Account.objects.create(
        kind="customer",
        parent=partner,
        name=f"Bench Customer {run}",
        country="SE",
        account_number=str(200000000 + run),
    )
    first = timed(admin, account, pbx_list(n, run))
    assert first[3]["create"] == n and first[2] == n, first
    changed = timed(admin, account, pbx_list(n, run, changed=True))
    assert (changed[3]["create"], changed[3]["update"], changed[3]["remove"]) == (n // 10,) * 3, changed
    noop = timed(admin, account, pbx_list(n, run, changed=True))
    assert noop[3]["unchanged"] == n and noop[0] >= 0 and noop[2] == 0, noop
    assert User.objects.filter(account=account, source="pbx", is_active=True).count() == n
    return {
        "first_s": first[0],
        "first_sync_s": first[4],
        "first_q": first[1],
        "emails": first[2],
        "changed_s": changed[0],
        "changed_q": changed[1],
        "noop_s": noop[0],
        "noop_q": noop[1],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=2_500)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    logging.disable(logging.WARNING)
    with harness.throwaway_database(outbox_email=True):
        from gateways.pbx_users import services as pbx_sync_services

        partner, admin = seed()
        one_run(partner, admin, 20, run=999)  # warm-up
        results = [one_run(partner, admin, args.users, run) for run in range(args.runs)]
        med = {key: statistics.median(r[key] for r in results) for key in results[0]}
        n = args.users
        print(
            f"PBX user sync of {n:,} users, {args.runs} runs (median), {connection.vendor}, "
            f"batches of {pbx_sync_services.BATCH_SIZE}"
        )
        print(
            f"{'first sync (creates) seconds':40} {med['first_s']:8.2f}   (incl. sending the welcome emails)"
        )
        print(f"{'  of which the sync (until commit)':40} {med['first_sync_s']:8.2f}")
        print(f"{'  queries, without emails':40} {med['first_q']:8.0f}")
        print(f"{'  welcome email inserts (1 per user)':40} {med['emails']:8.0f}")
        print(
            f"{f'changed list ({n // 10} each) seconds':40} {med['changed_s']:8.2f}   (create, update, deactivate)"
        )
        print(f"{'  queries':40} {med['changed_q']:8.0f}")
        print(f"{'no-op re-run seconds':40} {med['noop_s']:8.2f}")
        print(f"{'  queries':40} {med['noop_q']:8.0f}")


if __name__ == "__main__":
    main()
