"""grant_type=authorization_code: a code is exchanged once, quickly, by the client it was issued
to; reuse is refused and revokes what the first exchange issued; PKCE S256; client secrets."""

from datetime import timedelta

import pytest
from django.utils import timezone

from oauth.applications.services import application_deploy
from oauth.models import AuthorizationCode, RefreshToken
from oauth.tokens import access_token_decode
from tests.oauth.helpers import (
    BASE,
    REDIRECT_URI,
    basic,
    bearer,
    code_for,
    exchange,
    pkce_pair,
    post_form,
    post_json,
)
from tests.oauth.token_helpers import assert_error

pytestmark = pytest.mark.django_db


def whoami(token: str):
    from django.test import Client

    return Client().get(f"{BASE}/token", **bearer(token))


@pytest.mark.parametrize("post", [post_form, post_json], ids=["form", "json"])
def test_code_is_exchanged_for_the_users_tokens(app, member, password, post):
    code = code_for(member, password, app.client_id)

    response = exchange(code, app.client_id, post=post, client_secret=app.secret)

    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == {"token_type", "expires_in", "access_token", "refresh_token", "scope"}
    assert body["token_type"] == "bearer" and body["refresh_token"]
    claims = access_token_decode(body["access_token"])
    assert claims["userId"] == str(member.user_id) and claims["role"] == member.role
    assert whoami(body["access_token"]).status_code == 200
    assert AuthorizationCode.objects.get().used_at is not None


def test_confidential_client_may_authenticate_with_http_basic(app, member, password):
    code = code_for(member, password, app.client_id)

    response = post_form(
        f"{BASE}/token",
        {"grant_type": "authorization_code", "code": code},
        **basic(app.client_id, app.secret),
    )

    assert response.status_code == 201, response.content


def test_confidential_client_without_its_secret_is_401(app, member, password):
    code = code_for(member, password, app.client_id)

    assert_error(exchange(code, app.client_id), 401, "ClientSecretMismatch")
    assert_error(exchange(code, app.client_id, client_secret="nope"), 401, "ClientSecretMismatch")
    assert exchange(code, app.client_id, client_secret=app.secret).status_code == 201  # not consumed


def test_reusing_a_code_is_refused_and_revokes_the_tokens_it_issued(app, member, password):
    code = code_for(member, password, app.client_id)
    first = exchange(code, app.client_id, client_secret=app.secret).json()
    assert whoami(first["access_token"]).status_code == 200

    replay = exchange(code, app.client_id, client_secret=app.secret)

    body = assert_error(replay, 401, "InvalidLoginCredentials")
    assert "already used" in body["message"]
    assert whoami(first["access_token"]).status_code == 401
    refreshed = post_form(
        f"{BASE}/token", {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]}
    )
    assert refreshed.status_code == 401
    assert RefreshToken.objects.filter(revoked_at__isnull=False).exists()


def test_expired_code_is_refused(app, member, password, settings):
    code = code_for(member, password, app.client_id)
    AuthorizationCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    body = assert_error(
        exchange(code, app.client_id, client_secret=app.secret), 401, "InvalidLoginCredentials"
    )

    assert "expired" in body["message"]


def test_code_lifetime_follows_the_setting(app, member, password, settings):
    settings.PORTAL_AUTHORIZATION_CODE_SECONDS = 30

    code_for(member, password, app.client_id)

    row = AuthorizationCode.objects.get()
    assert timedelta(seconds=29) <= row.expires_at - row.created_at <= timedelta(seconds=31)


def test_unknown_code_is_401(app):
    assert_error(
        exchange("not-a-code", app.client_id, client_secret=app.secret), 401, "InvalidLoginCredentials"
    )


def test_missing_code_is_400(app):
    response = post_form(f"{BASE}/token", {"grant_type": "authorization_code", "client_id": app.client_id})
    assert_error(response, 400, "MissingParameters")


def test_code_of_another_client_is_refused(app, partner_admin, customer, member, password):
    from tests.oauth.helpers import make_app

    other = make_app(partner_admin, customer, name="Other App")
    code = code_for(member, password, app.client_id)

    assert_error(exchange(code, other.client_id, client_secret=other.secret), 403, "InvalidClient")
    assert exchange(code, app.client_id, client_secret=app.secret).status_code == 201


def test_redirect_uri_must_match_the_one_given_at_authorize(app, member, password):
    code = code_for(member, password, app.client_id, redirect_uri=REDIRECT_URI)

    assert_error(exchange(code, app.client_id, client_secret=app.secret), 403, "InvalidRedirectUri")
    wrong = exchange(code, app.client_id, client_secret=app.secret, redirect_uri=REDIRECT_URI + "x")
    assert_error(wrong, 403, "InvalidRedirectUri")
    ok = exchange(code, app.client_id, client_secret=app.secret, redirect_uri=REDIRECT_URI)
    assert ok.status_code == 201


def test_pkce_s256_verifier_is_checked(public_app, member, password):
    verifier, challenge = pkce_pair()
    code = code_for(
        member, password, public_app.client_id, code_challenge=challenge, code_challenge_method="S256"
    )

    assert_error(exchange(code, public_app.client_id), 401, "InvalidVerifier")
    assert_error(exchange(code, public_app.client_id, code_verifier=pkce_pair()[0]), 401, "InvalidVerifier")
    response = exchange(code, public_app.client_id, code_verifier=verifier)

    assert response.status_code == 201, response.content


def test_confidential_client_with_pkce_needs_both_secret_and_verifier(app, member, password):
    verifier, challenge = pkce_pair()
    code = code_for(member, password, app.client_id, code_challenge=challenge, code_challenge_method="S256")

    assert_error(exchange(code, app.client_id, client_secret=app.secret), 401, "InvalidVerifier")
    assert_error(exchange(code, app.client_id, code_verifier=verifier), 401, "ClientSecretMismatch")
    assert exchange(code, app.client_id, client_secret=app.secret, code_verifier=verifier).status_code == 201


def test_code_is_refused_once_the_application_is_undeployed(app, partner_admin, customer, member, password):
    code = code_for(member, password, app.client_id)
    application_deploy(actor=partner_admin, account=customer, application=app.application, active=False)

    assert_error(exchange(code, app.client_id, client_secret=app.secret), 401, "ClientNotActive")


def test_code_of_a_deactivated_account_is_refused(app, customer, member, password):
    code = code_for(member, password, app.client_id)
    customer.status = "deactivated"
    customer.save()

    assert_error(exchange(code, app.client_id, client_secret=app.secret), 403, "InactiveAccount")


def test_scope_of_the_code_is_returned(app, member, password):
    code = code_for(member, password, app.client_id, scope="openid profile")

    body = exchange(code, app.client_id, client_secret=app.secret).json()

    assert body["scope"] == "openid profile"
