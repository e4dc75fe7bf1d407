"""``accounts.api.base``: every ``/accounts/{accountId}/`` resource resolves the account alike."""

from __future__ import annotations

import pytest

from accounts.api.admin_views import AccountDetailApi
from accounts.api.base import AccountScopedApi
from accounts.api.user_views import UserCollectionApi, UserDetailApi
from gateways.api.views import CheckCollectionApi, CheckDetailApi, GatewayApi, PbxApi, TrunkApi
from gateways.pbx_users.api.views import PbxUserSyncApi
from integrations.api.views import IntegrationCollectionApi, IntegrationDetailApi

pytestmark = pytest.mark.django_db

ADMIN = "/api/admin/2017-09-01"


def users(ref) -> str:
    return f"{ADMIN}/accounts/{ref}/users"


def test_the_account_is_found_by_its_guid(api_client_for, account_admin, customer):
    response = api_client_for(account_admin).get(users(customer.account_id))

    assert response.status_code == 200


def test_the_account_is_found_by_its_number(api_client_for, account_admin, customer):
    response = api_client_for(account_admin).get(users(customer.account_number))

    assert response.status_code == 200
    assert response.json()["count"] >= 1


def test_another_tenants_account_is_404(api_client_for, account_admin, outsider_customer):
    for ref in (outsider_customer.account_id, outsider_customer.account_number):
        response = api_client_for(account_admin).get(users(ref))

        assert response.status_code == 404
        assert response.json() == {"name": "NotFound", "message": "No such account."}


def test_a_partner_admin_reaches_a_customer_but_not_another_partners(
    api_client_for, partner_admin, customer, outsider_customer
):
    client = api_client_for(partner_admin)

    assert client.get(users(customer.account_number)).status_code == 200
    assert client.get(users(outsider_customer.account_number)).status_code == 404


def test_in_scope_without_the_capability_is_403(api_client_for, member, customer):
    response = api_client_for(member).get(users(customer.account_id))

    assert response.status_code == 403
    assert response.json()["name"] == "Forbidden"


@pytest.mark.parametrize(
    "ref", ["not-an-account", "12345", "0000000000000", "7c9e6679-7425-40de-944b-e07fc1f90ae7"]
)
def test_a_malformed_or_unknown_reference_is_404(api_client_for, account_admin, ref):
    response = api_client_for(account_admin).get(users(ref))

    assert response.status_code == 404


def test_a_method_the_resource_does_not_answer_stays_405_whatever_the_account(
    api_client_for, account_admin, outsider_customer
):
    response = api_client_for(account_admin).patch(f"{ADMIN}/accounts/{outsider_customer.account_id}")

    assert response.status_code == 405


def test_every_account_scoped_resource_uses_the_base_with_a_capability():
    for view in (
        AccountDetailApi,
        UserCollectionApi,
        UserDetailApi,
        IntegrationCollectionApi,
        IntegrationDetailApi,
        GatewayApi,
        PbxApi,
        TrunkApi,
        CheckCollectionApi,
        CheckDetailApi,
        PbxUserSyncApi,
    ):
        assert issubclass(view, AccountScopedApi), view
        assert view.need, view


def _routes(patterns, prefix=""):
    from django.urls import URLPattern, URLResolver

    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback


def test_every_api_route_with_an_account_id_in_its_path_is_account_scoped():
    from django.urls import get_resolver

    scoped = {
        route: getattr(callback, "cls", None)
        for route, callback in _routes(get_resolver().url_patterns)
        if route.startswith("api/") and ":accountId>" in route
    }
    assert scoped, "the Admin API's account routes"
    assert {
        route
        for route, cls in scoped.items()
        if not (cls and issubclass(cls, AccountScopedApi)) and route not in SIGN_IN_ROUTES
    } == set()


# Routes with an ``accountId`` that are not account resources: the identity provider's answer to a
# sign-in the portal started (posted by the browser, no caller yet); ``accountId`` names the service
# provider the answer is for (docs/sso.md).
SIGN_IN_ROUTES = {
    "api/authentication/2017-09-01/saml2/<str:accountId>/cs",
    "api/authentication/2017-09-01/oidc/<str:accountId>/cb",
}
