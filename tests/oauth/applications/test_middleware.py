"""x-mitel-app on /api/: approved applications are counted, every other name passes uncounted
(the header never refuses anyone: tests/oauth/applications/test_squatting.py)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from oauth.models import ApplicationUsage
from tests.oauth.applications.helpers import approved, register

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


def test_unknown_or_missing_x_mitel_app_values_are_allowed(client, partner_admin):
    register(partner_admin)
    assert client.get(JWKS, HTTP_X_MITEL_APP="SomethingElse/1.0").status_code == 200
    assert client.get(JWKS, HTTP_X_MITEL_APP="platform=linux;session=x").status_code == 200
    assert client.get(JWKS).status_code == 200
    assert not ApplicationUsage.objects.exists()


def test_console_pages_are_not_counted(client, partner_admin):
    app, _ = approved(partner_admin)
    response = client.get("/auth/login/", HTTP_X_MITEL_APP="RoutePlanner")
    assert response.status_code == 200
    assert requests_today(app) == 0
