"""Every main page of the console, as each role sees it, passes axe-core with no serious or
critical violation (docs/accessibility.md)."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from tests.browser.axe import axe_violations
from tests.browser.conftest import sign_in
from tests.browser.console_pages import main_pages

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _violations_on(page, pages) -> str:
    found = {}
    for name, path in pages:
        response = page.goto(path)
        assert response.status == 200, f"{name} ({path}) answered {response.status}"
        page.wait_for_load_state("networkidle")
        violations = axe_violations(page)
        if violations:
            found[f"{name} {path}"] = violations
    return "\n".join(f"{where}:\n  " + "\n  ".join(lines) for where, lines in found.items())


def test_the_signed_out_pages_pass_axe(page):
    assert _violations_on(page, main_pages("anonymous")) == ""


def test_the_password_step_of_the_sign_in_passes_axe(page, member):
    """Reached by the email step's post, so not among the pages a GET opens."""
    page.goto("/auth/login/")
    page.get_by_label("Email").fill(member.email)
    page.get_by_role("button", name="Next").click()
    page.get_by_label("Password").wait_for()

    assert axe_violations(page) == []

    page.get_by_role("button", name="Sign in").click()  # refused: the empty password
    page.get_by_text("This field is required.").wait_for()

    assert axe_violations(page) == []


def test_the_partner_admin_pages_pass_axe(page, partner_admin, customer, password):
    sign_in(page, partner_admin.email, password)
    assert _violations_on(page, main_pages("partner-admin", customer_number=customer.account_number)) == ""


def test_the_account_admin_pages_pass_axe(page, account_admin, member, customer, password):
    sign_in(page, account_admin.email, password)
    pages = main_pages("account-admin", customer_number=customer.account_number, user_id=str(member.user_id))
    assert _violations_on(page, pages) == ""


def test_the_user_pages_pass_axe(page, member, password):
    sign_in(page, member.email, password)
    assert _violations_on(page, main_pages("user")) == ""


def test_the_operator_pages_pass_axe(page):
    call_command("createoperator", "--email", "ops@platform.example", "--password", "s3cure-ops-42")
    sign_in(page, "ops@platform.example", "s3cure-ops-42")
    assert _violations_on(page, main_pages("operator")) == ""
