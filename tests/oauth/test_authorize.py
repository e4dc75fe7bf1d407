"""POST /authorize: an authorization code for a user's credentials and an approved application
deployed in the user's account; errors carry {name, message, error, error_description}."""

import pytest

from oauth.applications.services import application_block, application_deploy
from oauth.models import AuthorizationCode
from tests.accounts.factories import CustomerAccountFactory, UserFactory
from tests.oauth.helpers import (
    AUTHORIZE_URL,
    REDIRECT_URI,
    assert_oauth_error,
    authorize,
    make_app,
    pkce_pair,
    post_form,
    post_json,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("post", [post_form, post_json], ids=["form", "json"])
def test_returns_201_with_a_single_code_for_a_deployed_application(app, member, password, post):
    response = authorize(member, password, app.client_id, post=post)

    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == {"code"} and len(body["code"]) >= 40
    assert response["Cache-Control"] == "no-store"
    row = AuthorizationCode.objects.get()
    assert row.user == member and row.client_id == app.client_id
    assert body["code"] not in row.code_hash  # only the hash is stored


def test_account_number_and_redirect_uri_and_pkce_are_recorded(app, member, password):
    _, challenge = pkce_pair()

    response = authorize(
        member,
        password,
        app.client_id,
        account_id=member.account.account_number,
        redirect_uri=REDIRECT_URI,
        code_challenge=challenge,
        code_challenge_method="S256",
        scope="openid  profile",
    )

    assert response.status_code == 201, response.content
    row = AuthorizationCode.objects.get()
    assert (row.redirect_uri, row.code_challenge, row.code_challenge_method, row.scope) == (
        REDIRECT_URI,
        challenge,
        "S256",
        "openid profile",
    )


@pytest.mark.parametrize("missing", ["response_type", "client_id", "username", "password"])
def test_missing_parameters_are_400_missing_body_in_request(app, member, password, missing):
    data = {
        "response_type": "code",
        "username": member.email,
        "password": password,
        "client_id": app.client_id,
    }
    del data[missing]

    body = assert_oauth_error(post_form(AUTHORIZE_URL, data), 400, "MissingBodyInRequest")

    assert body["error"] == "invalid_request" and missing in body["message"]


def test_malformed_json_is_400(app):
    response = post_form(AUTHORIZE_URL, {})
    assert_oauth_error(response, 400, "MissingBodyInRequest")


def test_wrong_password_is_401_invalid_login_credentials(app, member):
    assert_oauth_error(authorize(member, "wrong-password-123", app.client_id), 401, "InvalidLoginCredentials")
    assert not AuthorizationCode.objects.exists()


def test_unknown_account_answers_like_a_wrong_password(app, member, password):
    """Issue 9: anonymous callers learn nothing about which account numbers exist."""
    response = authorize(member, password, app.client_id, account_id="999999999")
    assert_oauth_error(response, 401, "InvalidLoginCredentials")
    assert not AuthorizationCode.objects.exists()


def test_email_in_several_accounts_is_409_multiple_matching(app, partner, member, password):
    UserFactory(account=CustomerAccountFactory(parent=partner), email=member.email)

    body = assert_oauth_error(authorize(member, password, app.client_id), 409, "MultipleMatching")

    assert body["labels"] == []
    assert authorize(member, password, app.client_id, account_id=member.account.account_id).status_code == 201


def test_unknown_client_is_rejected_before_the_password_is_tried(member, password):
    response = authorize(member, password, "no-such-client")
    assert response.status_code == 404 and response.json()["name"] == "ClientNotFound"


def test_blocked_application_is_401_client_not_active(app, member, password, partner_admin):
    partner_admin.is_staff = True
    partner_admin.save()
    application_block(actor=partner_admin, application=app.application, reason="abuse")

    response = authorize(member, password, app.client_id)

    assert response.status_code == 401 and response.json()["name"] == "ClientNotActive"


def test_application_not_deployed_in_the_users_account_is_client_not_active(app, partner, password):
    elsewhere = UserFactory(account=CustomerAccountFactory(parent=partner))

    response = authorize(elsewhere, password, app.client_id)

    assert response.json()["name"] == "ClientNotActive"
    assert not AuthorizationCode.objects.exists()


def test_deactivated_deployment_is_client_not_active(app, partner_admin, customer, member, password):
    application_deploy(actor=partner_admin, account=customer, application=app.application, active=False)

    assert authorize(member, password, app.client_id).json()["name"] == "ClientNotActive"


def test_outsider_gets_no_code_for_an_application_of_another_account(app, outsider, password):
    response = authorize(outsider, password, app.client_id)

    assert response.json()["name"] == "ClientNotActive"
    assert not AuthorizationCode.objects.exists()


def test_unregistered_redirect_uri_is_403_invalid_redirect_uri(app, member, password):
    response = authorize(member, password, app.client_id, redirect_uri="https://evil.example/callback")
    assert_oauth_error(response, 403, "InvalidRedirectUri")


def test_redirect_uri_must_match_exactly_not_by_prefix(app, member, password):
    response = authorize(member, password, app.client_id, redirect_uri=REDIRECT_URI + "/../steal")
    assert_oauth_error(response, 403, "InvalidRedirectUri")


def test_redirect_uri_of_an_application_without_any_is_403_unconfigured(
    partner_admin, customer, member, password
):
    bare = make_app(partner_admin, customer, name="Bare App", redirect_uris=())

    response = authorize(member, password, bare.client_id, redirect_uri=REDIRECT_URI)

    assert_oauth_error(response, 403, "UnconfiguredRedirectUri")


def test_pkce_plain_is_refused(app, member, password):
    response = authorize(
        member, password, app.client_id, code_challenge="a" * 43, code_challenge_method="plain"
    )
    body = assert_oauth_error(response, 400, "InvalidRequest")
    assert "S256" in body["message"]


def test_public_client_may_use_pkce_or_not(public_app, member, password):
    assert authorize(member, password, public_app.client_id).status_code == 201
    _, challenge = pkce_pair()
    ok = authorize(
        member, password, public_app.client_id, code_challenge=challenge, code_challenge_method="S256"
    )
    assert ok.status_code == 201


def test_unsupported_response_type_is_400(app, member, password):
    response = authorize(member, password, app.client_id, response_type="token")
    assert_oauth_error(response, 400, "InvalidRequest")


# --- the browser flow: GET /authorize -> sign-in page -> 302 to the registered redirect URI ---------

from urllib.parse import parse_qs, urlsplit  # noqa: E402

from django.test import Client  # noqa: E402


def flow_params(client_id, **extra):
    return {
        "client_id": client_id,
        "response_type": "code",
        "redirect_uri": REDIRECT_URI,
        "state": "xyz",
        **extra,
    }


def test_browser_flow_shows_sign_in_then_redirects_with_code_and_state(app, member, password):
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(AUTHORIZE_URL, flow_params(app.client_id))
    assert page.status_code == 200 and b"Sign in to Acme Connector" in page.content

    response = browser.post(
        f"{AUTHORIZE_URL}/continue",
        {
            **flow_params(app.client_id),
            "login": member.email,
            "password": password,
            "csrfmiddlewaretoken": page.cookies["csrftoken"].value,
        },
    )

    assert response.status_code == 302
    target = urlsplit(response["Location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == REDIRECT_URI
    query = parse_qs(target.query)
    assert query["state"] == ["xyz"] and query["code"]
    assert AuthorizationCode.objects.get().redirect_uri == REDIRECT_URI


def test_browser_flow_wrong_password_shows_the_form_again(app, member):
    response = Client().post(
        f"{AUTHORIZE_URL}/continue",
        {**flow_params(app.client_id), "login": member.email, "password": "nope-nope-1"},
    )
    assert response.status_code == 200 and b"not correct" in response.content


@pytest.mark.parametrize(
    ("redirect_uri", "status"),
    [("https://evil.example/callback", 403), (REDIRECT_URI + "?x=1", 403), ("", 400)],
    ids=["another-host", "not-exactly-registered", "missing"],
)
def test_browser_flow_never_redirects_to_an_unregistered_uri(app, redirect_uri, status):
    response = Client().get(AUTHORIZE_URL, flow_params(app.client_id, redirect_uri=redirect_uri))
    assert response.status_code == status
    assert "Location" not in response
    assert b"does not work" in response.content


def test_browser_flow_unknown_client_is_an_error_page(db):
    response = Client().get(AUTHORIZE_URL, flow_params("nobody"))
    assert response.status_code == 404 and "Location" not in response


def test_browser_flow_refuses_pkce_plain_by_redirecting_an_error(app):
    response = Client().get(
        AUTHORIZE_URL, flow_params(app.client_id, code_challenge="a" * 43, code_challenge_method="plain")
    )
    assert response.status_code == 302
    query = parse_qs(urlsplit(response["Location"]).query)
    assert query["error"] == ["invalid_request"] and query["state"] == ["xyz"]


def test_browser_flow_signed_in_console_user_continues_without_password(app, client_for, member):
    browser = client_for(member)
    page = browser.get(AUTHORIZE_URL, flow_params(app.client_id))
    assert b"Continue to Acme Connector" in page.content

    response = browser.post(f"{AUTHORIZE_URL}/continue", {**flow_params(app.client_id), "action": "continue"})

    assert response.status_code == 302 and "code=" in response["Location"]


def test_browser_flow_cancel_redirects_access_denied(app, client_for, member):
    response = client_for(member).post(
        f"{AUTHORIZE_URL}/continue", {**flow_params(app.client_id), "action": "cancel"}
    )
    query = parse_qs(urlsplit(response["Location"]).query)
    assert query["error"] == ["access_denied"] and "code" not in query


def test_browser_flow_user_of_an_account_without_the_application_gets_an_error_redirect(
    app, client_for, outsider
):
    response = client_for(outsider).post(
        f"{AUTHORIZE_URL}/continue", {**flow_params(app.client_id), "action": "continue"}
    )
    query = parse_qs(urlsplit(response["Location"]).query)
    assert query["error"] == ["unauthorized_client"] and "code" not in query


def test_discovery_lists_the_authorization_endpoint(db):
    body = Client().get("/api/authentication/2017-09-01/.well-known/openid-configuration").json()
    assert body["authorization_endpoint"].endswith(AUTHORIZE_URL)
    assert body["code_challenge_methods_supported"] == ["S256"]
    assert "client_credentials" in body["grant_types_supported"]


def test_a_locked_sign_in_is_429_with_the_remaining_lock_in_retry_after(
    app, member, password, throttle_clock
):
    for _ in range(5):
        authorize(member, "wrong-password-123", app.client_id)
    throttle_clock.advance(30)

    body = assert_oauth_error(authorize(member, password, app.client_id), 429, "TooManyRequests")
    browser = Client().post(
        f"{AUTHORIZE_URL}/continue",
        {**flow_params(app.client_id), "login": member.email, "password": password},
    )

    assert body["error"] == "temporarily_unavailable"
    assert authorize(member, password, app.client_id)["retry-after"] == "270000"
    assert browser.status_code == 429 and browser["Retry-After"] == "270"
    assert b"Too many failed sign-in attempts" in browser.content
