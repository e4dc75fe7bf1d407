"""Real-browser journeys of the smaller pages: Change password, Synchronize PBX users,
Notifications, Customer Care and the API docs (Playwright + Debian's Chromium, see conftest.py)."""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import User
from integrations import services as integrations
from notifications.models import TOPIC_MEDIA, DeliveryAttempt
from tests.browser.conftest import sign_in
from tests.notifications.factories import DeliveryAttemptFactory, PublicationFactory, SubscriptionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _main_nav(page):
    return page.get_by_role("navigation", name="Main")


def test_user_changes_password_then_signs_in_with_the_new_one(page, member, password):
    sign_in(page, member.email, password)

    user_menu = page.locator("details.user-menu")
    user_menu.locator("summary").click()
    user_menu.get_by_role("link", name="Change password").click()
    page.wait_for_url(re.compile(r"/auth/password/change/"))
    page.get_by_label("Current Password").fill(password)
    page.get_by_label("New Password", exact=True).fill("brand-new-secret-42")
    page.get_by_label("New Password (again)").fill("brand-new-secret-42")
    page.get_by_role("button", name="Change Password").click()
    expect(page.get_by_text("Password successfully changed.")).to_be_visible()

    user_menu.locator("summary").click()
    user_menu.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/auth/login/"))

    # The old password no longer works; the new one does.
    page.get_by_label("Email").fill(member.email)
    page.get_by_role("button", name="Next").click()
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert "/auth/login/" in page.url
    sign_in(page, member.email, "brand-new-secret-42")
    expect(page.get_by_test_id("current-account-name")).to_have_text("Globex Corp")


def test_admin_synchronizes_pbx_users_from_a_pasted_list(page, account_admin, customer, password):
    listed = {
        "users": [
            {"extension": "2001", "firstName": "Kim", "lastName": "Ek", "email": "kim.ek@globex.example"},
            {"extension": "2002", "firstName": "Lars", "lastName": "Berg", "email": "lars@globex.example"},
            {"extension": "x9", "firstName": "Bad", "lastName": "Row", "email": "bad@globex.example"},
        ]
    }
    sign_in(page, account_admin.email, password)
    _main_nav(page).get_by_role("link", name="Users").click()
    page.get_by_role("link", name="Synchronize PBX users").click()
    page.wait_for_url(re.compile(rf"/accounts/{customer.account_number}/users/pbx-sync/$"))

    page.get_by_label("Or paste the list").fill(json.dumps(listed))
    page.get_by_role("button", name="Preview").click()

    counts = page.get_by_test_id("pbx-sync-counts")
    expect(counts.locator("[data-count=create]")).to_have_text("2")
    expect(counts.locator("[data-count=update]")).to_have_text("0")
    expect(counts.locator("[data-count=remove]")).to_have_text("0")
    expect(counts.locator("[data-count=errors]")).to_have_text("1")
    expect(page.get_by_test_id("pbx-sync-creates")).to_contain_text("kim.ek@globex.example")
    expect(page.get_by_test_id("pbx-sync-problems")).to_contain_text("x9")
    assert not User.objects.filter(email="kim.ek@globex.example").exists(), "the preview writes nothing"

    page.get_by_role("button", name="Apply: create 2, update 0, deactivate 0").click()
    page.wait_for_url(re.compile(rf"/accounts/{customer.account_number}/users/\?filter=pbx$"))
    expect(page.get_by_role("status").filter(has_text="PBX users synchronized: 2 created")).to_be_visible()
    main = page.get_by_role("main")
    expect(main.get_by_text("kim.ek@globex.example")).to_be_visible()
    expect(main.get_by_text("lars@globex.example")).to_be_visible()
    expect(main.get_by_text(account_admin.email)).to_have_count(0)
    assert set(
        User.objects.filter(account=customer, source=User.Source.PBX).values_list("extension", flat=True)
    ) == {"2001", "2002"}


def test_admin_sees_subscriptions_and_delivery_attempts_on_the_notifications_page(
    page, account_admin, member, customer, password
):
    # stored as is: this page shows rows; the URL's validation is tests/notifications' subject
    subscription = SubscriptionFactory(
        account=customer,
        user=member,
        device_id="https://hooks.globex.example/cloudlink",
        topic=TOPIC_MEDIA,
        subject_filter="/2017-09-01/endpoints/2001/",
    )
    publication = PublicationFactory(
        account=customer,
        topic=TOPIC_MEDIA,
        subject="/2017-09-01/endpoints/2001/calls/33656066",
        method="PUT",
        content={"state": "ringing"},
    )
    DeliveryAttemptFactory(
        publication=publication,
        subscription=subscription,
        status=DeliveryAttempt.Status.FAILED,
        status_code=503,
        error="The webhook answered 503.",
        duration_ms=42,
        finished_on=timezone.now(),
    )

    sign_in(page, account_admin.email, password)
    _main_nav(page).get_by_role("link", name="Notifications").click()
    page.wait_for_url(re.compile(rf"/accounts/{customer.account_number}/notifications/$"))

    subscriptions = page.get_by_role("region", name="Subscriptions")
    row = subscriptions.get_by_role("row").filter(has_text=subscription.subscription_id)
    expect(row).to_contain_text(TOPIC_MEDIA)
    expect(row).to_contain_text("https://hooks.globex.example/cloudlink")
    expect(row).to_contain_text("/2017-09-01/endpoints/2001/")
    expect(row).to_contain_text("Uma User")

    attempts = page.locator("#attempt-table")
    expect(attempts).to_contain_text("1 attempt")
    attempt = attempts.locator("tbody tr")
    expect(attempt).to_have_count(1)
    expect(attempt).to_contain_text("PUT /2017-09-01/endpoints/2001/calls/33656066")
    expect(attempt).to_contain_text(subscription.subscription_id)
    expect(attempt).to_contain_text("Failed")
    expect(attempt).to_contain_text("503")
    expect(attempt).to_contain_text("42 ms")


def test_customer_care_appears_in_the_navigation_once_workgroups_is_added(
    page, account_admin, customer, password
):
    sign_in(page, account_admin.email, password)
    expect(_main_nav(page).get_by_role("link", name="Customer Care")).to_have_count(0)

    integrations.integration_add(actor=account_admin, account=customer, type="mitel-one-workgroups")
    page.reload()
    _main_nav(page).get_by_role("link", name="Customer Care").click()

    page.wait_for_url(re.compile(rf"/accounts/{customer.account_number}/integrations/customer-care/$"))
    expect(page.get_by_role("heading", name="Customer Care", level=1)).to_be_visible()
    expect(page.get_by_role("region", name="Customer Care")).to_contain_text(
        "Customer Care is provided by Mitel One Workgroups"
    )


def test_api_docs_load_swagger_ui_locally_and_switch_between_services(page, live_server):
    requested_hosts = set()
    page.on("request", lambda request: requested_hosts.add(urlsplit(request.url).hostname))

    page.goto("/api/docs/")
    services = page.get_by_role("navigation", name="Services")
    services.get_by_role("link", name="CloudLink Admin API").click()
    page.wait_for_url(re.compile(r"/api/docs/\?service=admin$"))
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("CloudLink Admin API")
    admin_ops = page.locator(".opblock-summary-path")
    expect(admin_ops.filter(has_text=re.compile(r"^/accounts/\{accountId\}/users$")).first).to_be_visible()

    # Swagger UI's own definition picker switches to another service.
    page.locator(".topbar select").select_option(label="CloudLink Chat API")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("CloudLink Chat API")
    expect(page.locator(".opblock-summary-path").filter(has_text="/conversations").first).to_be_visible()
    expect(admin_ops.filter(has_text=re.compile(r"^/accounts/\{accountId\}/users$"))).to_have_count(0)

    assert requested_hosts <= {urlsplit(live_server.url).hostname, "localhost", "127.0.0.1"}, requested_hosts


def test_swagger_ui_tries_a_call_under_the_pages_policy(page, partner_admin, customer, password):
    """Swagger UI's requests (connect-src 'self') carry the console session and the CSRF header
    added by static/js/api-docs.js."""
    sign_in(page, partner_admin.email, password)
    page.goto("/api/docs/?service=admin")
    operation = page.locator(".opblock-get:has(.opblock-summary-path[data-path='/accounts'])")
    operation.locator(".opblock-summary").click()
    operation.get_by_role("button", name="Try it out").click()
    operation.get_by_role("button", name="Execute").click()

    expect(operation.locator(".live-responses-table tbody .response-col_status")).to_have_text("200")
    expect(operation.locator(".live-responses-table")).to_contain_text(customer.name)


def test_the_django_admin_works_under_the_policy(page, partner_admin, password):
    User.objects.filter(pk=partner_admin.pk).update(is_staff=True, is_superuser=True)
    sign_in(page, partner_admin.email, password)

    page.goto("/staff/")
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()
    page.goto("/staff/password_change/")
    expect(page.get_by_label("Old password")).to_be_visible()
    page.get_by_role("button", name="Toggle theme").first.click()  # the admin's own static JS
    expect(page.locator("html")).to_have_attribute("data-theme", re.compile(r"dark|light|auto"))
