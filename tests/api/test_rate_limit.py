"""Opt-in API rate limiting (PORTAL_API_RATE_LIMIT), counted in the shared cache."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings

from portal.middleware import parse_rate

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
def test_over_the_limit_is_429_with_retry_after_in_milliseconds(api_client_for, partner_admin, customer):
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


@pytest.mark.parametrize(
    "rate, parsed",
    [("", None), ("100/60", (100, 60)), ("5/s", (5, 1)), ("100/m", (100, 60)), ("1000/h", (1000, 3600))],
)
def test_rate_setting_forms(rate, parsed):
    assert parse_rate(rate) == parsed


@pytest.mark.parametrize("rate", ["0/60", "ten/60", "5/fortnight"])
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
