"""``/trusted-issuers`` and ``/accounts/{accountId}/trusted-issuers``: account admins of the account
and partner admins of its partner manage them in CloudLink's ``trustedIssuer`` shape, audited;
users and other partners' admins are refused."""

from __future__ import annotations

from http import HTTPStatus

import pytest

from accounts.models import AuditEvent
from sso.models import TrustedIssuer
from tests.sso.factories import TrustedIssuerFactory

pytestmark = pytest.mark.django_db
URL = "/api/authentication/2017-09-01/trusted-issuers"
BODY = {
    "displayName": "Contoso",
    "description": "Contoso's Entra ID",
    "iss": "https://login.contoso.example/v2.0",
    "jwksUri": "https://login.contoso.example/discovery/v2.0/keys",
}


def test_an_account_admin_trusts_an_issuer(api_client_for, account_admin, customer):
    response = api_client_for(account_admin).post(URL, BODY, format="json")

    assert response.status_code == HTTPStatus.CREATED
    body = response.json()
    assert body["accountId"] == str(customer.account_id)
    assert body["iss"] == BODY["iss"]
    assert body["jwksUri"] == BODY["jwksUri"]
    assert body["displayName"] == "Contoso"
    assert (
        body["audience"] == f"http://127.0.0.1:8000/api/authentication/2017-09-01/saml2/{customer.account_id}"
    )
    assert response["Location"].endswith(f"/trusted-issuers/{body['issuerId']}")
    assert AuditEvent.objects.filter(account=customer, action="trusted_issuer.created").count() == 1


def test_iss_and_jwks_uri_are_required(api_client_for, account_admin):
    response = api_client_for(account_admin).post(URL, {"displayName": "x"}, format="json")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert TrustedIssuer.objects.count() == 0


def test_a_jwks_uri_over_plain_http_is_refused(api_client_for, account_admin):
    body = {**BODY, "jwksUri": "http://keys.contoso.example/jwks"}

    response = api_client_for(account_admin).post(URL, body, format="json")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "https://" in str(response.json())


def test_the_same_iss_twice_in_an_account_is_a_conflict(api_client_for, account_admin):
    api = api_client_for(account_admin)
    api.post(URL, BODY, format="json")

    response = api.post(URL, BODY, format="json")

    assert response.status_code == HTTPStatus.CONFLICT


def test_a_partner_admin_manages_its_customers_issuers(api_client_for, partner_admin, customer):
    api = api_client_for(partner_admin)
    created = api.post(URL, {**BODY, "accountId": customer.account_number}, format="json").json()
    detail = f"{URL}/{created['issuerId']}"

    listed = api.get(f"/api/authentication/2017-09-01/accounts/{customer.account_id}/trusted-issuers")
    updated = api.put(detail, {"displayName": "Contoso (prod)", "audience": "contoso-app"}, format="json")
    deleted = api.delete(detail)

    assert [item["issuerId"] for item in listed.json()["_embedded"]["items"]] == [created["issuerId"]]
    assert updated.json()["displayName"] == "Contoso (prod)"
    assert updated.json()["audience"] == "contoso-app"
    assert deleted.status_code == HTTPStatus.OK
    assert TrustedIssuer.objects.count() == 0
    actions = set(AuditEvent.objects.filter(account=customer).values_list("action", flat=True))
    assert {"trusted_issuer.created", "trusted_issuer.updated", "trusted_issuer.deleted"} <= actions


def test_the_list_holds_the_issuers_of_the_callers_scope(
    api_client_for, account_admin, customer, outsider_customer
):
    mine = TrustedIssuerFactory(account=customer)
    TrustedIssuerFactory(account=outsider_customer)

    response = api_client_for(account_admin).get(URL)

    assert [item["issuerId"] for item in response.json()["_embedded"]["items"]] == [str(mine.issuer_id)]


def test_a_user_may_not_manage_trusted_issuers(api_client_for, member, customer):
    issuer = TrustedIssuerFactory(account=customer)
    api = api_client_for(member)

    assert api.get(URL).status_code == HTTPStatus.FORBIDDEN
    assert api.post(URL, BODY, format="json").status_code == HTTPStatus.FORBIDDEN
    assert api.delete(f"{URL}/{issuer.issuer_id}").status_code == HTTPStatus.FORBIDDEN
    assert TrustedIssuer.objects.count() == 1


def test_another_partners_issuer_is_not_found(api_client_for, outsider, customer):
    issuer = TrustedIssuerFactory(account=customer)

    response = api_client_for(outsider).get(f"{URL}/{issuer.issuer_id}")

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.json()["name"] == "TrustedIssuerNotFound"


def test_unknown_fields_are_refused_as_the_spec_says(api_client_for, account_admin):
    response = api_client_for(account_admin).post(URL, {**BODY, "colour": "blue"}, format="json")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "colour" in response.json()["message"]


def test_the_authentication_spec_documents_the_trusted_issuer_routes(client):
    spec = client.get("/api/authentication/2017-09-01/_spec").json()

    assert set(spec["paths"]["/trusted-issuers"]) == {"get", "post"}
    assert set(spec["paths"]["/trusted-issuers/{issuerId}"]) == {"get", "put", "delete"}
    assert set(spec["paths"]["/accounts/{accountId}/trusted-issuers"]) == {"get"}
    assert spec["paths"]["/trusted-issuers"]["post"]["operationId"] == "createTrustedIssuer"
    token_body = spec["paths"]["/token"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    token_fields = spec["components"]["schemas"][token_body["$ref"].rsplit("/", 1)[1]]["properties"]
    assert "id_token" in token_fields["subject_token_type"]["description"]
