"""Keyboard-only journeys (Tab, Shift+Tab, Enter, Space, Escape and typing; no mouse) through sign-in,
Add user, bulk import and the gateway wizard, with a visible focus on every control reached
(docs/accessibility.md)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from accounts.models import User
from integrations import services as integration_services
from tests.browser.conftest import sign_in
from tests.browser.keyboard import tab_and_press, tab_and_type, tab_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _main_nav_link(page, name: str):
    return page.get_by_role("navigation", name="Main").get_by_role("link", name=name, exact=True)


def test_sign_in_and_the_user_menu_by_keyboard(page, account_admin, customer, password):
    # Step 1: the email alone, Enter for Next.
    page.goto("/auth/login/")
    expect(page.get_by_label("Password")).to_have_count(0)
    tab_and_type(page, page.get_by_label("Email"), account_admin.email)
    page.keyboard.press("Enter")
    # Step 2: the email kept read-only, the focus on the password; a wrong one keeps both.
    expect(page.get_by_label("Password")).to_be_focused()
    expect(page.get_by_label("Email")).to_have_value(account_admin.email)
    expect(page.get_by_label("Email")).to_have_attribute("readonly", "")
    page.keyboard.type("not-the-password-1!")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("not correct")
    expect(page.get_by_label("Email")).to_have_value(account_admin.email)
    expect(page.get_by_label("Password")).to_be_focused()
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/accounts/{customer.account_number}/")

    # The user menu opens with Enter and closes with Escape, focus back on its button.
    menu_button = page.locator("details.user-menu > summary")
    tab_and_press(page, menu_button, "Enter")
    expect(page.get_by_role("link", name="Change password").first).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("details.user-menu")).not_to_have_attribute("open", re.compile(".*"))
    assert menu_button.evaluate("el => el === document.activeElement")


def test_add_user_by_keyboard(page, account_admin, customer, password):
    sign_in(page, account_admin.email, password)
    tab_and_press(page, _main_nav_link(page, "Users"))
    expect(page.get_by_role("heading", name="Users", exact=True)).to_be_visible()
    tab_and_press(page, page.get_by_role("link", name="Add user"))
    tab_and_type(page, page.get_by_label("First Name"), "Nia")
    tab_and_type(page, page.get_by_label("Last Name"), "Novak")
    tab_and_type(page, page.get_by_label("Email"), "nia@globex.example")
    tab_and_type(page, page.get_by_label("Extension"), "2104")
    tab_and_press(page, page.get_by_role("button", name="Create"), "Space")
    page.wait_for_url(re.compile(r"/users/[0-9a-f-]{36}/$"))
    expect(page.get_by_role("status").filter(has_text="Nia Novak was added")).to_be_visible()
    assert User.objects.get(email="nia@globex.example").account == customer


def test_bulk_import_by_keyboard(page, account_admin, customer, password):
    sign_in(page, account_admin.email, password)
    tab_and_press(page, _main_nav_link(page, "Users"))
    tab_and_press(page, page.get_by_role("link", name="Import users"))
    expect(page.get_by_role("heading", name="Import users", level=1)).to_be_visible()

    # The file input takes the focus like a button; what its dialog picks is the operating system's
    # part (a file chooser Chromium opens on Space did not always open in a loaded run), so the
    # chosen file is handed to the focused input.
    file_input = tab_to(page, page.get_by_label("CSV file"))
    file_input.set_input_files(
        {
            "name": "people.csv",
            "mimeType": "text/csv",
            "buffer": b"FIRST NAME,LAST NAME,NAME,EMAIL,ROLE\r\nKim,Ek,,kim@globex.example,\r\n"
            b"Lars,Berg,,lars@globex.example,\r\n",
        }
    )
    tab_and_press(page, page.get_by_role("button", name="Upload and preview"))
    expect(page.get_by_role("heading", name="Preview import")).to_be_visible()
    tab_and_press(page, page.get_by_role("button", name="Import 2 users"))
    expect(page.get_by_test_id("import-percent")).to_have_text("100%")
    assert set(User.objects.filter(source=User.Source.IMPORT).values_list("email", flat=True)) == {
        "kim@globex.example",
        "lars@globex.example",
    }


def test_gateway_wizard_by_keyboard(page, account_admin, customer, password, pbx_simulator, settings):
    settings.PORTAL_GATEWAY_CSTA_TIMEOUT = 2.0
    integration_services.integration_add(actor=account_admin, account=customer, type="cloudlink-gateway")
    sign_in(page, account_admin.email, password)
    tab_and_press(
        page, page.locator("#integration-cloudlink-gateway").get_by_role("link", name="Add Gateway")
    )
    expect(page.get_by_role("heading", name="Add Gateway", level=1)).to_be_visible()

    # Customer: a select is chosen by typing the start of an option.
    tab_and_type(page, page.get_by_label("Address"), "1 Main Street")
    tab_and_type(page, page.get_by_label("Postal/ZIP code"), "111 51")
    tab_and_type(page, page.get_by_label("Business type"), "Technology")
    expect(page.get_by_label("Business type")).to_have_value("technology")
    tab_and_type(page, page.get_by_label("Contact 1 name"), "Pat Partner")
    tab_and_type(page, page.get_by_label("Contact 1 email"), "pat@acme.example")
    tab_and_press(page, page.get_by_role("button", name="Next"))
    expect(page.locator("[aria-current='step']")).to_contain_text("Gateway")

    # Gateway: Static is the default choice; its fields follow in the tab order.
    tab_and_type(page, page.get_by_label("Gateway name"), "Stockholm office")
    tab_and_type(page, page.get_by_label("Serial number"), "CLGW-000123")
    tab_and_type(page, page.get_by_label("IP address"), "192.168.10.20")
    tab_and_type(page, page.get_by_label("Subnet mask"), "255.255.255.0")
    tab_and_type(page, page.get_by_label("Default gateway"), "192.168.10.1")
    tab_and_press(page, page.get_by_role("button", name="Next"))
    expect(page.locator("[aria-current='step']")).to_contain_text("PBX")

    # PBX: the focus lands on the first field of the step after each swap.
    tab_and_type(page, page.get_by_label("PBX type"), "MX-ONE")
    expect(page.get_by_label("CSTA port")).to_have_value("8882")
    tab_and_type(page, page.get_by_label("PBX name"), "mxone-1")
    tab_and_type(page, page.get_by_label("IP address or host name"), "127.0.0.1")
    # Tab selects a field's text, so typing replaces the default port.
    tab_and_type(page, page.get_by_label("CSTA port"), str(pbx_simulator.port))
    tab_and_type(page, page.get_by_label("CSTA user name"), "cloudlink")
    tab_and_type(page, page.get_by_label("CSTA password"), "cloudlink")
    tab_and_press(page, page.get_by_role("button", name="Next"))
    expect(page.locator("[aria-current='step']")).to_contain_text("Connect")

    tab_and_press(page, page.get_by_role("button", name="Connect"))
    expect(page.get_by_test_id("connect-result")).to_contain_text("Connected.")
