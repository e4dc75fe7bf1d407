"""Every list a client sends has a documented maximum, and every request body a size cap
(issue 9, finding 9). Over a list's maximum: 400 with a message naming the field and the maximum,
nothing written; over the body cap: 413 ``PayloadTooLarge`` before the body is read."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import MAX_SUPPORT_CONTACTS, AuditEvent, SupportContact
from gateways.forms import MAX_CONTACTS
from gateways.models import Gateway
from oauth.applications.services import MAX_REDIRECT_URIS
from oauth.models import Application
from tests.accounts.api.test_accounts import ACCOUNTS, NEW_ACCOUNT, detail
from tests.gateways.test_api import GATEWAY
from tests.oauth.applications.helpers import approved

pytestmark = pytest.mark.django_db

APPLICATIONS = "/api/authentication/2017-09-01/applications"


def emails(count: int, domain: str = "globex.example") -> list[str]:
    return [f"support{n}@{domain}" for n in range(count)]


# --- supportContacts: at most 10, as on the console -------------------------------------------------


def test_support_contacts_are_capped_at_10():
    assert MAX_SUPPORT_CONTACTS == 10


def test_put_with_5000_support_contacts_is_refused_at_once_and_writes_nothing(
    api_client_for, partner_admin, customer, django_assert_max_num_queries
):
    before = sorted(SupportContact.objects.filter(account=customer).values_list("email", flat=True))
    audit_rows = AuditEvent.objects.count()
    client = api_client_for(partner_admin)

    with django_assert_max_num_queries(8):  # token and scope checks only: no contact is touched
        response = client.put(detail(customer), {"supportContacts": emails(5_000)}, format="json")

    assert response.status_code == 400
    assert response.json()["name"] == "ValidationError"
    assert response.json()["errors"]["supportContacts"] == [
        "At most 10 support contacts are allowed; 5000 were given."
    ]
    assert sorted(SupportContact.objects.filter(account=customer).values_list("email", flat=True)) == before
    assert AuditEvent.objects.count() == audit_rows


def test_put_with_exactly_10_support_contacts_is_accepted(api_client_for, partner_admin, customer):
    response = api_client_for(partner_admin).put(
        detail(customer), {"supportContacts": emails(10)}, format="json"
    )

    assert response.status_code == 200
    assert sorted(response.json()["supportContacts"]) == sorted(emails(10))


@pytest.mark.parametrize(
    "contacts",
    [emails(11), ", ".join(emails(11)), [{"email": email} for email in emails(11)]],
    ids=["list", "comma-separated", "objects"],
)
def test_post_with_11_support_contacts_in_any_shape_is_400(api_client_for, partner_admin, contacts):
    response = api_client_for(partner_admin).post(
        ACCOUNTS, NEW_ACCOUNT | {"supportContacts": contacts}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["errors"]["supportContacts"] == [
        "At most 10 support contacts are allowed; 11 were given."
    ]


def test_the_same_email_twice_counts_once(api_client_for, partner_admin, customer):
    contacts = emails(10) + [emails(1)[0].upper()]

    response = api_client_for(partner_admin).put(
        detail(customer), {"supportContacts": contacts}, format="json"
    )

    assert response.status_code == 200
    assert len(response.json()["supportContacts"]) == 10


# --- redirectUris: at most 10 per application ------------------------------------------------------


def uris(count: int) -> list[str]:
    return [f"https://planner.example/callback/{n}" for n in range(count)]


def test_registering_an_application_with_11_redirect_uris_is_400(api_client_for, partner_admin):
    body = {"name": "Planner", "description": "Plans", "redirectUris": uris(MAX_REDIRECT_URIS + 1)}

    response = api_client_for(partner_admin).post(APPLICATIONS, body, format="json")

    assert response.status_code == 400
    assert response.json()["errors"]["redirectUris"] == [
        "At most 10 redirect URIs are allowed; 11 were given."
    ]
    assert not Application.objects.exists()


def test_registering_an_application_with_10_redirect_uris_is_accepted(api_client_for, partner_admin):
    body = {"name": "Planner", "description": "Plans", "redirectUris": uris(MAX_REDIRECT_URIS)}

    response = api_client_for(partner_admin).post(APPLICATIONS, body, format="json")

    assert response.status_code == 201
    assert Application.objects.get().redirect_uris == uris(MAX_REDIRECT_URIS)


def test_deploying_with_11_redirect_uris_is_400(api_client_for, partner_admin, account_admin, customer):
    app, _ = approved(partner_admin, redirect_uris=uris(MAX_REDIRECT_URIS))

    response = api_client_for(account_admin).put(
        f"{APPLICATIONS}/{app.client_id}", {"redirectUris": uris(MAX_REDIRECT_URIS + 1)}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["errors"]["redirectUris"] == [
        "At most 10 redirect URIs are allowed; 11 were given."
    ]
    assert not app.deployments.exists()


def test_a_redirect_uri_longer_than_2000_characters_is_400(api_client_for, partner_admin):
    body = {"name": "Planner", "description": "Plans", "redirectUris": ["https://p.example/" + "a" * 2000]}

    response = api_client_for(partner_admin).post(APPLICATIONS, body, format="json")

    assert response.status_code == 400
    assert "redirectUris" in response.json()["errors"]
    assert not Application.objects.exists()


# --- gateway contacts: at most 10, never silently dropped ------------------------------------------


def test_a_gateway_with_11_contacts_is_refused_not_truncated(api_client_for, partner_admin, customer):
    contacts = GATEWAY["customer"]["contacts"] + [
        {"type": "other", "name": f"Extra {n}", "email": f"extra{n}@globex.example"} for n in range(9)
    ]
    body = GATEWAY | {"customer": GATEWAY["customer"] | {"contacts": contacts}}

    response = api_client_for(partner_admin).post(
        f"/api/admin/2017-09-01/accounts/{customer.account_id}/gateway", body, format="json"
    )

    assert len(contacts) == MAX_CONTACTS + 1
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "customer": {"contacts": ["At most 10 contacts are allowed; 11 were given."]}
    }
    assert not Gateway.objects.filter(account=customer).exists()


# --- request bodies -------------------------------------------------------------------------------


def test_an_api_body_over_1_mib_is_413_before_anything_reads_it(settings):
    body = b'{"grant_type": "password", "username": "' + b"a" * (1024 * 1024) + b'"}'

    response = Client().post("/api/authentication/2017-09-01/token", body, content_type="application/json")

    assert settings.PORTAL_MAX_BODY_BYTES == 1024 * 1024
    assert response.status_code == 413
    assert response.json() == {
        "name": "PayloadTooLarge",
        "message": "The request body is larger than 1 MiB (1,048,576 bytes), the most this route accepts.",
    }


def test_the_body_cap_is_a_setting(settings):
    settings.PORTAL_MAX_BODY_BYTES = 100

    response = Client().post(
        "/api/authentication/2017-09-01/token", {"grant_type": "password", "username": "x" * 100}
    )

    assert response.status_code == 413


def test_a_console_form_over_1_mib_is_413_too(client_for, account_admin, customer):
    response = client_for(account_admin).post(
        f"/accounts/{customer.account_number}/edit/", {"name": "x" * (1024 * 1024)}
    )

    assert response.status_code == 413
    assert "larger than 1 MiB" in response.content.decode()


def test_the_pbx_list_api_takes_a_list_up_to_its_own_2_mib_cap(api_client_for, account_admin, customer):
    user = {"extension": "1001", "firstName": "F" * 150, "lastName": "L" * 150, "email": "a@globex.example"}
    padding = {"note": "x" * (1536 * 1024)}  # 1.5 MiB: over the default cap, under the list's
    body = {"users": [user | padding], "dryRun": True}

    response = api_client_for(account_admin).post(
        f"/api/admin/2017-09-01/accounts/{customer.account_id}/pbx/users/sync", body, format="json"
    )

    assert response.status_code == 200, response.content[:300]


def test_the_csv_import_upload_has_its_own_cap_above_the_default(client_for, account_admin, customer):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from accounts.user_import import parse as imports

    url = f"/accounts/{customer.account_number}/users/import/"
    client = client_for(account_admin)
    just_too_big = SimpleUploadedFile("users.csv", b"x" * (imports.MAX_BYTES + 1), content_type="text/csv")
    far_too_big = SimpleUploadedFile("users.csv", b"x" * (3 * 1024 * 1024), content_type="text/csv")

    explained = client.post(url, {"file": just_too_big})
    refused = client.post(url, {"file": far_too_big})

    assert explained.status_code == 200  # past the 1 MiB default: the form says what to do
    assert "Split it into smaller files" in explained.content.decode()
    assert refused.status_code == 413
    assert "larger than 2.1 MiB (2,162,688 bytes)" in refused.content.decode()
