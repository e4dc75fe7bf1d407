"""Scoped reads of integrations, privileges and chat overlays, shared by the console and the API."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404

from accounts import access
from accounts.access import Capability
from accounts.models import Account, User
from integrations import registry
from integrations.models import ChatOverlay, Integration
from integrations.registry import PRIVILEGES, Privilege, Provider
from integrations.services import PARTNER_ACCOUNT_MESSAGE

# Integrations whose presence (added and enabled) changes the console shell.
CUSTOMER_CARE_TYPE = "mitel-one-workgroups"
CONTACT_CENTER_TYPE = "micc"


def missing_privileges(integration: Integration, account: Account) -> list[Privilege]:
    """Privileges the integration brings that are off on its account: it may not work correctly."""
    provider = integration.provider
    if provider is None:
        return []
    return [p for p in provider.ordered_privileges if not getattr(account, p.value)]


@dataclass(frozen=True)
class IntegrationCard:
    integration: Integration
    provider: Provider
    missing_privileges: list[Privilege]

    @property
    def type(self) -> str:
        return self.integration.type

    @property
    def setup_pending(self) -> bool:
        """Shows "Complete setup": the integration cannot be enabled before."""
        return self.provider.needs_setup and not self.integration.setup_complete


@dataclass(frozen=True)
class PrivilegeRow:
    privilege: Privilege
    on: bool
    brought_by: list[str]  # labels of the added integrations that bring it


def integration_list(*, actor: User, account: Account) -> QuerySet[Integration]:
    """The integrations added to ``account``, oldest first (the API collection and the cards)."""
    access.require(actor, Capability.MANAGE_INTEGRATIONS, account)
    return Integration.objects.for_account(account).order_by("created_at", "pk")


def integration_get_or_404(*, actor: User, account: Account, type: str) -> Integration:
    integration = integration_list(actor=actor, account=account).filter(type=type).first()
    if integration is None:
        raise Http404("That integration is not added to this account.")
    return integration


def integration_cards(integrations: list[Integration], account: Account) -> list[IntegrationCard]:
    return [
        IntegrationCard(i, i.provider, missing_privileges(i, account))
        for i in integrations
        if i.provider is not None
    ]


def privilege_rows(integrations: list[Integration], account: Account) -> list[PrivilegeRow]:
    return [
        PrivilegeRow(
            privilege,
            bool(getattr(account, privilege.value)),
            [i.label for i in integrations if i.provider and privilege in i.provider.privileges],
        )
        for privilege in PRIVILEGES
    ]


def catalogue(added_types: set[str]) -> list[dict]:
    """The catalogue's tabs, each with its providers and whether each is already added."""
    return [
        {"tab": tab, "entries": [(p, p.type in added_types) for p in tab.providers]} for tab in registry.TABS
    ]


def panel_context(*, actor: User, account: Account) -> dict:
    """Everything the integrations panel (cards + privileges) shows, in two queries."""
    can_manage = access.can(actor, Capability.MANAGE_INTEGRATIONS, account)
    if not access.can(actor, Capability.VIEW_ACCOUNT, account) and not can_manage:
        raise Http404("No such account.")
    integrations = list(Integration.objects.for_account(account).order_by("created_at", "pk"))
    return {
        "account": account,
        "can_manage_integrations": can_manage,
        "cards": integration_cards(integrations, account),
        "privilege_rows": privilege_rows(integrations, account),
        "partner_account": account.is_partner,
        "partner_message": PARTNER_ACCOUNT_MESSAGE,
    }


def console_flags(account: Account | None) -> dict[str, bool]:
    """What the enabled integrations add to the shell: Customer Care in the navigation (Mitel One
    Workgroups) and the Contact Center Admin icon in the header (MiCC). One query."""
    if account is None:
        return {"customer_care": False, "contact_center_admin": False}
    enabled = set(
        Integration.objects.for_account(account)
        .enabled()
        .filter(type__in=[CUSTOMER_CARE_TYPE, CONTACT_CENTER_TYPE])
        .values_list("type", flat=True)
    )
    return {
        "customer_care": CUSTOMER_CARE_TYPE in enabled,
        "contact_center_admin": CONTACT_CENTER_TYPE in enabled,
    }


def chat_overlay_list(*, actor: User, account: Account) -> QuerySet[ChatOverlay]:
    access.require(actor, Capability.MANAGE_INTEGRATIONS, account)
    return ChatOverlay.objects.for_account(account)
