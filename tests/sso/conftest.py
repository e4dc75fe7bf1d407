"""Identity providers for the SSO tests: pysaml2's IdP in-process, oidc-provider run by Node."""

from __future__ import annotations

import html
import json
import os
import re
import socket
import subprocess
from pathlib import Path

import pytest
import requests
from django.urls import reverse

from sso import saml
from sso.sign_in import oidc_redirect_uri
from tests.oauth.helpers import app  # noqa: F401 (a fixture: an application deployed in customer)
from tests.sso.saml_idp import SamlIdp, self_signed_certificate
from tests.waiting import wait_until


@pytest.fixture
def saml_idp(tmp_path, customer, settings):
    """pysaml2's IdP, knowing the SP of ``customer`` from the SP's metadata."""
    key_file, cert_file = self_signed_certificate(tmp_path, "idp")
    return SamlIdp(key_file=key_file, cert_file=cert_file, sp_metadata=saml.sp_metadata(customer))


@pytest.fixture
def impostor_idp(tmp_path, customer):
    """Another IdP under the same entity ID, signing with a key the account never trusted."""
    key_file, cert_file = self_signed_certificate(tmp_path, "impostor")
    return SamlIdp(key_file=key_file, cert_file=cert_file, sp_metadata=saml.sp_metadata(customer))


IDP_DIR = Path(__file__).parent / "idp"
OIDC_CLIENT_ID = "portal-console"
OIDC_CLIENT_SECRET = "tests-only-client-secret"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _discovery_answers(issuer: str) -> bool:
    try:
        return requests.get(f"{issuer}/.well-known/openid-configuration", timeout=1).status_code == 200
    except requests.RequestException:
        return False


@pytest.fixture(scope="session")
def oidc_idp_process():
    """``oidc-provider`` run by Node (installed with ``npm ci`` from tests/sso/idp/package-lock.json
    when missing), with one confidential client whose redirect URIs are the tests' accounts'
    callbacks (any account: ``redirect_uris`` are checked, so they are added per test by
    ``oidc_idp``). Yields a function that starts it for a list of redirect URIs."""
    if not (IDP_DIR / "node_modules" / "oidc-provider").exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=IDP_DIR, check=True)
    processes: list[subprocess.Popen] = []

    def start(redirect_uris: list[str], roles: dict[str, str] | None = None) -> str:
        port = _free_port()
        client = {
            "client_id": OIDC_CLIENT_ID,
            "client_secret": OIDC_CLIENT_SECRET,
            "redirect_uris": redirect_uris,
            "grant_types": ["authorization_code"],
            "response_types": ["code"],
            "token_endpoint_auth_method": "client_secret_basic",
        }
        env = {
            **os.environ,
            "PORT": str(port),
            "CLIENTS": json.dumps([client]),
            "ROLES": json.dumps(roles or {}),
        }
        process = subprocess.Popen(["node", "server.mjs"], cwd=IDP_DIR, env=env)
        processes.append(process)
        issuer = f"http://127.0.0.1:{port}"
        assert wait_until(lambda: _discovery_answers(issuer), timeout=30), "oidc-provider did not start"
        return issuer

    yield start
    for process in processes:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def oidc_idp(oidc_idp_process, customer):
    """A running OpenID Connect provider that knows the portal as a client of ``customer``."""
    return oidc_idp_process([oidc_redirect_uri(customer)], roles={"boss@globex.example": "ACCOUNT_ADMIN"})


IDP_LINK = re.compile(r'id="identity-provider-link" href="([^"]+)"')


def email_step(client, email: str) -> str:
    """The sign-in page's email step (email only, then Next); returns the IdP URL it moves on to."""
    response = client.post(reverse("account_login"), {"step": "email", "login": email})
    assert response.status_code == 200
    page = response.content.decode()
    url = html.unescape(IDP_LINK.search(page).group(1))
    assert f'content="0;url={html.escape(url)}"' in page
    return url
