import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts import access
from accounts.access import Capability

pytestmark = pytest.mark.django_db


def test_partner_admin_reaches_own_partner_account_and_its_customers(
    partner_admin, partner, customer, outsider_customer
):
    visible = set(access.accounts_for(partner_admin))
    assert visible == {partner, customer}
    assert access.get_account_or_404(partner_admin, customer.account_number) == customer
    assert access.get_account_or_404(partner_admin, str(customer.account_id)) == customer


def test_outsider_account_is_404_not_403(partner_admin, outsider_customer):
    with pytest.raises(Http404):
        access.get_account_or_404(
            partner_admin, outsider_customer.account_number, need=Capability.VIEW_ACCOUNT
        )


def test_account_admin_sees_only_own_account(account_admin, customer, partner):
    assert list(access.accounts_for(account_admin)) == [customer]
    with pytest.raises(Http404):
        access.get_account_or_404(account_admin, partner.account_number)


def test_member_lacking_capability_gets_403(member, customer):
    with pytest.raises(PermissionDenied):
        access.get_account_or_404(member, customer.account_number, need=Capability.VIEW_ACCOUNT)


def test_lifecycle_only_on_customer_accounts(partner_admin, partner, customer, account_admin):
    assert access.can(partner_admin, Capability.MANAGE_ACCOUNT_LIFECYCLE, customer)
    assert not access.can(partner_admin, Capability.MANAGE_ACCOUNT_LIFECYCLE, partner)
    assert not access.can(account_admin, Capability.MANAGE_ACCOUNT_LIFECYCLE, customer)
    assert access.can(account_admin, Capability.EDIT_ACCOUNT, customer)


def test_garbage_reference_is_404(partner_admin):
    with pytest.raises(Http404):
        access.get_account_or_404(partner_admin, "not-an-account")
