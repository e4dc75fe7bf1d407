"""Who is calling the chat service: a user (also through a delegated token) or a guest.

``request.user`` is an ``accounts.User`` or, for application and guest tokens, a
``oauth.authentication.TokenPrincipal``. Chat only serves users and guests; the services take
a ``ChatPrincipal`` so that their rules read the same for both.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied

from accounts import access
from accounts.access import Capability
from accounts.models import Account, User
from chat.models import PrincipalType


@dataclass(frozen=True)
class ChatPrincipal:
    type: str  # PrincipalType
    principal_id: str
    account: Account
    user: User | None = None
    name: str = ""

    @property
    def is_guest(self) -> bool:
        return self.type == PrincipalType.GUEST

    def moderates(self, account: Account) -> bool:
        """Admins managing the users of ``account`` may read and delete any of its conversations."""
        return self.user is not None and access.can(self.user, Capability.MANAGE_USERS, account)


def principal_for(actor) -> ChatPrincipal:
    """The chat principal behind ``request.user``; PermissionDenied for application tokens."""
    if isinstance(actor, User):
        if not (actor.is_authenticated and actor.is_active):
            raise PermissionDenied("Sign in to use the chat service.")
        return ChatPrincipal(
            PrincipalType.USER, str(actor.user_id), actor.account, user=actor, name=actor.display_name
        )
    kind = getattr(actor, "kind", None)
    if kind == "guest" and getattr(actor, "account", None) is not None and actor.principal_id:
        return ChatPrincipal(
            PrincipalType.GUEST,
            actor.principal_id,
            actor.account,
            name=str(actor.claims.get("name", ""))[:150],
        )
    raise PermissionDenied("Application (client_credentials) tokens cannot use the chat service.")
