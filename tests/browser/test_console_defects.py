"""Issue 14's click-through defects, each as the real-browser journey that found it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def integration_grid_display(page) -> str:
    return page.locator(".privilege-list").evaluate("el => getComputedStyle(el).listStyleType")


def test_the_integrations_panel_keeps_its_styles_after_a_swap(new_page, account_admin, customer, password):
    page = new_page()
    sign_in(page, account_admin.email, password)
    page.goto(f"/accounts/{customer.account_number}/")
    switch = page.get_by_role("switch", name="Allow Guest Access", exact=True)
    assert integration_grid_display(page) == "none"
    switch.click()
    expect(switch).to_have_attribute("aria-checked", "true")
    # The swapped panel is still styled: no bullets, the switch is not a native grey button.
    assert integration_grid_display(page) == "none"
    track = page.locator(".switch-track").first
    assert track.evaluate("el => getComputedStyle(el).borderRadius") != "0px"
