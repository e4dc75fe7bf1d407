"""The account's sign-in policy: "admins must use a second factor" (docs/mfa.md).

Partners set it for their own account and for each customer account (``MANAGE_SIGN_IN_POLICY``);
``accounts.second_factor`` enforces it at sign-in."""

from __future__ import annotations

from django.db import transaction

from accounts import access
from accounts.access import Capability
from accounts.audit import AuditAction, audit_record
from accounts.models import Account, User

__all__ = ["account_sign_in_policy_set"]


@transaction.atomic
def account_sign_in_policy_set(
    *, actor: User, account: Account, admins_require_second_factor: bool
) -> Account:
    """Turn "admins must use a second factor" on or off for ``account`` (audited; a no-op when
    unchanged). Admins without a factor are sent to set one up on their next console page."""
    access.require(actor, Capability.MANAGE_SIGN_IN_POLICY, account)
    account = Account.objects.select_for_update().get(pk=account.pk)
    before = account.admins_require_second_factor
    wanted = bool(admins_require_second_factor)
    if before == wanted:
        return account
    account.admins_require_second_factor = wanted
    account.modified_by = actor
    account.save(update_fields=["admins_require_second_factor", "modified_by", "modified_at"])
    audit_record(
        actor=actor,
        account=account,
        action=AuditAction.SIGN_IN_POLICY_CHANGED,
        before={"admins_require_second_factor": before},
        after={"admins_require_second_factor": wanted},
    )
    return account
