"""Delegated Authentication: a deployed confidential application gets a token for a user of its
account by token exchange, only while the account's Delegated Authentication privilege is on;
switching it off ends those tokens on their next use. Other accounts' users are out of reach."""

import pytest
from django.test import Client

from integrations import services as integrations
from oauth.applications.services import application_deploy
from oauth.tokens import access_token_decode
from tests.accounts.factories import CustomerAccountFactory, UserFactory
from tests.oauth.helpers import (
    BASE,
    TOKEN_EXCHANGE,
    TOKEN_URL,
    basic,
    bearer,
    client_token,
    make_app,
    post_form,
    post_json,
)
from tests.oauth.token_helpers import assert_error

pytestmark = pytest.mark.django_db
ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token"


@pytest.fixture
def delegation_on(partner_admin, customer):
    integrations.privilege_set(
        actor=partner_admin, account=customer, privilege="allowProxyAuthentication", enabled=True
    )


def delegate(app, subject, post=post_form, subject_token=None, **extra):
    data = {
        "grant_type": TOKEN_EXCHANGE,
        "client_id": app.client_id,
        "client_secret": app.secret,
        "subject_token": subject_token or client_token(app).json()["access_token"],
        "subject_token_type": ACCESS_TOKEN_TYPE,
        "requested_subject": subject,
        **extra,
    }
    return post(TOKEN_URL, data)


def whoami(token):
    return Client().get(f"{BASE}/token", **bearer(token))


@pytest.mark.parametrize("post", [post_form, post_json], ids=["form", "json"])
@pytest.mark.parametrize("by", ["user_id", "email"])
def test_application_gets_a_token_for_a_user_of_its_account(app, member, delegation_on, post, by):
    response = delegate(app, str(getattr(member, by)), post=post)

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["issued_token_type"] == ACCESS_TOKEN_TYPE
    assert body["refresh_token"] == ""
    claims = access_token_decode(body["access_token"])
    assert claims["userId"] == str(member.user_id) and claims["role"] == member.role
    assert claims["act"] == {"sub": app.client_id}
    assert claims["azp"] == claims["clientId"] == app.client_id
    assert whoami(body["access_token"]).json()["userId"] == str(member.user_id)


def test_delegated_token_works_on_the_admin_api_as_that_user(app, account_admin, customer, delegation_on):
    token = delegate(app, account_admin.email).json()["access_token"]

    response = Client().get(f"/api/admin/2017-09-01/accounts/{customer.account_id}/users", **bearer(token))

    assert response.status_code == 200, response.content


def test_refused_while_delegated_authentication_is_off(app, member):
    assert_error(delegate(app, member.email), 403, "ImpersonationNotAllowed")


def test_switching_the_privilege_off_ends_delegated_tokens_on_next_use(
    app, member, partner_admin, customer, delegation_on
):
    token = delegate(app, member.email).json()["access_token"]
    assert whoami(token).status_code == 200

    integrations.privilege_set(
        actor=partner_admin, account=customer, privilege="allowProxyAuthentication", enabled=False
    )

    assert whoami(token).status_code == 401
    assert_error(delegate(app, member.email), 403, "ImpersonationNotAllowed")


def test_undeploying_the_application_ends_delegated_tokens(
    app, member, partner_admin, customer, delegation_on
):
    token = delegate(app, member.email).json()["access_token"]

    application_deploy(actor=partner_admin, account=customer, application=app.application, active=False)

    assert whoami(token).status_code == 401


def test_application_of_account_a_gets_nothing_for_a_user_of_account_b(
    app, partner, partner_admin, outsider, delegation_on
):
    sibling = CustomerAccountFactory(parent=partner)
    integrations.privilege_set(
        actor=partner_admin, account=sibling, privilege="allowProxyAuthentication", enabled=True
    )
    sibling_user = UserFactory(account=sibling)

    for user in (sibling_user, outsider):
        assert_error(delegate(app, str(user.user_id)), 404, "UserNotFound")
        assert_error(delegate(app, user.email), 404, "UserNotFound")


def test_subject_token_of_another_application_is_refused(app, partner_admin, customer, member, delegation_on):
    other = make_app(partner_admin, customer, name="Other App")
    foreign = client_token(other).json()["access_token"]

    assert_error(delegate(app, member.email, subject_token=foreign), 403, "FailedImpersonation")


def test_subject_token_must_be_a_client_token(app, member, password, delegation_on):
    from tests.oauth.token_helpers import sign_in

    user_token = sign_in(member, password)["access_token"]

    assert_error(delegate(app, member.email, subject_token=user_token), 403, "FailedImpersonation")
    assert_error(delegate(app, member.email, subject_token="garbage"), 401, "InvalidLoginCredentials")


def test_client_must_authenticate(app, member, delegation_on):
    assert_error(delegate(app, member.email, client_secret="wrong"), 401, "ClientSecretMismatch")


def test_http_basic_works_for_token_exchange(app, member, delegation_on):
    data = {
        "grant_type": TOKEN_EXCHANGE,
        "subject_token": client_token(app).json()["access_token"],
        "requested_subject": member.email,
    }
    assert post_form(TOKEN_URL, data, **basic(app.client_id, app.secret)).status_code == 201


def test_missing_parameters_are_400(app):
    response = post_form(TOKEN_URL, {"grant_type": TOKEN_EXCHANGE, "client_id": app.client_id})
    body = assert_error(response, 400, "MissingParameters")
    assert "subject_token" in body["message"]


def test_disabled_user_gets_no_delegated_token(app, member, delegation_on):
    member.is_active = False
    member.save()

    assert_error(delegate(app, member.email), 403, "UserNotActive")
