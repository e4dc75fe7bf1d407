"""API clients of users who sign in with a second factor (docs/mfa.md): the password grant and
``POST /authorize`` with a password are refused with an answer naming the browser flow, and the
browser ``GET /authorize`` flow asks for the factor, then issues the code."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.test import Client

from oauth.models import AuthorizationCode
from tests.accounts.factories import totp_factor_add
from tests.accounts.totp import totp_code, wrong_code
from tests.oauth.helpers import AUTHORIZE_URL, REDIRECT_URI, authorize
from tests.oauth.token_helpers import post_form, post_json

pytestmark = pytest.mark.django_db

REFUSAL = {
    "name": "SecondFactorRequired",
    "message": "This user signs in with a second factor, which a password alone cannot provide. "
    "Use the browser sign-in: GET /api/authentication/2017-09-01/authorize (authorization code flow, "
    "PKCE recommended), then exchange the code at /token with grant_type=authorization_code.",
}


@pytest.mark.parametrize("post", [post_form, post_json], ids=["form", "json"])
def test_the_password_grant_of_a_user_with_a_factor_answers_the_exact_refusal(member, password, post):
    totp_factor_add(member)

    response = post({"grant_type": "password", "username": member.email, "password": password})

    assert response.status_code == 403
    assert response.json() == REFUSAL


def test_the_password_grant_of_an_admin_whose_account_requires_a_factor_is_refused(account_admin, password):
    account_admin.account.admins_require_second_factor = True
    account_admin.account.save(update_fields=["admins_require_second_factor"])

    response = post_form({"grant_type": "password", "username": account_admin.email, "password": password})

    assert response.status_code == 403
    assert response.json() == REFUSAL


def test_a_user_of_such_an_account_keeps_the_password_grant(member, password):
    member.account.admins_require_second_factor = True
    member.account.save(update_fields=["admins_require_second_factor"])

    response = post_form({"grant_type": "password", "username": member.email, "password": password})

    assert response.status_code == 201


def test_a_wrong_password_still_answers_invalid_credentials(member):
    totp_factor_add(member)

    response = post_form({"grant_type": "password", "username": member.email, "password": "wrong-password-1"})

    assert response.status_code == 401
    assert response.json()["name"] == "InvalidLoginCredentials"


def test_post_authorize_with_a_password_is_refused_the_same_way(app, member, password):
    totp_factor_add(member)

    response = authorize(member, password, app.client_id)

    assert response.status_code == 403
    body = response.json()
    assert (body["name"], body["message"], body["error"]) == (
        REFUSAL["name"],
        REFUSAL["message"],
        "access_denied",
    )
    assert not AuthorizationCode.objects.exists()


# --- the browser flow asks for the factor -------------------------------------------------------


def flow_params(client_id: str) -> dict[str, str]:
    return {"client_id": client_id, "response_type": "code", "redirect_uri": REDIRECT_URI, "state": "xyz"}


def test_the_browser_flow_asks_for_the_code_then_comes_back_to_continue(app, member, password):
    secret = totp_factor_add(member)
    browser = Client()
    browser.get(AUTHORIZE_URL, flow_params(app.client_id))

    after_password = browser.post(
        f"{AUTHORIZE_URL}/continue",
        {**flow_params(app.client_id), "login": member.email, "password": password},
    )
    assert after_password.status_code == 302
    assert after_password["Location"] == "/auth/2fa/authenticate/"
    assert not AuthorizationCode.objects.exists()

    after_code = browser.post("/auth/2fa/authenticate/", {"code": totp_code(secret)})
    assert after_code.status_code == 302
    assert after_code["Location"] == f"{AUTHORIZE_URL}?{urlencode(flow_params(app.client_id))}"
    consent = browser.get(after_code["Location"])
    assert b"Continue to Acme Connector" in consent.content

    done = browser.post(f"{AUTHORIZE_URL}/continue", {**flow_params(app.client_id), "action": "continue"})

    assert done.status_code == 302
    target = urlsplit(done["Location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == REDIRECT_URI
    assert parse_qs(target.query)["state"] == ["xyz"]
    assert AuthorizationCode.objects.get().user == member


def test_the_browser_flow_with_a_wrong_code_issues_nothing(app, member, password):
    secret = totp_factor_add(member)
    browser = Client()
    browser.post(
        f"{AUTHORIZE_URL}/continue",
        {**flow_params(app.client_id), "login": member.email, "password": password},
    )

    refused = browser.post("/auth/2fa/authenticate/", {"code": wrong_code(totp_code(secret))})
    done = browser.post(f"{AUTHORIZE_URL}/continue", {**flow_params(app.client_id), "action": "continue"})

    assert refused.status_code == 200
    assert done.status_code == 200  # the sign-in form again: nobody is signed in
    assert b"Sign in to Acme Connector" in done.content
    assert not AuthorizationCode.objects.exists()


def test_an_admin_who_must_set_up_a_factor_is_sent_to_do_so_before_the_application(
    app, account_admin, password
):
    account_admin.account.admins_require_second_factor = True
    account_admin.account.save(update_fields=["admins_require_second_factor"])
    browser = Client()

    after_password = browser.post(
        f"{AUTHORIZE_URL}/continue",
        {**flow_params(app.client_id), "login": account_admin.email, "password": password},
    )
    back = browser.get(after_password["Location"])

    assert back.status_code == 302
    assert back["Location"] == "/auth/2fa/"
    assert not AuthorizationCode.objects.exists()
