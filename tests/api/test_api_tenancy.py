"""Tenancy sweep: every Admin API route that takes {accountId}, called by an outsider (an admin in
another partner's customer account) on the partner's customer account, answers 404 for every
method it implements, by GUID and by account number, and changes nothing."""

import pytest
from django.urls import URLPattern, URLResolver

from accounts.api import admin_urls
from accounts.models import Account, AuditEvent

pytestmark = pytest.mark.django_db

BASE = "/api/admin/2017-09-01/"
METHODS = ("get", "post", "put", "patch", "delete")


def _walk(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.callback


def account_routes() -> list[tuple[str, str]]:
    """(route, method) for every admin route with an {accountId} and every method its view implements."""
    routes = []
    for route, callback in _walk(admin_urls.urlpatterns):
        if "<str:accountId>" not in route:
            continue
        view_class = getattr(callback, "view_class", None) or callback.cls
        routes += [(route, method) for method in METHODS if hasattr(view_class, method)]
    return routes


ROUTES = account_routes()


def test_the_sweep_covers_the_account_routes():
    assert ("accounts/<str:accountId>", "get") in ROUTES
    assert ("accounts/<str:accountId>", "put") in ROUTES
    assert ("accounts/<str:accountId>", "delete") in ROUTES


@pytest.mark.parametrize("route, method", ROUTES, ids=[f"{m.upper()} {r}" for r, m in ROUTES])
@pytest.mark.parametrize("ref", ["account_id", "account_number"])
def test_outsider_gets_404_on_every_account_route(
    api_client_for, outsider, customer, account_admin, route, method, ref
):
    url = BASE + route.replace("<str:accountId>", str(getattr(customer, ref)))
    # Fill any other path parameter with something that would exist if the account were reachable.
    assert "<" not in url, f"add a value for the other parameters of {route}"
    before = (Account.objects.get(pk=customer.pk).modified_at, AuditEvent.objects.count())
    body = {"name": "Hijacked", "active": False, "supportContacts": ["evil@outsider.example"]}
    response = getattr(api_client_for(outsider), method)(url, body, format="json")
    assert response.status_code == 404, (method, url, response.content)
    assert response.json()["name"] == "NotFound"
    assert Account.objects.filter(pk=customer.pk).exists()
    assert (Account.objects.get(pk=customer.pk).modified_at, AuditEvent.objects.count()) == before
