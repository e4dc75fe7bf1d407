"""The support contacts control: its suggestions (selector and view), scoped to the actor's own
users, and the whole-list save on Account Information (the same control as on Add account)."""

from http import HTTPStatus

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import selectors
from accounts.models import User
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db

OPTIONS = reverse("accounts:support_contact_options_hx")


def emails(users) -> list[str]:
    return [user.email for user in users]


# --- Selector: tenant x tenant ---------------------------------------------------------------


def test_a_partner_admin_is_offered_the_users_of_their_partner_account_only(
    partner, partner_admin, customer, member, other_partner, outsider
):
    colleague = UserFactory(account=partner, email="sam@acme.example", name="Sam Support")
    UserFactory(account=other_partner, email="sam@rival.example")
    UserFactory(account=customer, email="sam@globex.example")

    found = selectors.support_contact_candidate_list(actor=partner_admin, search="sam")

    assert emails(found) == [colleague.email]


def test_an_account_admin_is_offered_their_own_accounts_users_only(
    account_admin, member, partner_admin, outsider
):
    found = selectors.support_contact_candidate_list(actor=account_admin, search="example")

    assert emails(found) == [account_admin.email, member.email]


def test_another_partners_admin_never_sees_this_partners_users(partner_admin, other_partner_admin):
    found = selectors.support_contact_candidate_list(actor=other_partner_admin, search="acme")

    assert found == []


def test_a_plain_user_is_offered_nobody(member, account_admin):
    assert selectors.support_contact_candidate_list(actor=member, search="globex") == []


def test_matches_on_first_and_last_name_at_most_ten_in_email_order(partner, partner_admin):
    for n in range(12):
        UserFactory(account=partner, email=f"tech{n:02}@acme.example", first_name="Tina", last_name="Tech")

    found = selectors.support_contact_candidate_list(actor=partner_admin, search="Tech")

    assert emails(found) == [f"tech{n:02}@acme.example" for n in range(10)]


def test_an_empty_search_suggests_nothing(partner_admin):
    assert selectors.support_contact_candidate_list(actor=partner_admin, search="  ") == []


# --- The suggestions view ----------------------------------------------------------------------


def test_the_options_show_name_and_email_as_listbox_options(client_for, partner_admin):
    response = client_for(partner_admin).get(OPTIONS, {"q": "pat", "picker": "id_support_contacts"})

    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert 'role="option"' in html
    assert 'id="id_support_contacts_option_1"' in html
    assert 'data-email="pat@acme.example"' in html
    assert "Pat Partner" in html


def test_the_options_never_list_another_partners_users(client_for, partner_admin, other_partner_admin):
    response = client_for(other_partner_admin).get(OPTIONS, {"q": "pat"})

    assert response.status_code == HTTPStatus.OK
    assert "pat@acme.example" not in response.content.decode()


def test_the_options_need_a_signed_in_user(client, partner_admin):
    response = client.get(OPTIONS, {"q": "pat"})

    assert response.status_code == HTTPStatus.FOUND
    assert "pat@acme.example" not in response.content.decode()


def test_the_options_cost_the_same_queries_for_one_match_or_ten(client_for, partner, partner_admin):
    client = client_for(partner_admin)
    client.get(OPTIONS, {"q": "warm"})
    with CaptureQueriesContext(connection) as one:
        client.get(OPTIONS, {"q": "pat"})
    for n in range(10):
        UserFactory(account=partner, email=f"pat{n}@acme.example")
    with CaptureQueriesContext(connection) as ten:
        response = client.get(OPTIONS, {"q": "pat"})

    assert response.content.decode().count('role="option"') == 10
    assert len(ten) == len(one)


# --- Create and edit with the same control ---------------------------------------------------


def test_add_account_and_account_information_render_the_same_control(client_for, partner_admin, customer):
    client = client_for(partner_admin)
    create = client.get(reverse("accounts:account_create")).content.decode()
    edit = client.get(reverse("accounts:account_detail", args=[customer.account_number])).content.decode()

    for html in (create, edit):
        assert "data-contact-picker" in html
        assert 'name="support_contacts"' in html
        assert f'hx-get="{OPTIONS}"' in html


def test_saving_the_list_adds_and_removes_contacts(client_for, partner_admin, customer):
    url = reverse("accounts:support_contacts_update", args=[customer.account_number])

    response = client_for(partner_admin).post(
        url, {"support_contacts": "pat@acme.example, noc@globex.example"}
    )

    assert response.status_code == HTTPStatus.FOUND
    assert sorted(customer.support_contacts.values_list("email", flat=True)) == [
        "noc@globex.example",
        "pat@acme.example",
    ]


def test_an_invalid_email_in_the_list_changes_nothing(client_for, partner_admin, customer):
    before = list(customer.support_contacts.values_list("email", flat=True))
    url = reverse("accounts:support_contacts_update", args=[customer.account_number])

    response = client_for(partner_admin).post(url, {"support_contacts": "ok@globex.example, nope"})

    assert response.status_code == HTTPStatus.OK
    assert response.context["contacts_form"].errors["support_contacts"] == [
        "nope is not a valid email address."
    ]
    assert list(customer.support_contacts.values_list("email", flat=True)) == before


def test_a_plain_user_cannot_save_the_list(client_for, member, customer):
    url = reverse("accounts:support_contacts_update", args=[customer.account_number])

    before = list(customer.support_contacts.values_list("email", flat=True))

    assert (
        client_for(member).post(url, {"support_contacts": "x@y.example"}).status_code == HTTPStatus.FORBIDDEN
    )
    assert list(customer.support_contacts.values_list("email", flat=True)) == before


def test_the_control_reads_in_the_users_language(client_for, partner):
    french_admin = UserFactory(
        account=partner, role=User.Role.PARTNER_ADMIN, email="fr@acme.example", language="fr"
    )

    html = client_for(french_admin).get(reverse("accounts:account_create")).content.decode()

    assert 'aria-label="Utilisateurs correspondants"' in html
    assert 'data-invalid-message="Saisissez une adresse e-mail valide."' in html
    assert 'aria-label="Contacts d\'assistance choisis"' in html
