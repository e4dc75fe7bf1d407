"""The footer every page carries: Support and Legal links (docs/accessibility.md, landmarks)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _footer_links(page):
    return page.get_by_role("contentinfo").get_by_role("navigation", name="Support and legal")


def test_signed_out_and_signed_in_pages_end_with_support_and_legal_links(
    page, settings, account_admin, customer, password
):
    settings.PORTAL_SUPPORT_URL = "https://help.partner.example/"
    settings.PORTAL_LEGAL_URL = "https://partner.example/legal"
    page.goto("/auth/login/")
    expect(_footer_links(page).get_by_role("link", name="Support")).to_have_attribute(
        "href", "https://help.partner.example/"
    )
    expect(_footer_links(page).get_by_role("link", name="Legal")).to_have_attribute(
        "href", "https://partner.example/legal"
    )

    sign_in(page, account_admin.email, password)
    page.goto(f"/accounts/{customer.account_number}/users/")
    footer = page.get_by_role("contentinfo")
    expect(footer).to_be_visible()
    expect(_footer_links(page).get_by_role("link")).to_have_text(["Support", "Legal"])
    # Below the console, not over it.
    footer_top = footer.bounding_box()["y"]
    main_box = page.locator("main").bounding_box()
    assert footer_top >= main_box["y"] + main_box["height"]
