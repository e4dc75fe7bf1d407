"""The role hierarchy (issue 9, finding 1), written once in ``accounts.access`` and called by every
service that changes a user: the rule itself, then each service as the partner account's Account
Admin (Dana) attacking a Partner Admin (Pam), next to the same call on a peer, which works."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from accounts import access, services
from accounts.access import Capability, Role, RoleAboveActor
from accounts.models import AuditEvent, User, WelcomeLink
from accounts.services.user_services import ROLE_ABOVE_YOURS, user_create_many
from gateways.pbx_users import services as pbx_sync_services
from gateways.pbx_users import services as pbx_users_services
from integrations.models import MitelOneUserSettings
from integrations.providers.mitel_one.settings import mitel_one_settings_set
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def dana(partner):
    """An Account Admin of the partner account."""
    return UserFactory(account=partner, role=User.Role.ACCOUNT_ADMIN, email="dana@acme.example")


@pytest.fixture
def pam(partner, partner_admin):
    """A second Partner Admin (so Pat stays one whatever happens to Pam)."""
    return UserFactory(account=partner, role=User.Role.PARTNER_ADMIN, email="pam@acme.example")


@pytest.fixture
def paula(partner):
    """Another Account Admin of the partner account: Dana's peer."""
    return UserFactory(account=partner, role=User.Role.ACCOUNT_ADMIN, email="paula@acme.example")


def unchanged(user: User) -> None:
    """Nothing happened to ``user``: same row, no audit event, no email."""
    fresh = User.objects.get(pk=user.pk)
    assert (fresh.email, fresh.name, fresh.role, fresh.is_active) == (
        user.email,
        user.name,
        user.role,
        user.is_active,
    )
    assert not AuditEvent.objects.filter(target_id=str(user.user_id)).exists()
    assert mail.outbox == []


# --- the rule ----------------------------------------------------------------------------------------


def test_roles_are_ranked_guest_user_account_admin_partner_admin_global_admin():
    assert sorted(Role, key=int) == [
        Role.GUEST,
        Role.USER,
        Role.ACCOUNT_ADMIN,
        Role.PARTNER_ADMIN,
        Role.GLOBAL_ADMIN,
    ]
    assert {access.role_rank(role) for role in User.Role.values} == {
        Role.USER,
        Role.ACCOUNT_ADMIN,
        Role.PARTNER_ADMIN,
    }
    assert access.role_rank("OWNER") is None


@pytest.mark.parametrize(
    ("actor_role", "target_role", "may"),
    [
        ("ACCOUNT_ADMIN", "USER", True),
        ("ACCOUNT_ADMIN", "ACCOUNT_ADMIN", True),
        ("ACCOUNT_ADMIN", "PARTNER_ADMIN", False),
        ("PARTNER_ADMIN", "USER", True),
        ("PARTNER_ADMIN", "ACCOUNT_ADMIN", True),
        ("PARTNER_ADMIN", "PARTNER_ADMIN", True),
    ],
)
def test_a_user_above_your_role_is_out_of_your_hands(partner, actor_role, target_role, may):
    actor = UserFactory(account=partner, role=actor_role)
    target = UserFactory(account=partner, role=target_role)

    assert access.can_manage_user(actor, target) is may
    if may:
        access.require_manage_user(actor, target)
    else:
        with pytest.raises(RoleAboveActor, match="above yours"):
            access.require_manage_user(actor, target)


def test_the_refusal_is_a_403_that_names_both_roles(dana, pam):
    with pytest.raises(PermissionDenied) as caught:
        access.require_manage_user(dana, pam)

    assert str(caught.value) == (
        "pam@acme.example has the role Partner Admin, which is above yours (Account Admin): only "
        "someone of that role or higher can change, delete or reset them."
    )


def test_out_of_scope_stays_404_and_a_plain_user_403(other_partner_admin, member, account_admin):
    with pytest.raises(Http404):
        access.require_manage_user(other_partner_admin, member)
    with pytest.raises(PermissionDenied) as caught:
        access.require_manage_user(member, account_admin)
    assert not isinstance(caught.value, RoleAboveActor)
    assert not access.can_manage_user(member, member)


def test_unknown_roles_never_grant(partner, dana):
    odd_target = UserFactory(account=partner, role=User.Role.USER)
    odd_target.role = "OWNER"
    odd_actor = UserFactory(account=partner, role=User.Role.ACCOUNT_ADMIN)
    odd_actor.role = "SUPERVISOR"

    assert not access.can_manage_user(dana, odd_target)
    assert not access.can_grant_role(dana, "OWNER")
    assert not access.can_grant_role(odd_actor, "GUEST")


@pytest.mark.parametrize(
    ("actor_role", "grantable"),
    [
        ("USER", {"GUEST", "USER"}),
        ("ACCOUNT_ADMIN", {"GUEST", "USER", "ACCOUNT_ADMIN"}),
        ("PARTNER_ADMIN", {"GUEST", "USER", "ACCOUNT_ADMIN", "PARTNER_ADMIN"}),
    ],
)
def test_nobody_grants_a_role_above_their_own(partner, actor_role, grantable):
    actor = UserFactory(account=partner, role=actor_role)

    assert {role.name for role in Role if access.can_grant_role(actor, role.name)} == grantable
    with pytest.raises(RoleAboveActor, match="You cannot give the role Global Admin"):
        access.require_grant_role(actor, "GLOBAL_ADMIN")


def test_an_account_admin_of_a_partner_account_has_no_partner_capability(dana, partner, customer):
    assert access.can(dana, Capability.MANAGE_USERS, partner)
    for capability in (
        Capability.LIST_CUSTOMER_ACCOUNTS,
        Capability.CREATE_CUSTOMER_ACCOUNTS,
        Capability.MANAGE_APPLICATIONS,
    ):
        assert not access.can(dana, capability, partner)
    assert list(access.accounts_for(dana)) == [partner]
    assert not access.in_scope(dana, customer)


# --- each service --------------------------------------------------------------------------------------


def test_user_update_refuses_a_user_above_you(dana, pam, paula):
    with pytest.raises(RoleAboveActor):
        services.user_update(actor=dana, user=pam, email="dana.private@evil.example")
    unchanged(pam)

    services.user_update(actor=dana, user=paula, name="Paula P")
    assert User.objects.get(pk=paula.pk).name == "Paula P"


@pytest.mark.parametrize(
    "changes",
    [{"email": "dana.private@evil.example"}, {"role": "ACCOUNT_ADMIN"}, {"role": "PARTNER_ADMIN"}, {}],
    ids=["email", "role-down", "same-role", "nothing"],
)
def test_user_change_refuses_a_user_above_you_even_for_nothing(dana, pam, changes):
    with pytest.raises(RoleAboveActor):
        services.user_change(actor=dana, user=pam, **changes)
    unchanged(pam)


def test_user_role_set_refuses_a_user_above_you(dana, pam, paula):
    with pytest.raises(RoleAboveActor):
        services.user_role_set(actor=dana, user=pam, role=User.Role.ACCOUNT_ADMIN)
    unchanged(pam)

    services.user_role_set(actor=dana, user=paula, role=User.Role.USER)
    assert User.objects.get(pk=paula.pk).role == User.Role.USER


def test_user_delete_refuses_a_user_above_you(dana, pam, paula):
    with pytest.raises(RoleAboveActor):
        services.user_delete(actor=dana, user=pam)
    unchanged(pam)

    services.user_delete(actor=dana, user=paula)
    assert not User.objects.filter(pk=paula.pk).exists()


def test_user_welcome_resend_refuses_a_user_above_you(dana, partner, partner_admin):
    invited = services.user_create(
        actor=partner_admin, account=partner, email="pia@acme.example", role=User.Role.PARTNER_ADMIN
    )
    links = WelcomeLink.objects.filter(user=invited).count()
    mail.outbox.clear()

    with pytest.raises(RoleAboveActor):
        services.user_welcome_resend(actor=dana, user=invited)

    assert WelcomeLink.objects.filter(user=invited, revoked_at__isnull=True).count() == links
    assert mail.outbox == []


def test_user_password_reset_send_refuses_a_user_above_you(
    dana, pam, paula, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RoleAboveActor):
        services.user_password_reset_send(actor=dana, user=pam)
    unchanged(pam)

    with django_capture_on_commit_callbacks(execute=True):
        services.user_password_reset_send(actor=dana, user=paula)
    assert [message.to for message in mail.outbox] == [[paula.email]]


def test_user_create_refuses_a_role_above_yours(dana, partner, partner_admin):
    with pytest.raises(RoleAboveActor, match="You cannot give the role Partner Admin"):
        services.user_create(actor=dana, account=partner, email="pia@acme.example", role="PARTNER_ADMIN")
    assert not User.objects.filter(email="pia@acme.example").exists()

    created = services.user_create(
        actor=partner_admin, account=partner, email="pia@acme.example", role="PARTNER_ADMIN"
    )
    assert created.role == User.Role.PARTNER_ADMIN
    admin = services.user_create(actor=dana, account=partner, email="al@acme.example", role="ACCOUNT_ADMIN")
    assert admin.role == User.Role.ACCOUNT_ADMIN


def test_user_create_many_rejects_a_role_above_yours_even_if_users_could_manage_users(
    monkeypatch, member, customer
):
    """Roles and capabilities are separate rules: were plain users ever given MANAGE_USERS, they
    still could not create admins."""
    monkeypatch.setitem(access.ROLE_CAPABILITIES, "USER", frozenset({Capability.MANAGE_USERS}))
    people = [{"email": "a@globex.example", "role": "ACCOUNT_ADMIN"}, {"email": "u@globex.example"}]

    result = user_create_many(actor=member, account=customer, people=people)

    assert result.rejected == {0: ROLE_ABOVE_YOURS}
    assert [user.email for user in result.created.values()] == ["u@globex.example"]


def test_pbx_user_push_refuses_a_role_above_yours(dana, partner):
    with pytest.raises(RoleAboveActor):
        pbx_users_services.pbx_user_push(
            actor=dana,
            account=partner,
            email="pia@acme.example",
            extension="2001",
            first_name="Pia",
            role=User.Role.PARTNER_ADMIN,
        )
    assert not User.objects.filter(email="pia@acme.example").exists()


@pytest.fixture
def pbx_pam(partner, partner_admin):
    """A Partner Admin who came from the PBX (extension 2001)."""
    return UserFactory(
        account=partner,
        role=User.Role.PARTNER_ADMIN,
        email="pam@acme.example",
        extension="2001",
        source=User.Source.PBX,
    )


def test_pbx_sync_leaves_a_user_above_you_as_is(dana, partner, pbx_pam):
    """Matched by extension, Pam's email would become Dana's address: a conflict instead."""
    listed = [{"extension": "2001", "first_name": "Pam", "email": "dana.private@evil.example"}]

    plan = pbx_sync_services.pbx_sync_apply(actor=dana, account=partner, users=listed)

    assert (plan.updates, plan.creates) == ([], [])
    assert [(c.email, c.message) for c in plan.conflicts] == [
        ("dana.private@evil.example", pbx_sync_services.ABOVE_YOUR_ROLE)
    ]
    unchanged(User.objects.get(pk=pbx_pam.pk))


def test_pbx_sync_does_not_deactivate_a_user_above_you(dana, partner, pbx_pam):
    listed = [{"extension": "2002", "first_name": "Ned", "email": "ned@acme.example"}]

    plan = pbx_sync_services.pbx_sync_apply(actor=dana, account=partner, users=listed)

    assert plan.removals == []
    assert [(c.email, c.message) for c in plan.conflicts] == [
        ("pam@acme.example", pbx_sync_services.ABOVE_YOUR_ROLE)
    ]
    assert User.objects.get(pk=pbx_pam.pk).is_active


def test_pbx_sync_by_a_partner_admin_still_updates_a_pbx_partner_admin(partner_admin, partner, pbx_pam):
    listed = [{"extension": "2001", "first_name": "Pamela", "email": "pam@acme.example"}]

    plan = pbx_sync_services.pbx_sync_apply(actor=partner_admin, account=partner, users=listed)

    assert [update.user.pk for update in plan.updates] == [pbx_pam.pk]
    assert User.objects.get(pk=pbx_pam.pk).first_name == "Pamela"


def test_mitel_one_settings_refuse_a_user_above_you_before_anything_else(dana, pam, paula):
    with pytest.raises(RoleAboveActor):
        mitel_one_settings_set(actor=dana, user=pam, enabled=True, tier="elite")
    assert not MitelOneUserSettings.objects.filter(user=pam).exists()

    with pytest.raises(ValidationError, match="Add the Mitel One integration"):  # a partner account has none
        mitel_one_settings_set(actor=dana, user=paula, enabled=True, tier="elite")
