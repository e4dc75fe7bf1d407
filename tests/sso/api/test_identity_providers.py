"""``/identityProviders``: account admins of the account and partner admins of its partner manage
it, in CloudLink's shape (``saml``) and with ``type: "OIDC"`` + ``oidc``; others get 404 or 403."""

from __future__ import annotations

from http import HTTPStatus

import pytest

from accounts.models import AuditEvent
from sso.models import IdentityProvider
from tests.sso.factories import SamlIdentityProviderFactory

pytestmark = pytest.mark.django_db
URL = "/api/authentication/2017-09-01/identityProviders"


@pytest.fixture
def saml_body(saml_idp):
    return {
        "type": "AZURE",
        "active": True,
        "saml": {
            "issuerId": saml_idp.entity_id,
            "loginUrl": saml_idp.login_url,
            "certificates": saml_idp.certificate_pem,
        },
    }


def test_an_account_admin_connects_a_saml_provider(api_client_for, account_admin, customer, saml_body):
    response = api_client_for(account_admin).post(URL, saml_body, format="json")

    assert response.status_code == HTTPStatus.CREATED
    body = response.json()
    assert body["accountId"] == str(customer.account_id)
    assert body["type"] == "AZURE"
    assert body["saml"]["issuerId"] == saml_body["saml"]["issuerId"]
    base = f"http://127.0.0.1:8000/api/authentication/2017-09-01/saml2/{customer.account_id}"
    assert body["saml"]["serviceProviderIssuerId"] == base
    assert body["saml"]["serviceProviderReplyUrl"] == f"{base}/cs"
    assert len(body["saml"]["certificates"]) == 1
    assert response["Location"].endswith(f"/identityProviders/{body['identityProviderId']}")
    assert AuditEvent.objects.filter(account=customer, action="identity_provider.created").count() == 1


def test_metadata_xml_fills_the_saml_fields(api_client_for, account_admin, saml_idp):
    body = {"type": "OKTA", "saml": {"metadataXml": saml_idp.metadata_xml()}}

    response = api_client_for(account_admin).post(URL, body, format="json")

    assert response.status_code == HTTPStatus.CREATED
    assert response.json()["saml"]["loginUrl"] == saml_idp.login_url
    assert response.json()["saml"]["issuerId"] == saml_idp.entity_id


def test_a_partner_admin_manages_its_customers_provider(api_client_for, partner_admin, customer, saml_body):
    api = api_client_for(partner_admin)
    created = api.post(URL, {**saml_body, "accountId": customer.account_number}, format="json").json()
    detail = f"{URL}/{created['identityProviderId']}"

    updated = api.put(detail, {"active": False, "ssoRequired": True}, format="json")
    listed = api.get(URL, {"accountId": str(customer.account_id)})
    deleted = api.delete(detail)

    assert updated.status_code == HTTPStatus.OK
    assert updated.json()["active"] is False
    assert updated.json()["ssoRequired"] is True
    assert listed.json()["count"] == 1
    assert deleted.status_code == HTTPStatus.OK
    assert IdentityProvider.objects.filter(account=customer).exists() is False


def test_a_second_provider_for_the_account_is_a_conflict(
    api_client_for, account_admin, customer, saml_body, saml_idp
):
    SamlIdentityProviderFactory(account=customer, saml_certificates=saml_idp.certificate_pem)

    response = api_client_for(account_admin).post(URL, saml_body, format="json")

    assert response.status_code == HTTPStatus.CONFLICT


def test_a_saml_provider_without_certificate_is_refused(api_client_for, account_admin, saml_body):
    del saml_body["saml"]["certificates"]

    response = api_client_for(account_admin).post(URL, saml_body, format="json")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "saml.certificates" in response.json()["errors"]


def test_a_user_may_not_and_an_outsider_does_not_see_it(api_client_for, member, outsider, customer, saml_idp):
    provider = SamlIdentityProviderFactory(account=customer, saml_certificates=saml_idp.certificate_pem)
    detail = f"{URL}/{provider.identity_provider_id}"

    assert api_client_for(member).get(detail).status_code == HTTPStatus.FORBIDDEN
    assert api_client_for(outsider).get(detail).status_code == HTTPStatus.NOT_FOUND
    assert api_client_for(outsider).delete(detail).status_code == HTTPStatus.NOT_FOUND
    assert api_client_for(outsider).get(URL).json()["count"] == 0
