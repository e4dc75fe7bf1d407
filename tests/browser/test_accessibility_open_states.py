"""What a page shows only after a click passes axe-core too: the integrations dialogs (catalogue,
each of its tabs, the removal confirmation), the header's user menu and every disclosure
(``<details>``: danger rows, the activity page's column chooser) opened (docs/accessibility.md)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.axe import axe_violations
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_integrations_dialogs_pass_axe_while_open(page, account_admin, customer, password):
    sign_in(page, account_admin.email, password)
    page.goto(f"/accounts/{customer.account_number}/")

    page.get_by_role("link", name="+ Add new").click()
    dialog = page.get_by_role("dialog", name="Integrations")
    expect(dialog).to_be_visible()
    tabs = dialog.get_by_role("navigation", name="Integration catalogue").get_by_role("link")
    names = tabs.all_inner_texts()
    assert len(names) >= 2, names
    for name in names:
        dialog.get_by_role("link", name=name, exact=True).click()
        expect(dialog.get_by_role("region", name=f"{name} integrations")).to_be_visible()
        assert axe_violations(page) == [], f"the {name} tab of the catalogue"

    dialog.get_by_role("link", name=names[0], exact=True).click()
    dialog.get_by_role("button", name="Add MiCollab", exact=True).click()
    expect(dialog.locator("#catalogue-micollab").get_by_text("Added", exact=True)).to_be_visible()
    assert axe_violations(page) == [], "the catalogue after adding"
    dialog.get_by_role("button", name="Done").click()
    expect(dialog).to_be_hidden()

    page.get_by_role("link", name="Remove MiCollab").click()
    confirm = page.get_by_role("dialog", name="Remove MiCollab integration")
    expect(confirm).to_be_visible()
    assert axe_violations(page) == [], "the removal confirmation"


def test_the_user_menu_and_every_disclosure_pass_axe_while_open(page, partner_admin, customer, password):
    sign_in(page, partner_admin.email, password)
    found = {}
    for path in (
        f"/accounts/{customer.account_number}/",
        f"/accounts/{customer.account_number}/activity/",
        f"/accounts/{customer.account_number}/gateway/",
    ):
        response = page.goto(path)
        assert response.status == 200, path
        page.wait_for_load_state("networkidle")
        opened = page.evaluate(
            "() => { const all = document.querySelectorAll('details'); all.forEach(d => d.open = true);"
            " return all.length; }"
        )
        assert opened >= 1, f"{path} has no disclosure to open"
        violations = axe_violations(page)
        if violations:
            found[path] = violations
    assert found == {}
