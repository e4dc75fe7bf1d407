"""The third-party application rules: registration, review, secrets, deployment, x-mitel-app."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from accounts.models import AuditEvent
from oauth.applications import services
from oauth.models import Application, ApplicationDeployment, ApplicationUsage
from tests.oauth.applications.helpers import approved, operator, register


def test_registering_makes_a_pending_application_without_client_id(partner_admin, partner):
    app = register(partner_admin)
    assert app.status == Application.Status.PENDING
    assert app.client_id is None and app.client_secret_hash == ""
    assert AuditEvent.objects.filter(account=partner, action="application.registered").exists()


@pytest.mark.parametrize("mitel_app", ["", "My/App", "a;b", "app=x", "-lead"])
def test_registering_refuses_an_unusable_x_mitel_app_name(partner_admin, mitel_app):
    with pytest.raises(ValidationError) as exc:
        register(partner_admin, mitel_app=mitel_app)
    assert "mitel_app" in exc.value.message_dict


def test_registering_refuses_an_approved_applications_x_mitel_app_name_in_any_case(
    partner_admin, other_partner_admin
):
    approved(partner_admin, mitel_app="RoutePlanner")
    with pytest.raises(services.MitelAppTaken):
        register(other_partner_admin, mitel_app="routeplanner", name="Copy")


def test_registering_refuses_bad_redirect_uris(partner_admin):
    with pytest.raises(ValidationError) as exc:
        register(partner_admin, redirect_uris=["ftp://x.example/"])
    assert "redirect_uris" in exc.value.message_dict


def test_only_partner_admins_register(account_admin, customer):
    with pytest.raises(PermissionDenied):
        services.application_register(
            actor=account_admin, partner=customer, name="X", contact_email="a@b.example", mitel_app="X"
        )


def test_approving_by_command_issues_client_id_and_a_secret_once(partner_admin):
    app, secret = approved(partner_admin)
    assert app.status == Application.Status.APPROVED and app.client_id
    assert secret and services.application_secret_verify(app, secret)
    assert secret not in app.client_secret_hash
    assert services.application_for_client(app.client_id) == app


def test_the_operator_page_approval_issues_no_secret_so_the_partner_generates_it(partner_admin, partner):
    app = register(partner_admin)
    app, secret = services.application_approve(actor=operator(partner), application=app, issue_secret=False)
    assert secret is None and app.client_secret_hash == ""
    first = services.application_secret_rotate(actor=partner_admin, application=app)
    app.refresh_from_db()
    assert services.application_secret_verify(app, first)


def test_rotating_the_secret_invalidates_the_old_one(partner_admin):
    app, old = approved(partner_admin)
    new = services.application_secret_rotate(actor=partner_admin, application=app)
    app.refresh_from_db()
    assert services.application_secret_verify(app, new)
    assert not services.application_secret_verify(app, old)


def test_public_clients_get_no_secret(partner_admin):
    app, secret = approved(partner_admin, client_type=Application.ClientType.PUBLIC)
    assert secret is None
    with pytest.raises(ValidationError):
        services.application_secret_rotate(actor=partner_admin, application=app)


def test_only_operators_review(partner_admin):
    app = register(partner_admin)
    with pytest.raises(PermissionDenied):
        services.application_approve(actor=partner_admin, application=app)
    with pytest.raises(PermissionDenied):
        services.application_block(actor=partner_admin, application=app)


def test_rejecting_needs_a_reason_and_a_pending_application(partner_admin, partner):
    staff = operator(partner)
    app = register(partner_admin)
    with pytest.raises(ValidationError):
        services.application_reject(actor=staff, application=app, reason="  ")
    app = services.application_reject(actor=staff, application=app, reason="No privacy policy")
    assert (app.status, app.status_reason) == (Application.Status.REJECTED, "No privacy policy")
    approved_app, _ = approved(partner_admin, mitel_app="Other", name="Other")
    with pytest.raises(ValidationError):
        services.application_reject(actor=staff, application=approved_app, reason="late")


def test_blocking_stops_the_client_and_reapproving_keeps_the_client_id_and_secret(partner_admin, partner):
    staff = operator(partner)
    app, secret = approved(partner_admin)
    services.application_block(actor=staff, application=app, reason="abuse")
    assert services.application_for_client(app.client_id) is None
    again, new_secret = services.application_approve(actor=staff, application=app)
    assert again.client_id == app.client_id and new_secret is None
    assert services.application_secret_verify(again, secret)


def test_the_partner_cannot_rotate_another_partners_secret(partner_admin, other_partner_admin):
    app, _ = approved(partner_admin)
    with pytest.raises(Http404):
        services.application_secret_rotate(actor=other_partner_admin, application=app)


def test_deploying_needs_an_approved_application_and_a_customer_account(partner_admin, partner, customer):
    pending = register(partner_admin)
    with pytest.raises(ValidationError):
        services.application_deploy(actor=partner_admin, account=customer, application=pending)
    app, _ = approved(partner_admin, mitel_app="Deployable", name="Deployable")
    with pytest.raises(ValidationError):
        services.application_deploy(actor=partner_admin, account=partner, application=app)
    deployment = services.application_deploy(actor=partner_admin, account=customer, application=app)
    assert deployment.active and deployment.name == "Deployable"
    assert AuditEvent.objects.filter(account=customer, action="application.deployed").exists()


def test_deploying_outside_the_scope_is_404(partner_admin, outsider_customer):
    app, _ = approved(partner_admin)
    with pytest.raises(Http404):
        services.application_deploy(actor=partner_admin, account=outsider_customer, application=app)


def test_deployment_redirect_uris_are_the_accounts_own_saved_as_given(partner_admin, customer):
    app, _ = approved(partner_admin)
    deployment = services.application_deploy(
        actor=partner_admin,
        account=customer,
        application=app,
        redirect_uris=["https://customer.example/cb", "string"],
        active=False,
    )
    assert deployment.redirect_uris == ["https://customer.example/cb", "string"]
    assert not deployment.active
    assert ApplicationDeployment.objects.filter(account=customer).count() == 1


def test_approveapp_references_resolve_by_client_id_number_or_name(partner_admin):
    app = register(partner_admin)
    assert services.application_resolve(str(app.pk)) == app
    assert services.application_resolve("routeplanner") == app
    app, _ = services.application_approve(actor=None, application=app)
    assert services.application_resolve(app.client_id) == app
    assert services.application_resolve("nothing") is None


@pytest.mark.parametrize(
    ("header", "name"),
    [
        ("app=BR-AppRegistry/2.0.0;platform=windows/10;session-id=static", "BR-AppRegistry"),
        (
            "authentication-sample-code/1.0.0;platform=linux/#1 SMP;session=session-id;",
            "authentication-sample-code",
        ),
        ("MyApp", "MyApp"),
        ("  MyApp/1.0 ", "MyApp"),
        ("platform=linux;app=MyApp/1.0;", "MyApp"),
        ("platform=linux/5;session=x", ""),
        ("", ""),
    ],
)
def test_the_x_mitel_app_header_is_read_leniently(header, name):
    assert services.mitel_app_name(header) == name


def test_usage_counts_one_request_per_call_per_day(partner_admin):
    app, _ = approved(partner_admin)
    today = dt.date(2030, 1, 2)
    for _ in range(3):
        services.application_usage_count(app.pk, day=today)
    services.application_usage_count(app.pk, day=today - dt.timedelta(days=1))
    counts = dict(ApplicationUsage.objects.filter(application=app).values_list("day", "requests"))
    assert counts == {today: 3, today - dt.timedelta(days=1): 1}


def test_a_new_secret_is_stored_as_its_sha256(partner_admin):
    app, secret = approved(partner_admin)

    assert app.client_secret_hash == "sha256$" + hashlib.sha256(secret.encode()).hexdigest()
    assert services.application_secret_verify(app, secret)
    assert not services.application_secret_verify(app, secret + "x")


def test_a_secret_stored_with_a_password_hasher_still_verifies(partner_admin):
    app, _ = approved(partner_admin)
    app.client_secret_hash = make_password("an-older-secret")  # how secrets were stored before

    assert services.application_secret_verify(app, "an-older-secret")
    assert not services.application_secret_verify(app, "another-secret")
