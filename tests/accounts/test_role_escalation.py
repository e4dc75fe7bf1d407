"""Issue 9, finding 1: an Account Admin of the *partner* account took over a Partner Admin.

The story of the outside probe, step by step: Dana (Account Admin in the partner account) changes
Pat's (Partner Admin) email to her own address, asks for a password reset of that address, sets a
password and signs in as the partner. Each step she needs is refused now, through the API and on
the console, and she cannot delete Pat either."""

from http import HTTPStatus

import pytest
from django.core import mail
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import User
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db

BASE = "/api/admin/2017-09-01"
TAKEN_OVER = "dana.private@evil.example"


@pytest.fixture
def delegate(partner):
    """Dana: an Account Admin inside the partner account."""
    return UserFactory(account=partner, role=User.Role.ACCOUNT_ADMIN, email="dana@acme.example")


def pat_url(partner_admin: User) -> str:
    return f"{BASE}/accounts/{partner_admin.account.account_id}/users/{partner_admin.user_id}"


def forgot_password(email: str, account_number: str, capture) -> None:
    with capture(execute=True):
        APIClient().put(
            f"{BASE}/users/{email}/password",
            {"email": email, "action": "forgot", "accountId": account_number},
            format="json",
        )


def test_api_the_partner_account_admin_cannot_take_over_the_partner_admin(
    api_client_for, delegate, partner_admin, partner, django_capture_on_commit_callbacks
):
    response = api_client_for(delegate).put(pat_url(partner_admin), {"email": TAKEN_OVER}, format="json")

    assert response.status_code == HTTPStatus.FORBIDDEN, response.content
    assert response.json()["name"] == "Forbidden"
    assert "Partner Admin" in response.json()["message"]
    partner_admin.refresh_from_db()
    assert partner_admin.email == "pat@acme.example"

    forgot_password(TAKEN_OVER, partner.account_number, django_capture_on_commit_callbacks)
    assert [message.to for message in mail.outbox] == []


def test_api_the_partner_account_admin_cannot_delete_the_partner_admin(
    api_client_for, delegate, partner_admin
):
    response = api_client_for(delegate).delete(pat_url(partner_admin))

    assert response.status_code == HTTPStatus.FORBIDDEN, response.content
    assert User.objects.filter(pk=partner_admin.pk).exists()


def test_console_the_partner_account_admin_cannot_change_the_partner_admins_email(
    client_for, delegate, partner_admin
):
    path = reverse("accounts:user_update", args=[partner_admin.account.account_number, partner_admin.user_id])
    response = client_for(delegate).post(path, {"name": "Pat Partner", "email": TAKEN_OVER})

    assert response.status_code == HTTPStatus.FORBIDDEN
    partner_admin.refresh_from_db()
    assert partner_admin.email == "pat@acme.example"


def test_console_the_partner_account_admin_cannot_delete_the_partner_admin(
    client_for, delegate, partner_admin
):
    path = reverse("accounts:user_delete", args=[partner_admin.account.account_number, partner_admin.user_id])
    response = client_for(delegate).post(path, {"delete-confirmation": "delete"})

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert User.objects.filter(pk=partner_admin.pk).exists()
