"""Tenancy sweep of the console: every URL under /accounts/<number>/integrations/, GET and POST,
called by an outsider (an admin in another partner's customer account) on a customer account
that has integrations, answers 404 and changes nothing."""

import pytest
from django.urls import URLPattern

from accounts.models import Account, AuditEvent
from integrations import services, urls
from integrations.models import ChatOverlay, Integration

pytestmark = pytest.mark.django_db

PREFIX = "/accounts/{number}/integrations/"
# Values for the other path parameters that exist in the swept account.
PARAMETERS = {
    "<str:type>": "micc",
    "<str:privilege>": "allow-guest-access",
    "<int:overlay_id>": "{overlay}",
    "<uuid:user_id>": "{user}",
}


def routes() -> list[str]:
    return [str(entry.pattern) for entry in urls.urlpatterns if isinstance(entry, URLPattern)]


def test_the_sweep_covers_every_route():
    assert len(routes()) == 11


@pytest.mark.parametrize("route", routes())
@pytest.mark.parametrize("method", ["get", "post"])
def test_outsider_gets_404_everywhere(client_for, outsider, account_admin, customer, route, method):
    services.integration_add(actor=account_admin, account=customer, type="micc")
    overlay = services.chat_overlay_create(
        actor=account_admin,
        account=customer,
        name="Site",
        greeting="Hi",
        background_colour="#000000",
        text_colour="#ffffff",
        target_queue="P1",
    )
    path = route
    for parameter, value in PARAMETERS.items():
        path = path.replace(parameter, value.format(overlay=overlay.pk, user=account_admin.user_id))
    assert "<" not in path, f"add a value for the parameters of {route}"
    before = (AuditEvent.objects.count(), Account.objects.get(pk=customer.pk).allow_guest_access)

    body = {"state": "off", "name": "Hijack", "config-mode": "existing", "config-api_key": "x"}
    response = getattr(client_for(outsider), method)(
        PREFIX.format(number=customer.account_number) + path, body
    )

    assert response.status_code == 404, (method, path)
    assert (AuditEvent.objects.count(), Account.objects.get(pk=customer.pk).allow_guest_access) == before
    assert Integration.objects.filter(account=customer, type="micc").exists()
    assert ChatOverlay.objects.filter(pk=overlay.pk).exists()
