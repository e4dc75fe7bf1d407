"""Who may do what, where. The only module that knows the tenancy and role rules.

* Partners (PARTNER_ADMIN) act on their partner account and every customer account under it.
* Account admins act on their own account; users only on themselves.
* An account outside the actor's scope does not exist for them (404, never 403);
  an account in scope where the actor's role lacks a capability is 403.
* Roles are ranked GUEST < USER < ACCOUNT_ADMIN < PARTNER_ADMIN < GLOBAL_ADMIN (``Role``). Nobody
  changes, deletes, resets the password of, or re-sends a welcome to a user whose role is above
  their own, and nobody gives a role above their own (``require_manage_user``,
  ``require_grant_role``): 403 ``RoleAboveActor``.
* An ACCOUNT_ADMIN may exist in a partner account: the partner delegates the administration of
  its own account (its users, information, activity) to them. Like any account admin they act
  only on that account, so they manage its USER and ACCOUNT_ADMIN users but never its partner
  admins, and they have none of the partner capabilities (customer accounts, Developer page).
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from accounts.models import Account, User


class Role(enum.IntEnum):
    """The roles by rank. Users are USER, ACCOUNT_ADMIN or PARTNER_ADMIN (``User.Role``); guests
    are token principals; GLOBAL_ADMIN is CloudLink's platform role, which no portal user has."""

    GUEST = 0
    USER = 1
    ACCOUNT_ADMIN = 2
    PARTNER_ADMIN = 3
    GLOBAL_ADMIN = 4

    @property
    def label(self) -> str:
        return self.name.replace("_", " ").title()


def role_rank(role: object) -> Role | None:
    """The rank of a role name (``"ACCOUNT_ADMIN"``), or None for a name that is no role."""
    return Role.__members__.get(str(role))


class RoleAboveActor(PermissionDenied):
    """The target user, or the role to give, is above the actor's own role (403). No page offers
    such an action, so it answers with its status rather than on a form (``core.htmx.submit``)."""

    answer_with_status = True


class Capability(enum.StrEnum):
    VIEW_ACCOUNT = "view_account"
    EDIT_ACCOUNT = "edit_account"
    MANAGE_ACCOUNT_LIFECYCLE = "manage_account_lifecycle"  # deactivate, activate, delete
    CREATE_CUSTOMER_ACCOUNTS = "create_customer_accounts"
    LIST_CUSTOMER_ACCOUNTS = "list_customer_accounts"
    MANAGE_USERS = "manage_users"
    MANAGE_INTEGRATIONS = "manage_integrations"
    MANAGE_GATEWAY = "manage_gateway"
    VIEW_ACTIVITY = "view_activity"
    MANAGE_APPLICATIONS = "manage_applications"  # the partner's Developer page


_ADMIN_CAPABILITIES = frozenset(
    {
        Capability.VIEW_ACCOUNT,
        Capability.EDIT_ACCOUNT,
        Capability.MANAGE_USERS,
        Capability.MANAGE_INTEGRATIONS,
        Capability.MANAGE_GATEWAY,
        Capability.VIEW_ACTIVITY,
    }
)

ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    "PARTNER_ADMIN": frozenset(Capability),
    "ACCOUNT_ADMIN": _ADMIN_CAPABILITIES,
    "USER": frozenset(),
}

# Capabilities that only make sense on one kind of account.
_PARTNER_ACCOUNT_ONLY = {
    Capability.CREATE_CUSTOMER_ACCOUNTS,
    Capability.LIST_CUSTOMER_ACCOUNTS,
    Capability.MANAGE_APPLICATIONS,
}
_CUSTOMER_ACCOUNT_ONLY = {Capability.MANAGE_ACCOUNT_LIFECYCLE}


def _is_signed_in(actor: User | None) -> bool:
    return bool(actor is not None and getattr(actor, "is_authenticated", False) and actor.is_active)


def account_scope_q(actor: User | None) -> Q:
    """The accounts an actor can reach at all, as a filter on Account."""
    if not _is_signed_in(actor):
        return Q(pk__in=[])
    if actor.role == "PARTNER_ADMIN":
        return Q(pk=actor.account_id) | Q(parent_id=actor.account_id)
    return Q(pk=actor.account_id)


def accounts_for(actor: User | None) -> QuerySet[Account]:
    from accounts.models import Account

    return Account.objects.filter(account_scope_q(actor))


def in_scope(actor: User | None, account: Account) -> bool:
    if not _is_signed_in(actor):
        return False
    if actor.account_id == account.pk:
        return True
    return actor.role == "PARTNER_ADMIN" and account.parent_id == actor.account_id


def has_capability(actor: User | None, capability: Capability) -> bool:
    return _is_signed_in(actor) and capability in ROLE_CAPABILITIES.get(actor.role, frozenset())


def can(actor: User | None, capability: Capability, account: Account) -> bool:
    if not in_scope(actor, account) or not has_capability(actor, capability):
        return False
    if capability in _PARTNER_ACCOUNT_ONLY and not account.is_partner:
        return False
    return not (capability in _CUSTOMER_ACCOUNT_ONLY and account.is_partner)


def require(actor: User | None, capability: Capability, account: Account) -> None:
    """Raise Http404 outside the actor's scope and PermissionDenied when the role lacks the capability."""
    if not in_scope(actor, account):
        raise Http404("No such account.")
    if not can(actor, capability, account):
        raise PermissionDenied("You do not have permission to do this in this account.")


def get_account_or_404(actor: User | None, ref: object, *, need: Capability | None = None) -> Account:
    """Resolve an account by GUID or number inside the actor's scope; optionally require a capability."""

    account = accounts_for(actor).by_ref(str(ref)).select_related("parent").first()
    if account is None:
        raise Http404("No such account.")
    if need is not None:
        require(actor, need, account)
    return account


def require_operator(actor: User | None) -> None:
    """Platform operators (Django staff) approve, reject and block third-party applications."""
    if not (_is_signed_in(actor) and actor.is_staff):
        raise PermissionDenied("Only platform operators can do this.")


def home_account(actor: User) -> Account:
    """The account a signed-in person lands in: their own."""
    return actor.account


# --- the role hierarchy ----------------------------------------------------------------------


def role_is_above(role: object, actor: User | None) -> bool:
    """Is ``role`` above the actor's own? A role name the ranking does not know counts as above
    everyone, an actor without a known role as below everyone: unknown never grants."""
    target, own = role_rank(role), role_rank(getattr(actor, "role", None))
    return target is None or own is None or target > own


def can_manage_user(actor: User | None, target: User) -> bool:
    """May ``actor`` change, delete, reset or re-invite ``target``: they manage the users of the
    target's account, and the target's role is not above their own (themselves included)."""
    return can(actor, Capability.MANAGE_USERS, target.account) and not role_is_above(target.role, actor)


def require_manage_user(actor: User | None, target: User) -> None:
    """Http404 when the target's account is out of the actor's scope, PermissionDenied without
    ``MANAGE_USERS`` there, RoleAboveActor when the target's role is above the actor's."""
    require(actor, Capability.MANAGE_USERS, target.account)
    if role_is_above(target.role, actor):
        raise RoleAboveActor(
            f"{target.email} has the role {_label(target.role)}, which is above yours "
            f"({_label(actor.role)}): only someone of that role or higher can change, delete or reset them."
        )


def can_grant_role(actor: User | None, role: object) -> bool:
    return _is_signed_in(actor) and not role_is_above(role, actor)


def require_grant_role(actor: User | None, role: object) -> None:
    """RoleAboveActor when ``role`` (for a new user or a role change) is above the actor's own."""
    if not can_grant_role(actor, role):
        own = _label(getattr(actor, "role", ""))
        raise RoleAboveActor(f"You cannot give the role {_label(role)}: it is above yours ({own}).")


def _label(role: object) -> str:
    rank = role_rank(role)
    return rank.label if rank is not None else str(role or "no role")


# --- The Outbox: sent emails hold welcome and password-reset links ---------------------------------


def can_read_outbox(actor: User | None) -> bool:
    """Platform operators always; admins who manage users when ``PORTAL_SHOW_OUTBOX`` offers them
    the page (each then reads only the emails of their own users, ``outbox_recipients_q``)."""
    from django.conf import settings

    if reads_every_email(actor):
        return True
    return bool(settings.PORTAL_SHOW_OUTBOX) and has_capability(actor, Capability.MANAGE_USERS)


def reads_every_email(actor: User | None) -> bool:
    return _is_signed_in(actor) and actor.is_staff


def outbox_recipients_q(actor: User | None) -> Q:
    """The users whose emails ``actor`` may read in the Outbox, as a filter on User: the users they
    manage (in an account of their scope, with a role not above their own), never a platform
    operator. A reset link is the account it resets, so reading one must not give more than the
    reader could already do."""
    if not can_read_outbox(actor) or not has_capability(actor, Capability.MANAGE_USERS):
        return Q(pk__in=[])
    roles = [role.name for role in Role if not role_is_above(role.name, actor)]
    scope = Q(account__in=accounts_for(actor).values("pk"))
    return scope & Q(role__in=roles, is_staff=False, is_superuser=False)
