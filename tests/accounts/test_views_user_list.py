"""An account's Users page (read-only for now)."""

from http import HTTPStatus

import pytest
from django.test import Client
from django.urls import reverse

from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def url(account) -> str:
    return reverse("accounts:user_list", args=[account.account_number])


def test_partner_sees_the_accounts_users_with_role_and_registration(
    client_for, partner_admin, customer, account_admin, member, outsider
):
    UserFactory(account=customer, email="newbie@globex.example", is_registered=False, password=False)

    response = client_for(partner_admin).get(url(customer))

    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert "ada@globex.example" in html and "uma@globex.example" in html and "newbie@globex.example" in html
    assert "Account Admin" in html and "Invited" in html and "Registered" in html
    assert outsider.email not in html and partner_admin.email not in html.split('id="user-table"')[1]
    assert "<strong>3</strong> users" in html


def test_htmx_gets_the_table_fragment(client_for, account_admin, customer):
    response = client_for(account_admin).get(url(customer), HTTP_HX_REQUEST="true")

    assert response.content.decode().lstrip().startswith('<div id="user-table"')


def test_invalid_page_falls_back_to_a_valid_one(client_for, account_admin, customer):
    response = client_for(account_admin).get(url(customer), {"page": "last-but-one"})

    assert response.status_code == HTTPStatus.OK and response.context["page"].number == 1


def test_plain_user_gets_403(client_for, member, customer):
    assert client_for(member).get(url(customer)).status_code == HTTPStatus.FORBIDDEN


def test_outsider_gets_404(client_for, outsider, customer):
    assert client_for(outsider).get(url(customer)).status_code == HTTPStatus.NOT_FOUND


def test_anonymous_is_sent_to_sign_in(customer):
    assert Client().get(url(customer)).url.startswith("/auth/login/")
