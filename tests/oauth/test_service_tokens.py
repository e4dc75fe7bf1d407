"""Service tokens: ``client_credentials`` (``client_id``, ``client_secret``, ``account_id``; form
or JSON) gives an application a token that acts in the account where it is deployed, with the
role its deployment chose (USER or ACCOUNT_ADMIN), on the Admin, Chat, Notifications and Media
APIs; elsewhere it is refused, and deactivating the deployment refuses it at once."""

import json

import pytest
from django.test import Client

from accounts.models import AuditEvent
from oauth.applications.services import application_deploy
from oauth.tokens import access_token_decode
from tests.accounts.factories import CustomerAccountFactory
from tests.oauth.helpers import bearer, client_token, make_app, post_form, post_json

pytestmark = pytest.mark.django_db

ADMIN = "/api/admin/2017-09-01"
CHAT = "/api/chat/2017-09-01"
NOTIFICATIONS = "/api/notifications/2017-09-01"
MEDIA = "/api/media/2017-09-01"


def service_token(partner_admin, customer, role: str, post=post_form) -> str:
    app = make_app(partner_admin)
    application_deploy(actor=partner_admin, account=customer, application=app.application, role=role)
    response = client_token(app, post=post, account_id=str(customer.account_number))
    assert response.status_code == 201, response.content
    return response.json()["access_token"]


def call(method: str, url: str, token: str, body: dict | None = None):
    send = getattr(Client(), method)
    if body is None:
        return send(url, **bearer(token))
    return send(url, json.dumps(body), content_type="application/json", **bearer(token))


def routes(account) -> list[tuple[str, str, dict | None]]:
    ref = account.account_id
    return [
        ("get", f"{ADMIN}/accounts/{ref}", None),
        ("get", f"{ADMIN}/accounts/{ref}/users", None),
        ("post", f"{ADMIN}/accounts/{ref}/users", {"email": "new.hire@customer.example"}),
    ]


# (route index, role) -> status, in the application's own account
IN_ACCOUNT = {
    (0, "USER"): 403,
    (1, "USER"): 403,
    (2, "USER"): 403,
    (0, "ACCOUNT_ADMIN"): 200,
    (1, "ACCOUNT_ADMIN"): 200,
    (2, "ACCOUNT_ADMIN"): 201,
}


@pytest.mark.parametrize(("index", "role"), sorted(IN_ACCOUNT))
def test_admin_api_in_the_deployed_account_follows_the_deployments_role(partner_admin, customer, index, role):
    token = service_token(partner_admin, customer, role)
    method, url, body = routes(customer)[index]

    assert call(method, url, token, body).status_code == IN_ACCOUNT[(index, role)]


@pytest.mark.parametrize("index", range(3))
def test_admin_api_in_another_account_is_404(partner_admin, partner, customer, outsider_customer, index):
    token = service_token(partner_admin, customer, "ACCOUNT_ADMIN")
    sibling = CustomerAccountFactory(parent=partner)

    for other in (sibling, outsider_customer, partner):
        method, url, body = routes(other)[index]
        response = call(method, url, token, body)
        assert response.status_code == 404, (other, response.content)


@pytest.mark.parametrize("post", [post_form, post_json], ids=["form", "json"])
def test_token_carries_the_deployments_role(partner_admin, customer, post):
    claims = access_token_decode(service_token(partner_admin, customer, "ACCOUNT_ADMIN", post=post))

    assert claims["role"] == "ACCOUNT_ADMIN"
    assert claims["accountId"] == str(customer.account_id)


def test_audit_rows_name_the_application(partner_admin, customer):
    token = service_token(partner_admin, customer, "ACCOUNT_ADMIN")

    created = call(
        "post", f"{ADMIN}/accounts/{customer.account_id}/users", token, {"email": "a@customer.example"}
    )

    assert created.status_code == 201, created.content
    event = AuditEvent.objects.get(account=customer, action="user.created")
    assert event.actor is None
    assert event.actor_label.startswith("Application Acme Connector (")


def test_lowering_the_role_applies_to_tokens_already_issued(partner_admin, customer):
    token = service_token(partner_admin, customer, "ACCOUNT_ADMIN")
    deployment = customer.app_deployments.get()
    application_deploy(actor=partner_admin, account=customer, application=deployment.application, role="USER")

    assert call("get", f"{ADMIN}/accounts/{customer.account_id}/users", token).status_code == 403


def test_deactivating_the_deployment_refuses_the_token_at_once(partner_admin, customer):
    token = service_token(partner_admin, customer, "ACCOUNT_ADMIN")
    url = f"{ADMIN}/accounts/{customer.account_id}/users"
    assert call("get", url, token).status_code == 200
    deployment = customer.app_deployments.get()

    application_deploy(
        actor=partner_admin, account=customer, application=deployment.application, active=False
    )

    assert call("get", url, token).status_code == 401


def test_not_deployed_gets_no_token(partner_admin, customer, outsider_customer):
    app = make_app(partner_admin, customer)

    response = client_token(app, account_id=str(outsider_customer.account_id))

    assert response.status_code == 401
    assert response.json()["name"] == "ClientNotActive"


# --- Chat, Notifications, Media -------------------------------------------------------------------


@pytest.mark.parametrize("role", ["USER", "ACCOUNT_ADMIN"])
def test_chat_conversations_are_open_to_service_tokens(partner_admin, customer, role):
    token = service_token(partner_admin, customer, role)

    created = call("post", f"{CHAT}/conversations", token, {"name": "Ops"})

    assert created.status_code == 201, created.content
    listed = call("get", f"{CHAT}/conversations", token)
    assert listed.status_code == 200
    assert [item["name"] for item in listed.json()["_embedded"]["items"]] == ["Ops"]


@pytest.mark.parametrize("role", ["USER", "ACCOUNT_ADMIN"])
def test_notifications_subscriptions_are_open_to_service_tokens(partner_admin, customer, role):
    token = service_token(partner_admin, customer, role)

    assert call("get", f"{NOTIFICATIONS}/subscriptions", token).status_code == 200


MEDIA_BY_ROLE = {"USER": 403, "ACCOUNT_ADMIN": 200}


@pytest.mark.parametrize("role", sorted(MEDIA_BY_ROLE))
def test_media_extensions_follow_the_deployments_role(partner_admin, customer, role):
    token = service_token(partner_admin, customer, role)

    assert call("get", f"{MEDIA}/endpoints/2001/calls", token).status_code == MEDIA_BY_ROLE[role]
