"""Tenancy sweep: every Admin API route that takes {accountId} or {userId}, called by an outsider
(an admin in another partner's customer account) on the partner's customer account and its users,
answers 404 for every method it implements, by GUID and by account number, and changes nothing."""

import pytest
from django.urls import URLPattern, URLResolver

from accounts.api import admin_urls
from accounts.models import Account, AuditEvent, User

pytestmark = pytest.mark.django_db

BASE = "/api/admin/2017-09-01/"
METHODS = ("get", "post", "put", "patch", "delete")
SCOPED_PARAMETERS = ("<str:accountId>", "<str:userId>")


def _walk(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.callback


def scoped_routes() -> list[tuple[str, str]]:
    """(route, method) for every admin route with an {accountId} or a {userId} and every method its
    view implements."""
    routes = []
    for route, callback in _walk(admin_urls.urlpatterns):
        if not any(parameter in route for parameter in SCOPED_PARAMETERS):
            continue
        view_class = getattr(callback, "view_class", None) or callback.cls
        routes += [(route, method) for method in METHODS if hasattr(view_class, method)]
    return routes


ROUTES = scoped_routes()


def test_the_sweep_covers_the_account_and_user_routes():
    assert {
        ("accounts/<str:accountId>", "get"),
        ("accounts/<str:accountId>", "put"),
        ("accounts/<str:accountId>", "delete"),
        ("accounts/<str:accountId>/users", "get"),
        ("accounts/<str:accountId>/users", "post"),
        ("accounts/<str:accountId>/users", "patch"),
        ("accounts/<str:accountId>/users/<str:userId>", "get"),
        ("accounts/<str:accountId>/users/<str:userId>", "put"),
        ("accounts/<str:accountId>/users/<str:userId>", "delete"),
        ("users/<str:userId>", "get"),
        ("users/<str:userId>", "put"),
    } <= set(ROUTES)


def _state(customer: Account) -> tuple:
    users = User.objects.filter(account=customer).order_by("pk")
    return (
        Account.objects.get(pk=customer.pk).modified_at,
        list(users.values_list("pk", "email", "role", "name", "modified_at")),
        AuditEvent.objects.count(),
    )


@pytest.mark.parametrize("route, method", ROUTES, ids=[f"{m.upper()} {r}" for r, m in ROUTES])
@pytest.mark.parametrize("ref", ["account_id", "account_number"])
def test_outsider_gets_404_on_every_scoped_route(
    api_client_for, outsider, customer, account_admin, member, route, method, ref
):
    url = BASE + route.replace("<str:accountId>", str(getattr(customer, ref)))
    # The other path parameters name something that exists for anyone who may reach the account.
    url = url.replace("<str:userId>", str(member.user_id) if ref == "account_id" else member.email)
    assert "<" not in url, f"add a value for the other parameters of {route}"
    before = _state(customer)
    body = {
        "name": "Hijacked",
        "active": False,
        "supportContacts": ["evil@outsider.example"],
        "email": "evil@outsider.example",
        "role": "ACCOUNT_ADMIN",
        "operations": [
            {"op": "delete", "id": str(member.user_id)},
            {"op": "create", "body": {"email": "evil@outsider.example"}},
        ],
    }
    response = getattr(api_client_for(outsider), method)(url, body, format="json")
    assert response.status_code == 404, (method, url, response.content)
    assert response.json()["name"] == "NotFound"
    assert _state(customer) == before
