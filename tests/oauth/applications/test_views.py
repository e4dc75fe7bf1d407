"""Console pages of third-party applications: Developer (partners), operator (staff), and
Integrations -> Third party (deploy into a customer account)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from oauth.applications import services
from oauth.models import Application, ApplicationDeployment
from tests.oauth.applications.helpers import approved, operator, register
from tests.oauth.factories import ApplicationUsageFactory

DEVELOPER = "/developer/"
OPERATOR = "/operator/apps/"


def register_form(**fields) -> dict:
    return {
        "name": "Route Planner",
        "description": "Plans routes",
        "redirect_uris": "https://planner.example/callback\n\nhttps://planner.example/other\n",
        "contact_email": "dev@acme.example",
        "mitel_app": "RoutePlanner",
        "client_type": "confidential",
    } | fields


# --- Developer ------------------------------------------------------------------------------------


def test_a_partner_admin_registers_an_application(client_for, partner_admin, partner):
    response = client_for(partner_admin).post(DEVELOPER, register_form(), follow=True)
    app = Application.objects.get()
    assert app.owner == partner and app.status == Application.Status.PENDING
    assert app.redirect_uris == ["https://planner.example/callback", "https://planner.example/other"]
    assert response.redirect_chain[-1][0] == reverse("developer:application_detail", args=[app.pk])
    assert "pending the platform operator" in response.content.decode()


def test_registering_with_invalid_fields_shows_the_errors(client_for, partner_admin, other_partner_admin):
    approved(other_partner_admin, mitel_app="Taken")
    response = client_for(partner_admin).post(DEVELOPER, register_form(mitel_app="taken", contact_email="x"))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Enter a valid email address." in page
    assert not Application.objects.filter(owner=partner_admin.account).exists()
    response = client_for(partner_admin).post(DEVELOPER, register_form(mitel_app="taken"))
    assert "already uses the x-mitel-app name" in response.content.decode()


def test_the_developer_page_lists_own_applications_with_request_counts(
    client_for, partner_admin, other_partner_admin
):
    app, _ = approved(partner_admin)
    register(other_partner_admin, name="Theirs", mitel_app="Theirs")
    today = timezone.localdate()
    ApplicationUsageFactory(application=app, day=today, requests=5)
    ApplicationUsageFactory(application=app, day=today - dt.timedelta(days=10), requests=7)
    ApplicationUsageFactory(application=app, day=today - dt.timedelta(days=40), requests=100)
    response = client_for(partner_admin).get(DEVELOPER)
    assert response.status_code == 200
    listed = list(response.context["applications"])
    assert [a.name for a in listed] == ["Route Planner"]
    assert (listed[0].requests_7d, listed[0].requests_30d) == (5, 12)
    assert "Theirs" not in response.content.decode()


@pytest.mark.parametrize("persona", ["account_admin", "member", "outsider"])
def test_the_developer_page_is_403_for_non_partners(client_for, request, persona):
    user = request.getfixturevalue(persona)
    assert client_for(user).get(DEVELOPER).status_code == 403
    assert client_for(user).post(DEVELOPER, register_form()).status_code == 403
    assert not Application.objects.exists()


def test_the_developer_page_needs_sign_in(client, partner):
    response = client.get(DEVELOPER)
    assert response.status_code == 302 and "/auth/login/" in response["Location"]


def test_another_partners_application_page_is_404(client_for, partner_admin, other_partner_admin):
    app, _ = approved(partner_admin)
    url = reverse("developer:application_detail", args=[app.pk])
    assert client_for(other_partner_admin).get(url).status_code == 404
    assert client_for(other_partner_admin).post(f"{url}secret/").status_code == 404


def test_the_pending_page_has_no_client_id(client_for, partner_admin):
    app = register(partner_admin)
    page = (
        client_for(partner_admin).get(reverse("developer:application_detail", args=[app.pk])).content.decode()
    )
    assert "Issued on approval" in page
    assert "Generate client secret" not in page


def test_after_operator_approval_the_partner_generates_the_secret_shown_once(
    client_for, partner_admin, partner
):
    app = register(partner_admin)
    services.application_approve(actor=operator(partner), application=app, issue_secret=False)
    client = client_for(partner_admin)
    url = reverse("developer:application_detail", args=[app.pk])
    page = client.get(url).content.decode()
    app.refresh_from_db()
    assert app.client_id in page and "Approved — generate your client secret" in page

    response = client.post(reverse("developer:secret_rotate", args=[app.pk]))
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    secret = response.context["secret"]
    app.refresh_from_db()
    assert services.application_secret_verify(app, secret)
    assert secret in response.content.decode()

    again = client.get(url).content.decode()
    assert secret not in again and "Rotate secret" in again

    rotated = client.post(reverse("developer:secret_rotate", args=[app.pk])).context["secret"]
    app.refresh_from_db()
    assert rotated != secret and not services.application_secret_verify(app, secret)


def test_rotating_a_pending_applications_secret_is_refused_with_a_message(client_for, partner_admin):
    app = register(partner_admin)
    response = client_for(partner_admin).post(reverse("developer:secret_rotate", args=[app.pk]), follow=True)
    assert "Only approved confidential applications" in response.content.decode()
    app.refresh_from_db()
    assert app.client_secret_hash == ""


def test_the_navigation_shows_developer_to_partner_admins_and_applications_to_staff(
    client_for, partner_admin, account_admin, customer, partner
):
    partner_page = client_for(partner_admin).get(DEVELOPER).content.decode()
    assert 'href="/developer/"' in partner_page and 'href="/operator/apps/"' not in partner_page
    admin_page = client_for(account_admin).get(f"/accounts/{customer.account_number}/").content.decode()
    assert 'href="/developer/"' not in admin_page
    assert 'href="/operator/apps/"' in client_for(operator(partner)).get(OPERATOR).content.decode()


# --- Operator --------------------------------------------------------------------------------------


def test_the_operator_page_lists_pending_applications_first(
    client_for, partner_admin, partner, other_partner_admin
):
    first, _ = approved(partner_admin, name="Alpha", mitel_app="Alpha")
    pending = register(other_partner_admin, name="Zulu", mitel_app="Zulu")
    response = client_for(operator(partner)).get(OPERATOR)
    assert response.status_code == 200
    assert [a.pk for a in response.context["applications"]] == [pending.pk, first.pk]


@pytest.mark.parametrize("persona", ["partner_admin", "account_admin", "member"])
def test_the_operator_page_is_403_for_non_staff(client_for, request, persona, other_partner_admin):
    app = register(other_partner_admin)
    client = client_for(request.getfixturevalue(persona))
    assert client.get(OPERATOR).status_code == 403
    assert client.post(f"{OPERATOR}{app.pk}/approve/").status_code == 403
    app.refresh_from_db()
    assert app.status == Application.Status.PENDING


def test_the_operator_approves_without_seeing_a_secret(client_for, partner_admin, partner):
    app = register(partner_admin)
    response = client_for(operator(partner)).post(f"{OPERATOR}{app.pk}/approve/", follow=True)
    app.refresh_from_db()
    assert app.status == Application.Status.APPROVED and app.client_id
    assert app.client_secret_hash == ""
    assert "generates its client secret" in response.content.decode()


def test_rejecting_needs_a_reason(client_for, partner_admin, partner):
    app = register(partner_admin)
    client = client_for(operator(partner))
    response = client.post(f"{OPERATOR}{app.pk}/reject/", {"reason": ""}, follow=True)
    assert "Give the partner a reason" in response.content.decode()
    app.refresh_from_db()
    assert app.status == Application.Status.PENDING
    client.post(f"{OPERATOR}{app.pk}/reject/", {"reason": "No privacy policy"})
    app.refresh_from_db()
    assert (app.status, app.status_reason) == (Application.Status.REJECTED, "No privacy policy")
    page = (
        client_for(partner_admin).get(reverse("developer:application_detail", args=[app.pk])).content.decode()
    )
    assert "No privacy policy" in page


def test_the_operator_blocks_an_approved_application(client_for, partner_admin, partner):
    app, _ = approved(partner_admin)
    client_for(operator(partner)).post(f"{OPERATOR}{app.pk}/block/")
    app.refresh_from_db()
    assert app.status == Application.Status.BLOCKED


def test_operator_actions_on_unknown_applications_are_404(client_for, partner):
    assert client_for(operator(partner)).post(f"{OPERATOR}999/approve/").status_code == 404


# --- Integrations -> Third party ------------------------------------------------------------------


def deploy_url(account, app) -> str:
    return reverse("third_party:deploy", args=[account.account_number, app.pk])


def test_the_third_party_tab_lists_approved_applications(client_for, account_admin, customer, partner_admin):
    app, _ = approved(partner_admin)
    register(partner_admin, name="Pending one", mitel_app="PendingOne")
    url = reverse("integrations:integration_catalogue", args=[customer.account_number]) + "?tab=third_party"
    page = client_for(account_admin).get(url).content.decode()
    assert "Route Planner" in page and "RoutePlanner" in page
    assert "Pending one" not in page
    assert deploy_url(customer, app) in page


def test_deploying_asks_to_confirm_the_x_mitel_app_header(client_for, account_admin, customer, partner_admin):
    app, _ = approved(partner_admin)
    client = client_for(account_admin)
    page = client.get(deploy_url(customer, app)).content.decode()
    assert "x-mitel-app: RoutePlanner" in page
    response = client.post(deploy_url(customer, app), {})
    assert response.status_code == 200
    assert "Confirm the x-mitel-app header" in response.content.decode()
    assert not ApplicationDeployment.objects.exists()


def test_deploying_adds_a_card_to_the_integrations_panel(client_for, account_admin, customer, partner_admin):
    app, _ = approved(partner_admin)
    client = client_for(account_admin)
    response = client.post(deploy_url(customer, app), {"confirm": "on"}, follow=True)
    assert ApplicationDeployment.objects.filter(account=customer, application=app, active=True).exists()
    page = response.content.decode()
    assert "Route Planner deployed to Globex Corp." in page
    assert f'id="application-card-{app.pk}"' in page


def test_deploying_with_htmx_answers_with_the_panel(client_for, account_admin, customer, partner_admin):
    app, _ = approved(partner_admin)
    response = client_for(account_admin).post(
        deploy_url(customer, app), {"confirm": "on"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert 'id="integrations-panel"' in response.content.decode()


def test_the_card_switch_deactivates_a_deployment(client_for, account_admin, customer, partner_admin):
    app, _ = approved(partner_admin)
    services.application_deploy(actor=account_admin, account=customer, application=app)
    url = reverse("third_party:toggle", args=[customer.account_number, app.pk])
    client_for(account_admin).post(url, {"state": "off"})
    assert ApplicationDeployment.objects.get(account=customer).active is False


def test_pending_or_blocked_applications_cannot_be_deployed(
    client_for, account_admin, customer, partner_admin, partner
):
    pending = register(partner_admin, mitel_app="Pending", name="Pending")
    assert client_for(account_admin).get(deploy_url(customer, pending)).status_code == 404
    app, _ = approved(partner_admin)
    services.application_block(actor=operator(partner), application=app)
    assert client_for(account_admin).post(deploy_url(customer, app), {"confirm": "on"}).status_code == 404


def test_deploying_in_another_partners_customer_is_404(client_for, partner_admin, outsider_customer):
    app, _ = approved(partner_admin)
    assert (
        client_for(partner_admin).post(deploy_url(outsider_customer, app), {"confirm": "on"}).status_code
        == 404
    )


def test_users_cannot_deploy(client_for, member, customer, partner_admin):
    app, _ = approved(partner_admin)
    assert client_for(member).post(deploy_url(customer, app), {"confirm": "on"}).status_code == 403


def test_deploying_to_the_partner_account_shows_why_not(client_for, partner_admin, partner):
    app, _ = approved(partner_admin)
    response = client_for(partner_admin).post(deploy_url(partner, app), {"confirm": "on"})
    assert "customer accounts" in response.content.decode()
    assert not ApplicationDeployment.objects.exists()


def test_deploying_needs_sign_in(client, customer, partner_admin):
    app, _ = approved(partner_admin)
    assert client.post(deploy_url(customer, app), {"confirm": "on"}).status_code == 302
