"""Shared helpers of the integrations tests."""

from __future__ import annotations

from accounts.models import Account, AuditEvent
from integrations import registry
from integrations.models import Integration
from integrations.registry import PRIVILEGES, Privilege


def privileges(account: Account) -> dict[Privilege, bool]:
    account = Account.objects.get(pk=account.pk)
    return {p: getattr(account, p.value) for p in PRIVILEGES}


def on(account: Account) -> set[Privilege]:
    return {p for p, value in privileges(account).items() if value}


def added(account: Account) -> set[str]:
    return set(Integration.objects.filter(account=account).values_list("type", flat=True))


def audit_count(account: Account) -> int:
    return AuditEvent.objects.filter(account=account).count()


def brings(type_: str) -> frozenset[Privilege]:
    return registry.get(type_).privileges


GUEST = Privilege.ALLOW_GUEST_ACCESS
DELEGATED = Privilege.DELEGATED_AUTHENTICATION
