"""Who is calling the chat service: a user (also through a delegated token), a guest, or an
application on its own (a service token, with its deployment's role).

The caller is an ``accounts.access.Principal`` (``access.request_principal``); the services take a ``ChatPrincipal``, the caller as a conversation participant
(its ``PrincipalType`` is what participants store), so that their rules read the same for both.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied

from accounts import access
from accounts.access import Capability, Principal, PrincipalKind
from accounts.models import Account, User
from chat.models import PrincipalType


@dataclass(frozen=True)
class ChatPrincipal:
    type: str  # PrincipalType
    principal_id: str
    account: Account
    user: User | None = None
    name: str = ""
    actor: Principal | None = None  # an application's own token: who decides what it may do

    @property
    def is_guest(self) -> bool:
        return self.type == PrincipalType.GUEST

    def moderates(self, account: Account) -> bool:
        """Admins managing the users of ``account`` (an application deployed as ACCOUNT_ADMIN
        too) may read and delete any of its conversations."""
        who = self.user if self.user is not None else self.actor
        return who is not None and access.can(who, Capability.MANAGE_USERS, account)


def principal_for(actor: Principal | User | None) -> ChatPrincipal:
    """The chat principal of a caller (``access.request_principal``, or a User); PermissionDenied
    for whoever is not signed in."""
    if isinstance(actor, User):
        if not (actor.is_authenticated and actor.is_active):
            raise PermissionDenied("Sign in to use the chat service.")
        actor = access.principal_of(actor)
    if actor is None:
        raise PermissionDenied("Sign in to use the chat service.")
    if actor.user is not None:
        return ChatPrincipal(
            PrincipalType.USER, str(actor.user.user_id), actor.user.account, user=actor.user, name=actor.name
        )
    if actor.kind is PrincipalKind.GUEST and actor.account is not None and actor.guest:
        return ChatPrincipal(PrincipalType.GUEST, actor.guest, actor.account, name=actor.name)
    if actor.kind is PrincipalKind.APPLICATION and actor.account is not None and actor.application:
        return ChatPrincipal(
            PrincipalType.APP, actor.application, actor.account, name=actor.name, actor=actor
        )
    raise PermissionDenied("Sign in to use the chat service.")
