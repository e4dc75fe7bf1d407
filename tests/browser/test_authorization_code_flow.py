"""Real browser: the OAuth authorization-code flow (PKCE S256) of an approved application
deployed in the user's account, ending with the code exchanged for the user's tokens."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.test import Client
from playwright.sync_api import expect

from oauth.tokens import access_token_decode
from tests.oauth.helpers import AUTHORIZE_URL, TOKEN_URL, make_app, pkce_pair

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_user_signs_in_on_the_portal_and_the_application_gets_a_code(
    page, live_server, partner_admin, customer, member, password
):
    # The application's redirect URI is a path of the live server that simply 404s: the code
    # and state are read from the address bar.
    redirect_uri = f"{live_server.url}/oauth-test/callback"
    app = make_app(partner_admin, customer, redirect_uris=[redirect_uri])
    verifier, challenge = pkce_pair()
    query = urlencode(
        {
            "client_id": app.client_id,
            "response_type": "code",
            "redirect_uri": redirect_uri,
            "state": "s-123",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
    )

    page.goto(f"{AUTHORIZE_URL}?{query}")
    expect(page.get_by_role("heading", name="Sign in to Acme Connector")).to_be_visible()
    page.get_by_label("Email").fill(member.email)
    page.get_by_label("Password").fill("not-the-password-1")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("not correct")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/oauth-test/callback\?"))

    final = urlsplit(page.url)
    assert f"{final.scheme}://{final.netloc}{final.path}" == redirect_uri
    params = parse_qs(final.query)
    assert params["state"] == ["s-123"]

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
    assert Client().post(TOKEN_URL, exchange).status_code == 401  # single use


def test_unregistered_redirect_uri_shows_an_error_page_and_never_leaves_the_portal(
    page, live_server, partner_admin, customer
):
    app = make_app(partner_admin, customer, redirect_uris=[f"{live_server.url}/oauth-test/callback"])
    query = urlencode(
        {
            "client_id": app.client_id,
            "response_type": "code",
            "redirect_uri": "https://evil.example/cb",
            "state": "s",
        }
    )

    page.goto(f"{AUTHORIZE_URL}?{query}")

    expect(page.get_by_role("heading", name="This sign-in link does not work")).to_be_visible()
    assert urlsplit(page.url).path == AUTHORIZE_URL


def test_the_code_reaches_an_application_on_another_origin_under_the_pages_policy(
    page, live_server, partner_admin, customer, member, password
):
    """form-action 'self' would stop the redirect to a third-party redirect URI (Chromium applies
    form-action to redirects after a form is sent): /authorize allows exactly the app's origin."""
    other_origin = live_server.url.replace("localhost", "127.0.0.1")
    assert other_origin != live_server.url
    redirect_uri = f"{other_origin}/oauth-test/callback"
    app = make_app(partner_admin, customer, redirect_uris=[redirect_uri])
    query = urlencode(
        {"client_id": app.client_id, "response_type": "code", "redirect_uri": redirect_uri, "state": "s-9"}
    )

    page.goto(f"{AUTHORIZE_URL}?{query}")
    page.get_by_label("Email").fill(member.email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/oauth-test/callback\?"))

    final = urlsplit(page.url)
    assert f"{final.scheme}://{final.netloc}{final.path}" == redirect_uri
    assert parse_qs(final.query)["state"] == ["s-9"] and parse_qs(final.query)["code"][0]
