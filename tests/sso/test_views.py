"""The console's single sign-on page: the values to paste into the IdP, and setting it up by
uploading the IdP's metadata."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from sso.models import IdentityProvider

pytestmark = pytest.mark.django_db


def test_the_page_shows_entity_id_and_acs_url_and_saves_uploaded_metadata(
    client_for, account_admin, customer, saml_idp
):
    client = client_for(account_admin)
    url = reverse("sso:identity_provider", args=[customer.account_number])
    page = client.get(url).content.decode()
    entity_id = f"http://127.0.0.1:8000/api/authentication/2017-09-01/saml2/{customer.account_id}"
    assert entity_id in page
    assert f"{entity_id}/cs" in page

    upload = SimpleUploadedFile("idp.xml", saml_idp.metadata_xml().encode(), content_type="text/xml")
    response = client.post(
        url, {"protocol": "SAML", "label": "Okta", "active": "on", "saml_metadata_file": upload}
    )

    assert response.status_code == HTTPStatus.FOUND
    provider = IdentityProvider.objects.get(account=customer)
    assert provider.saml_entity_id == saml_idp.entity_id
    assert "BEGIN CERTIFICATE" in client.get(url).content.decode()


def test_a_user_gets_403(client_for, member, customer):
    response = client_for(member).get(reverse("sso:identity_provider", args=[customer.account_number]))

    assert response.status_code == HTTPStatus.FORBIDDEN


def test_the_email_step_asks_for_the_password_where_the_account_has_no_provider(client, member):
    response = client.post(reverse("account_login"), {"login": member.email})

    assert response.status_code == HTTPStatus.OK
    page = response.content.decode()
    assert f'value="{member.email}"' in page
    assert 'name="password"' in page
    assert "identity-provider-link" not in page
    assert "_auth_user_id" not in client.session
