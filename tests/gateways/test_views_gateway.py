"""The gateway page: Add Gateway without one; with one, its status (connected, disconnected, last check,
last error) with Re-check and Disconnect, the SIP trunk section (write-only secrets), Remove; the polled
status card; and the CloudLink Gateway integration card and Account Information reflecting it."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.test import Client
from django.urls import reverse

from gateways import services
from gateways.models import ConnectJob, Gateway, SipTrunk
from integrations import services as integration_services
from tests.gateways.helpers import run_wizard

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


def url(name: str, account, *args) -> str:
    return reverse(f"gateways:{name}", args=[account.account_number, *args])


@pytest.fixture
def connected(account_admin, customer, pbx_simulator, django_capture_on_commit_callbacks, settings):
    settings.PORTAL_GATEWAY_CSTA_TIMEOUT = 0.6
    with django_capture_on_commit_callbacks(execute=True):
        run_wizard(account_admin, customer, pbx_simulator.port)
    return Gateway.objects.get(account=customer)


TRUNK = {
    "address": "gw.globex.example",
    "transport": "tls",
    "port": "",
    "description": "Trunk to MX-ONE",
    "pbx_username": "mxone",
    "pbx_password": "pbx-secret",
    "gateway_username": "",
    "gateway_password": "gw-secret",
    "gsm_deploy_number": "+4670123",
}


def test_without_a_gateway_the_page_offers_add_gateway(client_for, account_admin, customer):
    html = client_for(account_admin).get(url("gateway_detail", customer)).content.decode()

    assert "No gateway is connected to this account." in html
    assert f'href="{url("gateway_setup", customer)}">Add Gateway' in html


def test_a_connected_gateway_shows_its_status_and_actions(client_for, account_admin, customer, connected):
    html = client_for(account_admin).get(url("gateway_detail", customer)).content.decode()

    assert 'data-testid="gateway-status">Connected' in html
    assert "Re-check" in html and "Disconnect" in html and "MiVoice MX-ONE · mxone-1" in html
    assert 'data-testid="gateway-last-check"><time' in html
    assert 'value="officelinkmxone"' in html and 'value="tcp" selected' in html
    account_html = (
        client_for(account_admin)
        .get(reverse("accounts:account_detail", args=[customer.account_number]))
        .content.decode()
    )
    assert "<dt>PBX Type</dt><dd>MiVoice MX-ONE</dd>" in account_html


def test_recheck_against_a_stopped_pbx_shows_disconnected_and_the_error(
    client_for, account_admin, customer, connected, pbx_simulator, django_capture_on_commit_callbacks
):
    pbx_simulator.stop()
    client = client_for(account_admin)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("gateway_recheck", customer))

    assert response.status_code == HTTPStatus.FOUND
    html = client.get(url("gateway_detail", customer)).content.decode()
    assert 'data-testid="gateway-status">Disconnected' in html
    assert "refused the connection" in html


def test_recheck_with_htmx_answers_with_the_status_card_polling_the_running_job(
    client_for, account_admin, customer, connected, django_capture_on_commit_callbacks
):
    client = client_for(account_admin)
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(url("gateway_recheck", customer), **HX)

    html = response.content.decode()
    assert html.lstrip().startswith('<section id="gateway-status"') and 'hx-trigger="every 1s"' in html
    assert ConnectJob.objects.filter(kind="recheck", status="pending").count() == 1
    poll = client.get(url("gateway_status_hx", customer), **HX)
    assert poll.status_code == HTTPStatus.OK
    ConnectJob.objects.update(status="connected", step="done")
    assert client.get(url("gateway_status_hx", customer), **HX).status_code == 286


def test_disconnect_marks_the_gateway_disconnected(client_for, account_admin, customer, connected):
    response = client_for(account_admin).post(url("gateway_disconnect", customer), follow=True)

    html = response.content.decode()
    assert 'data-testid="gateway-status">Disconnected' in html and "Disconnected by an administrator" in html
    assert not Gateway.objects.get(pk=connected.pk).monitored


def test_the_trunk_section_saves_and_never_shows_passwords(client_for, account_admin, customer, connected):
    client = client_for(account_admin)

    response = client.post(url("gateway_trunk_update", customer), TRUNK, **HX)

    html = response.content.decode()
    assert html.lstrip().startswith('<section id="sip-trunk"')
    assert "pbx-secret" not in html and "gw-secret" not in html
    assert "PBX password: set · Gateway password: set" in html
    trunk = SipTrunk.objects.get(gateway=connected)
    assert (trunk.port, trunk.transport, trunk.gateway_username) == (5061, "tls", "officelinkmxone")
    client.post(url("gateway_trunk_update", customer), TRUNK | {"pbx_password": "", "gateway_password": ""})
    trunk.refresh_from_db()
    assert (trunk.pbx_password, trunk.gateway_password) == ("pbx-secret", "gw-secret")


def test_an_invalid_trunk_is_shown_with_its_errors(client_for, account_admin, customer, connected):
    response = client_for(account_admin).post(
        url("gateway_trunk_update", customer), TRUNK | {"gsm_deploy_number": "call me"}
    )

    assert response.status_code == HTTPStatus.OK
    assert "Enter digits only" in response.content.decode()
    assert SipTrunk.objects.get(gateway=connected).gsm_deploy_number == ""


def test_remove_needs_the_typed_word(client_for, account_admin, customer, connected):
    client = client_for(account_admin)

    wrong = client.post(url("gateway_remove", customer), {"remove-confirmation": "nope"})
    assert wrong.status_code == HTTPStatus.OK and Gateway.objects.exists()

    right = client.post(url("gateway_remove", customer), {"remove-confirmation": "remove"})
    assert right.status_code == HTTPStatus.FOUND and not Gateway.objects.exists()


def test_the_integration_card_shows_the_gateway_status_and_links_to_it(
    client_for, account_admin, customer, connected
):
    integration_services.integration_add(actor=account_admin, account=customer, type="cloudlink-gateway")

    html = (
        client_for(account_admin)
        .get(reverse("integrations:integration_list", args=[customer.account_number]))
        .content.decode()
    )

    assert 'data-testid="cloudlink-gateway-status"><span class="badge badge--success">Connected' in html
    assert f'href="{url("gateway_detail", customer)}"' in html


def test_the_card_offers_add_gateway_without_one(client_for, account_admin, customer):
    integration_services.integration_add(actor=account_admin, account=customer, type="cloudlink-gateway")

    html = (
        client_for(account_admin)
        .get(reverse("integrations:integration_list", args=[customer.account_number]))
        .content.decode()
    )

    assert f'href="{url("gateway_setup", customer)}"' in html and "Add Gateway" in html


@pytest.mark.parametrize(
    "name", ["gateway_recheck", "gateway_disconnect", "gateway_remove", "gateway_trunk_update"]
)
def test_actions_are_403_for_a_member_404_for_an_outsider_and_sign_in_for_anonymous(
    client_for, member, outsider, customer, connected, name
):
    assert client_for(member).post(url(name, customer), {"remove-confirmation": "remove"}).status_code == 403
    assert (
        client_for(outsider).post(url(name, customer), {"remove-confirmation": "remove"}).status_code == 404
    )
    anonymous = Client().post(url(name, customer))
    assert anonymous.status_code == 302 and anonymous.url.startswith("/auth/login/")
    gateway = Gateway.objects.get(pk=connected.pk)
    assert gateway.status == "connected" and gateway.monitored


def test_the_partners_own_account_explains_that_gateways_belong_to_customers(
    client_for, partner_admin, partner
):
    html = client_for(partner_admin).get(url("gateway_detail", partner)).content.decode()

    assert services.PARTNER_ACCOUNT_MESSAGE.replace("'", "&#x27;") in html and "Add Gateway" not in html
