"""Template context for the console shell: the current account, the navigation, the switcher."""

from __future__ import annotations

from django.http import HttpRequest

from accounts import access
from accounts.access import Capability


def console(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    account = getattr(request, "account", None) or user.account
    return {
        "current_account": account,
        "is_partner_admin": access.has_capability(user, Capability.LIST_CUSTOMER_ACCOUNTS)
        and user.account.is_partner,
        "can_manage_users": access.can(user, Capability.MANAGE_USERS, account),
        "can_view_account": access.can(user, Capability.VIEW_ACCOUNT, account),
        "can_view_activity": access.can(user, Capability.VIEW_ACTIVITY, account),
        "can_manage_integrations": access.can(user, Capability.MANAGE_INTEGRATIONS, account),
        "can_manage_gateway": access.can(user, Capability.MANAGE_GATEWAY, account),
    }
