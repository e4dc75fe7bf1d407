"""The public key set (JWKS), authorization-server discovery and signing-key rotation."""

import json
from io import StringIO
from urllib.parse import urlencode, urlparse

import jwt
import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from oauth.models import SigningKey
from oauth.tokens import access_token_issue, current_signing_key

BASE = "/api/authentication/2017-09-01"
TOKEN_URL = f"{BASE}/token"
# Properties the spec's ``oauthMetadata`` allows (additionalProperties: false).
OAUTH_METADATA_PROPERTIES = {
    "issuer",
    "authorization_endpoint",
    "token_endpoint",
    "jwks_uri",
    "response_types_supported",
    "grant_types_supported",
    "token_endpoint_auth_methods_supported",
    "service_documentation",
    "ui_locales_supported",
    "op_policy_uri",
    "op_tos_uri",
    "code_challenge_methods_supported",
}

pytestmark = pytest.mark.django_db


def jwks_url(account) -> str:
    return f"{BASE}/accounts/{account}/.well-known/jwks.json"


def sign_in(user, password) -> dict:
    response = Client().post(
        TOKEN_URL,
        urlencode({"grant_type": "password", "username": user.email, "password": password}),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 201, response.content
    return response.json()


def verify_with_jwks(token: str, jwks: dict) -> dict:
    """What a relying party does: pick the key by ``kid`` from the fetched set, verify RS256."""
    kid = jwt.get_unverified_header(token)["kid"]
    key = jwt.PyJWKSet.from_dict(jwks)[kid]
    return jwt.decode(token, key.key, algorithms=["RS256"], options={"verify_aud": False})


def fetch(path: str):
    """An anonymous GET (no Authorization header, no session), as a relying party does."""
    return Client().get(path)


# --- JWKS ------------------------------------------------------------------------------------


@pytest.mark.parametrize("ref", ["guid", "number"])
def test_jwks_is_public_and_served_by_guid_or_account_number(customer, ref):
    key = current_signing_key()
    account = str(customer.account_id) if ref == "guid" else customer.account_number

    response = fetch(jwks_url(account))

    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["keys"]
    assert body["keys"] == [key.public_jwk]
    jwk = body["keys"][0]
    assert {jwk["kty"], jwk["alg"], jwk["use"], jwk["kid"]} == {"RSA", "RS256", "sig", key.kid}
    assert "d" not in jwk and "p" not in jwk  # never the private half
    assert response["x-mitel-correlation-id"]


@pytest.mark.parametrize("ref", ["999999999", "nonsense", "00000000-0000-0000-0000-000000000000"])
def test_jwks_does_not_tell_whether_an_account_exists(customer, ref):
    """One key set serves every account, so it is served for any accountId: an anonymous caller
    cannot probe account numbers with this route (CloudLink's spec lists no 404 for it)."""
    known = fetch(jwks_url(customer.account_number))

    response = fetch(jwks_url(ref))

    assert response.status_code == known.status_code == 200
    assert response.json() == known.json()


def test_jwks_ignores_a_bad_authorization_header(customer):
    response = Client().get(jwks_url(customer.account_number), HTTP_AUTHORIZATION="Bearer garbage")

    assert response.status_code == 200


def test_an_access_token_verifies_with_only_the_jwks_fetched_over_http(account_admin, password):
    body = sign_in(account_admin, password)
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})

    jwks = fetch(jwks_url(claims["accountId"])).json()

    verified = verify_with_jwks(body["access_token"], jwks)
    assert verified["userId"] == str(account_admin.user_id)
    assert verified["iss"] == fetch(f"{BASE}/.well-known/openid-configuration").json()["issuer"]


def test_a_tampered_token_fails_verification_against_the_jwks(member, password):
    token = sign_in(member, password)["access_token"]
    header, payload, signature = token.split(".")
    claims = json.loads(jwt.utils.base64url_decode(payload))
    claims["role"] = "PARTNER_ADMIN"
    tampered = ".".join([header, jwt.utils.base64url_encode(json.dumps(claims).encode()).decode(), signature])

    jwks = fetch(jwks_url(member.account.account_number)).json()

    with pytest.raises(jwt.InvalidSignatureError):
        verify_with_jwks(tampered, jwks)


# --- discovery -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["openid-configuration", "oauth-authorization-server"])
def test_discovery_publishes_the_spec_oauth_metadata(db, name):
    response = fetch(f"{BASE}/.well-known/{name}")

    assert response.status_code == 200
    body = response.json()
    assert set(body) <= OAUTH_METADATA_PROPERTIES
    assert body["issuer"] == "http://testserver/api/authentication/cloudlink"
    assert body["token_endpoint"] == f"http://testserver{TOKEN_URL}"
    assert body["grant_types_supported"] == [
        "password",
        "refresh_token",
        "authorization_code",
        "client_credentials",
        "urn:ietf:params:oauth:grant-type:token-exchange",
    ]
    assert body["token_endpoint_auth_methods_supported"] == [
        "none",
        "client_secret_post",
        "client_secret_basic",
    ]
    assert body["response_types_supported"] == ["code"]
    assert body["authorization_endpoint"] == f"http://testserver{BASE}/authorize"
    assert response["x-mitel-correlation-id"]


def test_discovery_jwks_uri_serves_the_key_set(member, password):
    token = sign_in(member, password)["access_token"]
    jwks_uri = fetch(f"{BASE}/.well-known/openid-configuration").json()["jwks_uri"]

    jwks = fetch(urlparse(jwks_uri).path).json()

    assert verify_with_jwks(token, jwks)["userId"] == str(member.user_id)


@pytest.mark.parametrize("ref", ["guid", "number"])
def test_discovery_for_an_account_points_at_its_jwks(customer, ref):
    account = str(customer.account_id) if ref == "guid" else customer.account_number

    body = fetch(f"{BASE}/.well-known/openid-configuration?accountId={account}").json()

    assert body["jwks_uri"] == f"http://testserver{jwks_url(account)}"
    assert fetch(urlparse(body["jwks_uri"]).path).status_code == 200


def test_discovery_does_not_tell_whether_an_account_exists(customer):
    known = fetch(f"{BASE}/.well-known/openid-configuration?accountId={customer.account_number}")

    response = fetch(f"{BASE}/.well-known/openid-configuration?accountId=999999999")

    assert response.status_code == known.status_code == 200
    assert response.json()["jwks_uri"] == f"http://testserver{jwks_url('999999999')}"
    assert {k: v for k, v in response.json().items() if k != "jwks_uri"} == {
        k: v for k, v in known.json().items() if k != "jwks_uri"
    }


@pytest.mark.parametrize("ref", ["a/b", "x" * 65, "bad ref"])
def test_discovery_with_a_malformed_account_id_is_400(db, ref):
    response = Client().get(f"{BASE}/.well-known/openid-configuration", {"accountId": ref})

    assert response.status_code == 400
    assert response.json()["name"] == "BadRequest" and response.json()["message"]


def test_discovery_issuer_matches_the_tokens_issuer(member, password, settings):
    settings.PORTAL_TOKEN_ISSUER = "https://auth.example.com/cloudlink"
    token = sign_in(member, password)["access_token"]

    issuer = fetch(f"{BASE}/.well-known/openid-configuration").json()["issuer"]

    assert (
        issuer
        == jwt.decode(token, options={"verify_signature": False})["iss"]
        == settings.PORTAL_TOKEN_ISSUER
    )


# --- rotation --------------------------------------------------------------------------------


def rotate(*args) -> str:
    out = StringIO()
    call_command("rotate_signing_key", *args, stdout=out)
    return out.getvalue()


def test_rotation_signs_new_tokens_with_the_new_key_and_jwks_lists_both(member, password):
    old_token = sign_in(member, password)["access_token"]
    old_kid = jwt.get_unverified_header(old_token)["kid"]

    output = rotate()

    new_token = sign_in(member, password)["access_token"]
    new_kid = jwt.get_unverified_header(new_token)["kid"]
    assert new_kid != old_kid
    assert new_kid in output
    jwks = fetch(jwks_url(member.account.account_number)).json()
    assert [k["kid"] for k in jwks["keys"]] == [new_kid, old_kid]
    assert verify_with_jwks(old_token, jwks) and verify_with_jwks(new_token, jwks)


def test_tokens_signed_before_a_rotation_keep_working_until_the_key_is_retired(member, password):
    body = sign_in(member, password)
    rotate()

    whoami = Client().get(TOKEN_URL, HTTP_AUTHORIZATION=f"Bearer {body['access_token']}")
    refreshed = Client().post(
        TOKEN_URL,
        urlencode({"grant_type": "refresh_token", "refresh_token": body["refresh_token"]}),
        content_type="application/x-www-form-urlencoded",
    )

    assert whoami.status_code == 200
    assert refreshed.status_code == 201


def test_retire_previous_drops_old_keys_from_the_jwks_and_rejects_their_tokens(member, password):
    old = sign_in(member, password)
    old_kid = jwt.get_unverified_header(old["access_token"])["kid"]
    rotate()
    middle_kid = current_signing_key().kid

    output = rotate("--retire-previous")

    new_kid = current_signing_key().kid
    assert old_kid in output and middle_kid in output
    jwks = fetch(jwks_url(member.account.account_number)).json()
    assert [k["kid"] for k in jwks["keys"]] == [new_kid]
    assert Client().get(TOKEN_URL, HTTP_AUTHORIZATION=f"Bearer {old['access_token']}").status_code == 401
    stale_refresh = Client().post(
        TOKEN_URL,
        urlencode({"grant_type": "refresh_token", "refresh_token": old["refresh_token"]}),
        content_type="application/x-www-form-urlencoded",
    )
    assert stale_refresh.status_code == 401
    assert sign_in(member, password)["access_token"]


def test_the_first_token_creates_a_signing_key_when_none_exists(member):
    assert not SigningKey.objects.exists()

    access_token_issue(member)

    assert SigningKey.objects.filter(retired_at__isnull=True).count() == 1


def test_retired_keys_are_kept_but_not_published(customer):
    rotate()
    rotate("--retire-previous")

    assert SigningKey.objects.count() == 2
    assert SigningKey.objects.filter(retired_at__lte=timezone.now()).count() == 1
    assert len(fetch(jwks_url(customer.account_number)).json()["keys"]) == 1


def test_the_spec_promises_no_404_for_an_accounts_key_set(db):
    spec = json.loads(fetch(f"{BASE}/_spec").content)

    jwks = spec["paths"]["/accounts/{account_ref}/.well-known/jwks.json"]["get"]["responses"]
    discovery = spec["paths"]["/.well-known/openid-configuration"]["get"]["responses"]

    # 400 is listed on every operation (a NUL character or too-deep JSON, docs/api.md "Limits").
    assert set(jwks) == {"200", "400"}
    assert "404" not in discovery and "400" in discovery
