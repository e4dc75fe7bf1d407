"""The reset email's 6-digit code, entered on the reset-code page instead of following the link."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from core.models import OutboxMessage
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_code_of_the_reset_email_sets_a_new_password_once(page, account_admin, outbox_email):
    page.goto("/auth/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Email").fill(account_admin.email)
    page.get_by_role("button", name="Reset My Password").click()
    expect(page.get_by_text("We have sent you an email")).to_be_visible()
    email = OutboxMessage.objects.get(to=[account_admin.email])
    code = re.search(r"^(\d{6})$", email.body_text, re.MULTILINE)[1]
    assert "/auth/password/reset/key/" in email.body_text, "the link stays besides the code"

    page.get_by_role("link", name="enter the code").click()
    page.get_by_label("Email", exact=True).fill(account_admin.email)
    page.get_by_label("Code from the email").fill(code)
    page.get_by_label("New password", exact=True).fill("fresh-secret-2026!")
    page.get_by_label("New password (again)").fill("fresh-secret-2026!")
    page.get_by_role("button", name="Set new password").click()
    page.wait_for_url(re.compile(r"/auth/login/"))
    expect(page.get_by_role("status").filter(has_text="Your new password is set")).to_be_visible()

    # Used once: the same code no longer works.
    page.goto("/auth/password/reset/code/")
    page.get_by_label("Email", exact=True).fill(account_admin.email)
    page.get_by_label("Code from the email").fill(code)
    page.get_by_label("New password", exact=True).fill("another-secret-2026!")
    page.get_by_label("New password (again)").fill("another-secret-2026!")
    page.get_by_role("button", name="Set new password").click()
    expect(page.get_by_text("That code is wrong or has expired")).to_be_visible()

    sign_in(page, account_admin.email, "fresh-secret-2026!")
    expect(page.get_by_test_id("current-account-name")).to_have_text("Globex Corp")
