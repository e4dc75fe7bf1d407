"""Tenancy sweep of the integration API routes (the same idea as tests/accounts/api/test_tenancy.py):
every route and method, called by an outsider on the partner's customer account (which has the
integration), by GUID and by account number, answers 404 and changes nothing."""

import pytest
from django.urls import URLPattern

from accounts.models import Account, AuditEvent
from integrations import services
from integrations.api import urls
from integrations.models import Integration

pytestmark = pytest.mark.django_db

BASE = "/api/admin/2017-09-01/"
METHODS = ("get", "post", "put", "patch", "delete")


def account_routes() -> list[tuple[str, str]]:
    routes = []
    for entry in urls.urlpatterns:
        assert isinstance(entry, URLPattern)
        route, view_class = str(entry.pattern), entry.callback.view_class
        routes += [(route, method) for method in METHODS if hasattr(view_class, method)]
    return routes


ROUTES = account_routes()


def test_the_sweep_covers_every_integration_route():
    assert set(ROUTES) == {
        ("accounts/<str:accountId>/integrations", "get"),
        ("accounts/<str:accountId>/integrations", "post"),
        ("accounts/<str:accountId>/integrations/<str:type>", "get"),
        ("accounts/<str:accountId>/integrations/<str:type>", "put"),
        ("accounts/<str:accountId>/integrations/<str:type>", "delete"),
    }


@pytest.mark.parametrize("route, method", ROUTES, ids=[f"{m.upper()} {r}" for r, m in ROUTES])
@pytest.mark.parametrize("ref", ["account_id", "account_number"])
def test_outsider_gets_404_on_every_integration_route(
    api_client_for, outsider, customer, account_admin, route, method, ref
):
    services.integration_add(actor=account_admin, account=customer, type="micollab")
    url = BASE + route.replace("<str:accountId>", str(getattr(customer, ref))).replace(
        "<str:type>", "micollab"
    )
    before = (AuditEvent.objects.count(), Account.objects.get(pk=customer.pk).delegated_authentication)

    body = {"type": "micc", "enabled": False, "config": {"cloudlink_chat": True}}
    response = getattr(api_client_for(outsider), method)(url, body, format="json")

    assert response.status_code == 404, (method, url, response.content)
    assert response.json()["name"] == "NotFound"
    assert (
        AuditEvent.objects.count(),
        Account.objects.get(pk=customer.pk).delegated_authentication,
    ) == before
    integration = Integration.objects.get(account=customer, type="micollab")
    assert integration.enabled and integration.config == {}
