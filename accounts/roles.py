"""The role names, written once. ``accounts.models`` builds ``User.Role`` from them and
``accounts.access`` (which re-exports everything here) holds every rule that reads them; this
module imports nothing of the project, so both can import it without a circle."""

from __future__ import annotations

import enum

from django.utils.translation import gettext_lazy as _


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
        return _LABELS[self.name]

    @property
    def is_admin(self) -> bool:
        """Administers an account (its users, information, integrations): ACCOUNT_ADMIN and above."""
        return self >= Role.ACCOUNT_ADMIN

    @classmethod
    def of(cls, value: object) -> Role | None:
        """The role of ``value``: a ``Role``, a stored role name (``"ACCOUNT_ADMIN"``), or anything
        with a ``role`` (a ``User``, an ``access.Principal``). None for what holds no known role."""
        if isinstance(value, Role):
            return value
        if value is not None and not isinstance(value, str) and hasattr(value, "role"):
            value = value.role
            if isinstance(value, Role):
                return value
        return cls.__members__.get(str(value)) if value is not None else None


_LABELS = {  # translated, read through Role.label
    "GUEST": _("Guest"),
    "USER": _("User"),
    "ACCOUNT_ADMIN": _("Account Admin"),
    "PARTNER_ADMIN": _("Partner Admin"),
    "GLOBAL_ADMIN": _("Global Admin"),
}

# The roles a portal user can hold, highest first: the choices of ``User.role``.
USER_ROLES: tuple[tuple[str, str], ...] = tuple(
    (role.name, role.label) for role in (Role.PARTNER_ADMIN, Role.ACCOUNT_ADMIN, Role.USER)
)

# The roles users of any account exchange for each other (the User page's toggle, the API's role
# change), and the only ones an import, a PBX list, ``createuser`` or a user created through the API
# gives. Partner admins are made with their partner account.
EXCHANGEABLE_ROLES: tuple[Role, ...] = (Role.USER, Role.ACCOUNT_ADMIN)
