"""Seed the load suite's database through the product's services (no raw SQL): two partners, the
customer accounts, one account per size in ``--big`` filled by ``user_create_many`` (the bulk
import's service) in batches, an admin with a password in each, and an approved confidential
application deployed in the big accounts. Prints what the load needs (ids, emails, the client
secret) as JSON on the last line.

Run by ``bench/load/run.py`` against a fresh database (DJANGO_SETTINGS_MODULE and DATABASE_URL
in the environment); its result is kept as a template database, so it runs once per size."""

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402

from accounts.models import User  # noqa: E402
from accounts.services import account_services, user_services  # noqa: E402
from oauth.applications import services as application_services  # noqa: E402

PASSWORD = os.environ.get("LOAD_PASSWORD", "load-suite-password-42")
BATCH = 1000


def customer(partner_admin: User, name: str):
    return account_services.account_create(
        actor=partner_admin,
        partner=partner_admin.account,
        support_contacts=[f"support@{name.lower().replace(' ', '-')}.example"],
        name=name,
        country="SE",
    )


def fill(account, admin: User, size: int, tag: str) -> None:
    for start in range(0, size, BATCH):
        people = [
            {"email": f"u{i}.{tag}@load.example", "first_name": f"First{i}", "last_name": f"Last{i}"}
            for i in range(start, min(size, start + BATCH))
        ]
        result = user_services.user_create_many(actor=admin, account=account, people=people)
        assert not result.rejected, result.rejected


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--accounts", type=int, default=1000, help="customer accounts under the first partner"
    )
    parser.add_argument("--big", default="10000,100000", help="users in each big account, comma-separated")
    args = parser.parse_args()
    # The welcome emails of 100,000 users are not what the load measures: they go nowhere here.
    settings.EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
    started = time.monotonic()

    partners, admins = [], []
    for n in (1, 2):
        partner = account_services.partner_create(actor=None, name=f"Load Partner {n}")
        admin = user_services.user_create(
            actor=None,
            account=partner,
            email=f"partner{n}@load.example",
            role=User.Role.PARTNER_ADMIN,
            password=PASSWORD,
        )
        partners.append(partner)
        admins.append(admin)
    for n in range(args.accounts):
        customer(admins[0], f"Customer {n:05d}")
    print(f"{args.accounts} customer accounts in {time.monotonic() - started:.1f} s", file=sys.stderr)

    application = application_services.application_register(
        actor=admins[0],
        partner=partners[0],
        name="Load Connector",
        contact_email="dev@load.example",
        mitel_app="LoadConnector",
        redirect_uris=["https://app.load.example/callback"],
        client_type="confidential",
    )
    application, secret = application_services.application_approve(actor=None, application=application)

    big = []
    for size in [int(s) for s in args.big.split(",") if s]:
        account = customer(admins[0], f"Big {size}")
        admin = user_services.user_create(
            actor=None,
            account=account,
            email=f"admin.{size}@load.example",
            role=User.Role.ACCOUNT_ADMIN,
            password=PASSWORD,
        )
        application_services.application_deploy(actor=admins[0], account=account, application=application)
        t0 = time.monotonic()
        fill(account, admin, size, tag=str(size))
        print(f"{size} users in {time.monotonic() - t0:.1f} s", file=sys.stderr)
        big.append({"size": size, "accountId": str(account.account_id), "admin": admin.email})

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # a template of steady state: statistics as autovacuum leaves them
    print(
        json.dumps(
            {
                "password": PASSWORD,
                "partnerAdmin": admins[0].email,
                "big": big,
                "clientId": application.client_id,
                "clientSecret": secret,
                "seconds": round(time.monotonic() - started, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
