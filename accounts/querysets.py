"""Named scopes for tenant-owned rows. Who may see which rows is ``accounts.access``'s to say
(``access.accounts_for(actor)``); these only name the filters."""

from __future__ import annotations

from django.db import models


class AccountQuerySet(models.QuerySet):
    def active(self) -> AccountQuerySet:
        return self.filter(status="active")

    def customers(self) -> AccountQuerySet:
        return self.filter(kind="customer")

    def by_ref(self, ref: str) -> AccountQuerySet:
        """Match an account by GUID (accountId) or by 9-digit account number."""
        from accounts.refs import account_ref_q

        return self.filter(account_ref_q(ref))


class TenantOwnedQuerySet(models.QuerySet):
    def for_account(self, account: models.Model) -> TenantOwnedQuerySet:
        return self.filter(account=account)


class AuditEventQuerySet(TenantOwnedQuerySet):
    pass
