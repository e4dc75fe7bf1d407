"""Costs that must not grow with the account or the platform (docs/production.md, Costs).

Run: ``DATABASE_URL=postgres://... .venv/bin/python bench/costs.py [--quick]`` (PostgreSQL only).
A throw-away database; the production password hasher (Argon2id, not the test settings' MD5)
and the production template loader; requests go through the whole middleware stack in-process
(Django's test client), so each figure is server time, set beside ``/healthz`` measured in the
same run. Users are seeded with one ``INSERT ... SELECT generate_series`` per account (the
product's import is measured on its own, at the end). Prints:

* the users collection (100 rows, default order, first and a deep ``$skiptoken`` page) at
  1,000 / 10,000 / 100,000 users in the account (``--quick``: 1,000 / 10,000 / 20,000);
* the sign-in lookup (``email__iexact`` over every user of the platform) at 10,000 and
  1,000,000 users (``--quick``: 10,000 and 100,000);
* ``GET /token``, the refresh and client_credentials grants per second (one client, one
  process: one core), the password grant against the bare hasher, and an import of 2,500 users.
"""

import argparse
import logging
import statistics
import time

import harness  # noqa: E402,I001  (sets up Django: keep it before the Django imports)
from django.db import connection  # noqa: E402
from django.test import override_settings  # noqa: E402

PRODUCTION_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
ADMIN = "/api/admin/2017-09-01"
TOKEN = "/api/authentication/2017-09-01/token"
PASSWORD = "a-long-bench-passphrase"


def timed(call, repeat: int) -> list[float]:
    """Milliseconds of each of ``repeat`` calls (after two warm-ups)."""
    call(), call()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def p50(samples):
    return statistics.median(samples)


def p95(samples):
    return sorted(samples)[int(len(samples) * 0.95) - 1]


def seed_users(account, count: int, tag: str) -> None:
    """``count`` imported users in ``account``, one statement (the columns ``User`` requires)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO accounts_user (password, is_superuser, user_id, account_id, email, name,
                first_name, last_name, role, extension, mobile, phone, is_registered, email_verified,
                source, is_active, is_staff, date_joined, modified_at, language)
            SELECT '!', false, gen_random_uuid(), %s, 'user' || n || '.' || %s || '@bench.example', '',
                'First' || n, 'Last' || n, 'USER', '', '', '', true, true,
                'import', true, false, now(), now(), ''
            FROM generate_series(1, %s) AS n
            """,
            [account.pk, tag, count],
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller accounts and platform, fewer samples")
    args = parser.parse_args()
    sizes = (1_000, 10_000, 20_000) if args.quick else (1_000, 10_000, 100_000)
    platforms = (10_000, 100_000) if args.quick else (10_000, 1_000_000)
    repeat = 20 if args.quick else 200

    logging.disable(logging.WARNING)
    with harness.throwaway_database(outbox_email=True):
        if connection.vendor != "postgresql":
            raise SystemExit("bench/costs.py measures PostgreSQL: set DATABASE_URL=postgres://...")
        # override_settings, not assignment: Django caches the hashers until setting_changed says so.
        with override_settings(PASSWORD_HASHERS=PRODUCTION_HASHERS, DEBUG=False):
            run(sizes, platforms, repeat)


def run(sizes, platforms, repeat) -> None:
    from django.contrib.auth.hashers import check_password, make_password
    from django.test import Client

    from accounts.models import Account, User
    from core.db import planner_statistics_refresh
    from oauth.applications.services import application_approve, application_deploy, application_register
    from oauth.models import Application
    from oauth.tokens import access_token_issue

    partner = Account.objects.create(
        kind="partner", name="Bench Partner", country="US", account_number="100000001"
    )
    admin = User.objects.create(
        account=partner, email="bench@partner.example", role=User.Role.PARTNER_ADMIN, is_registered=True
    )
    admin.set_password(PASSWORD)
    admin.save()
    client = Client()
    healthz = timed(lambda: client.get("/healthz"), repeat)
    base = p50(healthz)
    lines = [("/healthz", p50(healthz), p95(healthz))]

    # --- the users collection at each account size ---------------------------------------------
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {access_token_issue(admin)[0]}"}
    accounts = []
    for n, size in enumerate(sizes):
        customer = Account.objects.create(
            kind="customer",
            parent=partner,
            name=f"Bench {size}",
            country="SE",
            account_number=str(200000000 + n),
        )
        seed_users(customer, size, f"a{size}")
        accounts.append((size, customer))
    planner_statistics_refresh(User, Account)
    page_rows = []
    for size, customer in accounts:
        url = f"{ADMIN}/accounts/{customer.account_id}/users"
        first = client.get(url, **bearer).json()
        assert first["count"] == 100, first
        deep = first["_links"]["next"]
        for _ in range(size // 200):  # half way through the account, by cursor
            deep = client.get("/api/admin" + deep, **bearer).json()["_links"]["next"]
        page = timed(lambda url=url: client.get(url, **bearer), repeat)
        deep_page = timed(lambda deep=deep: client.get("/api/admin" + deep, **bearer), repeat)
        page_rows.append((size, page, deep_page))
    smallest = p95(page_rows[0][1])

    # --- the sign-in lookup as the platform grows -----------------------------------------------
    def lookup():
        list(User.objects.filter(email__iexact="User77.A1000@Bench.Example").select_related("account")[:50])

    sign_in_rows = []
    platform_account = Account.objects.create(
        kind="customer", parent=partner, name="Bench platform", country="SE", account_number="299999999"
    )
    for n, target in enumerate(platforms):
        missing = target - User.objects.count()
        if missing > 0:
            seed_users(platform_account, missing, f"p{n}")
        planner_statistics_refresh(User)
        sign_in_rows.append((User.objects.count(), timed(lookup, repeat)))

    # --- tokens ---------------------------------------------------------------------------------
    get_token = timed(lambda: client.get(TOKEN, **bearer), repeat)
    lines.append(("GET /token", p50(get_token), p95(get_token)))

    def grant(data):
        response = client.post(TOKEN, data)
        assert response.status_code == 201, response.content
        return response.json()

    pair = grant({"grant_type": "password", "username": admin.email, "password": PASSWORD})
    state = {"refresh": pair["refresh_token"]}

    def refresh():
        state["refresh"] = grant({"grant_type": "refresh_token", "refresh_token": state["refresh"]})[
            "refresh_token"
        ]

    refresh_ms = timed(refresh, repeat * 5)
    app = application_register(
        actor=admin,
        partner=partner,
        name="Bench App",
        contact_email="dev@bench.example",
        mitel_app="BenchApp",
        redirect_uris=["https://bench.example/cb"],
        client_type=Application.ClientType.CONFIDENTIAL,
    )
    app, secret = application_approve(actor=None, application=app)
    application_deploy(actor=admin, account=accounts[0][1], application=app)
    credentials = {"grant_type": "client_credentials", "client_id": app.client_id, "client_secret": secret}
    client_ms = timed(lambda: grant(credentials), repeat * 5)
    hashed = make_password(PASSWORD)
    hasher_ms = timed(lambda: check_password(PASSWORD, hashed), 20)
    password_ms = timed(
        lambda: grant({"grant_type": "password", "username": admin.email, "password": PASSWORD}), 20
    )

    # --- import ---------------------------------------------------------------------------------
    import bulk_import

    bulk_import.one_import(partner, admin, 20, run=900)
    imported = bulk_import.one_import(partner, admin, 2_500, run=901)

    from django.contrib.auth.hashers import get_hasher

    print(f"costs on {connection.vendor} {connection.pg_version // 10000}, hasher {get_hasher().algorithm}")
    print(f"{'what':44} {'p50 ms':>8} {'p95 ms':>8} {'p50/healthz':>12}")
    for name, median, high in lines:
        print(f"{name:44} {median:8.2f} {high:8.2f} {median / base:12.1f}")
    for size, page, deep_page in page_rows:
        print(
            f"{'users page, 100 rows, ' + format(size, ',') + ' users':44} {p50(page):8.2f} {p95(page):8.2f} {p50(page) / base:12.1f}"
        )
        print(
            f"{'  deep page by $skiptoken (half way)':44} {p50(deep_page):8.2f} {p95(deep_page):8.2f} {p50(deep_page) / base:12.1f}"
        )
    print(
        f"{'users page p95, largest / smallest account':44} {p95(page_rows[-1][1]) / smallest:8.2f}x   (target <= 1.5x)"
    )
    for users, samples in sign_in_rows:
        print(
            f"{'sign-in lookup, ' + format(users, ',') + ' users on the platform':44} {p50(samples):8.2f} {p95(samples):8.2f}"
        )
    print(f"{'refresh grants per second (one core)':44} {1000 / p50(refresh_ms):8.0f}   (target >= 240)")
    print(f"{'client_credentials grants per second':44} {1000 / p50(client_ms):8.0f}   (target >= 240)")
    print(f"{'bare hasher checks per second':44} {1000 / p50(hasher_ms):8.1f}")
    print(
        f"{'password grants per second':44} {1000 / p50(password_ms):8.1f}   ({p50(hasher_ms) / p50(password_ms):.0%} of the hasher; target >= 90%)"
    )
    print(
        f"{'import of 2,500 users, seconds':44} {imported['total']:8.2f}   (target < 2 s; preview {imported['preview']:.2f} s)"
    )


if __name__ == "__main__":
    main()
