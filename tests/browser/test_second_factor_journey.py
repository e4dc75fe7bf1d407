"""Real-browser journeys of second factors (docs/mfa.md): an admin whose account requires one sets
up an authenticator app and signs in with a code the test computes; a passkey is registered and
used through Chromium's virtual authenticator (the DevTools WebAuthn domain); an application
gets the code of a user with an authenticator app through the browser /authorize flow."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from allauth.mfa.models import Authenticator
from django.test import Client
from playwright.sync_api import expect

from oauth.tokens import access_token_decode
from tests.accounts.factories import totp_factor_add
from tests.accounts.totp import totp_code
from tests.oauth.helpers import AUTHORIZE_URL, TOKEN_URL, make_app, pkce_pair

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def password_step(page, email: str, password: str) -> None:
    page.goto("/auth/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_role("button", name="Next").click()
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def sign_out(page) -> None:
    page.locator("summary", has_text="user menu").click()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/auth/login/"))


def confirm_password(page, password: str) -> None:
    """allauth asks for the password again before a factor is added."""
    page.wait_for_url(re.compile(r"/auth/reauthenticate/"))
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Confirm").click()


def test_an_admin_required_to_use_a_factor_sets_up_an_authenticator_app_and_signs_in_with_it(
    new_page, account_admin, customer, password
):
    customer.admins_require_second_factor = True
    customer.save(update_fields=["admins_require_second_factor"])
    page = new_page()

    password_step(page, account_admin.email, password)
    page.wait_for_url(re.compile(r"/auth/2fa/$"))
    expect(page.get_by_text("requires its administrators to use a second factor")).to_be_visible()
    page.goto(f"/accounts/{customer.account_number}/users/")  # the console stays closed meanwhile
    page.wait_for_url(re.compile(r"/auth/2fa/$"))

    page.get_by_role("link", name="Activate").click()
    confirm_password(page, password)
    page.wait_for_url(re.compile(r"/auth/2fa/totp/activate/"))
    expect(page.locator("img.qr-code")).to_be_visible()
    secret = page.get_by_label("Authenticator secret").input_value()
    page.get_by_label("Authenticator code").fill(totp_code(secret))
    page.get_by_role("button", name="Activate").click()
    page.wait_for_url(re.compile(r"/auth/2fa/recovery-codes/"))

    page.goto(f"/accounts/{customer.account_number}/")
    expect(page.get_by_role("heading", level=1, name=customer.name)).to_be_visible()
    sign_out(page)

    password_step(page, account_admin.email, password)
    page.wait_for_url(re.compile(r"/auth/2fa/authenticate/"))
    page.get_by_label("Code").fill("000000" if totp_code(secret) != "000000" else "111111")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Incorrect code.")).to_be_visible()
    page.get_by_label("Code").fill(totp_code(secret))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(rf"/accounts/{customer.account_number}/$"))
    expect(page.get_by_role("heading", level=1, name=customer.name)).to_be_visible()


def test_a_passkey_is_registered_and_signs_in_through_the_virtual_authenticator(
    new_page, account_admin, customer, password
):
    page = new_page()
    devtools = page.context.new_cdp_session(page)
    devtools.send("WebAuthn.enable")
    authenticator = devtools.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )["authenticatorId"]

    password_step(page, account_admin.email, password)
    page.wait_for_url(re.compile(rf"/accounts/{customer.account_number}/$"))
    page.goto("/auth/2fa/")
    page.get_by_role("link", name="Add").click()
    confirm_password(page, password)
    page.wait_for_url(re.compile(r"/auth/2fa/webauthn/add/"))
    page.get_by_label("Name").fill("Laptop passkey")
    page.get_by_role("button", name="Add").click()
    page.wait_for_url(re.compile(r"/auth/2fa/(recovery-codes/|webauthn/$)"))  # not the add page itself

    assert Authenticator.objects.filter(user=account_admin, type=Authenticator.Type.WEBAUTHN).count() == 1
    assert (
        len(devtools.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"]) == 1
    )
    sign_out(page)

    password_step(page, account_admin.email, password)
    page.wait_for_url(re.compile(r"/auth/2fa/authenticate/"))
    page.get_by_role("button", name="Use a security key").click()
    page.wait_for_url(re.compile(rf"/accounts/{customer.account_number}/$"))
    expect(page.get_by_role("heading", level=1, name=customer.name)).to_be_visible()
    credential = devtools.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"][
        0
    ]
    assert credential["signCount"] >= 1


def test_an_application_gets_the_code_of_a_user_with_an_authenticator_app_after_the_code_step(
    page, live_server, partner_admin, customer, member, password
):
    secret = totp_factor_add(member)
    redirect_uri = f"{live_server.url}/oauth-test/callback"  # 404s: the code is read from the address bar
    app = make_app(partner_admin, customer, redirect_uris=[redirect_uri])
    verifier, challenge = pkce_pair()
    flow = {
        "client_id": app.client_id,
        "response_type": "code",
        "redirect_uri": redirect_uri,
        "state": "s-2fa",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    password_grant = Client().post(
        TOKEN_URL, {"grant_type": "password", "username": member.email, "password": password}
    )
    assert password_grant.status_code == 403
    assert password_grant.json()["name"] == "SecondFactorRequired"

    page.goto(f"{AUTHORIZE_URL}?{urlencode(flow)}")
    page.get_by_label("Email").fill(member.email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/auth/2fa/authenticate/"))
    page.get_by_label("Code").fill(totp_code(secret))
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="Continue to Acme Connector").click()
    page.wait_for_url(re.compile(r"/oauth-test/callback\?"))

    params = parse_qs(urlsplit(page.url).query)
    assert params["state"] == ["s-2fa"]
    exchange = {
        "grant_type": "authorization_code",
        "code": params["code"][0],
        "client_id": app.client_id,
        "client_secret": app.secret,
        "redirect_uri": redirect_uri,
        "code_verifier": verifier,
    }
    response = Client().post(TOKEN_URL, exchange)
    assert response.status_code == 201, response.content
    assert access_token_decode(response.json()["access_token"])["userId"] == str(member.user_id)
