"""grant_type=client_credentials: an approved confidential application's own token in an account
where it is deployed and active; the token stops working when that changes."""

import pytest
from django.test import Client

from oauth.applications.services import application_block, application_deploy, application_secret_rotate
from oauth.tokens import access_token_decode
from tests.accounts.factories import CustomerAccountFactory
from tests.oauth.helpers import BASE, TOKEN_URL, basic, bearer, client_token, post_form, post_json
from tests.oauth.statements import statements
from tests.oauth.token_helpers import assert_error

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("post", [post_form, post_json], ids=["form", "json"])
def test_application_gets_its_own_token_in_its_account(app, customer, post):
    response = client_token(app, post=post)

    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == {"token_type", "expires_in", "access_token", "refresh_token", "scope"}
    assert body["refresh_token"] == ""  # not refreshable: ask again with the secret
    claims = access_token_decode(body["access_token"])
    assert claims["clientId"] == claims["principalId"] == app.client_id
    assert claims["accountId"] == str(customer.account_id)
    assert claims["role"] == "USER"  # the deployment's role (USER unless it says ACCOUNT_ADMIN)
    assert "userId" not in claims


def test_http_basic_carries_the_credentials(app):
    response = post_form(TOKEN_URL, {"grant_type": "client_credentials"}, **basic(app.client_id, app.secret))
    assert response.status_code == 201, response.content


@pytest.mark.parametrize("ref", ["account_number", "account_id"])
def test_account_id_may_be_the_number_or_the_guid(app, customer, ref):
    assert client_token(app, account_id=str(getattr(customer, ref))).status_code == 201


def test_wrong_secret_is_401_client_secret_mismatch(app):
    assert_error(client_token(app, client_secret="wrong"), 401, "ClientSecretMismatch")
    assert_error(
        post_form(TOKEN_URL, {"grant_type": "client_credentials", "client_id": app.client_id}),
        401,
        "ClientSecretMismatch",
    )


def test_unknown_client_is_404_client_not_found(db):
    response = post_form(
        TOKEN_URL, {"grant_type": "client_credentials", "client_id": "nobody", "client_secret": "x"}
    )
    assert_error(response, 404, "ClientNotFound")


def test_missing_client_id_is_400_missing_parameters(db):
    assert_error(post_form(TOKEN_URL, {"grant_type": "client_credentials"}), 400, "MissingParameters")


def test_blocked_application_is_401_client_not_active(app, partner_admin):
    partner_admin.is_staff = True
    partner_admin.save()
    application_block(actor=partner_admin, application=app.application)

    assert_error(client_token(app), 401, "ClientNotActive")


def test_inactive_deployment_is_401_client_not_active(app, partner_admin, customer):
    application_deploy(actor=partner_admin, account=customer, application=app.application, active=False)
    assert_error(client_token(app), 401, "ClientNotActive")


def test_account_where_it_is_not_deployed_is_401_client_not_active(app, outsider_customer, partner):
    assert_error(client_token(app, account_id=outsider_customer.account_number), 401, "ClientNotActive")
    sibling = CustomerAccountFactory(parent=partner)
    assert_error(client_token(app, account_id=sibling.account_number), 401, "ClientNotActive")


def test_unknown_account_is_404_account_not_found(app):
    assert_error(client_token(app, account_id="999999999"), 404, "AccountNotFound")


def test_deployed_in_several_accounts_needs_account_id(app, partner_admin, partner):
    second = CustomerAccountFactory(parent=partner)
    application_deploy(actor=partner_admin, account=second, application=app.application)

    assert_error(client_token(app), 400, "MissingParameters")
    claims = access_token_decode(client_token(app, account_id=second.account_number).json()["access_token"])
    assert claims["accountId"] == str(second.account_id)


def test_public_client_cannot_use_client_credentials(public_app):
    response = post_form(TOKEN_URL, {"grant_type": "client_credentials", "client_id": public_app.client_id})
    assert_error(response, 403, "InvalidClient")


def test_rotated_secret_replaces_the_old_one(app, partner_admin):
    new = application_secret_rotate(actor=partner_admin, application=app.application)

    assert_error(client_token(app), 401, "ClientSecretMismatch")
    assert client_token(app, client_secret=new).status_code == 201


def test_whoami_answers_for_the_application(app):
    token = client_token(app).json()["access_token"]

    response = Client().get(f"{BASE}/token", **bearer(token))

    assert response.status_code == 200
    assert response.json()["clientId"] == app.client_id and response.json()["role"] == "USER"


def test_token_stops_working_when_the_application_is_undeployed(app, partner_admin, customer):
    token = client_token(app).json()["access_token"]
    application_deploy(actor=partner_admin, account=customer, application=app.application, active=False)

    assert Client().get(f"{BASE}/token", **bearer(token)).status_code == 401


def test_token_stops_working_when_the_application_is_blocked(app, partner_admin):
    token = client_token(app).json()["access_token"]
    partner_admin.is_staff = True
    partner_admin.save()
    application_block(actor=partner_admin, application=app.application)

    assert Client().get(f"{BASE}/token", **bearer(token)).status_code == 401


def test_application_tokens_deployed_as_user_cannot_manage_users(app, customer):
    token = client_token(app).json()["access_token"]

    response = Client().get(f"/api/admin/2017-09-01/accounts/{customer.account_id}/users", **bearer(token))

    assert_error(response, 403, "Forbidden")  # as a USER would: the role lacks the capability


def test_a_grant_writes_nothing(app):
    client_token(app)

    with statements() as verbs:
        response = client_token(app)

    assert response.status_code == 201
    assert set(verbs) == {"SELECT"}
