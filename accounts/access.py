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
* Every caller is a ``Principal``: a user, a user through an application (delegated token), an
  application on its own (client_credentials) or a guest (``request_principal``). The API
  services' caller rules are written here on it: ``may_use_extension`` (Media) and
  ``receives_event`` (Notifications).
* An assumed role (``POST /assume-role/token``, ``PrincipalKind.ASSUMED``) confines a partner
  admin to one customer account with ACCOUNT_ADMIN (or USER): that role's capabilities there.
* An application's own token (a service token) acts in the one account of its token, where the
  application is deployed, with the role its deployment gives (USER or ACCOUNT_ADMIN): that
  role's capabilities there, except ``APPLICATION_EXCLUDED`` (an application never deploys
  applications, its own role included). Every rule reads it like a user of that role.
* The role names live in ``accounts/roles.py`` (``User.Role`` is built from them); nobody else
  compares a role: ask ``is_admin``, ``is_partner_admin``, ``is_exchangeable_role`` here.
"""

from __future__ import annotations

import enum
from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

# The role names live in accounts.roles (User.Role is built from them); access re-exports them.
from accounts.roles import EXCHANGEABLE_ROLES as EXCHANGEABLE_ROLES
from accounts.roles import USER_ROLES as USER_ROLES
from accounts.roles import Role as Role
from core.db import unique_row

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from accounts.models import Account, User


def role_rank(role: object) -> Role | None:
    """The rank of a role name (``"ACCOUNT_ADMIN"``), or None for a name that is no role."""
    return Role.of(role)


def is_admin(holder: object) -> bool:
    """Is the role of ``holder`` (a role, a role name, a User, a Principal) an admin's?"""
    role = Role.of(holder)
    return role is not None and role.is_admin


def is_partner_admin(holder: object) -> bool:
    return Role.of(holder) is Role.PARTNER_ADMIN


def admin_role_names() -> list[str]:
    """The stored names of the admin roles, for queries (``role__in``)."""
    return [role.name for role in Role if role.is_admin]


def is_user_role(role: object) -> bool:
    """A role a portal user can hold (``USER_ROLES``: PARTNER_ADMIN, ACCOUNT_ADMIN, USER)."""
    return role is not None and str(role) in dict(USER_ROLES)


def is_exchangeable_role(role: object) -> bool:
    """USER or ACCOUNT_ADMIN (``EXCHANGEABLE_ROLES``): the roles a role change, an import or a PBX
    list deals in."""
    return Role.of(role) in EXCHANGEABLE_ROLES


def exchangeable_role_names() -> list[str]:
    return [role.name for role in EXCHANGEABLE_ROLES]


def exchangeable_role_for_label(text: str) -> str | None:
    """The role a list names by its label (``"account admin"``, any case), or None."""
    wanted = " ".join(str(text).split()).lower()
    return next((role.name for role in EXCHANGEABLE_ROLES if role.label.lower() == wanted), None)


def role_fits_account(role: object, account: Account) -> bool:
    """Partner admins belong to a partner account; every other role to any account."""
    return Role.of(role) is not Role.PARTNER_ADMIN or account.is_partner


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
    # The sign-in policy ("admins must use a second factor"): partners, for their account and customers.
    MANAGE_SIGN_IN_POLICY = "manage_sign_in_policy"
    MANAGE_SSO = "manage_sso"  # the account's identity provider (sso/)


_ADMIN_CAPABILITIES = frozenset(
    {
        Capability.VIEW_ACCOUNT,
        Capability.EDIT_ACCOUNT,
        Capability.MANAGE_USERS,
        Capability.MANAGE_INTEGRATIONS,
        Capability.MANAGE_GATEWAY,
        Capability.VIEW_ACTIVITY,
        Capability.MANAGE_SSO,
    }
)

ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {  # by stored role name
    Role.PARTNER_ADMIN.name: frozenset(Capability),
    Role.ACCOUNT_ADMIN.name: _ADMIN_CAPABILITIES,
    Role.USER.name: frozenset(),
}

# Capabilities that only make sense on one kind of account.
_PARTNER_ACCOUNT_ONLY = {
    Capability.CREATE_CUSTOMER_ACCOUNTS,
    Capability.LIST_CUSTOMER_ACCOUNTS,
    Capability.MANAGE_APPLICATIONS,
}
_CUSTOMER_ACCOUNT_ONLY = {Capability.MANAGE_ACCOUNT_LIFECYCLE}


# --- who calls: one principal type -------------------------------------------------------------


class PrincipalKind(enum.StrEnum):
    USER = "user"  # a signed-in user: the console session, or the user's own token
    DELEGATED = "delegated"  # a user's token an application obtained (Delegated Authentication)
    APPLICATION = "application"  # an application's own token (client_credentials): no user
    GUEST = "guest"  # a guest token of an account: no user
    ASSUMED = "assumed"  # a partner admin's assumed role in one customer account (/assume-role/token)


@dataclass(frozen=True)
class Principal:
    """Who calls, whatever the door: ``user`` for USER and DELEGATED, ``application`` (the client
    id) for DELEGATED and APPLICATION, ``guest`` (the guest's principal id) for GUEST. ``can`` and
    ``require`` read it: a user, delegated or not, has their role's capabilities; an application on
    its own and a guest have none (they reach only the routes that serve them)."""

    kind: PrincipalKind
    account: Account | None
    user: User | None = None
    application: str = ""
    guest: str = ""
    name: str = ""
    application_role: str = ""  # an application on its own: its deployment's role
    assumed_role: str = ""  # ASSUMED: the role taken in ``account``

    # A signed-in caller, for code that reads ``is_authenticated`` / ``is_active`` on an actor.
    is_authenticated = True
    is_active = True
    is_staff = False

    @classmethod
    def for_user(cls, user: User, *, application: str = "") -> Principal:
        """The user; through ``application`` (its client id) when a delegated token carries them."""
        kind = PrincipalKind.DELEGATED if application else PrincipalKind.USER
        return cls(kind, user.account, user=user, application=application, name=user.display_name)

    @classmethod
    def for_application(
        cls, account: Account | None, client_id: str, *, name: str = "", role: str = ""
    ) -> Principal:
        """An application's own token in ``account`` with its deployment's ``role``."""
        return cls(
            PrincipalKind.APPLICATION, account, application=client_id, name=name, application_role=role
        )

    @classmethod
    def for_assumed_role(cls, user: User, account: Account | None, role: str) -> Principal:
        """A partner admin acting as ``role`` in ``account`` only (an assumed-role token)."""
        return cls(PrincipalKind.ASSUMED, account, user=user, assumed_role=role, name=user.display_name)

    @classmethod
    def for_guest(cls, account: Account | None, principal_id: str, *, name: str = "") -> Principal:
        return cls(PrincipalKind.GUEST, account, guest=principal_id, name=name)

    @property
    def principal_id(self) -> str:
        """The id CloudLink knows the caller by: the user's id, the client id or the guest's id."""
        if self.user is not None:
            return str(self.user.user_id)
        return self.application or self.guest

    @property
    def role(self) -> Role | None:
        """The user's role; an application its deployment's (USER unless it says ACCOUNT_ADMIN,
        never more); guests GUEST."""
        if self.kind is PrincipalKind.GUEST:
            return Role.GUEST
        if self.kind is PrincipalKind.APPLICATION:
            return Role.ACCOUNT_ADMIN if Role.of(self.application_role) is Role.ACCOUNT_ADMIN else Role.USER
        if self.kind is PrincipalKind.ASSUMED:
            return Role.ACCOUNT_ADMIN if Role.of(self.assumed_role) is Role.ACCOUNT_ADMIN else Role.USER
        return Role.of(self.user)

    @property
    def account_id(self):
        return self.account.pk if self.account is not None else None

    @property
    def display_name(self) -> str:
        if self.kind is PrincipalKind.APPLICATION:
            return f"Application {self.name or self.application} ({self.application})"
        return self.user.display_name if self.user is not None else self.name


# The ``type`` claim of the tokens whose principal is no plain user (oauth.tokens: CLIENT, GUEST,
# DELEGATED); ``oauth.authentication`` puts an object with that ``kind`` in ``request.user`` for
# the first two, and the decoded claims in ``request.auth`` for every token.
_CLIENT_TOKEN, _GUEST_TOKEN, _DELEGATED_TOKEN, _ASSUMED_TOKEN = "client", "guest", "delegated", "assumed"


def principal_of(actor: object) -> Principal | None:
    """``actor`` as a Principal: a Principal as it is, an application's or guest's token principal
    (``oauth.authentication.TokenPrincipal``, what DRF puts in ``request.user``) as one, a
    signed-in User as USER, else None."""
    if isinstance(actor, Principal):
        return actor
    token_principal = _token_principal(actor)
    if token_principal is not None:
        return token_principal
    if _is_signed_in(actor) and hasattr(actor, "user_id"):
        return Principal.for_user(actor)
    return None


def _token_principal(actor: object) -> Principal | None:
    """An ``oauth.authentication.TokenPrincipal`` (read by its ``kind``) as a Principal; None for
    anything else (a Principal included)."""
    if isinstance(actor, Principal):
        return None
    kind = getattr(actor, "kind", None)
    if kind == _CLIENT_TOKEN:
        # its principalId is its client id (oauth.tokens.client_token_issue); its role is the
        # deployment's current one (oauth.authentication reads it on every request)
        claims = getattr(actor, "claims", {}) or {}
        return Principal.for_application(
            actor.account, actor.principal_id, name=str(claims.get("name", "")), role=str(actor.role)
        )
    if kind == _GUEST_TOKEN:
        claims = getattr(actor, "claims", {}) or {}
        return Principal.for_guest(actor.account, actor.principal_id, name=str(claims.get("name", ""))[:150])
    if kind == _ASSUMED_TOKEN and getattr(actor, "user", None) is not None:
        return Principal.for_assumed_role(actor.user, actor.account, str(actor.role))
    return None


def request_principal(request: object) -> Principal | None:
    """The Principal behind a DRF-authenticated request (``request.user``, ``request.auth``);
    None for an anonymous caller."""
    actor = getattr(request, "user", None)
    claims = getattr(request, "auth", None)
    claims = claims if isinstance(claims, dict) else {}
    token_principal = _token_principal(actor)  # oauth.authentication.TokenPrincipal
    if token_principal is not None:
        return token_principal
    if not _is_signed_in(actor):
        return None
    if claims.get("type") == _DELEGATED_TOKEN:
        return Principal.for_user(actor, application=str(claims.get("clientId", "")))
    return Principal.for_user(actor)


def acting_user(actor: object) -> User | None:
    """The user behind an actor, for the ``created_by`` / ``modified_by`` of what they write:
    a User as it is, a Principal's user, None for an application or a guest."""
    if actor is None:
        return None
    actor = _token_principal(actor) or actor
    return actor.user if isinstance(actor, Principal) else actor


def _acting_user(actor: User | Principal | None) -> User | None:
    """The user whose role decides: a Principal's user (None for applications and guests)."""
    actor = _token_principal(actor) or actor
    return actor.user if isinstance(actor, Principal) else actor


def _principal_without_user(actor: object) -> Principal | None:
    """A principal confined to the one account of its token, whatever its user could do: an
    application or a guest acting on its own (no user), or an assumed role; else None."""
    principal = actor if isinstance(actor, Principal) else _token_principal(actor)
    if principal is None:
        return None
    return principal if principal.user is None or principal.kind is PrincipalKind.ASSUMED else None


def _is_signed_in(actor: User | None) -> bool:
    return bool(actor is not None and getattr(actor, "is_authenticated", False) and actor.is_active)


def account_scope_q(actor: User | Principal | None) -> Q:
    """The accounts an actor can reach at all, as a filter on Account."""
    if (principal := _principal_without_user(actor)) is not None:  # its token's account only
        return Q(pk=principal.account.pk) if principal.account is not None else Q(pk__in=[])
    actor = _acting_user(actor)
    if not _is_signed_in(actor):
        return Q(pk__in=[])
    if is_partner_admin(actor):
        return Q(pk=actor.account_id) | Q(parent_id=actor.account_id)
    return Q(pk=actor.account_id)


def accounts_for(actor: User | Principal | None) -> QuerySet[Account]:
    from accounts.models import Account

    return Account.objects.filter(account_scope_q(actor))


def support_contact_candidates_q(actor: User | Principal | None) -> Q:
    """The users a support contact may be picked from, as a filter on User: the people of the
    admin's own account (a partner's users for a partner admin), never another tenant's."""
    actor = _acting_user(actor)
    if not _is_signed_in(actor) or not is_admin(actor):
        return Q(pk__in=[])
    return Q(account__in=accounts_for(actor).filter(pk=actor.account_id))


def in_scope(actor: User | Principal | None, account: Account) -> bool:
    if (principal := _principal_without_user(actor)) is not None:  # an application or a guest: its account
        return principal.account is not None and principal.account.pk == account.pk
    actor = _acting_user(actor)
    if not _is_signed_in(actor):
        return False
    if actor.account_id == account.pk:
        return True
    return is_partner_admin(actor) and account.parent_id == actor.account_id


# What an application's own token never does, whatever its deployment's role: deploy applications
# (its own role included) or set integrations up.
APPLICATION_EXCLUDED = frozenset({Capability.MANAGE_INTEGRATIONS})


def has_capability(actor: User | Principal | None, capability: Capability) -> bool:
    if (principal := _principal_without_user(actor)) is not None:
        if principal.kind is PrincipalKind.GUEST:
            return False
        if principal.kind is PrincipalKind.APPLICATION and capability in APPLICATION_EXCLUDED:
            return False
        if principal.kind is PrincipalKind.ASSUMED and not _is_signed_in(principal.user):
            return False
        return capability in ROLE_CAPABILITIES.get(principal.role.name, frozenset())
    actor = _acting_user(actor)
    return _is_signed_in(actor) and capability in ROLE_CAPABILITIES.get(str(actor.role), frozenset())


def can(actor: User | Principal | None, capability: Capability, account: Account) -> bool:
    if not in_scope(actor, account) or not has_capability(actor, capability):
        return False
    if capability in _PARTNER_ACCOUNT_ONLY and not account.is_partner:
        return False
    return not (capability in _CUSTOMER_ACCOUNT_ONLY and account.is_partner)


def require(actor: User | Principal | None, capability: Capability, account: Account) -> None:
    """Raise Http404 outside the actor's scope and PermissionDenied when the role lacks the capability."""
    if not in_scope(actor, account):
        raise Http404("No such account.")
    if not can(actor, capability, account):
        raise PermissionDenied("You do not have permission to do this in this account.")


def get_account_or_404(actor: User | None, ref: object, *, need: Capability | None = None) -> Account:
    """Resolve an account by GUID or number inside the actor's scope; optionally require a capability."""

    account = unique_row(accounts_for(actor).by_ref(str(ref)).select_related("parent"))
    if account is None:
        raise Http404("No such account.")
    if need is not None:
        require(actor, need, account)
    return account


def require_operator(actor: User | None) -> None:
    """Platform operators (Django staff) approve, reject and block third-party applications."""
    if not (_is_signed_in(actor) and actor.is_staff):
        raise PermissionDenied("Only platform operators can do this.")


# --- the role hierarchy ----------------------------------------------------------------------


def role_is_above(role: object, actor: User | None) -> bool:
    """Is ``role`` above the actor's own? A role name the ranking does not know counts as above
    everyone, an actor without a known role as below everyone: unknown never grants."""
    target, own = Role.of(role), Role.of(getattr(actor, "role", None))
    return target is None or own is None or target > own


def can_manage_user(actor: User | None, target: User) -> bool:
    """May ``actor`` change, delete, reset or re-invite ``target``: they manage the users of the
    target's account, and the target's role is not above their own (themselves included)."""
    return can(actor, Capability.MANAGE_USERS, target.account) and not role_is_above(target.role, actor)


def require_not_above(actor: User | Principal | None, owner: User | None) -> None:
    """RoleAboveActor when ``owner`` (the user behind an extension, a device) has a role above the
    actor's: their phone's features (DND, call forward) are theirs to change, like their email.
    An application acts with its deployment's role, an assumed-role token with the assumed one."""
    if owner is None:
        return
    if isinstance(actor, Principal):
        acting = actor.assumed_role or (actor.user.role if actor.user is not None else actor.application_role)
    else:
        acting = getattr(actor, "role", None)
    target, own = Role.of(owner.role), Role.of(acting)
    if target is None or own is None or target > own:
        raise RoleAboveActor(
            f"{owner.email} has the role {_label(owner.role)}, which is above yours: only someone of "
            "that role or higher can change their phone's features."
        )


def require_manage_user(actor: User | None, target: User) -> None:
    """Http404 when the target's account is out of the actor's scope, PermissionDenied without
    ``MANAGE_USERS`` there, RoleAboveActor when the target's role is above the actor's."""
    require(actor, Capability.MANAGE_USERS, target.account)
    if role_is_above(target.role, actor):
        raise RoleAboveActor(
            f"{target.email} has the role {_label(target.role)}, which is above yours "
            f"({_label(actor.role)}): only someone of that role or higher can change, delete or reset them."
        )


def can_set_preferences(actor: User | None, target: User) -> bool:
    """May ``actor`` change ``target``'s own preferences (their console language): themselves, or
    an admin who manages them."""
    if _is_signed_in(actor) and getattr(actor, "pk", None) == target.pk:
        return True
    return can_manage_user(actor, target)


def require_set_preferences(actor: User | None, target: User) -> None:
    if getattr(actor, "pk", None) != target.pk or not _is_signed_in(actor):
        require_manage_user(actor, target)


def can_grant_role(actor: User | None, role: object) -> bool:
    return _is_signed_in(actor) and not role_is_above(role, actor)


def require_grant_role(actor: User | None, role: object) -> None:
    """RoleAboveActor when ``role`` (for a new user or a role change) is above the actor's own."""
    if not can_grant_role(actor, role):
        own = _label(getattr(actor, "role", ""))
        raise RoleAboveActor(f"You cannot give the role {_label(role)}: it is above yours ({own}).")


def _label(role: object) -> str:
    rank = Role.of(role)
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


# --- the API services' own rules -------------------------------------------------------------


def may_use_extension(principal: Principal | None, extension: str) -> bool:
    """May ``principal`` place and control calls on ``extension`` of its account (CloudLink Media):
    admins and applications acting for a user (delegated tokens) any extension, a USER only their
    own ``User.extension``; an application on its own any extension when deployed as
    ACCOUNT_ADMIN, none as USER; a guest none."""
    if principal is not None and principal.kind is PrincipalKind.APPLICATION:
        return is_admin(principal)  # a service token deployed as ACCOUNT_ADMIN: any extension
    if principal is None or not _is_signed_in(principal.user):
        return False
    if principal.kind is PrincipalKind.DELEGATED or is_admin(principal.user):
        return True
    return bool(principal.user.extension) and principal.user.extension == extension


def receives_event(subscriber: Principal, audience: Collection[str] | None) -> bool:
    """Does a subscription of ``subscriber`` receive a publication meant for ``audience`` (the
    principal ids it names; None is the whole account)? The whole account's publications reach
    everyone; a publication with an audience reaches those it names and the account's admins
    (an application deployed as ACCOUNT_ADMIN is one)."""
    if audience is None:
        return True
    return subscriber.principal_id in audience or is_admin(subscriber.user or subscriber)
