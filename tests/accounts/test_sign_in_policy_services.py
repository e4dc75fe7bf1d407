"""The account policy "admins must use a second factor": set by partners for their customers and
their own account (service, console card, Admin API ``policy.adminsRequireSecondFactor``)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts import services
from accounts.models import Account, AuditEvent

pytestmark = pytest.mark.django_db

ACCOUNTS_API = "/api/admin/2017-09-01/accounts"


def policy_of(account: Account) -> bool:
    return Account.objects.get(pk=account.pk).admins_require_second_factor


@pytest.mark.parametrize("where", ["partner", "customer"])
def test_a_partner_admin_sets_the_policy_for_a_customer_and_for_their_own_account(
    request, partner_admin, where
):
    account = request.getfixturevalue(where)

    services.account_sign_in_policy_set(
        actor=partner_admin, account=account, admins_require_second_factor=True
    )

    assert policy_of(account) is True
    event = AuditEvent.objects.get(account=account, action="account.sign_in_policy_changed")
    assert (event.before, event.after) == (
        {"admins_require_second_factor": False},
        {"admins_require_second_factor": True},
    )


def test_setting_the_same_value_again_writes_no_audit_row(partner_admin, customer):
    for _ in range(2):
        services.account_sign_in_policy_set(
            actor=partner_admin, account=customer, admins_require_second_factor=True
        )

    assert AuditEvent.objects.filter(account=customer, action="account.sign_in_policy_changed").count() == 1


@pytest.mark.parametrize("person", ["account_admin", "member"])
def test_members_of_the_customer_cannot_change_it(request, customer, person):
    with pytest.raises(PermissionDenied):
        services.account_sign_in_policy_set(
            actor=request.getfixturevalue(person), account=customer, admins_require_second_factor=True
        )

    assert policy_of(customer) is False


def test_another_partner_does_not_see_the_account(other_partner_admin, customer):
    with pytest.raises(Http404):
        services.account_sign_in_policy_set(
            actor=other_partner_admin, account=customer, admins_require_second_factor=True
        )


# --- the console's Account Information page ---------------------------------------------------


def test_the_partner_turns_it_on_from_the_account_page(client_for, partner_admin, customer):
    client = client_for(partner_admin)
    page = client.get(f"/accounts/{customer.account_number}/")
    assert 'name="admins_require_second_factor"' in page.content.decode()

    response = client.post(
        f"/accounts/{customer.account_number}/sign-in-policy/",
        {"admins_require_second_factor": "on"},
        follow=True,
    )

    assert response.status_code == 200
    assert policy_of(customer) is True
    html = response.content.decode()
    assert "Sign-in policy saved." in html
    assert "Admins of this account must use a second factor" in html


def test_the_partner_turns_it_off_again(client_for, partner_admin, customer):
    services.account_sign_in_policy_set(
        actor=partner_admin, account=customer, admins_require_second_factor=True
    )

    client_for(partner_admin).post(f"/accounts/{customer.account_number}/sign-in-policy/", {})

    assert policy_of(customer) is False


def test_an_account_admin_reads_the_policy_but_has_no_form(client_for, account_admin, customer):
    client = client_for(account_admin)

    html = client.get(f"/accounts/{customer.account_number}/").content.decode()
    refused = client.post(
        f"/accounts/{customer.account_number}/sign-in-policy/", {"admins_require_second_factor": "on"}
    )

    assert "Admins of this account may sign in with a password alone" in html
    assert 'name="admins_require_second_factor"' not in html
    assert refused.status_code == 403
    assert policy_of(customer) is False


# --- the Admin API ------------------------------------------------------------------------------


def test_the_account_resource_shows_the_policy(api_client_for, account_admin, customer):
    customer.admins_require_second_factor = True
    customer.save(update_fields=["admins_require_second_factor"])

    body = api_client_for(account_admin).get(f"{ACCOUNTS_API}/{customer.account_id}").json()

    assert body["policy"]["adminsRequireSecondFactor"] is True


def test_a_partner_admin_sets_it_through_the_api(api_client_for, partner_admin, customer):
    response = api_client_for(partner_admin).put(
        f"{ACCOUNTS_API}/{customer.account_id}",
        {"policy": {"adminsRequireSecondFactor": True}},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["policy"]["adminsRequireSecondFactor"] is True
    assert policy_of(customer) is True


def test_an_account_admin_changing_it_through_the_api_gets_403(api_client_for, account_admin, customer):
    response = api_client_for(account_admin).put(
        f"{ACCOUNTS_API}/{customer.account_id}",
        {"policy": {"adminsRequireSecondFactor": True}},
        format="json",
    )

    assert response.status_code == 403
    assert policy_of(customer) is False


def test_an_account_admin_may_send_back_the_value_they_read(api_client_for, account_admin, customer):
    client = api_client_for(account_admin)
    read = client.get(f"{ACCOUNTS_API}/{customer.account_id}").json()

    response = client.put(f"{ACCOUNTS_API}/{customer.account_id}", read, format="json")

    assert response.status_code == 200
