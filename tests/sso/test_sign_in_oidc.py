"""OpenID Connect sign-in through a real provider (``oidc-provider`` run by Node): authorization
code with PKCE, the ID token checked against the provider's JWKS, a console session or an API
client's code at the end, as after a password sign-in."""

from __future__ import annotations

import re
from http import HTTPStatus
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests
from django.urls import reverse

from accounts.models import User
from tests.oauth.helpers import REDIRECT_URI, post_form
from tests.sso.conftest import OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, email_step
from tests.sso.factories import OidcIdentityProviderFactory

pytestmark = pytest.mark.django_db
FORM_ACTION = re.compile(r'<form[^>]*action="([^"]+)"')


def sign_in_at_the_provider(authorization_url: str, email: str, stop_at: str) -> str:
    """Walk the provider's own login and consent pages like a browser; return the URL it sends
    the browser back to (starting with ``stop_at``)."""
    session = requests.Session()
    url, method, data = authorization_url, "GET", None
    for _ in range(12):
        response = session.request(method, url, data=data, allow_redirects=False, timeout=10)
        if response.is_redirect:
            url, method, data = urljoin(url, response.headers["Location"]), "GET", None
            if url.startswith(stop_at):
                return url
            continue
        assert response.status_code == 200, response.text[:500]
        action = urljoin(url, FORM_ACTION.search(response.text).group(1))
        if 'name="login"' in response.text:
            url, method, data = action, "POST", {"login": email, "password": "any", "prompt": "login"}
        else:
            url, method, data = action, "POST", {"prompt": "consent"}
    raise AssertionError("the provider never sent the browser back")


@pytest.fixture
def provider(customer, oidc_idp):
    return OidcIdentityProviderFactory(
        account=customer,
        oidc_issuer=oidc_idp,
        oidc_client_id=OIDC_CLIENT_ID,
        oidc_client_secret=OIDC_CLIENT_SECRET,
    )


def _back_from_the_provider(client, start_location: str, email: str, customer):
    callback = f"http://127.0.0.1:8000/api/authentication/2017-09-01/oidc/{customer.account_id}/cb"
    back = sign_in_at_the_provider(start_location, email, stop_at=callback)
    parts = urlsplit(back)
    return client.get(parts.path, parse_qs(parts.query))


def test_the_email_step_signs_in_through_the_provider_with_pkce(client, customer, provider, member):
    start = email_step(client, member.email)
    query = parse_qs(urlsplit(start).query)
    assert start.startswith(provider.oidc_issuer)
    assert query["code_challenge_method"] == ["S256"]

    response = _back_from_the_provider(client, start, member.email, customer)

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == "/"
    assert client.get("/").wsgi_request.user == member


def test_the_same_answer_twice_is_refused(client, customer, provider, member):
    start = email_step(client, member.email)
    callback = f"http://127.0.0.1:8000/api/authentication/2017-09-01/oidc/{customer.account_id}/cb"
    back = urlsplit(sign_in_at_the_provider(start, member.email, stop_at=callback))
    assert client.get(back.path, parse_qs(back.query)).status_code == HTTPStatus.FOUND
    client.logout()

    again = client.get(back.path, parse_qs(back.query))

    assert again.status_code == HTTPStatus.BAD_REQUEST
    assert "already used (replayed)" in again.content.decode()


def test_a_code_the_provider_issued_to_another_client_is_refused_with_its_reason(
    client, customer, provider, member
):
    start = email_step(client, member.email)
    provider.oidc_client_id = "someone-else"
    provider.save()
    callback = f"http://127.0.0.1:8000/api/authentication/2017-09-01/oidc/{customer.account_id}/cb"
    back = urlsplit(sign_in_at_the_provider(start, member.email, stop_at=callback))

    refused = client.get(back.path, parse_qs(back.query))

    assert refused.status_code == HTTPStatus.BAD_REQUEST
    assert "The identity provider refused the sign-in code" in refused.content.decode()
    assert "invalid_client" in refused.content.decode()
    assert "_auth_user_id" not in client.session


def test_just_in_time_creation_takes_the_role_from_the_claim(client, customer, provider):
    provider.jit_user_creation = True
    provider.role_claim = "role"
    provider.save()
    start = client.get(reverse("sso_account_sign_in", args=[customer.account_number]))

    response = _back_from_the_provider(client, start["Location"], "boss@globex.example", customer)

    assert response.status_code == HTTPStatus.FOUND
    assert User.objects.get(account=customer, email="boss@globex.example").role == User.Role.ACCOUNT_ADMIN


def test_an_api_client_gets_its_code_after_the_provider(client, customer, provider, member, app):
    started = post_form(
        "/api/authentication/2017-09-01/saml2/start",
        {"username": member.email, "client_id": app.client_id, "redirect_uri": REDIRECT_URI},
        client=client,
    )
    assert started.status_code == HTTPStatus.CREATED

    response = _back_from_the_provider(client, started.json()["url"], member.email, customer)

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith(REDIRECT_URI + "?code=")


def test_an_issuer_on_loopback_http_needs_the_operator_setting(
    api_client_for, account_admin, oidc_idp, settings
):
    settings.PORTAL_SSO_ALLOW_LOOPBACK_HTTP = False
    body = {"type": "OIDC", "oidc": {"issuer": oidc_idp, "clientId": OIDC_CLIENT_ID, "clientSecret": "s"}}

    refused = api_client_for(account_admin).post(
        "/api/authentication/2017-09-01/identityProviders", body, format="json"
    )

    assert refused.status_code == HTTPStatus.BAD_REQUEST
    assert "PORTAL_SSO_ALLOW_LOOPBACK_HTTP" in refused.json()["message"]
