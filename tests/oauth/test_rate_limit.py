"""Opt-in API rate limiting (PORTAL_API_RATE_LIMIT), counted in the shared cache."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import jwt
import pytest
from django.conf import settings
from django.test import override_settings

from core.throttle import parse_rate
from oauth.tokens import current_signing_key

pytestmark = pytest.mark.django_db

ACCOUNTS = "/api/admin/2017-09-01/accounts"
ROOT = Path(__file__).resolve().parents[2]
# A window so long that no test run crosses a window boundary (windows are aligned to the epoch).
NEVER_ENDING = 10**9


def test_off_by_default(api_client_for, partner_admin, customer):
    assert settings.PORTAL_API_RATE_LIMIT == ""
    client = api_client_for(partner_admin)
    assert {client.get(ACCOUNTS).status_code for _ in range(60)} == {200}


@override_settings(PORTAL_API_RATE_LIMIT="3/60")
def test_over_the_limit_is_429_with_retry_after_in_milliseconds(
    api_client_for, partner_admin, customer, throttle_clock
):
    throttle_clock.now = 60 * 31_666_666 + 1  # stopped at the start of a window: no boundary to cross
    client = api_client_for(partner_admin)
    assert [client.get(ACCOUNTS).status_code for _ in range(3)] == [200, 200, 200]
    response = client.get(ACCOUNTS)
    assert response.status_code == 429
    assert response.json()["name"] == "TooManyRequests" and response.json()["message"]
    retry_after = response["retry-after"]
    assert retry_after.isdigit() and 0 < int(retry_after) <= 60_000
    assert response["x-mitel-correlation-id"]


@override_settings(PORTAL_API_RATE_LIMIT=f"2/{NEVER_ENDING}")
def test_each_token_has_its_own_budget(api_client_for, partner_admin, other_partner_admin):
    first, second = api_client_for(partner_admin), api_client_for(other_partner_admin)
    assert [first.get(ACCOUNTS).status_code for _ in range(3)] == [200, 200, 429]
    assert second.get(ACCOUNTS).status_code == 200


@override_settings(PORTAL_API_RATE_LIMIT=f"1/{NEVER_ENDING}")
def test_only_the_api_is_limited_and_preflights_are_free(client):
    assert client.get(ACCOUNTS).status_code == 401
    assert client.get(ACCOUNTS).status_code == 429
    preflight = client.options(
        ACCOUNTS, HTTP_ORIGIN="https://app.example", HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET"
    )
    assert preflight.status_code == 200
    assert client.get("/auth/login/").status_code == 200


# --- who is counted: the verified principal, else the client address ---------------------------------

PROXY = "10.0.0.1"


def _forged_token() -> str:
    """A well-formed token naming the portal's key, signed by someone else's."""
    from cryptography.hazmat.primitives.asymmetric import rsa

    now = int(time.time())
    claims = {
        "sub": str(uuid.uuid4()),
        "userId": str(uuid.uuid4()),
        "typ": "access",
        "iat": now,
        "exp": now + 600,
    }
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return jwt.encode(claims, other_key, algorithm="RS256", headers={"kid": current_signing_key().kid})


@pytest.mark.parametrize(
    "make_header",
    [
        lambda: f"Bearer junk{uuid.uuid4().hex}",
        lambda: f"{uuid.uuid4().hex}.{uuid.uuid4().hex}.{uuid.uuid4().hex}",
        lambda: f"Bearer {_forged_token()}",
        lambda: f"Basic {uuid.uuid4().hex}",
    ],
    ids=["junk-bearer", "bare-jwt-shape", "forged-signature", "basic"],
)
@override_settings(PORTAL_API_RATE_LIMIT=f"2/{NEVER_ENDING}")
def test_unverified_credentials_do_not_buy_a_new_budget(client, make_header):
    statuses = [client.get(ACCOUNTS, HTTP_AUTHORIZATION=make_header()).status_code for _ in range(3)]

    assert statuses == [401, 401, 429]


@override_settings(PORTAL_API_RATE_LIMIT=f"2/{NEVER_ENDING}")
def test_a_new_token_for_the_same_user_shares_the_users_budget(api_client_for, partner_admin, customer):
    statuses = [api_client_for(partner_admin).get(ACCOUNTS).status_code for _ in range(3)]

    assert statuses == [200, 200, 429]


@override_settings(PORTAL_API_RATE_LIMIT=f"2/{NEVER_ENDING}")
def test_a_verified_caller_keeps_its_budget_when_its_address_is_spent(client, api_client_for, partner_admin):
    assert [client.get(ACCOUNTS).status_code for _ in range(3)] == [401, 401, 429]

    assert api_client_for(partner_admin).get(ACCOUNTS).status_code == 200


@override_settings(PORTAL_API_RATE_LIMIT=f"1/{NEVER_ENDING}", ALLAUTH_TRUSTED_PROXY_COUNT=1)
def test_clients_behind_a_trusted_proxy_have_their_own_budgets(client):
    def through_proxy(forwarded_for: str) -> int:
        return client.get(ACCOUNTS, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded_for).status_code

    statuses = [through_proxy("203.0.113.5"), through_proxy("203.0.113.6"), through_proxy("203.0.113.5")]

    assert statuses == [401, 401, 429]


@override_settings(PORTAL_API_RATE_LIMIT=f"1/{NEVER_ENDING}", ALLAUTH_TRUSTED_PROXY_COUNT=1)
def test_addresses_a_client_puts_in_front_of_the_proxys_are_ignored(client):
    first = client.get(ACCOUNTS, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="192.0.2.1, 203.0.113.5")
    second = client.get(ACCOUNTS, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="192.0.2.2, 203.0.113.5")

    assert (first.status_code, second.status_code) == (401, 429)


@override_settings(PORTAL_API_RATE_LIMIT=f"1/{NEVER_ENDING}")
def test_without_a_trusted_proxy_x_forwarded_for_is_ignored(client):
    assert settings.ALLAUTH_TRUSTED_PROXY_COUNT == 0
    first = client.get(ACCOUNTS, HTTP_X_FORWARDED_FOR="203.0.113.5")
    second = client.get(ACCOUNTS, HTTP_X_FORWARDED_FOR="203.0.113.6")

    assert (first.status_code, second.status_code) == (401, 429)


@override_settings(PORTAL_API_RATE_LIMIT="3/60")
def test_retry_after_is_the_time_left_in_the_window(client, throttle_clock):
    throttle_clock.now = 60 * 31_666_666 + 15.5  # 15.5 s into a 60 s window
    assert [client.get(ACCOUNTS).status_code for _ in range(3)] == [401, 401, 401]

    response = client.get(ACCOUNTS)

    assert response.status_code == 429 and response["retry-after"] == "44500"


@pytest.mark.parametrize(
    "rate, parsed",
    [
        ("", None),
        ("100/60", (100, 60)),
        ("5/s", (5, 1)),
        ("100/m", (100, 60)),
        ("1000/h", (1000, 3600)),
        ("5/5m", (5, 300)),
        ("3/90s", (3, 90)),
    ],
)
def test_rate_setting_forms(rate, parsed):
    assert parse_rate(rate) == parsed


@pytest.mark.parametrize("rate", ["0/60", "ten/60", "5/fortnight", "5/0m", "5/-1"])
def test_bad_rate_settings_are_rejected(rate):
    with pytest.raises(ValueError):
        parse_rate(rate)


_OTHER_PROCESS = """
import django
django.setup()
from django.test import Client
statuses = [Client().get("/api/admin/2017-09-01/accounts").status_code for _ in range(3)]
print(statuses)
"""


@pytest.mark.skipif(
    not os.environ.get("REDIS_URL"), reason="needs REDIS_URL: the count is shared through Redis"
)
@override_settings(PORTAL_API_RATE_LIMIT=f"3/{NEVER_ENDING}")
def test_the_count_is_shared_across_processes_through_redis(client):
    """Another process (same settings, same Redis) spends the budget; this process is then refused."""
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "portal.settings.test",
        "PORTAL_API_RATE_LIMIT": f"3/{NEVER_ENDING}",
    }
    result = subprocess.run(
        [sys.executable, "-c", _OTHER_PROCESS], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[401, 401, 401]"
    response = client.get(ACCOUNTS)  # same client address as the other process's test client
    assert response.status_code == 429
    assert int(response["retry-after"]) > 0
