"""Authentication API: /applications, /applications/{applicationId}, /apps."""

from __future__ import annotations

import pytest

from accounts.models import User
from oauth.applications import services
from oauth.models import Application, ApplicationDeployment
from tests.accounts.factories import UserFactory
from tests.oauth.applications.helpers import approved, operator, register

BASE = "/api/authentication/2017-09-01"
APPLICATION_KEYS = {
    "applicationId",
    "accountId",
    "partnerId",
    "active",
    "name",
    "description",
    "redirectUris",
}


def deploy_body(customer, **extra) -> dict:
    return {
        "accountId": str(customer.account_id),
        "name": "Planner for Globex",
        "description": "Routes",
        "redirectUris": ["https://planner.example/callback"],
        "active": True,
    } | extra


# --- POST /applications ----------------------------------------------------------------------------


def test_a_partner_admin_registers_an_application_pending_approval(api_client_for, partner_admin, partner):
    response = api_client_for(partner_admin).post(
        f"{BASE}/applications",
        {
            "name": "Route Planner",
            "description": "Plans",
            "redirectUris": ["https://p.example/cb"],
            "active": True,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) >= APPLICATION_KEYS
    assert body["applicationId"] is None and body["active"] is False and body["status"] == "pending"
    assert body["accountId"] == body["partnerId"] == str(partner.account_id)
    assert body["mitelApp"] == "Route Planner" and body["contactEmail"] == partner_admin.email
    app = Application.objects.get(pk=body["id"])
    assert app.owner == partner and app.redirect_uris == ["https://p.example/cb"]
    assert response["Location"] == f"/2017-09-01/applications/{app.pk}"


def test_registering_with_this_consoles_fields(api_client_for, partner_admin):
    response = api_client_for(partner_admin).post(
        f"{BASE}/applications",
        {
            "name": "X",
            "description": "",
            "mitelApp": "XApp",
            "contactEmail": "x@x.example",
            "clientType": "public",
        },
        format="json",
    )
    assert response.status_code == 201
    assert Application.objects.get(mitel_app="XApp").client_type == "public"


@pytest.mark.parametrize(
    ("body", "name"),
    [
        ({"description": "no name"}, "MissingParamInRequest"),
        ({"name": "No description"}, "MissingParamInRequest"),
        ({"name": "X", "description": "d", "applicationId": "mine"}, "InvalidRequest"),
        ({"name": "X", "description": "d", "redirectUris": ["not a url"]}, "ValidationError"),
        ({"name": "X", "description": "d", "mitelApp": "a/b"}, "ValidationError"),
    ],
)
def test_registering_with_a_bad_body_is_400(api_client_for, partner_admin, body, name):
    response = api_client_for(partner_admin).post(f"{BASE}/applications", body, format="json")
    assert response.status_code == 400
    assert response.json()["name"] == name


def test_registering_invalid_json_is_400(api_client_for, partner_admin):
    response = api_client_for(partner_admin).post(
        f"{BASE}/applications", data="{name:", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["name"] == "InvalidRequest"


def test_registering_an_approved_applications_x_mitel_app_is_409(
    api_client_for, partner_admin, other_partner_admin
):
    approved(other_partner_admin)
    response = api_client_for(partner_admin).post(
        f"{BASE}/applications", {"name": "Mine", "description": "", "mitelApp": "routeplanner"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["name"] == "Conflict"
    assert "approved" in response.json()["message"]


def test_only_partner_admins_register_through_the_api(api_client_for, account_admin):
    response = api_client_for(account_admin).post(
        f"{BASE}/applications", {"name": "X", "description": "d"}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["name"] == "InsufficientPermissions"


def test_registering_for_an_account_outside_the_scope_is_404(api_client_for, partner_admin, other_partner):
    response = api_client_for(partner_admin).post(
        f"{BASE}/applications",
        {"name": "X", "description": "d", "accountId": str(other_partner.account_id)},
        format="json",
    )
    assert response.status_code == 404
    assert response.json()["name"] == "AccountNotFound"


def test_registering_anonymously_is_401(client):
    response = client.post(
        f"{BASE}/applications", {"name": "X", "description": "d"}, content_type="application/json"
    )
    assert response.status_code == 401
    assert response.json()["name"] == "UnauthorizedError"


# --- GET /applications?client_id= ----------------------------------------------------------------


def test_public_metadata_of_an_approved_application_needs_no_token(client, partner_admin):
    app, _ = approved(partner_admin)
    response = client.get(f"{BASE}/applications", {"client_id": app.client_id})
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Route Planner" and body["active"] is True
    assert body["passwordRules"][0]["minLength"] == 8


def test_public_metadata_errors(client, partner_admin):
    assert client.get(f"{BASE}/applications").json()["name"] == "MissingMandatoryParams"
    response = client.get(f"{BASE}/applications", {"client_id": "unknown"})
    assert response.status_code == 403
    assert response.json()["name"] == "InvalidClient"


# --- PUT /applications/{clientId} --------------------------------------------------------------------


def test_a_partner_admin_deploys_an_application_to_its_customer(
    api_client_for, partner_admin, partner, customer
):
    app, _ = approved(partner_admin)
    response = api_client_for(partner_admin).put(
        f"{BASE}/applications/{app.client_id}", deploy_body(customer), format="json"
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["applicationId"] == app.client_id
    assert body["accountId"] == str(customer.account_id) and body["partnerId"] == str(partner.account_id)
    assert body["active"] is True and body["name"] == "Planner for Globex"
    deployment = ApplicationDeployment.objects.get(account=customer, application=app)
    assert deployment.redirect_uris == ["https://planner.example/callback"]


def test_deploying_by_account_number_and_deactivating(api_client_for, partner_admin, customer):
    app, _ = approved(partner_admin)
    client = api_client_for(partner_admin)
    client.put(f"{BASE}/applications/{app.client_id}", deploy_body(customer), format="json")
    response = client.put(
        f"{BASE}/applications/{app.client_id}",
        {"accountId": customer.account_number, "active": False},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["active"] is False
    assert ApplicationDeployment.objects.get(account=customer).active is False


def test_an_account_admin_deploys_in_its_own_account_by_default(
    api_client_for, account_admin, partner_admin, customer
):
    app, _ = approved(partner_admin)
    response = api_client_for(account_admin).put(f"{BASE}/applications/{app.client_id}", {}, format="json")
    assert response.status_code == 200
    assert response.json()["accountId"] == str(customer.account_id)


def test_deploying_an_application_of_another_partner_is_allowed_once_approved(
    api_client_for, other_partner_admin, outsider_customer, partner_admin
):
    app, _ = approved(partner_admin)
    response = api_client_for(other_partner_admin).put(
        f"{BASE}/applications/{app.client_id}", deploy_body(outsider_customer), format="json"
    )
    assert response.status_code == 200


def test_deploying_to_another_partners_customer_is_404(api_client_for, partner_admin, outsider_customer):
    app, _ = approved(partner_admin)
    response = api_client_for(partner_admin).put(
        f"{BASE}/applications/{app.client_id}", deploy_body(outsider_customer), format="json"
    )
    assert response.status_code == 404
    assert response.json()["name"] == "AccountNotFound"
    assert not ApplicationDeployment.objects.exists()


def test_deploying_an_unknown_or_unapproved_client_id_is_404(api_client_for, partner_admin, customer):
    register(partner_admin)  # pending: it has no client ID yet
    response = api_client_for(partner_admin).put(
        f"{BASE}/applications/unknown", deploy_body(customer), format="json"
    )
    assert response.status_code == 404
    assert response.json()["name"] == "ApplicationNotFound"


def test_deploying_a_blocked_application_is_409(api_client_for, partner_admin, partner, customer):
    app, _ = approved(partner_admin)
    services.application_block(actor=operator(partner), application=app)
    response = api_client_for(partner_admin).put(
        f"{BASE}/applications/{app.client_id}", deploy_body(customer), format="json"
    )
    assert response.status_code == 409
    assert response.json()["name"] == "ApplicationNotActive"


@pytest.mark.parametrize(
    "body",
    [
        {"redirectUris": "https://planner.example/callback"},
        {"active": "maybe"},
        {"role": "PARTNER_ADMIN"},
    ],
)
def test_deploying_with_a_bad_body_is_400(api_client_for, partner_admin, customer, body):
    app, _ = approved(partner_admin)
    response = api_client_for(partner_admin).put(
        f"{BASE}/applications/{app.client_id}", deploy_body(customer, **body), format="json"
    )
    assert response.status_code == 400
    assert response.json()["name"] == "ValidationError"


def test_deploying_to_the_partner_account_itself_is_400(api_client_for, partner_admin):
    app, _ = approved(partner_admin)
    response = api_client_for(partner_admin).put(f"{BASE}/applications/{app.client_id}", {}, format="json")
    assert response.status_code == 400


def test_users_cannot_deploy(api_client_for, member, partner_admin):
    app, _ = approved(partner_admin)
    response = api_client_for(member).put(f"{BASE}/applications/{app.client_id}", {}, format="json")
    assert response.status_code == 403
    assert response.json()["name"] == "InsufficientPermissions"


def test_deploying_anonymously_is_401(client, partner_admin):
    app, _ = approved(partner_admin)
    response = client.put(f"{BASE}/applications/{app.client_id}", {}, content_type="application/json")
    assert response.status_code == 401


# --- GET /applications/{clientId} ------------------------------------------------------------------


def test_the_owner_sees_its_registration_by_number_then_by_client_id(api_client_for, partner_admin):
    app = register(partner_admin)
    client = api_client_for(partner_admin)
    pending = client.get(f"{BASE}/applications/{app.pk}")
    assert pending.status_code == 200
    assert pending.json()["status"] == "pending" and pending.json()["applicationId"] is None
    app, _ = services.application_approve(actor=None, application=app)
    body = client.get(f"{BASE}/applications/{app.client_id}").json()
    assert body["applicationId"] == app.client_id and body["active"] is True
    assert body["_links"]["self"] == f"/2017-09-01/applications/{app.client_id}"


def test_a_customer_sees_its_deployment(api_client_for, account_admin, partner_admin, customer):
    app, _ = approved(partner_admin)
    services.application_deploy(actor=partner_admin, account=customer, application=app, name="Planner")
    response = api_client_for(account_admin).get(f"{BASE}/applications/{app.client_id}")
    assert response.status_code == 200
    body = response.json()
    assert body["accountId"] == str(customer.account_id) and body["name"] == "Planner"
    assert "contactEmail" not in body


def test_a_partner_admin_reads_a_customers_deployment_with_account_id(
    api_client_for, partner_admin, customer
):
    app, _ = approved(partner_admin)
    services.application_deploy(actor=partner_admin, account=customer, application=app)
    response = api_client_for(partner_admin).get(
        f"{BASE}/applications/{app.client_id}", {"accountId": customer.account_number}
    )
    assert response.status_code == 200
    assert response.json()["accountId"] == str(customer.account_id)


def test_an_application_not_deployed_in_the_tokens_account_is_404(
    api_client_for, account_admin, partner_admin
):
    app, _ = approved(partner_admin)
    response = api_client_for(account_admin).get(f"{BASE}/applications/{app.client_id}")
    assert response.status_code == 404
    assert response.json()["name"] == "ApplicationNotFound"


def test_another_partners_registration_is_404(api_client_for, partner_admin, other_partner_admin):
    app = register(partner_admin)
    response = api_client_for(other_partner_admin).get(f"{BASE}/applications/{app.pk}")
    assert response.status_code == 404


def test_reading_another_partners_customer_is_404(api_client_for, partner_admin, outsider_customer):
    app, _ = approved(partner_admin)
    response = api_client_for(partner_admin).get(
        f"{BASE}/applications/{app.client_id}", {"accountId": str(outsider_customer.account_id)}
    )
    assert response.status_code == 404
    assert response.json()["name"] == "AccountNotFound"


def test_users_cannot_read_applications(api_client_for, member, partner_admin):
    app, _ = approved(partner_admin)
    assert api_client_for(member).get(f"{BASE}/applications/{app.client_id}").status_code == 403


# --- GET /apps -----------------------------------------------------------------------------------------


def test_apps_lists_the_deployments_of_the_tokens_account(
    api_client_for, account_admin, partner_admin, customer
):
    first, _ = approved(partner_admin)
    second, _ = approved(partner_admin, name="Another", mitel_app="Another")
    approved(partner_admin, name="Not deployed", mitel_app="NotDeployed")
    for app in (first, second):
        services.application_deploy(actor=partner_admin, account=customer, application=app)
    response = api_client_for(account_admin).get(f"{BASE}/apps")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2 and body["_links"]["self"] == "/2017-09-01/apps"
    assert [item["name"] for item in body["_embedded"]["items"]] == ["Another", "Route Planner"]
    assert all(set(item) >= APPLICATION_KEYS for item in body["_embedded"]["items"])


def test_apps_pages_and_filters(api_client_for, account_admin, partner_admin, customer):
    for index in range(3):
        app, _ = approved(partner_admin, name=f"App {index}", mitel_app=f"App{index}")
        services.application_deploy(actor=partner_admin, account=customer, application=app)
    client = api_client_for(account_admin)
    page = client.get(f"{BASE}/apps", {"$top": 2}).json()
    assert page["count"] == 2 and "next" in page["_links"]
    filtered = client.get(f"{BASE}/apps", {"$filter": "name eq 'App 1'"}).json()
    assert [item["name"] for item in filtered["_embedded"]["items"]] == ["App 1"]
    assert client.get(f"{BASE}/apps", {"$filter": "secret eq 'x'"}).status_code == 400


def test_apps_of_a_partner_account_are_the_applications_it_registered(
    api_client_for, partner_admin, other_partner_admin
):
    register(partner_admin)
    register(other_partner_admin, name="Theirs", mitel_app="Theirs")
    body = api_client_for(partner_admin).get(f"{BASE}/apps").json()
    assert [item["name"] for item in body["_embedded"]["items"]] == ["Route Planner"]


def test_apps_for_an_account_outside_the_scope_is_404_and_needs_a_token(
    api_client_for, client, partner_admin, outsider_customer
):
    response = api_client_for(partner_admin).get(
        f"{BASE}/apps", {"accountId": str(outsider_customer.account_id)}
    )
    assert response.status_code == 404
    assert client.get(f"{BASE}/apps").status_code == 401


def test_users_cannot_list_apps(api_client_for, customer):
    user = UserFactory(account=customer, role=User.Role.USER)
    assert api_client_for(user).get(f"{BASE}/apps").status_code == 403
