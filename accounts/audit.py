"""Audit trail: one row per admin-visible change, written inside the change's transaction.

Every action is an ``AuditAction``: the list of what the trail can say, written once. Its values are
the stored ``AuditEvent.action`` strings, so rows written before the enum read the same."""

from __future__ import annotations

import enum
from typing import Any

from django.db import transaction

from accounts import access
from accounts.models import Account, AuditEvent, User
from core.context import current_correlation_id, mitel_app_var
from core.db import rows_insert


class AuditAction(enum.StrEnum):
    # accounts
    ACCOUNT_CREATED = "account.created"
    ACCOUNT_UPDATED = "account.updated"
    ACCOUNT_ACTIVATED = "account.activated"
    ACCOUNT_DEACTIVATED = "account.deactivated"
    ACCOUNT_DELETED = "account.deleted"
    SIGN_IN_POLICY_CHANGED = "account.sign_in_policy_changed"
    CUSTOMER_ACCOUNT_CREATED = "customer_account.created"
    CUSTOMER_ACCOUNT_DELETED = "customer_account.deleted"
    SUPPORT_CONTACT_ADDED = "support_contact.added"
    SUPPORT_CONTACT_REMOVED = "support_contact.removed"
    # users
    USER_CREATED = "user.created"
    USER_REGISTERED = "user.registered"
    USER_UPDATED = "user.updated"
    USER_ROLE_CHANGED = "user.role_changed"
    USER_DEACTIVATED = "user.deactivated"
    USER_REACTIVATED = "user.reactivated"
    USER_DELETED = "user.deleted"
    USER_WELCOME_SENT = "user.welcome_sent"
    USER_PASSWORD_RESET_SENT = "user.password_reset_sent"
    USER_PASSWORD_CHANGED = "user.password_changed"
    USER_SECOND_FACTOR_ADDED = "user.second_factor_added"
    USER_SECOND_FACTOR_REMOVED = "user.second_factor_removed"
    USER_MITEL_ONE_CHANGED = "user.mitel_one_changed"
    ROLE_ASSUMED = "role.assumed"  # POST /assume-role/token: a partner admin in a customer account
    USER_IMPORT_STARTED = "user_import.started"
    USER_IMPORT_RESTARTED = "user_import.restarted"
    USER_IMPORT_FINISHED = "user_import.finished"
    # third-party applications (oauth)
    APPLICATION_REGISTERED = "application.registered"
    APPLICATION_APPROVED = "application.approved"
    APPLICATION_REJECTED = "application.rejected"
    APPLICATION_BLOCKED = "application.blocked"
    APPLICATION_DELETED = "application.deleted"
    APPLICATION_SECRET_ROTATED = "application.secret_rotated"
    APPLICATION_DEPLOYED = "application.deployed"
    APPLICATION_DEPLOYMENT_CHANGED = "application.deployment_changed"
    # integrations and privileges
    INTEGRATION_ADDED = "integration.added"
    INTEGRATION_REMOVED = "integration.removed"
    INTEGRATION_ENABLED = "integration.enabled"
    INTEGRATION_DISABLED = "integration.disabled"
    INTEGRATION_CONFIGURED = "integration.configured"
    PRIVILEGE_ENABLED = "privilege.enabled"
    PRIVILEGE_DISABLED = "privilege.disabled"
    CHAT_OVERLAY_CREATED = "chat_overlay.created"
    CHAT_OVERLAY_DELETED = "chat_overlay.deleted"
    # the gateway and its PBX
    GATEWAY_CREATED = "gateway.created"
    GATEWAY_UPDATED = "gateway.updated"
    GATEWAY_CHECK_STARTED = "gateway.check_started"
    GATEWAY_CONNECTED = "gateway.connected"
    GATEWAY_CONNECTION_FAILED = "gateway.connection_failed"
    GATEWAY_DISCONNECTED = "gateway.disconnected"
    GATEWAY_REMOVED = "gateway.removed"
    GATEWAY_PBX_CREATED = "gateway_pbx.created"
    GATEWAY_PBX_UPDATED = "gateway_pbx.updated"
    GATEWAY_TRUNK_UPDATED = "gateway_trunk.updated"
    GATEWAY_SETUP_STEP_SAVED = "gateway_setup.step_saved"
    GATEWAY_SETUP_CANCELLED = "gateway_setup.cancelled"
    PBX_USERS_SYNCHRONIZED = "pbx_users.synchronized"
    # single sign-on
    IDENTITY_PROVIDER_CREATED = "identity_provider.created"
    IDENTITY_PROVIDER_UPDATED = "identity_provider.updated"
    IDENTITY_PROVIDER_DELETED = "identity_provider.deleted"
    USER_SIGNED_IN_SSO = "user.signed_in_sso"
    TRUSTED_ISSUER_CREATED = "trusted_issuer.created"
    TRUSTED_ISSUER_UPDATED = "trusted_issuer.updated"
    TRUSTED_ISSUER_DELETED = "trusted_issuer.deleted"
    USER_SIGNED_IN_TOKEN_EXCHANGE = "user.signed_in_token_exchange"
    # chat
    CONVERSATION_DELETED = "conversation.deleted"


def public_id(target: Any) -> str:
    """The id people and the API know a target by: GUIDs for accounts and users, else the pk."""
    if isinstance(target, Account):
        return str(target.account_id)
    if isinstance(target, User):
        return str(target.user_id)
    return str(target.pk)


def actor_label(actor: object) -> str:
    """``system``, a user as ``Name <email>``, an application's own token as ``Application <name>
    (<client id>)`` (its audit rows name it)."""
    if actor is None:
        return "system"
    user = access.acting_user(actor)
    principal = access.principal_of(actor) if not isinstance(actor, User) else None
    if user is None:
        return principal.display_name[:255] if principal is not None else "system"
    if principal is not None and principal.kind is access.PrincipalKind.ASSUMED:
        return f"{user.display_name} <{user.email}> as {principal.role.name} (assumed role)"[:255]
    return f"{user.display_name} <{user.email}>"


def audit_record(
    *,
    actor: User | None,
    account: Account,
    action: AuditAction,
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


def audit_record_many(events: list[AuditEvent]) -> None:
    """Write events made by ``audit_event_build`` in one statement (batch services, e.g. bulk
    import; ``core.db.rows_insert``: a COPY on PostgreSQL, so the events get no primary keys)."""
    _require_atomic()
    rows_insert(events)


def _require_atomic() -> None:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record must be called inside the change's transaction")


def audit_event_build(
    *,
    actor: User | None,
    account: Account,
    action: AuditAction,
    target: Any = None,
    before: dict | None = None,
    after: dict | None = None,
) -> AuditEvent:
    """An unsaved audit event; ``audit_record`` saves one, ``audit_record_many`` a batch."""
    action = AuditAction(action).value  # ValueError for an action the trail does not list
    target = account if target is None else target
    return AuditEvent(
        account=account,
        account_ref=account.account_id,
        actor=access.acting_user(actor),
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
