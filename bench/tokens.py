"""Median latency and tokens per second of POST /token for the password, refresh_token and
client_credentials grants, side by side in one run.

Run: ``.venv/bin/python bench/tokens.py [--runs N]``. Uses the test settings and a throw-away
database (SQLite in memory unless DATABASE_URL is set); requests go through Django's test
client, so the figures are server-side time only (one process, sequential requests). The
password grant is dominated by the password hasher of the settings in use (the test settings
use a fast hasher; production's PBKDF2/Argon2 is deliberately slow).
"""

import argparse
import logging
import statistics
import time
from urllib.parse import urlencode

import harness  # noqa: E402,I001  (sets up Django: keep it before the Django imports)
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

TOKEN_URL = "/api/authentication/2017-09-01/token"
PASSWORD = "correct-horse-battery"


def seed():
    from accounts.models import Account, User
    from oauth.applications.services import application_approve, application_deploy, application_register

    partner = Account.objects.create(
        kind="partner", name="Bench Partner", country="US", account_number="100000001"
    )
    admin = User.objects.create(
        account=partner, email="bench@partner.example", role=User.Role.PARTNER_ADMIN, is_registered=True
    )
    admin.set_password(PASSWORD)
    admin.save()
    customer = Account.objects.create(
        kind="customer", parent=partner, name="Bench Customer", country="US", account_number="200000001"
    )
    user = User.objects.create(
        account=customer, email="user@bench.example", role=User.Role.USER, is_registered=True
    )
    user.set_password(PASSWORD)
    user.save()
    app = application_register(
        actor=admin,
        partner=partner,
        name="Bench App",
        contact_email="dev@bench.example",
        mitel_app="BenchApp",
    )
    app, secret = application_approve(actor=None, application=app)
    application_deploy(actor=admin, account=customer, application=app)
    return user, app.client_id, secret


def post(client: Client, data: dict):
    response = client.post(TOKEN_URL, urlencode(data), content_type="application/x-www-form-urlencoded")
    assert response.status_code == 201, (data.get("grant_type"), response.status_code, response.content[:300])
    return response.json()


def measure(runs: int, call) -> list[float]:
    call()  # warm-up
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        timings.append((time.perf_counter() - start) * 1000)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()

    logging.disable(logging.INFO)  # per-request log lines would dominate the timings
    with harness.throwaway_database():
        from django.core.cache import cache

        user, client_id, secret = seed()
        client = Client()
        password_data = {"grant_type": "password", "username": user.email, "password": PASSWORD}

        def password_grant():
            cache.clear()  # keep allauth's sign-in rate limit out of the measurement
            post(client, password_data)

        refresh = {"token": post(client, password_data)["refresh_token"]}

        def refresh_grant():  # each refresh rotates: use the new token next time
            refresh["token"] = post(
                client, {"grant_type": "refresh_token", "refresh_token": refresh["token"]}
            )["refresh_token"]

        def client_credentials_grant():
            post(
                client, {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
            )

        rows = [
            ("password", password_grant),
            ("refresh_token", refresh_grant),
            ("client_credentials", client_credentials_grant),
        ]
        print(f"POST /token, {args.runs} sequential requests per grant, {connection.vendor}")
        print(f"{'grant':20} {'median ms':>10} {'p95 ms':>8} {'tokens/s':>9}")
        for label, call in rows:
            timings = measure(args.runs, call)
            median = statistics.median(timings)
            p95 = statistics.quantiles(timings, n=20)[-1]
            print(f"{label:20} {median:10.2f} {p95:8.2f} {1000 * len(timings) / sum(timings):9.1f}")


if __name__ == "__main__":
    main()
