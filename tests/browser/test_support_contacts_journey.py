"""The support contacts control by keyboard only: on Add account a partner picks a colleague by
type-ahead and adds a free email, then edits the list on Account Information with the same control."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from accounts.models import Account
from tests.accounts.factories import UserFactory
from tests.browser.conftest import sign_in
from tests.browser.keyboard import tab_and_press, tab_and_type, tab_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ACCOUNT_PAGE = re.compile(r"/accounts/(\d{9})/$")


def contacts_of(account: Account) -> list[str]:
    return sorted(account.support_contacts.values_list("email", flat=True))


def test_support_contacts_chosen_by_type_ahead_on_create_and_edit(
    page, partner, partner_admin, other_partner, password
):
    UserFactory(account=partner, email="sam.support@acme.example", name="Sam Support")
    UserFactory(account=other_partner, email="sam.rival@rival.example", name="Sam Rival")
    sign_in(page, partner_admin.email, password)
    page.goto("/accounts/new/")

    tab_and_type(page, page.get_by_label("Customer name"), "Northwind Traders")
    tab_and_type(page, page.get_by_label("Country"), "Canada")
    expect(page.get_by_label("Country")).to_have_value("CA")

    # Type-ahead: only this partner's user is suggested; ArrowDown + Enter makes it a chip.
    search = page.get_by_role("combobox", name="Support contacts")
    tab_and_type(page, search, "sam")
    options = page.get_by_role("listbox", name="Matching users").get_by_role("option")
    expect(options).to_have_count(1)
    expect(options.first).to_contain_text("Sam Support")
    expect(options.first).to_contain_text("sam.support@acme.example")
    expect(search).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("ArrowDown")
    expect(search).to_have_attribute("aria-activedescendant", re.compile(r"_option_1$"))
    page.keyboard.press("Enter")
    chips = page.get_by_role("list", name="Chosen support contacts").get_by_role("listitem")
    expect(chips).to_have_text(["sam.support@acme.example×"])

    # A free email: an invalid one is refused with a message, a valid one added with a comma.
    page.keyboard.type("not-an-email")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_have_text("Enter a valid email address.")
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.type("help@northwind.example,")
    expect(chips).to_have_count(2)
    expect(chips.nth(1)).to_contain_text("help@northwind.example")

    tab_and_press(page, page.get_by_role("button", name="Save", exact=True))
    page.wait_for_url(ACCOUNT_PAGE)
    account = Account.objects.get(account_number=ACCOUNT_PAGE.search(page.url).group(1))
    assert contacts_of(account) == ["help@northwind.example", "sam.support@acme.example"]

    # Edit with the same control: the chips start from the saved list; remove one by keyboard.
    chips = page.get_by_role("list", name="Chosen support contacts").get_by_role("listitem")
    expect(chips).to_have_count(2)
    remove = page.get_by_role("button", name="Remove sam.support@acme.example")
    tab_and_press(page, remove, "Enter")
    expect(chips).to_have_count(1)
    search = page.get_by_role("combobox", name="Support contacts")
    tab_to(page, search)
    page.keyboard.type("pat")
    option = page.get_by_role("option").filter(has_text="pat@acme.example")
    expect(option).to_be_visible()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(chips).to_have_count(2)
    tab_and_press(page, page.get_by_role("button", name="Save contacts"))
    expect(page.get_by_role("status").filter(has_text="Support contacts saved.")).to_be_visible()
    assert contacts_of(account) == ["help@northwind.example", "pat@acme.example"]


def test_without_javascript_the_control_is_a_plain_comma_separated_field(new_page, partner_admin, password):
    page = new_page(java_script_enabled=False)
    sign_in(page, partner_admin.email, password)
    page.goto("/accounts/new/")
    page.get_by_label("Customer name").fill("Plain Co")
    page.get_by_label("Country").select_option("SE")
    page.get_by_role("textbox", name="Support contacts").fill("a@plain.example, b@plain.example")
    page.get_by_role("button", name="Save", exact=True).click()

    page.wait_for_url(ACCOUNT_PAGE)
    account = Account.objects.get(account_number=ACCOUNT_PAGE.search(page.url).group(1))
    assert contacts_of(account) == ["a@plain.example", "b@plain.example"]
