"""A call placed on a (simulated) handset appears live on the user page: the PBX listener applies the CSTA
events, the page's Live calls list (htmx, every second) shows it ringing, connected, then gone."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from gateways.pbx.simulator import PbxSimulator
from media.listener import GatewayListener
from media.models import Call
from tests.browser.conftest import sign_in
from tests.media.conftest import USERS, attach_pbx
from tests.waiting import wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def pump_until(listener: GatewayListener, state: str) -> None:
    """Let the listener apply events until Uma's leg is in ``state``."""

    def reached() -> bool:
        listener.step(0.1)
        return Call.objects.filter(endpoint="2002", state=state).exists()

    wait_until(reached, timeout=10)


def test_a_handset_call_shows_up_live_on_the_called_users_page(
    new_page, live_server, account_admin, member, customer, password
):
    account_admin.extension, member.extension = "2001", "2002"
    account_admin.save(update_fields=["extension"])
    member.save(update_fields=["extension"])
    with PbxSimulator("127.0.0.1", 0, users=USERS) as pbx:
        gateway = attach_pbx(customer, port=pbx.port).gateway
        listener = GatewayListener(gateway.pk, "browser-worker", lease=30)
        try:
            assert listener.step(0.05) is True  # the listener holds the gateway and monitors 2001, 2002
            page = new_page()
            sign_in(page, account_admin.email, password)
            page.goto(
                live_server.url
                + reverse("accounts:user_detail", args=[customer.account_number, member.user_id])
            )
            expect(page.get_by_test_id("no-live-calls")).to_be_visible()

            pbx.dial("2001", "2002")  # Ada dials Uma on her desk phone
            pump_until(listener, "ringing")
            row = page.get_by_test_id("live-call")
            expect(row).to_have_attribute("data-state", "ringing")
            expect(row).to_contain_text("2001")
            expect(row).to_contain_text("Inbound")

            pbx.answer("2002")
            pump_until(listener, "connected")
            expect(row).to_have_attribute("data-state", "connected")

            pbx.hangup("2001")
            pump_until(listener, "completed")
            expect(page.get_by_test_id("no-live-calls")).to_be_visible()
        finally:
            listener.close(release=True)
