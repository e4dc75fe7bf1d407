"""Real-browser journeys of the Users pages and registration (Playwright + Debian's Chromium)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts import services
from accounts.models import User, WelcomeLink
from core.models import OutboxMessage
from tests.accounts.factories import UserFactory
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

USER_PAGE = re.compile(r"/accounts/\d{9}/users/[0-9a-f-]{36}/$")
ASK = "Ask your administrator to send you a new welcome email."


@pytest.fixture
def links_to_live_server(settings, live_server, outbox_email):
    """Welcome emails land in the outbox with links to this test's server."""
    settings.PORTAL_BASE_URL = live_server.url


def welcome_link(email: str) -> str:
    """The link in the newest welcome email sent to ``email``."""
    message = OutboxMessage.objects.filter(to=[email], subject__startswith="Finish building").first()
    return re.search(r"https?://\S+/welcome/[\w-]+/", message.body_text)[0]


def test_admin_adds_a_user_who_registers_from_the_outbox_link_and_lands_signed_in(
    new_page, account_admin, customer, password, links_to_live_server
):
    admin = new_page()
    sign_in(admin, account_admin.email, password)
    admin.get_by_role("navigation", name="Main").get_by_role("link", name="Users").click()
    expect(admin.get_by_role("heading", name="Users", exact=True)).to_be_visible()
    expect(admin.get_by_text("1 user", exact=True)).to_be_visible()

    # Add user: the duplicate email is refused in place, then the user is created.
    admin.get_by_role("link", name="Add user").click()
    admin.get_by_label("First Name").fill("Nia")
    admin.get_by_label("Last Name").fill("Novak")
    admin.get_by_label("Email").fill("ADA@globex.example")
    admin.get_by_label("Extension").fill("2104")
    admin.get_by_role("button", name="Create").click()
    expect(admin.get_by_text("One or more of the attribute values are already in use")).to_be_visible()
    admin.get_by_label("Email").fill("nia@globex.example")
    admin.get_by_role("button", name="Create").click()
    admin.wait_for_url(USER_PAGE)
    expect(admin.get_by_role("status").filter(has_text="Nia Novak was added")).to_be_visible()
    expect(admin.get_by_role("heading", level=1)).to_contain_text("Unregistered")
    expect(admin.get_by_role("button", name="Resend welcome email")).to_be_visible()

    # The Users list finds her by type-ahead and by the Unregistered filter chip (htmx, in place).
    admin.get_by_role("link", name="Users", exact=True).first.click()
    expect(admin.get_by_text("2 users", exact=True)).to_be_visible()
    admin.get_by_label("Search").press_sequentially("210", delay=30)
    expect(admin.get_by_text("1 user", exact=True)).to_be_visible()
    expect(admin.get_by_role("link", name="Nia Novak")).to_be_visible()
    admin.get_by_label("Search").fill("")
    admin.get_by_label("Search").press("Enter")
    expect(admin.get_by_text("2 users", exact=True)).to_be_visible()
    admin.get_by_text("Unregistered", exact=True).first.click()
    expect(admin.get_by_text("1 user", exact=True)).to_be_visible()
    expect(admin.get_by_role("link", name="Ada Admin")).to_have_count(0)
    assert "filter=unregistered" in admin.url

    # The welcome email waits in the Outbox, which only Nia's admins (and operators) can read: Ada
    # finds it there, and Nia follows its link in her own browser.
    admin.locator(".user-menu summary").click()
    admin.get_by_role("link", name="Outbox").click()
    expect(admin.get_by_text("Finish building your CloudLink account for Globex Corp").first).to_be_visible()
    expect(admin.frame_locator("iframe.outbox-html").first.get_by_text("Hello Nia")).to_be_visible()
    link = admin.locator(".outbox-text a[href*='/welcome/']").first.get_attribute("href")
    admin.go_back()
    expect(admin.get_by_role("link", name="Nia Novak")).to_be_visible()
    nia = new_page()
    nia.goto("/outbox/")
    expect(nia).to_have_url(re.compile(r"/auth/login/\?next=/outbox/"))
    nia.goto(link)
    expect(nia.get_by_role("heading", name="Finish building your account")).to_be_visible()
    expect(nia.locator("#register-email")).to_have_text("nia@globex.example")
    expect(nia.locator("#register-account")).to_contain_text(customer.account_number)
    nia.get_by_label("Password", exact=True).fill("short")
    nia.get_by_label("Confirm password").fill("short")
    nia.get_by_role("button", name="Complete").click()
    expect(nia.get_by_text("This password is too short.")).to_be_visible()
    nia.get_by_label("Password", exact=True).fill("violet-harbour-42")
    nia.get_by_label("Confirm password").fill("violet-harbour-42")
    nia.get_by_role("button", name="Complete").click()

    # She lands signed in on her home.
    nia.wait_for_url(re.compile(r"/auth/password/change/"))
    expect(nia.get_by_test_id("current-account-name")).to_have_text("Globex Corp")
    expect(nia.locator(".user-menu-name")).to_have_text("Nia Novak")
    user = User.objects.get(email="nia@globex.example")
    assert user.is_registered and user.email_verified

    # The admin now sees her registered and can only send her a password reset, then deletes her.
    admin.get_by_role("link", name="Nia Novak").click()
    expect(admin.get_by_role("heading", level=1)).to_contain_text("Registered")
    expect(admin.get_by_role("button", name="Resend welcome email")).to_have_count(0)
    admin.get_by_role("button", name="Send password reset").click()
    expect(
        admin.get_by_role("status").filter(has_text="A password reset email is on its way")
    ).to_be_visible()
    admin.get_by_text("Delete…").click()
    admin.get_by_label("Type delete to confirm").fill("delete")
    admin.get_by_role("button", name="Delete user permanently").click()
    expect(
        admin.get_by_role("status").filter(has_text="Nia Novak (nia@globex.example) was deleted.")
    ).to_be_visible()
    expect(admin.get_by_role("heading", name="Users", exact=True)).to_be_visible()
    assert not User.objects.filter(email="nia@globex.example").exists()


def test_expired_used_and_superseded_links_show_the_ask_your_administrator_page(
    new_page, account_admin, customer, links_to_live_server
):
    for email in ("exp@globex.example", "used@globex.example", "old@globex.example"):
        services.user_create(actor=account_admin, account=customer, email=email, first_name="Pending")
    expired, used, old = (
        welcome_link(e) for e in ("exp@globex.example", "used@globex.example", "old@globex.example")
    )
    WelcomeLink.objects.filter(user__email="exp@globex.example").update(
        expires_at=timezone.now() - timedelta(hours=1)
    )
    services.user_welcome_resend(actor=account_admin, user=User.objects.get(email="old@globex.example"))

    # An expired link.
    page = new_page()
    response = page.goto(expired)
    assert response.status == 410
    expect(page.get_by_role("heading", name="This link no longer works")).to_be_visible()
    expect(page.get_by_text("This welcome link has expired.")).to_be_visible()
    expect(page.get_by_text(ASK)).to_be_visible()

    # A used link: it works once, then never again.
    first = new_page()
    first.goto(used)
    first.get_by_label("Password", exact=True).fill("violet-harbour-42")
    first.get_by_label("Confirm password").fill("violet-harbour-42")
    first.get_by_role("button", name="Complete").click()
    first.wait_for_url(re.compile(r"/auth/password/change/"))
    again = new_page()
    response = again.goto(used)
    assert response.status == 410
    expect(again.get_by_text("This welcome link has already been used")).to_be_visible()
    expect(again.get_by_text(ASK)).to_be_visible()
    again.get_by_role("link", name="sign in", exact=True).click()
    expect(again.get_by_role("heading", name="Sign in")).to_be_visible()

    # A link superseded by a newer welcome email; the newer one works.
    response = page.goto(old)
    assert response.status == 410
    expect(page.get_by_text("only the link in the newest one works")).to_be_visible()
    assert page.goto(welcome_link("old@globex.example")).status == 200
    expect(page.get_by_role("button", name="Complete")).to_be_visible()


def test_an_account_admin_of_the_partner_account_sees_partner_admins_but_cannot_act_on_them(
    new_page, partner, partner_admin, password
):
    delegate = UserFactory(account=partner, role=User.Role.ACCOUNT_ADMIN, email="dana@acme.example")
    UserFactory(account=partner, role=User.Role.USER, email="pete@acme.example", name="Pete Plain")
    page = new_page()
    sign_in(page, delegate.email, password)

    # No partner pages for them: the partner account's own pages only.
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Accounts", exact=True)).to_have_count(0)
    expect(nav.get_by_role("link", name="Developer")).to_have_count(0)
    nav.get_by_role("link", name="Users").click()

    # The partner admin is listed; their page shows them, with no action at all.
    page.get_by_role("link", name="Pat Partner").click()
    page.wait_for_url(USER_PAGE)
    expect(page.get_by_text("above your role")).to_be_visible()
    for action in ("Save changes", "Send password reset", "Resend welcome email"):
        expect(page.get_by_role("button", name=action)).to_have_count(0)
    expect(page.get_by_role("heading", name="Delete user")).to_have_count(0)
    expect(page.get_by_label("Email")).to_have_count(0)

    # A plain user of the partner account: every action is there.
    page.go_back()
    page.get_by_role("link", name="Pete Plain").click()
    page.wait_for_url(USER_PAGE)
    expect(page.get_by_role("button", name="Save changes")).to_be_visible()
    expect(page.get_by_role("button", name="Send password reset")).to_be_visible()
    expect(page.get_by_role("heading", name="Delete user")).to_be_visible()
