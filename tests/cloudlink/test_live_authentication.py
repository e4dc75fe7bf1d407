"""Sign-in flows of the client against the live portal, and its automatic token renewal."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from cloudlink import Forbidden, MultipleMatching, Unauthorized
from oauth.applications.services import mitel_app_name
from oauth.models import ApplicationUsage, RefreshToken
from tests.accounts.factories import UserFactory
from tests.oauth.factories import ApplicationFactory
from tests.oauth.helpers import REDIRECT_URI, make_app

pytestmark = pytest.mark.django_db(transaction=True)


def test_password_login_then_whoami_with_the_x_mitel_app_header(cloudlink, member, customer, password):
    client = cloudlink()
    token = client.login(member.email, password)
    assert token.token_type == "bearer" and token.access_token and token.refresh_token
    claims = client.whoami()
    assert (claims.user_id, claims.account_id, claims.role) == (
        str(member.user_id),
        str(customer.account_id),
        "USER",
    )
    assert claims.email == member.email and isinstance(claims.exp, int)
    # The server keeps x-mitel-app on the refresh token: the client's default identifies it.
    row = RefreshToken.objects.get(user=member)
    assert row.mitel_app == client.mitel_app and row.mitel_app.startswith("app=cloudlink-python/")


def test_wrong_password_is_unauthorized_with_the_correlation_id_logged(cloudlink, member, caplog):
    client = cloudlink()
    with caplog.at_level(logging.WARNING, logger="cloudlink"), pytest.raises(Unauthorized) as caught:
        client.login(member.email, "not-the-password")
    error = caught.value
    assert (error.status, error.name) == (401, "InvalidLoginCredentials")
    assert error.correlation_id and error.message
    [record] = [r for r in caplog.records if r.name == "cloudlink"]
    assert record.levelno == logging.WARNING and record.cloudlink_status == 401
    assert record.cloudlink_correlation_id == error.correlation_id
    text = record.getMessage()
    assert "POST " in text and "/api/authentication/2017-09-01/token -> 401" in text
    assert "InvalidLoginCredentials" in text and "not-the-password" not in text


def test_an_email_in_two_accounts_needs_the_account_id(
    cloudlink, member, outsider_customer, customer, password
):
    UserFactory(account=outsider_customer, email=member.email)
    client = cloudlink()
    with pytest.raises(MultipleMatching) as caught:
        client.login(member.email, password)
    assert caught.value.status == 409 and caught.value.name == "MultipleMatching"
    client.login(member.email, password, account_id=customer.account_number)
    assert client.whoami().account_id == str(customer.account_id)


def test_token_about_to_expire_is_refreshed_before_the_call(cloudlink, member, password, settings):
    settings.PORTAL_ACCESS_TOKEN_SECONDS = 5
    client = cloudlink(refresh_margin=30)  # a 5-second token is always "about to expire"
    first = client.login(member.email, password)
    assert client.whoami().user_id == str(member.user_id)
    assert client.token.access_token != first.access_token
    assert client.token.refresh_token != first.refresh_token  # rotated
    rows = RefreshToken.objects.filter(user=member).order_by("issued_at")
    assert rows.count() == 2 and rows[0].used_at is not None and rows[1].used_at is None


def test_a_401_on_an_expired_token_is_refreshed_once_and_retried(
    cloudlink, member, password, settings, caplog
):
    settings.PORTAL_ACCESS_TOKEN_SECONDS = 1
    client = cloudlink(refresh_margin=0)
    first = client.login(member.email, password)
    first.expires_in = 0  # the client no longer knows when it expires: only the server's 401 tells
    settings.PORTAL_ACCESS_TOKEN_SECONDS = 3600  # the renewed token must outlive a slow machine's retry
    # Three seconds later (for the portal too: it runs in this process), the first token has expired.
    with (
        time_machine.travel(datetime.now(UTC) + timedelta(seconds=3), tick=True),
        caplog.at_level(logging.WARNING, logger="cloudlink"),
    ):
        assert client.whoami().user_id == str(member.user_id)
    assert client.token.access_token != first.access_token
    assert [r.cloudlink_status for r in caplog.records if r.name == "cloudlink"] == [401]


def test_a_token_that_cannot_be_renewed_gives_the_401(cloudlink):
    client = cloudlink()
    client.use_token("not-a-jwt")
    with pytest.raises(Unauthorized) as caught:
        client.whoami()
    assert caught.value.name == "UnauthorizedError" and caught.value.correlation_id


@pytest.mark.parametrize("basic", [False, True], ids=["secret-in-body", "http-basic"])
def test_client_credentials_login(cloudlink, partner_admin, customer, basic):
    app = make_app(partner_admin, customer)
    client = cloudlink()
    token = client.login_client_credentials(app.client_id, app.secret, customer.account_number, basic=basic)
    assert token.access_token and not token.refresh_token
    claims = client.whoami()
    assert (claims.principal_id, claims.type, claims.role) == (app.client_id, "client", "USER")
    assert claims.account_id == str(customer.account_id)
    # Deployed with the default role USER, the application may not read the account: a typed 403.
    with pytest.raises(Forbidden):
        client.admin.get_account(customer.account_number)


def test_client_credentials_token_is_renewed_with_the_same_credentials(
    cloudlink, partner_admin, customer, settings
):
    settings.PORTAL_ACCESS_TOKEN_SECONDS = 5
    app = make_app(partner_admin, customer)
    client = cloudlink(refresh_margin=30)
    first = client.login_client_credentials(app.client_id, app.secret)
    client.whoami()
    assert client.token.access_token != first.access_token


def test_authorization_code_with_pkce_gives_the_users_own_tokens(
    cloudlink, partner_admin, customer, member, password
):
    app = make_app(partner_admin, customer)
    client = cloudlink()
    token = client.login_authorization_code(
        app.client_id, member.email, password, client_secret=app.secret, redirect_uri=REDIRECT_URI
    )
    assert token.refresh_token
    assert client.whoami().user_id == str(member.user_id)
    # The code's refresh token keeps the session going (and rotates).
    renewed = client.login_refresh_token(token.refresh_token)
    assert renewed.access_token != token.access_token


def test_authorization_code_in_two_steps_with_http_basic(
    cloudlink, partner_admin, customer, account_admin, password
):
    app = make_app(partner_admin, customer)
    client = cloudlink()
    code = client.authentication.authorize(app.client_id, account_admin.email, password)
    client.login_code(code, app.client_id, app.secret, basic=True)
    assert client.whoami().role == "ACCOUNT_ADMIN"
    with pytest.raises(Unauthorized):  # a code works once
        client.authentication.exchange_code(code, app.client_id, app.secret)


def test_guest_token(cloudlink, customer):
    customer.allow_guest_access = True
    customer.save(update_fields=["allow_guest_access"])
    client = cloudlink()
    token = client.login_guest(customer.account_number, "Visiting Vera")
    assert token.access_token and token.refresh_token  # the guest's only way to more tokens
    claims = client.whoami()
    assert (claims.role, claims.name, claims.user_id) == ("GUEST", "Visiting Vera", None)
    with pytest.raises(Forbidden):
        client.admin.list_accounts()

    assert client.tokens.renew_after_401(token.access_token)  # the client renews like any other token
    assert client.token.refresh_token != token.refresh_token
    assert client.whoami().principal_id == claims.principal_id


@pytest.mark.parametrize("status", ["pending", "rejected", "blocked"])
def test_a_registration_named_like_the_client_changes_nothing_for_it(
    cloudlink, partner, member, password, status
):
    """Issue 9, finding 2: a partner's registration named like this client's x-mitel-app (from
    before the name was reserved) must not refuse the client: the header is only counted."""
    client = cloudlink()
    ApplicationFactory(
        owner=partner,
        name="Squatter",
        contact_email="squat@acme.example",
        mitel_app=mitel_app_name(client.mitel_app),
        status=status,
    )
    client.login(member.email, password)
    assert client.whoami().user_id == str(member.user_id)
    assert not ApplicationUsage.objects.exists()


def test_a_partner_admin_assumes_account_admin_in_a_customer(cloudlink, partner_admin, customer, password):
    client = cloudlink()
    client.login(partner_admin.email, password)

    token = client.login_assumed_role(str(customer.account_id))

    assert token.access_token and not token.refresh_token
    claims = client.whoami()
    assert (claims.role, claims.account_id) == ("ACCOUNT_ADMIN", str(customer.account_id))
    assert [user.email for user in client.admin.iter_users(customer.account_number)] == []
