"""Access-token contents (CloudLink's claims, RS256 with kid, issuer) and GET /token ("who am I")."""

import jwt
import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts import services
from oauth.tokens import access_token_issue, current_signing_key, signing_key_rotate
from tests.oauth.token_helpers import TOKEN_URL, sign_in

CLAIM_ROLES = {"GLOBAL_ADMIN", "PARTNER_ADMIN", "ACCOUNT_ADMIN", "USER", "GUEST"}

pytestmark = pytest.mark.django_db


def unverified(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def whoami(authorization: str | None = None, client=None):
    client = client or APIClient()
    headers = {"HTTP_AUTHORIZATION": authorization} if authorization is not None else {}
    return client.get(TOKEN_URL, **headers)


# --- the access token ------------------------------------------------------------------------


def test_access_token_is_rs256_with_the_current_keys_kid(member, password):
    token = sign_in(member, password)["access_token"]

    header = jwt.get_unverified_header(token)

    assert header["alg"] == "RS256"
    assert header["kid"] == current_signing_key().kid


def test_access_token_carries_cloudlinks_claims(member, password, partner):
    body = sign_in(member, password)
    claims = unverified(body["access_token"])

    user_id, account = str(member.user_id), member.account
    assert claims["uniqueUserId"] == claims["principalId"] == claims["userId"] == user_id
    assert claims["accountId"] == str(account.account_id)
    assert claims["partnerId"] == partner.account_number
    assert claims["domain"].startswith(str(account.account_id))
    assert claims["sipAddress"] == f"{user_id}@{claims['domain']}"
    assert claims["email"] == member.email
    assert claims["name"] == member.display_name
    assert claims["emailVerified"] is True
    assert claims["languageCode"] == account.default_language
    assert claims["role"] == "USER"
    assert body["expires_in"] == claims["exp"] - claims["iat"] == 3600


def test_a_partner_admins_partner_id_is_its_own_account_number(partner_admin, password, partner):
    claims = unverified(sign_in(partner_admin, password)["access_token"])

    assert claims["role"] == "PARTNER_ADMIN"
    assert claims["partnerId"] == partner.account_number
    assert claims["accountId"] == str(partner.account_id)


def test_access_token_lifetime_follows_the_setting(member, password, settings):
    settings.PORTAL_ACCESS_TOKEN_SECONDS = 600

    body = sign_in(member, password)

    claims = unverified(body["access_token"])
    assert body["expires_in"] == 600 == claims["exp"] - claims["iat"]


def test_issuer_is_derived_from_the_request_host(member, password):
    claims = unverified(sign_in(member, password, HTTP_HOST="localhost")["access_token"])

    assert claims["iss"] == "http://localhost/api/authentication/cloudlink"


def test_issuer_follows_the_request_scheme(member, password):
    claims = unverified(sign_in(member, password, secure=True)["access_token"])

    assert claims["iss"] == "https://testserver/api/authentication/cloudlink"


def test_configured_issuer_wins_over_the_request_host(member, password, settings):
    settings.PORTAL_TOKEN_ISSUER = "https://auth.example.com/api/authentication/cloudlink/"

    body = sign_in(member, password)

    assert unverified(body["access_token"])["iss"] == "https://auth.example.com/api/authentication/cloudlink"
    assert unverified(body["refresh_token"])["iss"] == "https://auth.example.com/api/authentication/cloudlink"


def test_tokens_issued_outside_a_request_get_a_default_issuer(member):
    token, expires_in = access_token_issue(member)

    assert unverified(token)["iss"].endswith("/api/authentication/cloudlink")
    assert expires_in == 3600


# --- GET /token ------------------------------------------------------------------------------


@pytest.mark.parametrize("scheme", ["Bearer ", "bearer ", ""])
def test_get_token_returns_the_callers_claims_with_bearer_or_bare_jwt(account_admin, password, scheme):
    token = sign_in(account_admin, password)["access_token"]

    response = whoami(f"{scheme}{token}")

    assert response.status_code == 200
    body = response.json()
    claims = unverified(token)
    assert body["principalId"] == body["userId"] == str(account_admin.user_id)
    assert body["accountId"] == str(account_admin.account.account_id)
    assert body["role"] == "ACCOUNT_ADMIN" and body["role"] in CLAIM_ROLES
    assert body["exp"] == str(claims["exp"])
    assert body["iat"] == str(claims["iat"])
    assert body["email"] == account_admin.email
    assert body["iss"] == claims["iss"]


def test_get_token_values_are_all_strings_as_cloudlink_echoes_them(member, password):
    token = sign_in(member, password)["access_token"]

    body = whoami(f"Bearer {token}").json()

    assert all(isinstance(value, str) for value in body.values())
    assert body["emailVerified"] == "true"
    assert body["mobileVerified"] == "false"
    assert "typ" not in body and "jti" not in body


def test_get_token_works_with_the_conftest_bearer_client(api_client_for, partner_admin):
    response = api_client_for(partner_admin).get(TOKEN_URL)

    assert response.status_code == 200
    assert response.json()["role"] == "PARTNER_ADMIN"


def test_get_token_without_a_token_is_401_json(db):
    response = whoami()

    assert response.status_code == 401
    body = response.json()
    assert set(body) >= {"name", "message"}
    assert response["x-mitel-correlation-id"]


def test_get_token_is_not_redirected_to_the_login_page(db):
    response = Client().get(TOKEN_URL)

    assert response.status_code == 401
    assert "Location" not in response


@pytest.mark.parametrize(
    "authorization", ["Bearer garbage", "garbage", "a.b.c", "Bearer a.b.c", "Basic Zm9vOmJhcg=="]
)
def test_get_token_with_a_bad_token_is_401_json(db, authorization):
    response = whoami(authorization)

    assert response.status_code == 401
    assert response.json()["name"] and response.json()["message"]


def test_get_token_with_an_expired_token_is_401(member, settings):
    settings.PORTAL_ACCESS_TOKEN_SECONDS = -60
    token, _ = access_token_issue(member)

    response = whoami(f"Bearer {token}")

    assert response.status_code == 401
    assert "expired" in response.json()["message"]


def test_get_token_with_a_token_signed_by_a_foreign_key_is_401(member, password):
    claims = unverified(sign_in(member, password)["access_token"])
    forged = jwt.encode(
        claims, "not-our-key-" * 4, algorithm="HS256", headers={"kid": current_signing_key().kid}
    )

    assert whoami(f"Bearer {forged}").status_code == 401


def test_a_console_session_alone_does_not_answer_get_token(client_for, member):
    response = client_for(member).get(TOKEN_URL)

    assert response.status_code == 401


def test_deactivating_the_account_ends_its_access_tokens_on_the_next_request(
    partner_admin, customer, account_admin, password
):
    token = sign_in(account_admin, password)["access_token"]
    assert whoami(f"Bearer {token}").status_code == 200

    services.account_deactivate(actor=partner_admin, account=customer, confirmation="deactivate")

    response = whoami(f"Bearer {token}")
    assert response.status_code == 401
    assert response.json()["name"] == "UnauthorizedError"


def test_reactivating_the_account_does_not_revive_old_tokens(partner_admin, customer, member, password):
    token = sign_in(member, password)["access_token"]
    services.account_deactivate(actor=partner_admin, account=customer, confirmation="deactivate")
    services.account_activate(actor=partner_admin, account=customer)

    assert whoami(f"Bearer {token}").status_code == 401
    assert whoami(f"Bearer {sign_in(member, password)['access_token']}").status_code == 200


def test_disabling_a_user_ends_their_access_tokens(member, password):
    token = sign_in(member, password)["access_token"]
    member.is_active = False
    member.save(update_fields=["is_active"])

    assert whoami(f"Bearer {token}").status_code == 401


def test_a_retired_keys_tokens_are_rejected(member, password):
    token = sign_in(member, password)["access_token"]
    signing_key_rotate(retire_previous=True)  # the cached key set is dropped with the retired key

    assert whoami(f"Bearer {token}").status_code == 401
