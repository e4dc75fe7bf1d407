"""The authorization-code exchange and the deployment exactly as CloudLink's clients send it (Mitel's Node samples):
``POST /token`` with JSON ``{grant_type, code, client_id}``, no secret and no PKCE, for an
application registered through ``POST /applications`` without a client type (public by default)
and deployed with ``PUT /applications/{applicationId}``. Confidential clients are an opt-in and
must authenticate; PKCE works for both."""

import pytest
from rest_framework.test import APIClient

from accounts.models import AuditEvent
from oauth.applications.services import application_approve
from oauth.models import Application, ApplicationDeployment
from oauth.tokens import access_token_decode
from tests.accounts.factories import CustomerAccountFactory
from tests.oauth.helpers import BASE, assert_oauth_error, authorize, bearer, code_for, pkce_pair, post_json
from tests.oauth.token_helpers import assert_error, sign_in

pytestmark = pytest.mark.django_db


def register_and_deploy(
    partner_admin, password, customer, redirect_uris=(), role=None, **extra
) -> tuple[Application, str | None]:
    """Register through the API (CloudLink's ``applicationsPostRequest`` body), approve as an
    operator, deploy with the Postman collection's ``PUT`` body; the application and its secret."""
    token = sign_in(partner_admin, password)["access_token"]
    created = post_json(
        f"{BASE}/applications",
        {"name": "Sample App", "description": "Node sample", **extra},
        **bearer(token),
    )
    assert created.status_code == 201, created.content
    application, secret = application_approve(
        actor=None, application=Application.objects.get(pk=created.json()["id"])
    )
    deployed = APIClient().put(
        f"{BASE}/applications/{application.client_id}",
        {
            "accountId": str(customer.account_id),
            "name": "Sample App",
            "description": "Node sample",
            "redirectUris": list(redirect_uris),
            "active": True,
            **({"role": role} if role else {}),
        },
        format="json",
        **bearer(token),
    )
    assert deployed.status_code == 200, deployed.content
    return application, secret


def exchange_as_cloudlink(code: str, client_id: str, **extra):
    return post_json(
        f"{BASE}/token", {"grant_type": "authorization_code", "code": code, "client_id": client_id, **extra}
    )


def test_registration_without_client_type_is_public(partner_admin, password, customer):
    application, secret = register_and_deploy(partner_admin, password, customer)

    assert application.client_type == Application.ClientType.PUBLIC
    assert secret is None


def test_public_application_exchanges_a_code_with_its_client_id_alone(
    partner_admin, password, customer, member
):
    application, _ = register_and_deploy(partner_admin, password, customer)
    code = code_for(member, password, application.client_id)

    response = exchange_as_cloudlink(code, application.client_id)

    assert response.status_code == 201, response.content
    claims = access_token_decode(response.json()["access_token"])
    assert claims["userId"] == str(member.user_id)
    assert claims["azp"] == application.client_id


def test_code_replay_is_refused(partner_admin, password, customer, member):
    application, _ = register_and_deploy(partner_admin, password, customer)
    code = code_for(member, password, application.client_id)
    assert exchange_as_cloudlink(code, application.client_id).status_code == 201

    body = assert_error(exchange_as_cloudlink(code, application.client_id), 401, "InvalidLoginCredentials")

    assert "already used" in body["message"]


def test_confidential_application_without_its_secret_is_refused_clearly(
    partner_admin, password, customer, member
):
    application, secret = register_and_deploy(partner_admin, password, customer, clientType="confidential")
    code = code_for(member, password, application.client_id)

    body = assert_error(exchange_as_cloudlink(code, application.client_id), 401, "ClientSecretMismatch")

    assert "confidential client" in body["message"] and "client_secret" in body["message"]
    ok = exchange_as_cloudlink(code, application.client_id, client_secret=secret)
    assert ok.status_code == 201, ok.content


@pytest.mark.parametrize("client_type", ["public", "confidential"])
def test_pkce_verifier_is_checked_for_both_client_types(
    partner_admin, password, customer, member, client_type
):
    application, secret = register_and_deploy(partner_admin, password, customer, clientType=client_type)
    verifier, challenge = pkce_pair()
    code = code_for(
        member, password, application.client_id, code_challenge=challenge, code_challenge_method="S256"
    )
    auth = {"client_secret": secret} if secret else {}

    wrong = exchange_as_cloudlink(code, application.client_id, code_verifier=pkce_pair()[0], **auth)
    assert_error(wrong, 401, "InvalidVerifier")
    right = exchange_as_cloudlink(code, application.client_id, code_verifier=verifier, **auth)
    assert right.status_code == 201, right.content


# --- PUT /applications/{applicationId}: the account's own redirect URIs and the deployment's role ---

ACCOUNT_URI = "https://customer.example/signed-in"


def test_deployment_saves_the_accounts_redirect_uris_as_given_with_role_user(
    api_client_for, partner_admin, password, customer
):
    application, _ = register_and_deploy(
        partner_admin, password, customer, redirect_uris=["string", ACCOUNT_URI]
    )

    body = (
        api_client_for(partner_admin)
        .get(f"{BASE}/applications/{application.client_id}?accountId={customer.account_id}")
        .json()
    )

    assert body["redirectUris"] == ["string", ACCOUNT_URI]
    assert body["role"] == "USER"


def test_authorize_accepts_a_uri_of_the_accounts_list(partner_admin, password, customer, member):
    application, _ = register_and_deploy(
        partner_admin, password, customer, redirect_uris=["string", ACCOUNT_URI]
    )
    code = code_for(member, password, application.client_id, redirect_uri=ACCOUNT_URI)

    response = exchange_as_cloudlink(code, application.client_id, redirect_uri=ACCOUNT_URI)

    assert response.status_code == 201, response.content


def test_authorize_refuses_a_placeholder_when_it_is_used(partner_admin, password, customer, member):
    application, _ = register_and_deploy(
        partner_admin, password, customer, redirect_uris=["string", ACCOUNT_URI]
    )

    response = authorize(member, password, application.client_id, redirect_uri="string")

    body = assert_oauth_error(response, 403, "InvalidRedirectUri")
    assert "placeholder" in body["message"]


def test_authorize_refuses_a_uri_only_another_account_listed(
    partner_admin, password, customer, member, partner
):
    other = CustomerAccountFactory(parent=partner)
    application, _ = register_and_deploy(partner_admin, password, customer, redirect_uris=[ACCOUNT_URI])
    token = sign_in(partner_admin, password)["access_token"]
    deployed = APIClient().put(
        f"{BASE}/applications/{application.client_id}",
        {"accountId": str(other.account_id), "redirectUris": ["https://other.example/cb"], "active": True},
        format="json",
        **bearer(token),
    )
    assert deployed.status_code == 200, deployed.content

    response = authorize(member, password, application.client_id, redirect_uri="https://other.example/cb")

    assert_oauth_error(response, 403, "InvalidRedirectUri")


def test_deployment_role_account_admin_is_saved_and_audited(partner_admin, password, customer):
    application, _ = register_and_deploy(partner_admin, password, customer, role="ACCOUNT_ADMIN")

    deployment = ApplicationDeployment.objects.get(application=application, account=customer)
    assert deployment.role == "ACCOUNT_ADMIN"
    event = AuditEvent.objects.filter(account=customer, action="application.deployed").get()
    assert event.after["role"] == "ACCOUNT_ADMIN"
