"""Issue 9, finding 2: a platform operator deletes an application's registration (whatever its
state), audited on the partner's account and on every customer account it was deployed to."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from accounts.models import AuditEvent
from oauth.applications import services
from oauth.models import Application, ApplicationDeployment, ApplicationUsage, RefreshToken
from oauth.refresh import token_pair_issue
from tests.oauth.applications.helpers import approved, operator, register


def delete_url(app: Application) -> str:
    return reverse("operator:application_delete", args=[app.pk])


def test_an_operator_deletes_a_registration_and_everything_it_owns(partner_admin, partner, customer):
    app, _ = approved(partner_admin)
    services.application_deploy(actor=partner_admin, account=customer, application=app)
    services.application_usage_count(app.pk)
    ops = operator(partner)

    services.application_delete(actor=ops, application=app)

    assert not Application.objects.filter(pk=app.pk).exists()
    assert not ApplicationDeployment.objects.exists() and not ApplicationUsage.objects.exists()
    on_partner = AuditEvent.objects.get(action="application.deleted", account=partner)
    assert on_partner.actor == ops and on_partner.target_id == str(app.pk)
    assert on_partner.before["mitel_app"] == "RoutePlanner" and on_partner.before["status"] == "approved"
    assert AuditEvent.objects.filter(action="application.deleted", account=customer).exists()


def test_deleting_revokes_the_sign_ins_the_application_obtained(partner_admin, partner, customer, member):
    app, _ = approved(partner_admin)
    token_pair_issue(user=member, issuer="https://portal.example", client_id=app.client_id)
    token_pair_issue(user=member, issuer="https://portal.example")  # the user's own sign-in

    services.application_delete(actor=operator(partner), application=app)

    assert RefreshToken.objects.get(client_id=app.client_id).revoked_at is not None
    assert RefreshToken.objects.get(client_id="").revoked_at is None


@pytest.mark.parametrize("persona", ["partner_admin", "account_admin", "member"])
def test_only_operators_delete(request, partner_admin, persona):
    app = register(partner_admin)
    user = request.getfixturevalue(persona)

    with pytest.raises(PermissionDenied):
        services.application_delete(actor=user, application=app)

    assert Application.objects.filter(pk=app.pk).exists()
    assert not AuditEvent.objects.filter(action="application.deleted").exists()


def test_the_operator_page_deletes_an_application(client_for, partner_admin, partner):
    app = register(partner_admin)
    client = client_for(operator(partner))
    assert f'action="{delete_url(app)}"' in client.get("/operator/apps/").content.decode()

    response = client.post(delete_url(app), follow=True)

    assert response.redirect_chain[-1][0] == reverse("operator:application_list")
    assert "Route Planner deleted." in response.content.decode()
    assert not Application.objects.exists()


def test_deleting_from_the_operator_page_is_403_for_anyone_else(client_for, partner_admin):
    app = register(partner_admin)

    assert client_for(partner_admin).post(delete_url(app)).status_code == 403
    assert Application.objects.filter(pk=app.pk).exists()


def test_deleting_needs_a_post_and_an_existing_application(client_for, partner_admin, partner):
    app = register(partner_admin)
    client = client_for(operator(partner))

    assert client.get(delete_url(app)).status_code == 405
    assert client.post(reverse("operator:application_delete", args=[app.pk + 1])).status_code == 404
    assert Application.objects.filter(pk=app.pk).exists()
