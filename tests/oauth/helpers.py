"""Helpers of the issue-4 token tests: an approved application deployed in an account, and the
calls an application makes (/authorize, the code exchange, client_credentials, token exchange)."""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from urllib.parse import urlencode

import pytest
from django.test import Client
from rest_framework.test import APIClient

from oauth.applications.services import application_approve, application_deploy, application_register
from oauth.models import Application

BASE = "/api/authentication/2017-09-01"
AUTHORIZE_URL = f"{BASE}/authorize"
GUEST_URL = f"{BASE}/guest/token"
TOKEN_URL = f"{BASE}/token"
REDIRECT_URI = "https://app.example/callback"
TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"


@dataclass
class App:
    application: Application
    secret: str | None

    @property
    def client_id(self) -> str:
        return self.application.client_id


def make_app(
    partner_admin,
    *accounts,
    name: str = "Acme Connector",
    client_type: str = Application.ClientType.CONFIDENTIAL,
    redirect_uris=(REDIRECT_URI,),
) -> App:
    """Register (by the partner), approve (by an operator) and deploy into ``accounts``."""
    application = application_register(
        actor=partner_admin,
        partner=partner_admin.account,
        name=name,
        contact_email="dev@acme.example",
        mitel_app=name.replace(" ", ""),
        redirect_uris=redirect_uris,
        client_type=client_type,
    )
    application, secret = application_approve(actor=None, application=application)
    for account in accounts:
        application_deploy(actor=partner_admin, account=account, application=application)
    return App(application, secret)


@pytest.fixture
def app(partner_admin, customer) -> App:
    """A confidential application, approved and deployed (active) in ``customer``."""
    return make_app(partner_admin, customer)


@pytest.fixture
def public_app(partner_admin, customer) -> App:
    """A public (PKCE) client deployed in ``customer``."""
    return make_app(partner_admin, customer, name="Acme Mobile", client_type=Application.ClientType.PUBLIC)


def post_form(url: str, data: dict, client=None, **headers):
    return (client or Client()).post(
        url, urlencode(data), content_type="application/x-www-form-urlencoded", **headers
    )


def post_json(url: str, data: dict, **headers):
    return APIClient().post(url, data, format="json", **headers)


def basic(client_id: str, secret: str) -> dict:
    raw = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return {"HTTP_AUTHORIZATION": f"Basic {raw}"}


def bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def authorize(user, password, client_id, post=post_form, **extra):
    data = {
        "response_type": "code",
        "username": user.email,
        "password": password,
        "client_id": client_id,
        **extra,
    }
    return post(AUTHORIZE_URL, data)


def code_for(user, password, client_id, **extra) -> str:
    response = authorize(user, password, client_id, **extra)
    assert response.status_code == 201, response.content
    return response.json()["code"]


def exchange(code: str, client_id: str, post=post_form, **extra):
    return post(
        TOKEN_URL, {"grant_type": "authorization_code", "code": code, "client_id": client_id, **extra}
    )


def client_token(app: App, post=post_form, **extra):
    data = {
        "grant_type": "client_credentials",
        "client_id": app.client_id,
        "client_secret": app.secret,
        **extra,
    }
    return post(TOKEN_URL, data)


def assert_oauth_error(response, status: int, name: str) -> dict:
    """An /authorize error: CloudLink's ``{name, message}`` plus OAuth's ``error`` fields."""
    assert response.status_code == status, response.content
    body = response.json()
    assert body["name"] == name
    assert body["message"] and body["error"] and body["error_description"]
    return body
