"""SAML 2.0 sign-in through a real IdP (pysaml2's, signing with xmlsec1): the console session,
the API client's code, and each faulty answer refused with a clear message."""

from __future__ import annotations

import datetime
from http import HTTPStatus
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.urls import reverse

from accounts.models import User
from tests.oauth.helpers import REDIRECT_URI, post_form
from tests.sso.conftest import email_step
from tests.sso.factories import SamlIdentityProviderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def provider(customer, saml_idp):
    return SamlIdentityProviderFactory(account=customer, saml_certificates=saml_idp.certificate_pem)


def _start(client, email: str) -> str:
    """The email step of the sign-in page; returns the IdP URL it redirects to."""
    return email_step(client, email)


def _post_answer(client, answer: dict):
    """What the IdP's page posts (HTTP-POST binding: a urlencoded form)."""
    return post_form(
        answer["action"],
        {"SAMLResponse": answer["SAMLResponse"], "RelayState": answer["RelayState"]},
        client=client,
    )


def test_the_email_step_sends_the_user_to_the_idp_and_the_answer_opens_a_console_session(
    client, provider, saml_idp, member
):
    redirect = _start(client, member.email)
    assert redirect.startswith(saml_idp.login_url + "?SAMLRequest=")

    answer = saml_idp.answer(redirect, email=member.email)
    assert (
        answer["action"]
        == f"http://127.0.0.1:8000/api/authentication/2017-09-01/saml2/{member.account.account_id}/cs"
    )
    response = _post_answer(client, answer)

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == "/"
    assert (
        client.get(reverse("accounts:account_detail", args=[member.account.account_number])).wsgi_request.user
        == member
    )


def _refusal(client, response) -> str:
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "_auth_user_id" not in client.session
    return response.content.decode()


def test_a_replayed_answer_is_refused(client, provider, saml_idp, member):
    answer = saml_idp.answer(_start(client, member.email), email=member.email)
    assert _post_answer(client, answer).status_code == HTTPStatus.FOUND
    client.logout()

    assert "already used (replayed)" in _refusal(client, _post_answer(client, answer))


def test_an_answer_for_another_service_provider_is_refused(client, provider, saml_idp, member):
    answer = saml_idp.answer(
        _start(client, member.email), email=member.email, audience="https://other.example/sp"
    )

    assert "wrong audience" in _refusal(client, _post_answer(client, answer))


def test_an_expired_assertion_is_refused(client, provider, saml_idp, member, settings):
    answer = saml_idp.answer(_start(client, member.email), email=member.email)
    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(
        minutes=saml_idp.lifetime_minutes, seconds=settings.PORTAL_SSO_CLOCK_SKEW_SECONDS + 30
    )
    settings.PORTAL_SSO_SIGN_IN_SECONDS = 3600
    with time_machine.travel(later, tick=False):
        assert "has expired" in _refusal(client, _post_answer(client, answer))


def test_an_unsigned_assertion_is_refused(client, provider, saml_idp, member):
    answer = saml_idp.answer(_start(client, member.email), email=member.email, sign=False)

    assert "not signed" in _refusal(client, _post_answer(client, answer))


def test_an_assertion_signed_with_another_certificate_is_refused(client, provider, impostor_idp, member):
    answer = impostor_idp.answer(_start(client, member.email), email=member.email)

    assert "signature does not match" in _refusal(client, _post_answer(client, answer))


def test_an_unknown_email_is_refused_without_just_in_time_creation(client, provider, saml_idp, member):
    answer = saml_idp.answer(_start(client, member.email), email="stranger@globex.example")

    body = _refusal_status(client, _post_answer(client, answer), HTTPStatus.FORBIDDEN)
    assert "stranger@globex.example is not a user of this account" in body


def _refusal_status(client, response, status) -> str:
    assert response.status_code == status
    assert "_auth_user_id" not in client.session
    return response.content.decode()


def test_just_in_time_creation_and_the_role_claim(client, customer, provider, saml_idp):
    provider.jit_user_creation = True
    provider.role_claim = "role"
    provider.save()
    start = client.get(reverse("sso_account_sign_in", args=[customer.account_number]))
    answer = saml_idp.answer(
        start["Location"], email="new@globex.example", attributes={"role": ["ACCOUNT_ADMIN"]}
    )

    assert _post_answer(client, answer).status_code == HTTPStatus.FOUND
    user = User.objects.get(account=customer, email="new@globex.example")
    assert user.role == User.Role.ACCOUNT_ADMIN
    assert user.is_registered


def test_an_api_client_gets_an_authorization_code_at_its_redirect_uri(
    client, provider, saml_idp, member, app
):  # noqa: F811
    redirect_uri = REDIRECT_URI
    started = post_form(
        "/api/authentication/2017-09-01/saml2/start",
        {"username": member.email, "client_id": app.client_id, "redirect_uri": redirect_uri, "state": "xyz"},
        client=client,
    )
    assert started.status_code == HTTPStatus.CREATED
    answer = saml_idp.answer(started.json()["url"], email=member.email)

    response = _post_answer(client, answer)

    assert response.status_code == HTTPStatus.FOUND
    query = parse_qs(urlsplit(response["Location"]).query)
    assert response["Location"].startswith(redirect_uri + "?")
    assert query["state"] == ["xyz"]
    token = post_form(
        "/api/authentication/2017-09-01/token",
        {
            "grant_type": "authorization_code",
            "code": query["code"][0],
            "client_id": app.client_id,
            "client_secret": app.secret,
            "redirect_uri": redirect_uri,
        },
        client=client,
    )
    assert token.status_code == HTTPStatus.CREATED
    assert token.json()["access_token"]


def test_sso_required_refuses_a_users_password_but_admins_keep_theirs(
    client, provider, member, account_admin, password
):
    provider.sso_required = True
    provider.save()

    refused = client.post(
        "/api/authentication/2017-09-01/token",
        {"grant_type": "password", "username": member.email, "password": password},
    )
    allowed = client.post(
        "/api/authentication/2017-09-01/token",
        {"grant_type": "password", "username": account_admin.email, "password": password},
    )

    assert refused.status_code == HTTPStatus.FORBIDDEN
    assert refused.json()["name"] == "SsoRequired"
    assert allowed.status_code == HTTPStatus.CREATED


def test_logout_ends_the_console_session_and_names_the_idps_logout_url(client, provider, saml_idp, member):
    provider.saml_logout_url = "https://idp.example.test/saml/logout"
    provider.save()
    _post_answer(client, saml_idp.answer(_start(client, member.email), email=member.email))
    assert "_auth_user_id" in client.session

    response = post_form(
        "/api/authentication/2017-09-01/saml2/logout", {"username": member.email}, client=client
    )

    assert response.status_code == HTTPStatus.CREATED
    assert response.json() == {"url": "https://idp.example.test/saml/logout"}
    assert "_auth_user_id" not in client.session
