"""Two web instances (separate gunicorn processes) on one PostgreSQL and one Redis behave as one
portal: a console session, a refresh family's revocation, the API rate limit, sign-in throttles
and signing-key rotation all hold across them at once. Nothing that the other instance can change
is cached in a process without invalidation.

Each test names its own client address (``X-Real-IP``, the instances trust it as the proxy's
header), so the per-address counts of one test never meet another's."""

from __future__ import annotations

import ast
import os
import re
import uuid

import jwt
import pytest
import requests

from accounts.models import User
from oauth import tokens
from tests.accounts.factories import PASSWORD, UserFactory
from tests.portal.processes import (
    BIN,
    ROOT,
    database_url_of_this_run,
    free_port,
    require_postgres_and_redis,
    start,
    stop,
    wait_for_health,
)

TOKEN = "/api/authentication/2017-09-01/token"
JWKS = "/api/authentication/2017-09-01/.well-known/jwks.json"
RATE = 8  # API requests per client in the instances' (never-ending) window


@pytest.fixture(scope="module")
def instances(django_db_setup, django_db_blocker, tmp_path_factory):
    """Two gunicorn instances, one worker each, on this run's database and Redis."""
    with django_db_blocker.unblock():
        require_postgres_and_redis()
        database_url = database_url_of_this_run()
    logs = tmp_path_factory.mktemp("instances")
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST")} | {
        "DJANGO_SETTINGS_MODULE": "portal.settings.test",
        "DATABASE_URL": database_url,
        "PORTAL_API_RATE_LIMIT": f"{RATE}/86400",
        "PORTAL_TRUSTED_CLIENT_IP_HEADER": "X-Real-IP",
    }
    processes, base_urls = [], []
    try:
        for name in ("a", "b"):
            port, log = free_port(), logs / f"{name}.log"
            command = [
                str(BIN / "gunicorn"),
                "portal.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
            ]
            processes.append(start(command, env, log))
            base_urls.append(f"http://127.0.0.1:{port}")
            wait_for_health(base_urls[-1], processes[-1], log)
        yield base_urls
    finally:
        for process in processes:
            stop(process)


@pytest.fixture
def a_and_b(instances, transactional_db):
    return instances


@pytest.fixture
def address() -> dict[str, str]:
    """A client address of this test's own."""
    return {"X-Real-IP": f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250 + 1}"}


@pytest.fixture
def user(customer):
    return UserFactory(account=customer, role=User.Role.ACCOUNT_ADMIN)


def grant(base_url: str, headers: dict, **data) -> requests.Response:
    return requests.post(f"{base_url}{TOKEN}", data=data, headers=headers, timeout=30)


def password_grant(base_url: str, headers: dict, user: User, password: str = PASSWORD) -> requests.Response:
    return grant(base_url, headers, grant_type="password", username=user.email, password=password)


def claims(base_url: str, headers: dict, access_token: str) -> requests.Response:
    return requests.get(
        f"{base_url}{TOKEN}", headers=headers | {"Authorization": f"Bearer {access_token}"}, timeout=30
    )


def kid(token: str) -> str:
    return jwt.get_unverified_header(token)["kid"]


def test_a_console_session_started_on_one_instance_works_on_the_other(a_and_b, user, address):
    a, b = a_and_b
    browser = requests.Session()
    browser.headers.update(address)
    form = browser.get(f"{a}/auth/login/", timeout=30)
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
    signed_in = browser.post(
        f"{a}/auth/login/",
        data={"csrfmiddlewaretoken": csrf, "login": user.email, "password": PASSWORD},
        allow_redirects=False,
        timeout=30,
    )
    assert signed_in.status_code == 302

    home = browser.get(f"{b}/", allow_redirects=False, timeout=30)

    assert home.status_code == 302
    assert "/auth/login/" not in home.headers["Location"]
    anonymous = requests.get(f"{b}/", headers=address, allow_redirects=False, timeout=30)
    assert "/auth/login/" in anonymous.headers["Location"]


def test_a_refresh_family_revoked_on_one_instance_is_refused_on_the_other_at_once(a_and_b, user, address):
    a, b = a_and_b
    first = password_grant(a, address, user).json()
    second = grant(b, address, grant_type="refresh_token", refresh_token=first["refresh_token"]).json()
    assert claims(b, address, second["access_token"]).status_code == 200

    reused = grant(
        a, address, grant_type="refresh_token", refresh_token=first["refresh_token"]
    )  # revokes the family
    assert reused.status_code == 401

    refused = grant(b, address, grant_type="refresh_token", refresh_token=second["refresh_token"])
    assert refused.status_code == 401
    assert claims(b, address, second["access_token"]).status_code == 401


def test_the_api_rate_limit_counts_requests_on_both_instances(a_and_b, user, address):
    a, b = a_and_b
    access_token = password_grant(a, address, user).json()["access_token"]
    for base_url in [a, b] * (RATE // 2):
        assert claims(base_url, address, access_token).status_code == 200

    over = claims(a, address, access_token)

    assert over.status_code == 429
    assert int(over.headers["retry-after"]) > 0
    assert claims(b, address, access_token).status_code == 429


def test_failed_sign_ins_on_both_instances_lock_the_sign_in_on_either(a_and_b, user, address):
    a, b = a_and_b
    for base_url in (a, b, a, b, a):  # PORTAL_SIGN_IN_FAILURES: 5 failures per email and address
        assert password_grant(base_url, address, user, password="not-the-password").status_code == 401

    locked = password_grant(b, address, user)

    assert locked.status_code == 429
    assert locked.json()["name"] == "TooManyRequests"
    assert password_grant(a, address, user).status_code == 429


def test_a_signing_key_rotation_is_honoured_by_both_instances_at_once(a_and_b, user, address):
    a, b = a_and_b
    before = password_grant(a, address, user).json()["access_token"]
    assert claims(b, address, before).status_code == 200  # both instances have used the old key

    new_key = tokens.signing_key_rotate(retire_previous=True)  # manage.py rotate_signing_key, any process

    assert claims(a, address, before).status_code == 401
    assert claims(b, address, before).status_code == 401
    after_a = password_grant(a, address, user).json()["access_token"]
    after_b = password_grant(b, address, user).json()["access_token"]
    assert kid(after_a) == new_key.kid
    assert kid(after_b) == new_key.kid
    assert claims(b, address, after_a).status_code == 200
    assert claims(a, address, after_b).status_code == 200
    published = requests.get(f"{b}{JWKS}", timeout=30).json()["keys"]
    assert [key["kid"] for key in published] == [new_key.kid]


# In-process caches the code has, each of a value that only its arguments (or the settings)
# determine, so no other instance can change what it holds: a new one must be added here with why.
PURE_CACHES = {
    "core/crypto.py:_keys": "Fernet objects of the configured keys (settings)",
    "core/netpolicy.py:_networks": "parsed CIDR strings",
    "notifications/filters.py:_subject_cached": "a compiled subject filter, from its text",
    "notifications/filters.py:publication_filter_compile": "a compiled publication filter, from its text",
    "notifications/webhooks.py:_tls_context": "the CA bundle's TLS context",
    "oauth/tokens.py:_loaded_keys": "parsed private keys by kid, a hash of the PEM they parse",
    "oauth/tokens.py:_loaded_public_keys": "parsed public keys by kid, read only for a kid the shared cache lists as active",
    "accounts/extensions.py:_user_creators": "functions registered at import time",
    "oauth/grants.py:SUBJECT_TOKEN_EXCHANGES": "exchanges registered at import time (sso/apps.py)",
    "sso/token_exchange.py:_jwks_clients": "a JWKS client per external issuer's key URL: the keys are the issuer's, not ours",
}
MEMOIZING = re.compile(r"(^|\.)(lru_cache|cache)(\(|$)")
APPS = ["core", "accounts", "oauth", "notifications", "gateways", "integrations", "chat", "media", "sso", "portal"]


def in_process_caches() -> set[str]:
    """Functions under a memoizing decorator, and module-level dicts bound at import time."""

    found = set()
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text())
            where = path.relative_to(ROOT).as_posix()
            for node in ast.walk(tree):
                if isinstance(node, ast.FunctionDef) and any(
                    MEMOIZING.search(ast.unparse(decorator)) for decorator in node.decorator_list
                ):
                    found.add(f"{where}:{node.name}")
            for node in tree.body:
                value = node.value if isinstance(node, ast.Assign | ast.AnnAssign) else None
                target = node.targets[0] if isinstance(node, ast.Assign) else getattr(node, "target", None)
                if isinstance(value, ast.Dict) and not value.keys and isinstance(target, ast.Name):
                    found.add(f"{where}:{target.id}")
    return found


def test_no_process_caches_what_another_instance_can_change():
    assert in_process_caches() == set(PURE_CACHES)
