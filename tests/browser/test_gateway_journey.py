"""Real-browser journeys through the CloudLink Gateway wizard (Playwright + Debian's Chromium) against a
running PBX simulator: connected end to end, refused on a closed port, resumed after a reload mid-way."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from accounts.models import Account
from gateways.models import Gateway, GatewaySetup
from integrations import services as integration_services
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _gateway_integration(account_admin, customer, settings):
    settings.PORTAL_GATEWAY_CSTA_TIMEOUT = 2.0
    integration_services.integration_add(actor=account_admin, account=customer, type="cloudlink-gateway")


def open_wizard_from_account_information(page) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Account Information").click()
    card = page.locator("#integration-cloudlink-gateway")
    expect(card).to_contain_text("No gateway yet")
    card.get_by_role("link", name="Add Gateway").click()
    expect(page.get_by_role("heading", name="Add Gateway", level=1)).to_be_visible()
    expect(page.locator("[aria-current='step']")).to_contain_text("Customer")


def fill_customer(page) -> None:
    page.get_by_label("Address").fill("1 Main Street")
    page.get_by_label("Postal/ZIP code").fill("111 51")
    page.get_by_label("Business type").select_option("technology")
    page.get_by_label("Contact 1 name").fill("Pat Partner")
    page.get_by_label("Contact 1 email").fill("pat@acme.example")
    page.get_by_role("button", name="Next").click()
    expect(page.locator("[aria-current='step']")).to_contain_text("Gateway")


def fill_gateway(page) -> None:
    page.get_by_label("Gateway name").fill("Stockholm office")
    page.get_by_label("Serial number").fill("CLGW-000123")
    page.get_by_label("DHCP").check()
    expect(page.locator("#dhcp-note")).to_be_visible()
    expect(page.locator("#dhcp-note")).to_contain_text("We recommend a static address")
    page.get_by_label("Static").check()
    expect(page.locator("#dhcp-note")).to_be_hidden()
    page.get_by_label("IP address").fill("192.168.10.20")
    page.get_by_label("Subnet mask").fill("255.255.255.0")
    page.get_by_label("Default gateway").fill("192.168.11.1")
    page.get_by_role("button", name="Next").click()
    expect(page.locator("#wizard-step")).to_contain_text("is not in the gateway's subnet 192.168.10.0/24")
    page.get_by_label("Default gateway").fill("192.168.10.1")
    page.get_by_role("button", name="Next").click()
    expect(page.locator("[aria-current='step']")).to_contain_text("PBX")


def fill_pbx(page, port: int) -> None:
    page.get_by_label("PBX type").select_option("mivoice-office-400")
    expect(page.get_by_label("CSTA port")).to_have_value("7001")
    page.get_by_label("PBX type").select_option("mx-one")
    expect(page.get_by_label("CSTA port")).to_have_value("8882")
    page.get_by_label("PBX name").fill("mxone-1")
    page.get_by_label("IP address or host name").fill("127.0.0.1")
    page.get_by_label("CSTA port").fill(str(port))
    page.get_by_label("CSTA user name").fill("cloudlink")
    page.get_by_label("CSTA password").fill("cloudlink")
    page.get_by_role("button", name="Next").click()
    expect(page.locator("[aria-current='step']")).to_contain_text("Connect")
    expect(page.get_by_test_id("connect-target")).to_contain_text(f"127.0.0.1:{port}")


def test_admin_runs_the_wizard_end_to_end_and_sees_connected(
    page, account_admin, customer, password, pbx_simulator
):
    sign_in(page, account_admin.email, password)
    open_wizard_from_account_information(page)
    fill_customer(page)
    fill_gateway(page)
    fill_pbx(page, pbx_simulator.port)

    page.get_by_role("button", name="Connect").click()

    result = page.get_by_test_id("connect-result")
    expect(result).to_contain_text("Connected.")
    expect(page.locator(".connect-step.is-done")).to_have_count(4)
    page.get_by_role("link", name="Go to the gateway page").click()
    expect(page.get_by_test_id("gateway-status")).to_have_text("Connected")
    assert Gateway.objects.get(account=customer).status == "connected"
    assert Account.objects.get(pk=customer.pk).pbx_type == "MiVoice MX-ONE"

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Account Information").click()
    expect(page.get_by_text("MiVoice MX-ONE").first).to_be_visible()
    expect(page.get_by_test_id("cloudlink-gateway-status")).to_contain_text("Connected")


def test_a_closed_port_shows_the_refused_error(page, account_admin, customer, password, closed_port):
    sign_in(page, account_admin.email, password)
    open_wizard_from_account_information(page)
    fill_customer(page)
    fill_gateway(page)
    fill_pbx(page, closed_port)

    page.get_by_role("button", name="Connect").click()

    result = page.get_by_test_id("connect-result")
    expect(result).to_contain_text(f"Could not connect to 127.0.0.1:{closed_port}")
    expect(result).to_contain_text("refused the connection: nothing listens on that port")
    expect(page.get_by_role("link", name="Back to the PBX settings")).to_be_visible()
    # No full blue bar saying "done" over a failure (issue 14, defect 7): the steps show where it stopped.
    expect(page.get_by_test_id("connect-progress").locator("progress")).to_have_count(0)
    expect(page.locator(".connect-step.is-failed")).to_have_count(1)
    assert Gateway.objects.get(account=customer).last_error_code == "refused"


def test_the_wizard_resumes_after_a_reload_mid_way(page, account_admin, customer, password):
    sign_in(page, account_admin.email, password)
    open_wizard_from_account_information(page)
    fill_customer(page)
    page.get_by_label("Gateway name").fill("Not saved yet")

    page.reload()
    expect(page.locator("[aria-current='step']")).to_contain_text("Gateway")
    expect(page.get_by_label("Gateway name")).to_have_value("")

    page.goto(f"/accounts/{customer.account_number}/gateway/")
    expect(page.get_by_role("main")).to_contain_text("stopped at the Gateway step")
    page.get_by_role("link", name="Resume setup").click()
    expect(page).to_have_url(re.compile(r"/gateway/setup/gateway/$"))
    page.get_by_role("link", name="Back").click()
    expect(page.get_by_label("Address")).to_have_value("1 Main Street")
    expect(page.get_by_label("Contact 1 email")).to_have_value("pat@acme.example")
    assert GatewaySetup.objects.get(account=customer).step == "gateway"


def test_a_bad_static_ip_left_behind_by_switching_to_dhcp_does_not_block_the_step(
    page, account_admin, customer, password
):
    """Issue 14, defect 2: the error of a hidden choice never blocks the step out of sight."""
    sign_in(page, account_admin.email, password)
    open_wizard_from_account_information(page)
    fill_customer(page)
    page.get_by_label("Gateway name").fill("Stockholm office")
    page.get_by_label("Serial number").fill("CLGW-000123")
    page.get_by_label("Static").check()
    page.get_by_label("IP address").fill("999.1.1.1")
    page.get_by_label("DHCP").check()
    page.get_by_role("button", name="Next").click()
    expect(page.locator("[aria-current='step']")).to_contain_text("PBX")
    setup = GatewaySetup.objects.get()
    assert setup.data["gateway"]["network"] == "dhcp"
    assert setup.data["gateway"]["ip_address"] == ""
