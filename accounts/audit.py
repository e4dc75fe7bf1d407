"""Audit trail: one row per admin-visible change, written inside the change's transaction."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from accounts.models import Account, AuditEvent, User
from core.context import current_correlation_id, mitel_app_var


def public_id(target: Any) -> str:
    """The id people and the API know a target by: GUIDs for accounts and users, else the pk."""
    if isinstance(target, Account):
        return str(target.account_id)
    if isinstance(target, User):
        return str(target.user_id)
    return str(target.pk)


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
    _require_atomic()
    event = audit_event_build(
        actor=actor, account=account, action=action, target=target, before=before, after=after
    )
    event.save(force_insert=True)
    return event


def audit_record_many(events: list[AuditEvent]) -> list[AuditEvent]:
    """Write events made by ``audit_event_build`` in one query (batch services, e.g. bulk import)."""
    _require_atomic()
    return AuditEvent.objects.bulk_create(events)


def _require_atomic() -> None:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record must be called inside the change's transaction")


def audit_event_build(
    *,
    actor: User | None,
    account: Account,
    action: str,
    target: Any = None,
    before: dict | None = None,
    after: dict | None = None,
) -> AuditEvent:
    """An unsaved audit event; ``audit_record`` saves one, ``audit_record_many`` a batch."""
    target = account if target is None else target
    return AuditEvent(
        account=account,
        account_ref=account.account_id,
        actor=actor,
        actor_label=actor_label(actor),
        action=action,
        target_type=type(target).__name__.lower(),
        target_id=public_id(target),
        target_label=str(target)[:255],
        before=before or {},
        after=after or {},
        correlation_id=current_correlation_id(),
        mitel_app=mitel_app_var.get(),
    )
