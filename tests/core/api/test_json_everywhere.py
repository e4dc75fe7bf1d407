"""Every answer under /api/ is JSON ``{name, message}``, with DEBUG on as well as off: unknown routes,
CSRF failures (the console session's unsafe calls, the /authorize browser form), errors raised by a
view. And the staff pages' sign-in (/staff/login/) is the portal's own (issue 9, low findings)."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

DEBUG = pytest.mark.parametrize("debug", [True, False], ids=["debug", "production"])


def assert_json_error(response, status: int, name: str) -> dict:
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["name"] == name and body["message"]
    return body


@DEBUG
@pytest.mark.parametrize(
    "path",
    [
        "/api/nope",
        "/api/admin/2017-09-01/nope",
        "/api/admin/2017-09-01/accounts/",  # a trailing slash is another route
        "/api/chat/2099-01-01/conversations",
    ],
)
@pytest.mark.parametrize("method", ["get", "post", "put", "delete"])
def test_an_unknown_route_is_a_json_404(debug, path, method):
    with override_settings(DEBUG=debug):
        response = getattr(Client(), method)(path)

    assert_json_error(response, 404, "NotFound")


@DEBUG
def test_a_csrf_failure_on_the_authorize_form_is_a_json_403(debug):
    client = Client(enforce_csrf_checks=True)

    with override_settings(DEBUG=debug):
        response = client.post("/api/authentication/2017-09-01/authorize/continue", {"client_id": "x"})

    body = assert_json_error(response, 403, "Forbidden")
    assert body["message"].startswith("CSRF verification failed")


@DEBUG
def test_a_csrf_failure_on_the_console_session_is_a_json_403(debug, partner_admin, customer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(partner_admin)

    with override_settings(DEBUG=debug):
        response = client.put(
            f"/api/admin/2017-09-01/accounts/{customer.account_id}",
            {"name": "X"},
            content_type="application/json",
        )

    body = assert_json_error(response, 403, "Forbidden")
    assert "CSRF" in body["message"]


def test_a_csrf_failure_on_a_console_page_stays_an_html_page(partner_admin, customer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(partner_admin)

    response = client.post(f"/accounts/{customer.account_number}/edit/", {"name": "X"})

    assert response.status_code == 403
    assert response["Content-Type"].startswith("text/html")


@DEBUG
def test_an_error_raised_by_a_view_is_a_json_500(debug, monkeypatch):
    from oauth.api import views as auth_views

    def broken(self, request, account_ref=None):
        raise RuntimeError("boom")

    monkeypatch.setattr(auth_views.JwksView, "get", broken)

    with override_settings(DEBUG=debug):
        response = Client(raise_request_exception=False).get(
            "/api/authentication/2017-09-01/.well-known/jwks.json"
        )

    body = assert_json_error(response, 500, "InternalServerError")
    assert "boom" not in body["message"]


# --- /staff/login/ ---------------------------------------------------------------------------------


def test_staff_pages_send_anonymous_visitors_to_the_portal_sign_in(operator, password):
    client = Client()

    to_staff_login = client.get("/staff/")
    to_portal = client.get(to_staff_login.url)

    assert to_staff_login.url == "/staff/login/?next=/staff/"
    assert to_portal.status_code == 302
    assert to_portal.url == f"{reverse('account_login')}?next=/staff/"


def test_an_operator_signs_in_on_the_portal_page_and_lands_on_the_staff_pages(operator, password):
    client = Client()

    signed_in = client.post(
        f"{reverse('account_login')}?next=/staff/", {"login": operator.email, "password": password}
    )

    assert signed_in.status_code == 302 and signed_in.url == "/staff/"
    assert client.get("/staff/").status_code == 200
    assert client.get("/staff/login/?next=/staff/").url == "/staff/"


def test_a_signed_in_user_who_is_not_staff_gets_403_not_a_sign_in_loop(client_for, partner_admin):
    response = client_for(partner_admin).get("/staff/login/?next=/staff/")

    assert response.status_code == 403


def test_the_staff_sign_in_never_redirects_off_site(operator, client_for):
    response = client_for(operator).get("/staff/login/?next=https://evil.example/")

    assert response.url == "/staff/"
