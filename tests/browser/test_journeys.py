"""Real-browser journeys through the console (Playwright + Debian's Chromium, see conftest.py)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from accounts import services
from accounts.models import Account, User
from tests.accounts.factories import CustomerAccountFactory, UserFactory
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ACCOUNT_PAGE = re.compile(r"/accounts/(\d{9})/$")


def test_partner_creates_finds_edits_deactivates_activates_and_deletes_an_account(
    new_page, partner_admin, customer, password
):
    page = new_page()
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])

    # The partner signs in through the real sign-in page and lands on the Accounts list.
    sign_in(page, partner_admin.email, password)
    expect(page.get_by_role("heading", name="Accounts", exact=True)).to_be_visible()

    # Add account.
    page.get_by_role("link", name="Add account").first.click()
    page.get_by_label("Customer name").fill("Northwind Traders")
    page.get_by_label("Country").select_option(label="Canada")
    page.get_by_label("Province/State").fill("Ontario")
    page.get_by_label("Address").fill("200 Bay Street")
    page.get_by_label("City/Town").fill("Toronto")
    page.get_by_label("Postal/ZIP code").fill("M5J 2J1")
    page.get_by_label("Default language").select_option(label="French (Canada)")
    page.get_by_label("Business type").select_option(label="Retail")
    page.get_by_role("combobox", name="Support contacts").fill(
        "help@northwind.example, noc@northwind.example"
    )
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(ACCOUNT_PAGE)
    expect(page.get_by_role("status").filter(has_text="Account Northwind Traders created")).to_be_visible()
    number = ACCOUNT_PAGE.search(page.url).group(1)
    account = Account.objects.get(account_number=number)
    assert (account.country, account.default_language, account.parent_id) == (
        "CA",
        "fr-CA",
        customer.parent_id,
    )

    # The copy button puts the account number on the clipboard; pasting shows it (the page itself
    # may not read the clipboard: Permissions-Policy clipboard-read=()).
    page.get_by_role("button", name="Copy account number").click()
    expect(page.get_by_role("button", name="Copy account number")).to_contain_text("Copied")
    switcher = page.get_by_label("Go to account (name or number)")
    switcher.focus()
    page.keyboard.press("ControlOrMeta+V")
    expect(switcher).to_have_value(number)
    switcher.fill("")

    # Find it on the Accounts list by type-ahead search (htmx swaps the table in place).
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Accounts").click()
    expect(page.get_by_text("2 accounts")).to_be_visible()
    page.get_by_label("Search").press_sequentially("northw", delay=30)
    expect(page.get_by_text("1 account", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Globex Corp")).to_have_count(0)
    assert "q=northw" in page.url, "the search is kept in the address bar"
    page.get_by_role("link", name="Northwind Traders").click()
    page.wait_for_url(ACCOUNT_PAGE)

    # Edit it on Account Information.
    page.get_by_label("Customer name").fill("Northwind Traders Inc.")
    page.get_by_label("City/Town").fill("Ottawa")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("status").filter(has_text="Account information saved.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Northwind Traders Inc.")
    expect(page.get_by_test_id("current-account-name")).to_have_text("Northwind Traders Inc.")
    account.refresh_from_db()
    assert (account.name, account.city) == ("Northwind Traders Inc.", "Ottawa")

    # The account's admin is signed in elsewhere (a second browser context).
    services.user_create(
        actor=partner_admin,
        account=account,
        email="ada@northwind.example",
        role=User.Role.ACCOUNT_ADMIN,
        password=password,
    )
    admin_page = new_page()
    sign_in(admin_page, "ada@northwind.example", password)
    expect(admin_page.get_by_test_id("current-account-name")).to_have_text("Northwind Traders Inc.")

    # Deactivate: a wrong word is refused, "deactivate" works.
    page.get_by_text("Deactivate…").click()
    page.get_by_label("Type deactivate to confirm").fill("deactivated")
    page.get_by_role("button", name="Deactivate account").click()
    expect(page.get_by_text("Type deactivate to confirm.")).to_be_visible()
    page.get_by_label("Type deactivate to confirm").fill("deactivate")
    page.get_by_role("button", name="Deactivate account").click()
    expect(page.get_by_role("button", name="Activate account")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="is deactivated")).to_be_visible()

    # Its admin is signed out and can no longer sign in.
    admin_page.reload()
    admin_page.wait_for_url(re.compile(r"/auth/login/"))
    expect(admin_page.get_by_role("alert").filter(has_text="no longer active")).to_be_visible()
    admin_page.get_by_label("Email").fill("ada@northwind.example")
    admin_page.get_by_role("button", name="Next").click()
    admin_page.get_by_label("Password").fill(password)
    admin_page.get_by_role("button", name="Sign in").click()
    expect(admin_page.get_by_role("alert")).to_contain_text("This account has been deactivated")
    assert "/auth/login/" in admin_page.url

    # Activate again: the admin can sign in again.
    page.get_by_role("button", name="Activate account").click()
    expect(page.get_by_text("Deactivate…")).to_be_visible()
    sign_in(admin_page, "ada@northwind.example", password)
    expect(admin_page.get_by_test_id("current-account-name")).to_have_text("Northwind Traders Inc.")

    # The Activity page lists the journey's events, newest first.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Activity").click()
    rows = page.locator("#activity-table tbody tr")
    expect(rows.first).to_contain_text("Account activated")
    for action in ["Account deactivated", "Account information changed", "User added", "Account created"]:
        expect(page.locator("#activity-table")).to_contain_text(action)
    expect(page.locator("#activity-table")).to_contain_text("Ottawa")

    # Delete by typing "delete": back on the Accounts list, the account is gone.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Account Information").click()
    page.get_by_text("Delete…").click()
    page.get_by_label("Type delete to confirm").fill("delete")
    page.get_by_role("button", name="Delete account permanently").click()
    page.wait_for_url(re.compile(r"/accounts/$"))
    expect(
        page.get_by_role("status").filter(has_text="Account Northwind Traders Inc. was deleted.")
    ).to_be_visible()
    expect(page.get_by_text("1 account", exact=True)).to_be_visible()
    assert not Account.objects.filter(account_number=number).exists()


def test_email_in_two_accounts_asks_for_the_account_number(page, account_admin, partner, password):
    other = CustomerAccountFactory(parent=partner, name="Second Customer")
    UserFactory(account=other, email=account_admin.email, role=User.Role.ACCOUNT_ADMIN)

    page.goto("/auth/login/")
    expect(page.get_by_label("Account number")).to_have_count(0)
    page.get_by_label("Email").fill(account_admin.email)
    page.get_by_role("button", name="Next").click()
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("alert")).to_contain_text(
        "Multiple accounts located. Additional account information needed to proceed"
    )
    expect(page.get_by_label("Account number")).to_be_focused()
    page.get_by_label("Account number").fill(other.account_number)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()

    page.wait_for_url(re.compile(rf"/accounts/{other.account_number}/$"))
    expect(page.get_by_test_id("current-account-name")).to_have_text("Second Customer")


def test_forgotten_password_is_reset_from_the_outbox_link(
    new_page, account_admin, partner_admin, password, outbox_email
):
    page = new_page()
    page.goto("/auth/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Email").fill(account_admin.email)
    page.get_by_role("button", name="Reset My Password").click()
    expect(page.get_by_text("We have sent you an email")).to_be_visible()
    # The Outbox holds reset links: nobody reads it signed out.
    expect(page.get_by_role("link", name="Outbox (sent emails)")).to_have_count(0)

    # Her partner admin, who manages her, reads the email in the Outbox (the demo's mailbox).
    partner = new_page()
    sign_in(partner, partner_admin.email, password)
    partner.goto("/outbox/")
    expect(partner.get_by_text(account_admin.email).first).to_be_visible()
    link = partner.locator("a[href*='/auth/password/reset/key/']").first.get_attribute("href")
    page.goto(link)

    page.get_by_label("New Password", exact=True).fill("fresh-secret-2024!")
    page.get_by_label("New Password (again)").fill("fresh-secret-2024!")
    page.get_by_role("button", name="Change Password").click()
    expect(page.get_by_text("Your password is now changed.")).to_be_visible()

    sign_in(page, account_admin.email, "fresh-secret-2024!")
    expect(page.get_by_test_id("current-account-name")).to_have_text("Globex Corp")


def test_activity_page_shows_the_changes_made_in_the_console(page, partner_admin, customer, password):
    sign_in(page, partner_admin.email, password)
    page.get_by_label("Go to account (name or number)").fill(customer.account_number)
    page.get_by_role("button", name="Go", exact=True).click()
    page.wait_for_url(re.compile(rf"/accounts/{customer.account_number}/$"))

    page.get_by_label("Postal/ZIP code").fill("114 35")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("status").filter(has_text="Account information saved.")).to_be_visible()
    page.get_by_role("combobox", name="Support contacts").fill("noc@globex.example")
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Save contacts").click()
    expect(page.get_by_role("status").filter(has_text="Support contacts saved.")).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text="noc@globex.example")).to_be_visible()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Activity").click()
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Activity")
    ).to_have_attribute("aria-current", "page")
    rows = page.locator("#activity-table tbody tr")
    expect(rows.nth(0)).to_contain_text("Support contact added")
    expect(rows.nth(0)).to_contain_text("noc@globex.example")
    expect(rows.nth(1)).to_contain_text("Account information changed")
    expect(rows.nth(1)).to_contain_text("114 35")
    expect(rows.nth(1)).to_contain_text("Pat Partner")
    expect(rows.nth(1).locator("code").last).to_have_text(re.compile(r"^[0-9a-f-]{36}$"))


def test_accounts_list_keeps_sort_and_status_while_searching(page, partner_admin, partner, password):
    accounts = [
        ("Alpha North", "active"),
        ("Beta North", "deactivated"),
        ("Gamma North", "active"),
        ("Delta South", "active"),
    ]
    for name, status in accounts:
        CustomerAccountFactory(parent=partner, name=name, status=status)
    sign_in(page, partner_admin.email, password)
    table = page.locator("#account-table")

    table.get_by_role("link", name="Name").click()  # name descending
    expect(table.locator("th[aria-sort='descending']")).to_have_count(1)
    page.get_by_label("Status").select_option(label="Active")
    expect(table.get_by_text("3 accounts")).to_be_visible()
    page.get_by_label("Search").press_sequentially("north", delay=30)

    expect(table.locator("tbody th")).to_have_text(["Gamma North", "Alpha North"])
    page.wait_for_url(re.compile(r"q=north"))
    assert "sort=-name" in page.url and "status=active" in page.url
    expect(page.get_by_role("button", name="Apply")).to_be_hidden()  # only needed without JavaScript


def test_without_javascript_search_edit_and_deactivate_still_work(
    new_page, partner_admin, customer, password
):
    page = new_page(java_script_enabled=False)
    sign_in(page, partner_admin.email, password)

    page.get_by_label("Search").fill("globex")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url(re.compile(r"q=globex"))
    page.get_by_role("link", name="Globex Corp").click()

    page.get_by_label("City/Town").fill("Uppsala")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("status").filter(has_text="Account information saved.")).to_be_visible()

    page.get_by_text("Deactivate…").click()
    page.get_by_label("Type deactivate to confirm").fill("deactivate")
    page.get_by_role("button", name="Deactivate account").click()
    expect(page.get_by_role("button", name="Activate account")).to_be_visible()
    customer.refresh_from_db()
    assert (customer.city, customer.is_active) == ("Uppsala", False)
