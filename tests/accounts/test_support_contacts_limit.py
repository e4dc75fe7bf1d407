"""An account has at most ``MAX_SUPPORT_CONTACTS`` (10) support contacts: the rule is in the
account services, so the console's Add account form, its Add contact form and the Admin API all
refuse an 11th with the same message, and nothing is written (issue 9, finding 9)."""

from http import HTTPStatus

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts import services
from accounts.models import MAX_SUPPORT_CONTACTS, Account, AuditEvent, SupportContact
from tests.accounts.test_views_account_create import URL as ACCOUNT_CREATE
from tests.accounts.test_views_account_create import valid_data

pytestmark = pytest.mark.django_db

TOO_MANY = "At most 10 support contacts are allowed; 11 were given."


def emails(count: int) -> list[str]:
    return [f"support{n}@initrode.example" for n in range(count)]


def test_account_create_refuses_11_contacts_and_creates_nothing(partner_admin, partner):
    before = Account.objects.count(), AuditEvent.objects.count()

    with pytest.raises(ValidationError) as exc:
        services.account_create(
            actor=partner_admin, partner=partner, support_contacts=emails(11), name="Initrode", country="GB"
        )

    assert exc.value.message_dict == {"support_contacts": [TOO_MANY]}
    assert (Account.objects.count(), AuditEvent.objects.count()) == before


def test_support_contacts_set_refuses_11_and_keeps_the_list(partner_admin, customer):
    before = list(SupportContact.objects.filter(account=customer).values_list("email", flat=True))

    with pytest.raises(ValidationError) as exc:
        services.support_contacts_set(actor=partner_admin, account=customer, emails=emails(11))

    assert exc.value.message_dict == {"support_contacts": [TOO_MANY]}
    assert list(SupportContact.objects.filter(account=customer).values_list("email", flat=True)) == before


def test_adding_an_11th_contact_is_refused(partner_admin, customer):
    services.support_contacts_set(actor=partner_admin, account=customer, emails=emails(MAX_SUPPORT_CONTACTS))

    with pytest.raises(ValidationError) as exc:
        services.support_contact_add(actor=partner_admin, account=customer, email="one-more@initrode.example")

    assert exc.value.message_dict == {
        "email": ["An account has at most 10 support contacts; remove one before adding another."]
    }
    assert customer.support_contacts.count() == MAX_SUPPORT_CONTACTS


def test_the_add_account_form_refuses_11_contacts(client_for, partner_admin):
    before = Account.objects.count()

    response = client_for(partner_admin).post(
        ACCOUNT_CREATE, valid_data(support_contacts="\n".join(emails(11)))
    )

    assert response.status_code == HTTPStatus.OK
    assert response.context["form"].errors["support_contacts"] == [TOO_MANY]
    assert Account.objects.count() == before


def test_the_add_contact_form_refuses_an_11th(client_for, partner_admin, customer):
    services.support_contacts_set(actor=partner_admin, account=customer, emails=emails(MAX_SUPPORT_CONTACTS))
    url = reverse("accounts:support_contact_add", args=[customer.account_number])

    response = client_for(partner_admin).post(url, {"email": "one-more@initrode.example"})

    assert response.context["contact_form"].errors["email"] == [
        "An account has at most 10 support contacts; remove one before adding another."
    ]
    assert customer.support_contacts.count() == MAX_SUPPORT_CONTACTS
