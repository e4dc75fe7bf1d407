"""Issue 9, finding 2 (the token side): refusing an application belongs to its *authenticated*
client. Tokens an application obtained (its own client_credentials token, and the user tokens of
the authorization-code flow, which name it in ``azp``) stop on the next request once it is blocked,
deleted or no longer active in the account; its client_id is refused at /token; and the password
grant never mints tokens for an application's credentials."""

from __future__ import annotations

import pytest
from django.test import Client

from oauth.applications import services
from oauth.applications.services import application_approve, application_block, application_deploy
from oauth.models import RefreshToken
from oauth.tokens import access_token_decode
from tests.oauth.applications.helpers import operator
from tests.oauth.helpers import BASE, TOKEN_URL, basic, bearer, client_token, code_for, exchange, post_form
from tests.oauth.token_helpers import assert_error

pytestmark = pytest.mark.django_db


def whoami(token: str):
    return Client().get(f"{BASE}/token", **bearer(token))


def refresh(refresh_token: str):
    return post_form(TOKEN_URL, {"grant_type": "refresh_token", "refresh_token": refresh_token})


def password_grant(user, password, **extra):
    data = {"grant_type": "password", "username": user.email, "password": password}
    return post_form(TOKEN_URL, data | extra)


def code_tokens(app, user, password) -> dict:
    response = exchange(code_for(user, password, app.client_id), app.client_id, client_secret=app.secret)
    assert response.status_code == 201, response.content
    return response.json()


def test_the_code_flows_user_token_names_its_client(app, member, password):
    tokens = code_tokens(app, member, password)

    claims = access_token_decode(tokens["access_token"])

    assert claims["azp"] == claims["clientId"] == app.client_id
    assert claims["userId"] == str(member.user_id)
    assert RefreshToken.objects.get(user=member).client_id == app.client_id
    renewed = refresh(tokens["refresh_token"])
    assert renewed.status_code == 201, renewed.content
    assert access_token_decode(renewed.json()["access_token"])["azp"] == app.client_id


def test_blocking_the_application_ends_the_user_tokens_it_obtained(app, member, password, partner):
    tokens = code_tokens(app, member, password)
    assert whoami(tokens["access_token"]).status_code == 200

    application_block(actor=operator(partner), application=app.application, reason="abuse")

    assert whoami(tokens["access_token"]).status_code == 401
    assert_error(refresh(tokens["refresh_token"]), 401, "InvalidLoginCredentials")


def test_approving_again_does_not_revive_the_sign_ins_of_a_blocked_application(
    app, member, password, partner
):
    tokens = code_tokens(app, member, password)
    ops = operator(partner)
    application_block(actor=ops, application=app.application, reason="abuse")

    application_approve(actor=ops, application=app.application)

    assert whoami(tokens["access_token"]).status_code == 401
    assert_error(refresh(tokens["refresh_token"]), 401, "InvalidLoginCredentials")
    assert code_tokens(app, member, password)["access_token"]  # new sign-ins work again


def test_deactivating_the_deployment_stops_the_user_tokens_it_obtained(
    app, member, password, partner_admin, customer
):
    tokens = code_tokens(app, member, password)

    application_deploy(actor=partner_admin, account=customer, application=app.application, active=False)

    assert whoami(tokens["access_token"]).status_code == 401
    assert_error(refresh(tokens["refresh_token"]), 401, "ClientNotActive")


def test_a_deleted_applications_tokens_and_client_id_are_refused(app, member, password, partner):
    tokens = code_tokens(app, member, password)
    own = client_token(app).json()["access_token"]

    services.application_delete(actor=operator(partner), application=app.application)

    assert whoami(tokens["access_token"]).status_code == 401
    assert whoami(own).status_code == 401
    assert refresh(tokens["refresh_token"]).status_code == 401
    assert_error(client_token(app), 404, "ClientNotFound")


def test_the_users_own_tokens_do_not_depend_on_any_application(app, member, password, partner):
    own = password_grant(member, password)
    application_block(actor=operator(partner), application=app.application)

    assert whoami(own.json()["access_token"]).status_code == 200


# --- the password grant and application credentials ------------------------------------------


@pytest.mark.parametrize("how", ["body", "basic"])
def test_the_password_grant_refuses_an_applications_credentials(app, member, password, how):
    if how == "body":
        response = password_grant(member, password, client_id=app.client_id, client_secret=app.secret)
    else:
        response = post_form(
            TOKEN_URL,
            {"grant_type": "password", "username": member.email, "password": password},
            **basic(app.client_id, app.secret),
        )

    body = assert_error(response, 403, "InvalidClient")
    assert "authorization_code" in body["message"]
    assert not RefreshToken.objects.exists()


def test_the_password_grant_refuses_a_public_clients_id(public_app, member, password):
    response = password_grant(member, password, client_id=public_app.client_id)

    assert_error(response, 403, "InvalidClient")


def test_the_password_grant_refuses_a_blocked_applications_client_id(app, member, password, partner):
    application_block(actor=operator(partner), application=app.application)

    response = password_grant(member, password, client_id=app.client_id)

    assert_error(response, 403, "InvalidClient")


def test_the_password_grant_ignores_a_client_id_no_application_has(member, password):
    response = password_grant(member, password, client_id="my-script")

    assert response.status_code == 201, response.content
    assert "azp" not in access_token_decode(response.json()["access_token"])


def test_a_blocked_applications_client_id_is_refused_by_the_code_exchange(app, member, password, partner):
    code = code_for(member, password, app.client_id)
    application_block(actor=operator(partner), application=app.application)

    assert_error(exchange(code, app.client_id, client_secret=app.secret), 401, "ClientNotActive")


# --- client_credentials answers the scope it grants ----------------------------------------------


def test_client_credentials_answers_the_scope_it_grants(app):
    assert client_token(app).json()["scope"] == "read write"
    assert client_token(app, scope="read").json()["scope"] == "read write"
    assert client_token(app, scope="write  read").json()["scope"] == "read write"


@pytest.mark.parametrize("scope", ["admin", "read admin", "openid", "x" * 200])
def test_client_credentials_refuses_a_scope_it_does_not_grant(app, scope):
    body = assert_error(client_token(app, scope=scope), 400, "InvalidScope")

    assert "read write" in body["message"]
