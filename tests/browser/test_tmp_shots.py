import pytest
from tests.accounts.factories import CustomerAccountFactory, UserFactory
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

def test_shots(page, partner_admin, password, customer, account_admin):
    for i in range(30):
        CustomerAccountFactory(parent=partner_admin.account, name=f"Customer {i:02d} Ltd", status="deactivated" if i % 7 == 0 else "active")
    sign_in(page, partner_admin.email, password)
    page.screenshot(path="/tmp/shot-list.png", full_page=True)
    page.goto(f"/accounts/{customer.account_number}/")
    page.get_by_text("Deactivate…").click()
    page.screenshot(path="/tmp/shot-detail.png", full_page=True)
    page.set_viewport_size({"width": 420, "height": 900})
    page.screenshot(path="/tmp/shot-detail-mobile.png", full_page=False)
    page.goto("/accounts/")
    page.screenshot(path="/tmp/shot-list-mobile.png", full_page=False)
    page.set_viewport_size({"width": 1280, "height": 860})
    page.goto(f"/accounts/{customer.account_number}/activity/")
    page.screenshot(path="/tmp/shot-activity.png", full_page=True)
    page.goto("/auth/password/change/")
    page.screenshot(path="/tmp/shot-pw.png", full_page=True)
    page.goto("/auth/logout/")
    page.get_by_role("button", name="Sign Out").click()
    page.goto("/auth/login/")
    page.screenshot(path="/tmp/shot-login.png", full_page=True)
