"""Every page under /accounts/<number>/ is 404 for people outside the account's scope.

The URL patterns are read from the resolver, so pages added later are swept automatically. A
``<user_id>`` in a route is filled with a real user of the swept account, so user pages are
refused because of who asks, not because the user does not exist."""

from __future__ import annotations

import re
import uuid
from http import HTTPStatus

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.models import Account, User

pytestmark = pytest.mark.django_db

ACCOUNT_PREFIX = "accounts/<str:number>/"
# What a confirmed delete posts (typed-confirmation forms use the word as their prefix), so a
# route that leaked past the scope check would really act.
DELETE_CONFIRMED = {"confirmation": "delete", "delete-confirmation": "delete"}
_PLACEHOLDER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
_SAMPLE = {"int": "1", "str": "x", "slug": "x", "uuid": str(uuid.UUID(int=1)), "path": "x"}


def _routes(patterns, prefix: str = "") -> list[str]:
    """Every route of the URLconf as a path-converter string, e.g. ``accounts/<str:number>/users/``."""
    routes: list[str] = []
    for pattern in patterns:
        route = str(pattern.pattern)
        if route.startswith("^"):  # re_path(): fine elsewhere (allauth), not for account pages
            assert "accounts" not in prefix + route, f"use path() for account pages, not {prefix + route!r}"
            continue
        if isinstance(pattern, URLResolver):
            routes += _routes(pattern.url_patterns, prefix + route)
        elif isinstance(pattern, URLPattern):
            routes.append(prefix + route)
    return routes


def account_routes() -> list[str]:
    return sorted(route for route in _routes(get_resolver().url_patterns) if route.startswith(ACCOUNT_PREFIX))


def fill(route: str, number: str, **known: str) -> str:
    """The route with ``number``, any ``known`` values (e.g. ``user_id``), and samples elsewhere."""

    def value(match: re.Match) -> str:
        if match["name"] == "number":
            return number
        if match["name"] in known:
            return str(known[match["name"]])
        return _SAMPLE.get(match["converter"] or "str", "x")

    return "/" + _PLACEHOLDER.sub(value, route)


def test_the_sweep_sees_every_account_page():
    routes = account_routes()

    assert len(routes) >= 11, routes
    for expected in ["", "users/", "activity/", "integrations/", "gateway/", "delete/", "users/new/"]:
        assert ACCOUNT_PREFIX + expected in routes
    user_routes = [route for route in routes if "<uuid:user_id>" in route]
    assert {r.removeprefix(ACCOUNT_PREFIX + "users/<uuid:user_id>/") for r in user_routes} >= {
        "",
        "edit/",
        "welcome/",
        "password-reset/",
        "delete/",
    }


@pytest.mark.parametrize("route", account_routes())
@pytest.mark.parametrize("persona", ["outsider", "other_partner_admin"])
def test_people_outside_the_partners_scope_get_404_for_get_and_post(
    client_for, customer, account_admin, persona, route, request
):
    client = client_for(request.getfixturevalue(persona))
    path = fill(route, customer.account_number, user_id=account_admin.user_id)

    assert client.get(path).status_code == HTTPStatus.NOT_FOUND, f"GET {path}"
    assert client.post(path, DELETE_CONFIRMED).status_code == HTTPStatus.NOT_FOUND, f"POST {path}"
    assert (
        User.objects.filter(pk=account_admin.pk).exists() and Account.objects.filter(pk=customer.pk).exists()
    )


@pytest.mark.parametrize("route", account_routes())
def test_the_partners_own_account_is_also_out_of_reach_for_a_customer_admin(
    client_for, outsider, partner, partner_admin, route
):
    path = fill(route, partner.account_number, user_id=partner_admin.user_id)

    assert client_for(outsider).get(path).status_code == HTTPStatus.NOT_FOUND
