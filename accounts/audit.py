"""Audit trail: one row per admin-visible change, written inside the change's transaction."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from portal.context import current_correlation_id, mitel_app_var

from .models import Account, AuditEvent, User


def actor_label(actor: User | None) -> str:
    if actor is None:
        return "system"
    return f"{actor.display_name} <{actor.email}>"


def audit_record(
    *,
    actor: User | None,
    account: Account,
    action: str,
    target: Any = None,
    before: dict | None = None,
    after: dict | None = None,
) -> AuditEvent:
    """Write one audit event. Must run inside the transaction that makes the change."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record must be called inside the change's transaction")
    target = account if target is None else target
    return AuditEvent.objects.create(
        account=account,
        account_ref=account.account_id,
        actor=actor,
        actor_label=actor_label(actor),
        action=action,
        target_type=type(target).__name__.lower(),
        target_id=str(getattr(target, "account_id", None) or getattr(target, "user_id", None) or target.pk),
        target_label=str(target)[:255],
        before=before or {},
        after=after or {},
        correlation_id=current_correlation_id(),
        mitel_app=mitel_app_var.get(),
    )
