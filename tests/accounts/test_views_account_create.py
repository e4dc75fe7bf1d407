"""Add account: the partner's form for a new customer account."""

from http import HTTPStatus

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Account, AuditEvent

pytestmark = pytest.mark.django_db

URL = reverse("accounts:account_create")


def valid_data(**overrides) -> dict:
    return {
        "name": "Initrode Ltd",
        "country": "GB",
        "province_state": "Greater London",
        "address": "1 Fleet Street",
        "city": "London",
        "postal_code": "EC4Y 1AA",
        "default_language": "en-GB",
        "business_type": "finance",
        "support_contacts": "help@initrode.example, Ops@Initrode.example",
    } | overrides


def test_form_has_every_field_labelled(client_for, partner_admin):
    html = client_for(partner_admin).get(URL).content.decode()

    for field, label in [
        ("name", "Customer name"),
        ("country", "Country"),
        ("province_state", "Province/State"),
        ("address", "Address"),
        ("city", "City/Town"),
        ("postal_code", "Postal/ZIP code"),
        ("default_language", "Default language"),
        ("business_type", "Business type"),
        ("support_contacts", "Support contacts"),
    ]:
        assert f'<label for="id_{field}">{label}' in html


def test_partner_creates_an_account_and_lands_on_its_account_information(client_for, partner_admin, partner):
    client = client_for(partner_admin)

    response = client.post(URL, valid_data())

    account = Account.objects.get(name="Initrode Ltd")
    assert response.status_code == HTTPStatus.FOUND
    assert response.url == reverse("accounts:account_detail", args=[account.account_number])
    assert account.parent == partner and account.kind == Account.Kind.CUSTOMER
    assert len(account.account_number) == 9 and account.account_number.isdigit()
    assert (account.country, account.city, account.business_type) == ("GB", "London", "finance")
    assert sorted(account.support_contacts.values_list("email", flat=True)) == [
        "help@initrode.example",
        "ops@initrode.example",
    ]
    page = client.get(response.url).content.decode()
    assert f"Account Initrode Ltd created with number {account.account_number}." in page
    assert AuditEvent.objects.filter(account=account, action="account.created").exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"name": ""}, "name", "This field is required."),
        ({"country": "XX"}, "country", "Select a valid choice."),
        ({"default_language": "tlh"}, "default_language", "Select a valid choice."),
        ({"support_contacts": ""}, "support_contacts", "Add at least one support contact email."),
        (
            {"support_contacts": "ops@x.example, not-an-email"},
            "support_contacts",
            "not-an-email is not a valid",
        ),
    ],
    ids=["no-name", "bad-country", "bad-language", "no-contact", "bad-contact"],
)
def test_invalid_input_shows_field_errors_and_saves_nothing(
    client_for, partner_admin, overrides, field, message
):
    before = Account.objects.count(), AuditEvent.objects.count()

    response = client_for(partner_admin).post(URL, valid_data(**overrides))

    assert response.status_code == HTTPStatus.OK
    assert any(message in error for error in response.context["form"].errors[field])
    assert "field--invalid" in response.content.decode()
    assert (Account.objects.count(), AuditEvent.objects.count()) == before


def test_htmx_post_redirects_the_browser_on_success(client_for, partner_admin):
    response = client_for(partner_admin).post(URL, valid_data(), HTTP_HX_REQUEST="true")

    account = Account.objects.get(name="Initrode Ltd")
    assert response.status_code == HTTPStatus.OK
    assert response["HX-Redirect"] == reverse("accounts:account_detail", args=[account.account_number])


def test_htmx_post_with_errors_returns_only_the_form_fragment(client_for, partner_admin):
    response = client_for(partner_admin).post(URL, valid_data(name=""), HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert html.lstrip().startswith('<form id="account-create-form"') and "<html" not in html


@pytest.mark.parametrize("persona", ["account_admin", "member"])
def test_non_partners_get_403_and_create_nothing(client_for, persona, request):
    client = client_for(request.getfixturevalue(persona))

    assert client.get(URL).status_code == HTTPStatus.FORBIDDEN
    assert client.post(URL, valid_data()).status_code == HTTPStatus.FORBIDDEN
    assert not Account.objects.filter(name="Initrode Ltd").exists()


def test_anonymous_is_sent_to_sign_in():
    response = Client().post(URL, valid_data())

    assert response.status_code == HTTPStatus.FOUND and response.url.startswith("/auth/login/")
    assert not Account.objects.filter(name="Initrode Ltd").exists()
