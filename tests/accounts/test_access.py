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


@pytest.mark.parametrize(
    ("actor_role", "owner_role", "refused"),
    [
        ("ACCOUNT_ADMIN", "PARTNER_ADMIN", True),
        ("USER", "ACCOUNT_ADMIN", True),
        ("ACCOUNT_ADMIN", "ACCOUNT_ADMIN", False),
        ("PARTNER_ADMIN", "ACCOUNT_ADMIN", False),
        ("ACCOUNT_ADMIN", "USER", False),
    ],
)
def test_a_phone_of_a_user_above_the_actor_is_not_theirs_to_change(partner, actor_role, owner_role, refused):
    from tests.accounts.factories import UserFactory

    actor = UserFactory(account=partner, role=actor_role)
    owner = UserFactory(account=partner, role=owner_role)

    if refused:
        with pytest.raises(access.RoleAboveActor):
            access.require_not_above(actor, owner)
    else:
        access.require_not_above(actor, owner)
    assert access.require_not_above(actor, None) is None  # an extension no user holds


def test_an_application_changes_phones_with_its_deployment_role(customer, member, account_admin):
    from accounts.access import Principal, PrincipalKind

    as_admin = Principal(
        PrincipalKind.APPLICATION, customer, application="app", application_role="ACCOUNT_ADMIN"
    )
    as_user = Principal(PrincipalKind.APPLICATION, customer, application="app", application_role="USER")

    access.require_not_above(as_admin, member)
    access.require_not_above(as_admin, account_admin)
    with pytest.raises(access.RoleAboveActor):
        access.require_not_above(as_user, account_admin)
