"""The footer's language picker, in Chromium: the page comes back in the chosen language, signed
in (and the choice is kept for the next sign-in) or signed out."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_signed_in_admin_switches_the_console_to_german_in_the_footer(
    page, account_admin, customer, password
):
    sign_in(page, account_admin.email, password)
    page.goto(f"/accounts/{customer.account_number}/users/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Users")

    page.get_by_label("Language").select_option("de")
    page.get_by_role("button", name="Change language").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Benutzer")
    assert page.url.endswith(f"/accounts/{customer.account_number}/users/")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.get_by_role("link", name="Benutzer hinzufügen")).to_be_visible()
    expect(page.get_by_label("Sprache")).to_have_value("de")
    account_admin.refresh_from_db()
    assert account_admin.language == "de"


def test_the_sign_in_page_switches_to_spanish_before_signing_in(page, db):
    page.goto("/auth/login/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")

    page.get_by_label("Language").select_option("es")
    page.get_by_role("button", name="Change language").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Iniciar sesión")
    expect(page.get_by_role("button", name="Siguiente")).to_be_visible()  # the email step's Next
    expect(page.locator("html")).to_have_attribute("lang", "es")
