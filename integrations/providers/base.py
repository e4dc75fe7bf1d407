"""The shape every integration provider has: what the catalogue shows, which account privileges
the integration brings, and (optionally) the Form that configures it.

A provider is plain data plus a Form class. It never touches the database: the rules that change
an account live in ``integrations.services``.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext, gettext_noop


class Privilege(enum.StrEnum):
    """An account privilege. The value is the ``Account`` field that stores it."""

    DELEGATED_AUTHENTICATION = "delegated_authentication"
    ALLOW_GUEST_ACCESS = "allow_guest_access"

    @property
    def label(self) -> str:
        return gettext(_PRIVILEGE_TEXT[self][0])

    @property
    def explanation(self) -> str:
        return gettext(_PRIVILEGE_TEXT[self][1])

    @property
    def api_name(self) -> str:
        """The key of CloudLink's account ``policy`` object."""
        return _PRIVILEGE_TEXT[self][2]

    @property
    def slug(self) -> str:
        """The privilege in URLs: ``delegated-authentication``."""
        return self.value.replace("_", "-")

    @classmethod
    def from_slug(cls, slug: str) -> Privilege | None:
        return next((p for p in cls if p.slug == slug or p.value == slug or p.api_name == slug), None)


_PRIVILEGE_TEXT = {
    Privilege.DELEGATED_AUTHENTICATION: (
        gettext_noop("Delegated Authentication"),
        gettext_noop(
            "Lets an application integrated with this account (such as MiCC or MiCollab) obtain tokens "
            "on behalf of the account's users."
        ),
        "allowProxyAuthentication",
    ),
    Privilege.ALLOW_GUEST_ACCESS: (
        gettext_noop("Allow Guest Access"),
        gettext_noop("Lets people outside the account join as guests, for example in meetings or web chats."),
        "allowGuestAccess",
    ),
}

# Display order of the privileges everywhere (console and API lists).
PRIVILEGES: tuple[Privilege, ...] = (Privilege.DELEGATED_AUTHENTICATION, Privilege.ALLOW_GUEST_ACCESS)


class Tab(enum.StrEnum):
    MITEL = "mitel"
    THIRD_PARTY = "third_party"

    @property
    def label(self) -> str:
        return {Tab.MITEL: "Mitel", Tab.THIRD_PARTY: gettext("Third party")}[self]


@dataclass(frozen=True)
class Provider:
    """One kind of integration in the catalogue.

    ``needs_setup``: the integration needs its Complete setup dialog (``config_form``) before it
    can be enabled; it is added switched off and switched on by completing the setup.
    ``card_template``: extra lines on the integration's card (state, modes, links).
    ``secret_fields``: config keys that are never shown back (the API and the audit trail mask them).
    """

    type: str
    label: str
    summary: str
    privileges: frozenset[Privilege] = frozenset()
    tab: Tab = Tab.MITEL
    config_form: type[forms.Form] | None = None
    needs_setup: bool = False
    card_template: str = ""
    secret_fields: frozenset[str] = field(default_factory=frozenset)

    @property
    def configurable(self) -> bool:
        return self.config_form is not None

    @property
    def ordered_privileges(self) -> list[Privilege]:
        return [p for p in PRIVILEGES if p in self.privileges]

    def form(self, data: Mapping[str, Any] | None = None, initial: Mapping[str, Any] | None = None, **kw):
        if self.config_form is None:
            raise ValueError(f"{self.label} has no configuration.")
        return self.config_form(data=data, initial=initial, **kw)

    def clean_config(self, config: Mapping[str, Any] | None) -> dict[str, Any]:
        """Validate ``config`` with the provider's Form; a ValidationError keyed by field if invalid.
        A provider without a Form takes no configuration (``{}``)."""
        if self.config_form is None:
            return {}
        form = self.form(data=dict(config or {}))
        if not form.is_valid():
            raise ValidationError(form.errors.as_data())
        return dict(form.cleaned_data)

    def masked(self, config: Mapping[str, Any]) -> dict[str, Any]:
        """``config`` with secrets replaced by a mask (for the API, the audit trail and cards)."""
        return {
            key: ("********" if key in self.secret_fields and value else value)
            for key, value in config.items()
        }
