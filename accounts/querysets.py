"""Named scopes for tenant-owned rows. The scoping rule itself lives in ``accounts.access``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models

if TYPE_CHECKING:
    from accounts.models import Account, User


class AccountQuerySet(models.QuerySet):
    def active(self) -> AccountQuerySet:
        return self.filter(status="active")

    def customers(self) -> AccountQuerySet:
        return self.filter(kind="customer")

    def visible_to(self, actor: User) -> AccountQuerySet:
        from accounts import access

        return self.filter(access.account_scope_q(actor))

    def by_ref(self, ref: str) -> AccountQuerySet:
        """Match an account by GUID (accountId) or by 9-digit account number."""
        from accounts.refs import account_ref_q

        return self.filter(account_ref_q(ref))


class TenantOwnedQuerySet(models.QuerySet):
    def for_account(self, account: Account) -> TenantOwnedQuerySet:
        return self.filter(account=account)

    def visible_to(self, actor: User) -> TenantOwnedQuerySet:
        from accounts import access

        return self.filter(account__in=access.accounts_for(actor))


class AuditEventQuerySet(TenantOwnedQuerySet):
    pass
