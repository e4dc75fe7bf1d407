"""Issue 14's click-through defects, each as the real-browser journey that found it."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from core.models import OutboxMessage
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


def test_a_platform_operator_made_by_the_command_lands_on_the_applications_to_approve(page):
    call_command("createoperator", "--email", "ops@platform.example", "--password", "s3cure-ops-42")
    page.goto("/auth/login/")
    page.get_by_label("Email").fill("ops@platform.example")
    page.get_by_label("Password").fill("s3cure-ops-42")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/operator/apps/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def test_a_reset_for_an_unknown_email_sends_nothing_and_says_who_creates_accounts(page, outbox_email):
    """Issue 14, defect 5: no email with a blank address inviting to a closed sign-up. An address no
    user has receives nothing (docs/security.md); the page says accounts come from an administrator."""
    page.goto("/auth/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Email").fill("nobody@nowhere.example")
    page.get_by_role("button", name="Reset My Password").click()
    expect(page.get_by_text("ask your administrator")).to_be_visible()
    expect(page.get_by_text("sign up", exact=False)).to_have_count(0)
    assert OutboxMessage.objects.count() == 0


def test_allauth_unknown_account_email_names_the_address_and_invites_to_no_sign_up(rf, settings):
    """Should any allauth flow send its "unknown account" email (off in settings), it is correct."""
    from allauth.account.adapter import get_adapter

    assert settings.ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS is False
    request = rf.get("/auth/password/reset/")
    message = get_adapter(request).render_mail(
        "account/email/unknown_account",
        "nobody@nowhere.example",
        {"request": request, "signup_url": "/auth/signup/"},
    )
    assert "nobody@nowhere.example" in message.body
    assert "sign up" not in message.body.lower() and "/auth/signup/" not in message.body
