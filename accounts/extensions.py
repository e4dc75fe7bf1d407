"""Where the rooms above accounts plug their rules into it, so accounts never imports them
(imports run one way: ``docs/architecture.md``). Each room registers in its ``AppConfig.ready``.

* ``user_creator(source)``: how the Users API creates a user pushed from a source with rules of
  its own (``"PBX"``: ``gateways.pbx_users``).
* ``policy_setter``: the account policy flags (Delegated Authentication, Allow Guest Access) are
  ruled by the integrations that need them (``integrations.services.privileges_set``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from accounts.models import Account, User

_user_creators: dict[str, Callable[..., User]] = {}
_policy_setter: list[Callable[..., Account]] = []


def register_user_creator(source: str, creator: Callable[..., User]) -> None:
    _user_creators[source] = creator


def user_creator(source: str) -> Callable[..., User] | None:
    return _user_creators.get(source)


def register_policy_setter(setter: Callable[..., Account]) -> None:
    _policy_setter[:] = [setter]


def policy_set(*, actor: User, account: Account, values: dict[str, Any]) -> Account:
    if not _policy_setter:
        raise ImproperlyConfigured("No app rules the account policy (integrations is not installed).")
    return _policy_setter[0](actor=actor, account=account, values=values)
