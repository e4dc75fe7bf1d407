"""x-mitel-app enforcement on /api/: blocked or unapproved applications are refused, approved
ones are counted, unknown names pass."""

from __future__ import annotations

import pytest
from django.utils import timezone

from integrations import application_services as services
from integrations.models import ApplicationUsage
from tests.integrations.application_helpers import approved, operator, register

JWKS = "/api/authentication/2017-09-01/.well-known/jwks.json"


def requests_today(app) -> int:
    row = ApplicationUsage.objects.filter(application=app, day=timezone.localdate()).first()
    return row.requests if row else 0


@pytest.mark.parametrize(
    "header", ["app=RoutePlanner/1.0;platform=linux/6;session=s1", "routeplanner/2.0;", "ROUTEPLANNER"]
)
def test_an_approved_application_is_served_and_counted(client, partner_admin, header):
    app, _ = approved(partner_admin)
    response = client.get(JWKS, HTTP_X_MITEL_APP=header)
    assert response.status_code == 200
    assert requests_today(app) == 1
    client.get(JWKS, HTTP_X_MITEL_APP=header)
    assert requests_today(app) == 2


def test_a_blocked_application_is_refused_with_403(client, partner_admin, partner):
    app, _ = approved(partner_admin)
    services.application_block(actor=operator(partner), application=app, reason="abuse")
    response = client.get(JWKS, HTTP_X_MITEL_APP="app=RoutePlanner/1.0;platform=x")
    assert response.status_code == 403
    body = response.json()
    assert body["name"] == "ApplicationNotAllowed"
    assert "blocked" in body["message"]
    assert response["x-mitel-correlation-id"]
    assert requests_today(app) == 0


@pytest.mark.parametrize("reject", [False, True])
def test_pending_and_rejected_applications_are_refused(client, partner_admin, partner, reject):
    app = register(partner_admin)
    if reject:
        services.application_reject(actor=operator(partner), application=app, reason="incomplete")
    response = client.post(
        "/api/authentication/2017-09-01/token", {"grant_type": "password"}, HTTP_X_MITEL_APP="RoutePlanner/1"
    )
    assert response.status_code == 403
    assert response.json()["name"] == "ApplicationNotAllowed"
    assert ("rejected" if reject else "approval") in response.json()["message"]


def test_unknown_or_missing_x_mitel_app_values_are_allowed(client, partner_admin):
    register(partner_admin)
    assert client.get(JWKS, HTTP_X_MITEL_APP="SomethingElse/1.0").status_code == 200
    assert client.get(JWKS, HTTP_X_MITEL_APP="platform=linux;session=x").status_code == 200
    assert client.get(JWKS).status_code == 200
    assert not ApplicationUsage.objects.exists()


def test_console_pages_are_not_subject_to_the_policy(client, partner_admin):
    register(partner_admin)
    response = client.get("/auth/login/", HTTP_X_MITEL_APP="RoutePlanner")
    assert response.status_code == 200
