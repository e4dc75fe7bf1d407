"""Real-browser journeys of integrations and privileges (Playwright + Debian's Chromium, see conftest.py)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from integrations.models import Integration
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def expect_switch(page, name: str, on: bool) -> None:
    expect(page.get_by_role("switch", name=name, exact=True)).to_have_attribute(
        "aria-checked", "true" if on else "false"
    )


def add_from_the_dialog(page, label: str) -> None:
    page.get_by_role("link", name="+ Add new").click()
    dialog = page.get_by_role("dialog", name="Integrations")
    expect(dialog).to_be_visible()
    expect(
        dialog.get_by_text("Privileges it switches on: Delegated Authentication, Allow Guest Access.")
    ).to_be_visible()
    dialog.get_by_role("button", name=f"Add {label}", exact=True).click()
    # The dialog stays open for adding several: the item now says Added; Done closes it.
    expect(page.locator(f"#integration-{label.lower()}")).to_be_attached()
    expect(dialog.locator(f"#catalogue-{label.lower()}").get_by_text("Added", exact=True)).to_be_visible()
    dialog.get_by_role("button", name="Done").click()
    expect(dialog).to_be_hidden()
    expect(page.locator(f"#integration-{label.lower()}")).to_be_visible()


def test_micc_then_micollab_then_removing_micc_keeps_delegated_authentication(
    new_page, account_admin, customer, password
):
    page = new_page()
    sign_in(page, account_admin.email, password)
    page.goto(f"/accounts/{customer.account_number}/")
    panel = page.locator("#integrations-panel")
    expect(panel.get_by_text("No integrations are configured for this account.")).to_be_visible()
    expect_switch(page, "Delegated Authentication", False)
    expect_switch(page, "Allow Guest Access", False)
    expect(page.locator("#contact-center-admin summary")).to_have_count(0)

    # Add MiCC from the "+ Add new" dialog: both privileges switch on, and the Contact Center
    # Admin icon appears in the header (swapped in without a reload).
    add_from_the_dialog(page, "MiCC")
    expect(page.get_by_role("status").filter(has_text="MiCC added.")).to_be_visible()
    expect_switch(page, "Delegated Authentication", True)
    expect_switch(page, "Allow Guest Access", True)
    expect_switch(page, "MiCC enabled", True)
    icon = page.locator("#contact-center-admin summary")
    expect(icon).to_be_visible()
    expect(icon).to_have_attribute("title", "Contact Center Admin")

    # Add MiCollab.
    add_from_the_dialog(page, "MiCollab")
    expect(page.get_by_test_id("privilege-delegated-authentication-needed-by")).to_have_text(
        "Needed by MiCC, MiCollab."
    )

    # Remove MiCC: the confirmation says exactly what switches off and what stays on (MiCollab).
    page.get_by_role("link", name="Remove MiCC").click()
    dialog = page.get_by_role("dialog", name="Remove MiCC integration")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_test_id("privileges-switching-off")).to_contain_text("Allow Guest Access")
    expect(dialog.get_by_test_id("privileges-switching-off")).not_to_contain_text("Delegated Authentication")
    expect(dialog.get_by_test_id("privileges-staying-on")).to_contain_text(
        "Delegated Authentication (needed by MiCollab)"
    )
    dialog.get_by_role("button", name="Remove integration").click()
    expect(dialog).to_be_hidden()
    expect(
        page.get_by_role("status").filter(has_text="MiCC removed. Switched off: Allow Guest Access.")
    ).to_be_visible()
    expect_switch(page, "Allow Guest Access", False)
    expect_switch(page, "Delegated Authentication", True)
    expect(page.locator("#integration-micc")).to_have_count(0)
    expect(page.locator("#contact-center-admin summary")).to_have_count(0)

    # The page says the same after a reload, and so does the database.
    page.reload()
    expect_switch(page, "Allow Guest Access", False)
    expect_switch(page, "Delegated Authentication", True)
    customer.refresh_from_db()
    assert (customer.allow_guest_access, customer.delegated_authentication) == (False, True)
    assert set(Integration.objects.filter(account=customer).values_list("type", flat=True)) == {"micollab"}


def test_contact_center_admin_leads_to_chat_overlays_where_one_is_created_and_deleted(
    new_page, account_admin, customer, password
):
    page = new_page()
    sign_in(page, account_admin.email, password)
    page.goto(f"/accounts/{customer.account_number}/integrations/")
    add_from_the_dialog(page, "MiCC")

    page.locator("#contact-center-admin summary").click()
    page.locator("#contact-center-admin").get_by_role("link", name="Chat Overlays").click()
    expect(page.get_by_role("heading", name="Chat Overlays", level=1)).to_be_visible()
    page.get_by_label("Name").fill("Website")
    page.get_by_label("Target queue").fill("P1000")
    page.get_by_label("Greeting").fill("Hi! How can we help?")
    page.get_by_role("button", name="Create overlay").click()
    expect(page.get_by_role("status").filter(has_text="Chat overlay Website created.")).to_be_visible()
    expect(page.get_by_role("row", name="Website")).to_contain_text("P1000")

    page.once("dialog", lambda confirm: confirm.accept())
    page.get_by_role("button", name="Delete Website").click()
    expect(page.get_by_text("No chat overlays yet.")).to_be_visible()


def test_without_javascript_the_catalogue_and_confirmation_are_pages(
    new_page, account_admin, customer, password
):
    page = new_page(java_script_enabled=False)
    sign_in(page, account_admin.email, password)
    page.goto(f"/accounts/{customer.account_number}/integrations/")

    page.get_by_role("link", name="+ Add new").click()
    expect(page.get_by_role("heading", name="Add an integration", level=1)).to_be_visible()
    page.get_by_role("link", name="Third party").click()
    expect(page.get_by_text("Developer page")).to_be_visible()
    page.get_by_role("link", name="Mitel", exact=True).click()
    page.get_by_role("button", name="Add Mitel One", exact=True).click()
    expect(page.get_by_role("heading", name="Integrations", level=1)).to_be_visible()
    expect_switch(page, "Allow Guest Access", True)

    page.get_by_role("link", name="Remove Mitel One").click()
    expect(page.get_by_test_id("privileges-switching-off")).to_contain_text("Allow Guest Access")
    page.get_by_role("button", name="Remove integration").click()
    expect(page.get_by_role("heading", name="Integrations", level=1)).to_be_visible()
    expect_switch(page, "Allow Guest Access", False)
    expect(page.get_by_text("No integrations are configured for this account.")).to_be_visible()
