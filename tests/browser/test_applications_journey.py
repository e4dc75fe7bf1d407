"""Real-browser journey of a third-party application: the partner registers it on the Developer
page, a platform operator approves it (a second browser), the partner generates its secret and
deploys it to a customer account through Integrations -> Third party."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accounts.models import User
from oauth.applications import services
from oauth.models import Application, ApplicationDeployment
from tests.accounts.factories import UserFactory
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_register_approve_and_deploy_an_application(new_page, partner_admin, partner, customer, password):
    staff = UserFactory(account=partner, role=User.Role.USER, email="ops@platform.example", is_staff=True)

    # The partner registers the application on the Developer page.
    developer = new_page()
    sign_in(developer, partner_admin.email, password)
    developer.get_by_role("navigation", name="Main").get_by_role("link", name="Developer").click()
    expect(developer.get_by_role("heading", name="Developer", level=1)).to_be_visible()
    developer.get_by_label("Name", exact=True).fill("Route Planner")
    developer.get_by_label("x-mitel-app value").fill("RoutePlanner")
    developer.get_by_label("Description").fill("Plans field technicians' routes")
    developer.get_by_label("Redirect URIs").fill("https://planner.example/callback")
    developer.get_by_label("Contact email").fill("dev@acme.example")
    # Public is the default (as CloudLink's registration); a server that keeps a secret opts in.
    developer.get_by_label("Client type").select_option("confidential")
    developer.get_by_role("button", name="Register application").click()
    expect(developer.get_by_role("heading", name="Route Planner")).to_be_visible()
    expect(developer.get_by_text("Pending: the platform operator has not reviewed")).to_be_visible()
    app = Application.objects.get(mitel_app="RoutePlanner")

    # The operator approves it in a second browser.
    ops = new_page()
    sign_in(ops, staff.email, password)
    ops.get_by_role("navigation", name="Main").get_by_role("link", name="Applications").click()
    row = ops.get_by_role("row", name="Route Planner")
    expect(row).to_contain_text("Pending approval")
    row.get_by_role("button", name="Approve Route Planner").click()
    expect(ops.get_by_role("status").filter(has_text="Route Planner approved.")).to_be_visible()
    expect(ops.get_by_role("row", name="Route Planner")).to_contain_text("Approved")

    # The partner sees the client ID and generates the secret, shown once.
    developer.reload()
    app.refresh_from_db()
    expect(developer.get_by_test_id("client-id")).to_have_text(app.client_id)
    expect(developer.get_by_text("Approved — generate your client secret")).to_be_visible()
    developer.get_by_role("button", name="Generate client secret").click()
    secret = developer.get_by_test_id("client-secret").inner_text()
    app.refresh_from_db()
    assert services.application_secret_verify(app, secret)
    developer.goto(f"/developer/apps/{app.pk}/")  # visiting the page again does not show it
    expect(developer.get_by_test_id("client-secret")).to_have_count(0)
    expect(developer.get_by_role("button", name="Rotate secret")).to_be_visible()

    # Rotating asks first (data-confirm, static JS): dismissed, the secret stays; accepted, it changes.
    questions = []
    developer.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    developer.get_by_role("button", name="Rotate secret").click()
    developer.wait_for_load_state("networkidle")
    expect(developer.get_by_test_id("client-secret")).to_have_count(0)
    assert questions == ["Rotate the client secret? The current one stops working at once."]
    app.refresh_from_db()
    assert services.application_secret_verify(app, secret)
    developer.once("dialog", lambda dialog: dialog.accept())
    developer.get_by_role("button", name="Rotate secret").click()
    rotated = developer.get_by_test_id("client-secret").inner_text()
    app.refresh_from_db()
    assert rotated != secret and services.application_secret_verify(app, rotated)

    # The partner deploys it to the customer account: Integrations -> + Add new -> Third party.
    developer.goto(f"/accounts/{customer.account_number}/integrations/")
    developer.get_by_role("link", name="+ Add new").click()
    dialog = developer.get_by_role("dialog", name="Integrations")
    dialog.get_by_role("link", name="Third party").click()
    dialog.get_by_role("link", name="Deploy Route Planner").click()
    confirm = developer.get_by_role("dialog", name="Deploy Route Planner")
    expect(confirm.get_by_test_id("deploy-mitel-app")).to_have_text("x-mitel-app: RoutePlanner")
    confirm.get_by_label("This application identifies itself with x-mitel-app: RoutePlanner").check()
    confirm.get_by_role("button", name="Submit").click()
    expect(confirm).to_be_hidden()
    expect(
        developer.get_by_role("status").filter(has_text="Route Planner deployed to Globex Corp.")
    ).to_be_visible()
    card = developer.locator(f"#application-card-{app.pk}")
    expect(card).to_contain_text("RoutePlanner")
    expect(card.get_by_role("switch", name="Route Planner active")).to_have_attribute("aria-checked", "true")
    assert ApplicationDeployment.objects.filter(account=customer, application=app, active=True).exists()


def test_an_operator_deletes_a_registration(new_page, partner_admin, partner, password):
    staff = UserFactory(account=partner, role=User.Role.USER, email="ops@platform.example", is_staff=True)
    app = services.application_register(
        actor=partner_admin,
        partner=partner,
        name="Route Planner",
        contact_email="dev@acme.example",
        mitel_app="RoutePlanner",
    )

    ops = new_page()
    sign_in(ops, staff.email, password)
    ops.goto("/operator/apps/")
    row = ops.get_by_role("row", name="Route Planner")
    row.get_by_text("Delete Route Planner…").click()
    expect(row.get_by_text("This cannot be undone.")).to_be_visible()
    row.get_by_role("button", name="Delete Route Planner permanently").click()

    expect(ops.get_by_role("status").filter(has_text="Route Planner deleted.")).to_be_visible()
    expect(ops.get_by_role("row", name="Route Planner")).to_have_count(0)
    assert not Application.objects.filter(pk=app.pk).exists()
