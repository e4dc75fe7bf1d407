"""Median latency of the Accounts page and of GET /accounts with 1,000 customer accounts.

Run: ``make bench`` (or ``.venv/bin/python bench/accounts_list.py [--accounts N] [--runs N]``).
Uses the test settings and a throw-away database (SQLite in memory unless DATABASE_URL is set),
requests go through Django's test client, so the figures are server-side time only.
"""

import argparse
import logging
import statistics
import time

import harness  # noqa: E402,I001  (sets up Django: keep it before the Django imports)
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402


def seed(n_accounts: int):
    from accounts.models import Account, SupportContact, User

    partner = Account.objects.create(
        kind="partner", name="Bench Partner", country="US", account_number="100000001"
    )
    admin = User.objects.create(
        account=partner, email="bench@partner.example", role=User.Role.PARTNER_ADMIN, is_registered=True
    )
    customers = [
        Account(
            kind="customer",
            parent=partner,
            name=f"Customer {i:04d}",
            country="SE",
            account_number=str(200000000 + i),
            status="deactivated" if i % 10 == 0 else "active",
        )
        for i in range(n_accounts)
    ]
    Account.objects.bulk_create(customers, batch_size=500)
    SupportContact.objects.bulk_create(
        [
            SupportContact(account=a, email=f"support{a.account_number}@x.example")
            for a in Account.objects.customers()
        ],
        batch_size=500,
    )
    return admin


def measure(client: Client, url: str, runs: int, **headers) -> tuple[float, int, int]:
    client.get(url, **headers)  # warm-up
    timings = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.get(url, **headers)
            timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code, response.content[:300])
    return statistics.median(timings), len(queries), len(response.content)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()

    logging.disable(logging.INFO)  # per-request log lines would dominate the timings
    with harness.throwaway_database():
        from oauth.tokens import access_token_issue

        admin = seed(args.accounts)
        browser = Client()
        browser.force_login(admin)
        api = Client()
        token, _ = access_token_issue(admin)
        bearer = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
        rows = [
            ("Accounts page (25 per page)", browser, "/accounts/", {}),
            ("Accounts page, search 'Customer 09'", browser, "/accounts/?q=Customer+09", {}),
            ("GET /accounts (default page)", api, "/api/admin/2017-09-01/accounts", bearer),
            ("GET /accounts?$top=1000", api, "/api/admin/2017-09-01/accounts?$top=1000", bearer),
        ]
        print(f"{args.accounts} customer accounts, {args.runs} runs each, {connection.vendor}")
        print(f"{'request':40} {'median ms':>10} {'queries':>8} {'bytes':>9}")
        for label, client, url, headers in rows:
            median, queries, size = measure(client, url, args.runs, **headers)
            print(f"{label:40} {median:10.2f} {queries:8d} {size:9d}")


if __name__ == "__main__":
    main()
