"""Tenancy sweep of the gateway API routes: every route and method, called by an outsider (and by another
partner's admin) on the partner's customer account, which has a configured gateway, by GUID and by
account number, answers 404 and changes nothing."""

import pytest
from django.urls import URLPattern

from accounts.models import AuditEvent
from gateways import services
from gateways.api import urls
from gateways.models import ConnectJob, Gateway, Pbx
from tests.gateways.helpers import CUSTOMER, GATEWAY, pbx_values

pytestmark = pytest.mark.django_db

BASE = "/api/admin/2017-09-01/"
METHODS = ("get", "post", "put", "patch", "delete")


def routes() -> list[tuple[str, str]]:
    found = []
    for entry in urls.urlpatterns:
        assert isinstance(entry, URLPattern)
        view_class = entry.callback.view_class
        found += [(str(entry.pattern), method) for method in METHODS if hasattr(view_class, method)]
    return found


ROUTES = routes()


def test_the_sweep_covers_every_gateway_route():
    assert set(ROUTES) == {
        ("accounts/<str:accountId>/gateway", "get"),
        ("accounts/<str:accountId>/gateway", "post"),
        ("accounts/<str:accountId>/gateway", "put"),
        ("accounts/<str:accountId>/gateway", "delete"),
        ("accounts/<str:accountId>/gateway/pbx", "get"),
        ("accounts/<str:accountId>/gateway/pbx", "put"),
        ("accounts/<str:accountId>/gateway/trunk", "get"),
        ("accounts/<str:accountId>/gateway/trunk", "put"),
        ("accounts/<str:accountId>/gateway/checks", "post"),
        ("accounts/<str:accountId>/gateway/checks/<uuid:checkId>", "get"),
        ("accounts/<str:accountId>/pbx/users/sync", "post"),  # PBX users live with the gateway
    }


@pytest.mark.parametrize("route, method", ROUTES, ids=[f"{m.upper()} {r}" for r, m in ROUTES])
@pytest.mark.parametrize("ref", ["account_id", "account_number"])
@pytest.mark.parametrize("persona", ["outsider", "other_partner_admin"])
def test_outsiders_get_404_on_every_gateway_route(
    api_client_for,
    customer,
    account_admin,
    route,
    method,
    ref,
    persona,
    request,
    django_capture_on_commit_callbacks,
):
    services.gateway_create(actor=account_admin, account=customer, customer=CUSTOMER, values=GATEWAY)
    services.pbx_set(actor=account_admin, account=customer, values=pbx_values(8882), password="pw")
    with django_capture_on_commit_callbacks(execute=False):
        job = services.gateway_check_start(actor=account_admin, account=customer)
    url = BASE + route.replace("<str:accountId>", str(getattr(customer, ref))).replace(
        "<uuid:checkId>", str(job.job_id)
    )
    before = (AuditEvent.objects.count(), ConnectJob.objects.count(), Pbx.objects.get().csta_password)

    body = {"name": "Hijacked", "type": "mx-one", "host": "evil.example", "transport": "udp"}
    response = getattr(api_client_for(request.getfixturevalue(persona)), method)(url, body, format="json")

    assert response.status_code == 404, (method, url, response.content)
    assert response.json()["name"] == "NotFound"
    assert (AuditEvent.objects.count(), ConnectJob.objects.count(), Pbx.objects.get().csta_password) == before
    assert Gateway.objects.get(account=customer).name == GATEWAY["name"]
