"""Token exchange with a trusted issuer (``POST /token``, RFC 8693) against a real issuer: ID tokens
come from ``oidc-provider`` run by Node (tests/sso/idp), whose JWKS the portal reads over HTTP."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from http import HTTPStatus
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import AuditEvent
from oauth import tokens
from sso import oidc
from sso.token_exchange import ID_TOKEN_TYPE, jwks_clients_forget
from tests.oauth.helpers import post_form
from tests.sso.conftest import OIDC_CLIENT_ID, OIDC_CLIENT_SECRET
from tests.sso.factories import TrustedIssuerFactory
from tests.sso.test_sign_in_oidc import sign_in_at_the_provider

pytestmark = pytest.mark.django_db
TOKEN_URL = "/api/authentication/2017-09-01/token"
APP_CALLBACK = "http://127.0.0.1:9/exchange-app/cb"
EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"


@pytest.fixture(scope="session")
def exchange_idp(oidc_idp_process):
    """A running ``oidc-provider`` whose client is an app that already holds its users' ID tokens;
    ``id_token_for(email)`` signs in there (login and consent pages) and returns the ID token."""
    issuer = oidc_idp_process([APP_CALLBACK])
    document = oidc.discover(issuer)
    issued: dict[str, str] = {}

    def id_token_for(email: str) -> str:
        if email not in issued:
            verifier, challenge = oidc.pkce_pair()
            start = oidc.authorization_url(
                document,
                client_id=OIDC_CLIENT_ID,
                redirect_uri=APP_CALLBACK,
                state="state",
                nonce="nonce",
                code_challenge=challenge,
            )
            back = sign_in_at_the_provider(start, email, stop_at=APP_CALLBACK)
            code = parse_qs(urlsplit(back).query)["code"][0]
            answer = requests.post(
                document["token_endpoint"],
                data={
                    "grant_type": "authorization_code",
                    "code": code,
                    "redirect_uri": APP_CALLBACK,
                    "code_verifier": verifier,
                },
                auth=(OIDC_CLIENT_ID, OIDC_CLIENT_SECRET),
                timeout=10,
            )
            assert answer.status_code == HTTPStatus.OK, answer.text
            issued[email] = answer.json()["id_token"]
        return issued[email]

    return {"issuer": issuer, "jwks_uri": document["jwks_uri"], "id_token_for": id_token_for}


@pytest.fixture(autouse=True)
def _fresh_jwks_cache():
    jwks_clients_forget()
    yield
    jwks_clients_forget()


@pytest.fixture
def trusted(exchange_idp, customer):
    return TrustedIssuerFactory(
        account=customer,
        iss=exchange_idp["issuer"],
        jwks_uri=exchange_idp["jwks_uri"],
        audience=OIDC_CLIENT_ID,
    )


def exchange(subject_token: str, **extra: str):
    return post_form(
        TOKEN_URL,
        {
            "grant_type": EXCHANGE,
            "subject_token": subject_token,
            "subject_token_type": ID_TOKEN_TYPE,
            **extra,
        },
    )


def test_an_id_token_of_a_trusted_issuer_becomes_the_users_token(exchange_idp, trusted, member, customer):
    response = exchange(exchange_idp["id_token_for"](member.email))

    assert response.status_code == HTTPStatus.CREATED, response.content
    body = response.json()
    claims = tokens.access_token_decode(body["access_token"])
    assert claims["userId"] == str(member.user_id)
    assert claims["accountId"] == str(customer.account_id)
    assert body["refresh_token"]
    assert body["issued_token_type"] == "urn:ietf:params:oauth:token-type:access_token"
    event = AuditEvent.objects.get(action="user.signed_in_token_exchange")
    assert event.account == customer


def test_the_exchanged_token_works_on_the_api(exchange_idp, trusted, member):
    access = exchange(exchange_idp["id_token_for"](member.email)).json()["access_token"]

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    whoami = api.get(TOKEN_URL)

    assert whoami.status_code == HTTPStatus.OK
    assert whoami.json()["userId"] == str(member.user_id)


def test_an_issuer_no_account_trusts_is_refused(exchange_idp, member):
    response = exchange(exchange_idp["id_token_for"](member.email))

    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert response.json()["name"] == "UntrustedIssuer"
    assert "is not a trusted issuer" in response.json()["message"]


def test_an_issuer_trusted_by_another_account_is_refused_for_this_one(
    exchange_idp, outsider_customer, member, customer
):
    TrustedIssuerFactory(
        account=outsider_customer,
        iss=exchange_idp["issuer"],
        jwks_uri=exchange_idp["jwks_uri"],
        audience=OIDC_CLIENT_ID,
    )

    response = exchange(exchange_idp["id_token_for"](member.email), account_id=str(customer.account_id))

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert response.json()["name"] == "UntrustedIssuer"
    assert "trusted by another account" in response.json()["message"]


def test_a_token_whose_claims_were_changed_fails_the_signature_check(
    exchange_idp, trusted, member, account_admin
):
    header, payload, signature = exchange_idp["id_token_for"](member.email).split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["email"] = account_admin.email
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()

    response = exchange(f"{header}.{forged}.{signature}")

    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert response.json()["name"] == "InvalidSubjectToken"
    assert "signature does not match" in response.json()["message"]


def test_an_expired_token_is_refused(exchange_idp, trusted, member):
    id_token = exchange_idp["id_token_for"](member.email)

    with time_machine.travel(timezone.now() + timedelta(days=2), tick=False):
        response = exchange(id_token)

    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert response.json()["message"] == "The subject_token has expired."


def test_a_token_for_another_audience_is_refused(exchange_idp, customer, member):
    TrustedIssuerFactory(
        account=customer,
        iss=exchange_idp["issuer"],
        jwks_uri=exchange_idp["jwks_uri"],
        audience="another-app",
    )

    response = exchange(exchange_idp["id_token_for"](member.email))

    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert "issued for another audience (expected 'another-app')" in response.json()["message"]


def test_without_an_audience_the_accounts_entity_id_is_expected(exchange_idp, customer, member):
    TrustedIssuerFactory(account=customer, iss=exchange_idp["issuer"], jwks_uri=exchange_idp["jwks_uri"])

    response = exchange(exchange_idp["id_token_for"](member.email))

    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert f"saml2/{customer.account_id}" in response.json()["message"]


def test_an_email_the_account_does_not_know_is_refused(exchange_idp, trusted):
    response = exchange(exchange_idp["id_token_for"]("stranger@elsewhere.example"))

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert response.json()["name"] == "UserNotFound"
    assert "stranger@elsewhere.example" in response.json()["message"]


def test_a_token_exchange_without_a_type_or_subject_says_what_is_missing(exchange_idp, trusted, member):
    response = post_form(
        TOKEN_URL, {"grant_type": EXCHANGE, "subject_token": exchange_idp["id_token_for"](member.email)}
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "subject_token_type urn:ietf:params:oauth:token-type:id_token" in response.json()["message"]


def test_a_subject_token_that_is_not_a_jwt_is_refused(db):
    response = exchange("not-a-token")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json() == {"name": "InvalidSubjectToken", "message": "The subject_token is not a JWT."}
