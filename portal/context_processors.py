"""Template context for the console shell: the current account, the navigation by role, the switcher."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts import access
from accounts.access import Capability

# The pages inside an account, in navigation order, with the capability each needs.
ACCOUNT_PAGES = (
    (_("Account Information"), "accounts:account_detail", Capability.VIEW_ACCOUNT),
    (_("Users"), "accounts:user_list", Capability.MANAGE_USERS),
    (_("Integrations"), "integrations:integration_list", Capability.MANAGE_INTEGRATIONS),
    (_("Gateway"), "gateways:gateway_detail", Capability.MANAGE_GATEWAY),
    (_("Notifications"), "notifications:notification_list", Capability.MANAGE_INTEGRATIONS),
    (_("Conversations"), "chat:conversation_list", Capability.MANAGE_USERS),
    (_("Single sign-on"), "sso:identity_provider", Capability.MANAGE_SSO),
    (_("Activity"), "accounts:account_activity", Capability.VIEW_ACTIVITY),
)


@dataclass
class NavItem:
    label: str
    url: str
    active: bool = False


@dataclass
class NavSection:
    title: str
    items: list[NavItem]


def _navigation(request: HttpRequest, is_partner_admin: bool) -> list[NavSection]:
    user = request.user
    inside = getattr(request, "account", None)  # set by @account_view on /accounts/<number>/... pages
    sections = []
    if is_partner_admin:
        partner_items = [NavItem(_("Accounts"), reverse("accounts:account_list"))]
        if access.can(user, Capability.MANAGE_APPLICATIONS, user.account):
            partner_items.append(NavItem(_("Developer"), reverse("developer:home")))
        sections.append(NavSection(_("Partner"), partner_items))
    if user.is_staff:
        sections.append(
            NavSection(_("Operator"), [NavItem(_("Applications"), reverse("operator:application_list"))])
        )
    account = inside if inside is not None or is_partner_admin else user.account
    if account is not None:
        items = [
            NavItem(label, reverse(name, args=[account.account_number]))
            for label, name, need in ACCOUNT_PAGES
            if access.can(user, need, account)
        ]
        if (
            access.can(user, Capability.MANAGE_INTEGRATIONS, account)
            and integration_flags(request, account)["customer_care"]
        ):
            items.append(
                NavItem(
                    _("Customer Care"), reverse("integrations:customer_care", args=[account.account_number])
                )
            )
        if items:
            sections.append(NavSection(account.name, items))
    you = [
        NavItem(_("Change password"), reverse("account_change_password")),
        NavItem(_("Two-factor authentication"), reverse("mfa_index")),
        NavItem(_("Preferences"), reverse("preferences")),
    ]
    sections.append(NavSection(_("You"), you))
    # The item whose URL is the longest prefix of this page's path is the current one.
    candidates = [item for section in sections for item in section.items if request.path.startswith(item.url)]
    if candidates:
        max(candidates, key=lambda item: len(item.url)).active = True
    return sections


def integration_flags(request: HttpRequest, account) -> dict[str, bool]:
    """What the account's enabled integrations add to the shell (Customer Care, Contact Center
    Admin), read once per request and account."""
    from integrations.selectors import console_flags

    cache = request.__dict__.setdefault("_integration_flags", {})
    if account.pk not in cache:
        cache[account.pk] = console_flags(account)
    return cache[account.pk]


def _contact_center_admin_url(request: HttpRequest, account) -> str | None:
    """The Chat Overlays page, reached from the header's Contact Center Admin icon (MiCC)."""
    if not access.can(request.user, Capability.MANAGE_INTEGRATIONS, account):
        return None
    if not integration_flags(request, account)["contact_center_admin"]:
        return None
    return reverse("integrations:chat_overlay_list", args=[account.account_number])


def console(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    context = {
        "show_outbox": signed_in and access.can_read_outbox(user),
        "support_url": settings.PORTAL_SUPPORT_URL,
        "legal_url": settings.PORTAL_LEGAL_URL,
    }
    if not signed_in:
        return context
    is_partner_admin = user.account.is_partner and access.has_capability(
        user, Capability.LIST_CUSTOMER_ACCOUNTS
    )
    current_account = getattr(request, "account", None) or user.account
    return context | {
        "current_account": current_account,
        "is_partner_admin": is_partner_admin,
        "nav_sections": _navigation(request, is_partner_admin),
        "contact_center_admin_url": _contact_center_admin_url(request, current_account),
    }
