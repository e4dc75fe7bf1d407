"""Every change to an account's integrations, its privileges and its chat overlays: the one
module that knows the privilege rules (docs/integrations.md states them and their invariants).

* Adding an integration switches ON every privilege it brings (``Provider.privileges``).
* Removing one switches OFF only those of its privileges that no remaining integration brings;
  every other privilege keeps its value.
* Enabling or disabling an integration, or configuring it, never changes a privilege.
* Each privilege can be switched on or off by hand at any time; that never removes an integration
  (an integration whose privileges are off stays, and its card warns that it may not work).
* Integrations cannot be added to a partner's own account.

Each service re-checks ``Capability.MANAGE_INTEGRATIONS``, locks the account row (so concurrent
changes of one account serialize: the rules read the integrations and privileges they change),
and writes exactly one audit row when, and only when, it changes something. The audit rows of
integration and privilege changes carry the account's whole integrations-and-privileges state
before and after, so the trail can be replayed (tests do).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from accounts import access
from accounts.access import Capability
from accounts.audit import AuditAction, audit_record
from accounts.models import Account, User
from core.errors import Conflict
from integrations import registry
from integrations.models import ChatOverlay, Integration
from integrations.registry import PRIVILEGES, Privilege, Provider

__all__ = [
    "PARTNER_ACCOUNT_MESSAGE",
    "IntegrationConflict",
    "RemovalPreview",
    "account_state",
    "chat_overlay_create",
    "chat_overlay_delete",
    "integration_add",
    "integration_configure",
    "integration_disable",
    "integration_enable",
    "integration_remove",
    "integration_set_enabled",
    "integration_update",
    "privilege_set",
    "privileges_set",
    "removal_preview",
]

PARTNER_ACCOUNT_MESSAGE = _(
    "Integrations can't be added to a partner account. Open one of your customer accounts and add "
    "the integration there."
)


class IntegrationConflict(Conflict, ValidationError):
    """The integration is already added to the account (the API answers 409)."""


@dataclass(frozen=True)
class RemovalPreview:
    """What removing an integration does to the privileges, before (or as) it happens.

    ``switch_off``: privileges now on that will switch off (no remaining integration brings them).
    ``stay_on``: privileges now on that stay on because other integrations still bring them,
    with those integrations' labels. ``already_off``: its privileges that are off anyway.
    ``account``: the account, as read for the preview; after ``integration_remove``, as it is now
    (those privileges switched off)."""

    provider: Provider
    account: Account
    switch_off: list[Privilege] = field(default_factory=list)
    stay_on: list[tuple[Privilege, list[str]]] = field(default_factory=list)
    already_off: list[Privilege] = field(default_factory=list)


# --- reads used by the rules -----------------------------------------------------------------


def account_state(account: Account) -> dict[str, Any]:
    """The account's integrations and privileges as a JSON-able snapshot (audit before/after)."""
    rows = list(Integration.objects.for_account(account).order_by("type").values_list("type", "enabled"))
    return {
        "integrations": [type_ for type_, _ in rows],
        "enabled": [type_ for type_, enabled in rows if enabled],
        **{privilege.value: bool(getattr(account, privilege.value)) for privilege in PRIVILEGES},
    }


def _preview(account: Account, provider: Provider, remaining_types: list[str]) -> RemovalPreview:
    preview = RemovalPreview(provider=provider, account=account)
    for privilege in provider.ordered_privileges:
        if not getattr(account, privilege.value):
            preview.already_off.append(privilege)
            continue
        holders = [
            other.label
            for type_ in remaining_types
            if (other := registry.get(type_)) is not None and privilege in other.privileges
        ]
        if holders:
            preview.stay_on.append((privilege, holders))
        else:
            preview.switch_off.append(privilege)
    return preview


def removal_preview(account: Account, type: str) -> RemovalPreview:
    """Which privileges removing ``type`` from ``account`` switches off and which stay on.
    The same computation ``integration_remove`` applies, so the confirmation shows exactly what
    will happen (unless someone else changes the account in between)."""
    return _removal_preview(Account.objects.get(pk=account.pk), type)


def _removal_preview(account: Account, type: str) -> RemovalPreview:
    provider = _provider_or_error(type)
    remaining = list(
        Integration.objects.for_account(account)
        .exclude(type=type)
        .order_by("created_at", "pk")
        .values_list("type", flat=True)
    )
    return _preview(account, provider, remaining)


# --- helpers -----------------------------------------------------------------------------------


def _provider_or_error(type_: str) -> Provider:
    provider = registry.get(type_)
    if provider is None:
        raise ValidationError({"type": f"There is no integration called “{type_}”."}, code="unknown_type")
    return provider


def _lock(account: Account) -> Account:
    """Lock the account row for the rest of the transaction: its integration and privilege
    changes run one at a time, each seeing the previous one's result."""
    return Account.objects.select_for_update().get(pk=account.pk)


def _integration(account: Account, type_: str) -> Integration:
    integration = Integration.objects.for_account(account).filter(type=type_).first()
    if integration is None:
        provider = registry.get(type_)
        name = provider.label if provider else type_
        raise ValidationError({"type": f"{name} is not added to this account."}, code="not_added")
    integration.account = account  # the locked row: callers get the account as the change leaves it
    return integration


def _save_privileges(account: Account, actor: User, values: Mapping[Privilege, bool]) -> None:
    for privilege, value in values.items():
        setattr(account, privilege.value, value)
    account.modified_by = actor
    account.save(update_fields=[*(p.value for p in values), "modified_by", "modified_at"])


def _audit_state(
    *, actor: User, account: Account, action: AuditAction, target: Any, before: dict, **extra_after: Any
) -> None:
    audit_record(
        actor=actor,
        account=account,
        action=action,
        target=target,
        before=before,
        after=account_state(account) | extra_after,
    )


# --- integrations ------------------------------------------------------------------------------


@transaction.atomic
def integration_add(
    *, actor: User, account: Account, type: str, config: Mapping[str, Any] | None = None
) -> Integration:
    """Add ``type`` to a customer account and switch on the privileges it brings.

    An integration whose provider needs a Complete setup is added switched off, unless its
    ``config`` comes with it (then the setup is complete and it starts enabled)."""
    access.require(actor, Capability.MANAGE_INTEGRATIONS, account)
    provider = _provider_or_error(type)
    if account.is_partner:
        raise ValidationError({"type": PARTNER_ACCOUNT_MESSAGE}, code="partner_account")
    cleaned = provider.clean_config(config) if config is not None else {}
    account = _lock(account)
    if Integration.objects.for_account(account).filter(type=type).exists():
        raise IntegrationConflict(
            {"type": f"{provider.label} is already added to this account."}, code="already_added"
        )
    before = account_state(account)
    setup_complete = not provider.needs_setup or (provider.configurable and config is not None)
    try:
        with transaction.atomic():
            integration = Integration.objects.create(
                account=account,
                type=type,
                enabled=setup_complete,
                config=cleaned,
                setup_complete=setup_complete,
                created_by=actor,
                modified_by=actor,
            )
    except IntegrityError as exc:  # only possible without the row lock (never under PostgreSQL)
        raise IntegrationConflict(
            {"type": f"{provider.label} is already added to this account."}, code="already_added"
        ) from exc
    off = [p for p in provider.ordered_privileges if not getattr(account, p.value)]
    if off:
        _save_privileges(account, actor, dict.fromkeys(off, True))
    _audit_state(
        actor=actor, account=account, action=AuditAction.INTEGRATION_ADDED, target=integration, before=before
    )
    return integration


@transaction.atomic
def integration_remove(*, actor: User, account: Account, type: str) -> RemovalPreview:
    """Remove ``type`` and switch off those of its privileges no remaining integration brings.
    Returns what happened to its privileges (the preview, applied)."""
    access.require(actor, Capability.MANAGE_INTEGRATIONS, account)
    _provider_or_error(type)
    account = _lock(account)
    integration = _integration(account, type)
    before = account_state(account)
    preview = _removal_preview(account, type)
    integration.delete()
    if preview.switch_off:
        _save_privileges(account, actor, dict.fromkeys(preview.switch_off, False))
    _audit_state(
        actor=actor,
        account=account,
        action=AuditAction.INTEGRATION_REMOVED,
        target=integration,
        before=before,
    )
    return preview


@transaction.atomic
def integration_set_enabled(*, actor: User, account: Account, type: str, enabled: bool) -> Integration:
    """Switch an added integration on or off. Privileges are not touched. An integration that
    needs a Complete setup can be switched on only once its setup is complete."""
    access.require(actor, Capability.MANAGE_INTEGRATIONS, account)
    provider = _provider_or_error(type)
    account = _lock(account)
    integration = _integration(account, type)
    if integration.enabled == enabled:
        return integration
    if enabled and provider.needs_setup and not integration.setup_complete:
        raise ValidationError(
            {"enabled": f"Complete the setup of {provider.label} before enabling it."},
            code="setup_incomplete",
        )
    before = account_state(account)
    integration.enabled = enabled
    integration.modified_by = actor
    integration.save(update_fields=["enabled", "modified_by", "modified_at"])
    action = AuditAction.INTEGRATION_ENABLED if enabled else AuditAction.INTEGRATION_DISABLED
    _audit_state(actor=actor, account=account, action=action, target=integration, before=before)
    return integration


def integration_enable(*, actor: User, account: Account, type: str) -> Integration:
    return integration_set_enabled(actor=actor, account=account, type=type, enabled=True)


def integration_disable(*, actor: User, account: Account, type: str) -> Integration:
    return integration_set_enabled(actor=actor, account=account, type=type, enabled=False)


@transaction.atomic
def integration_configure(
    *, actor: User, account: Account, type: str, config: Mapping[str, Any]
) -> Integration:
    """Save the integration's configuration (validated by its provider's Form). The first
    configuration of an integration that needs a Complete setup completes it and enables it."""
    access.require(actor, Capability.MANAGE_INTEGRATIONS, account)
    provider = _provider_or_error(type)
    if not provider.configurable:
        raise ValidationError({"config": f"{provider.label} has no settings to configure."}, code="no_config")
    cleaned = provider.clean_config(config)
    account = _lock(account)
    integration = _integration(account, type)
    completing = provider.needs_setup and not integration.setup_complete
    if integration.config == cleaned and not completing:
        return integration
    before = {
        "config": provider.masked(integration.config),
        "setup_complete": integration.setup_complete,
        "enabled": integration.enabled,
    }
    integration.config = cleaned
    integration.setup_complete = True
    if completing:
        integration.enabled = True
    integration.modified_by = actor
    integration.save()
    audit_record(
        actor=actor,
        account=account,
        action=AuditAction.INTEGRATION_CONFIGURED,
        target=integration,
        before=before,
        after={
            "config": provider.masked(cleaned),
            "setup_complete": True,
            "enabled": integration.enabled,
        },
    )
    return integration


@transaction.atomic
def integration_update(
    *,
    actor: User,
    account: Account,
    type: str,
    config: Mapping[str, Any] | None = None,
    enabled: bool | None = None,
) -> Integration:
    """Configure (``config``) and switch on or off (``enabled``) in one change, all or nothing: the
    API's PUT. Returns the integration; its ``account`` is as the change leaves it."""
    access.require(actor, Capability.MANAGE_INTEGRATIONS, account)
    _provider_or_error(type)
    integration = _integration(_lock(account), type)
    if config is not None:
        integration = integration_configure(actor=actor, account=account, type=type, config=config)
    if enabled is not None:
        integration = integration_set_enabled(actor=actor, account=account, type=type, enabled=enabled)
    return integration


# --- privileges --------------------------------------------------------------------------------


@transaction.atomic
def privilege_set(*, actor: User, account: Account, privilege: Privilege | str, enabled: bool) -> Account:
    """Switch one account privilege on or off by hand. Integrations are never touched.
    ``privilege`` may be a ``Privilege``, its field name, its URL slug or its API policy name
    (``allowGuestAccess``, ``allowProxyAuthentication``)."""
    access.require(actor, Capability.MANAGE_INTEGRATIONS, account)
    resolved = privilege if isinstance(privilege, Privilege) else Privilege.from_slug(str(privilege))
    if resolved is None:
        raise ValidationError({"privilege": f"There is no privilege called “{privilege}”."})
    privilege = resolved
    account = _lock(account)
    if bool(getattr(account, privilege.value)) == enabled:
        return account
    before = account_state(account)
    _save_privileges(account, actor, {privilege: enabled})
    action = AuditAction.PRIVILEGE_ENABLED if enabled else AuditAction.PRIVILEGE_DISABLED
    _audit_state(actor=actor, account=account, action=action, target=account, before=before)
    return account


@transaction.atomic
def privileges_set(*, actor: User, account: Account, values: Mapping[Privilege | str, bool]) -> Account:
    """Set several privileges at once, all or none; one ``privilege_set`` (and audit row) per
    privilege that actually changes. For the Admin API's account ``policy``:
    ``privileges_set(actor=..., account=..., values=payload["policy"])`` (API names accepted)."""
    access.require(actor, Capability.MANAGE_INTEGRATIONS, account)
    for privilege, enabled in values.items():
        account = privilege_set(actor=actor, account=account, privilege=privilege, enabled=enabled)
    return account


# --- MiCC chat overlays --------------------------------------------------------------------------


def _require_micc(account: Account) -> None:
    if not Integration.objects.for_account(account).enabled().filter(type="micc").exists():
        raise ValidationError(
            _("Chat overlays need the MiCC integration, added and enabled."), code="no_micc"
        )


@transaction.atomic
def chat_overlay_create(
    *,
    actor: User,
    account: Account,
    name: str,
    greeting: str,
    background_colour: str,
    text_colour: str,
    target_queue: str,
) -> ChatOverlay:
    access.require(actor, Capability.MANAGE_INTEGRATIONS, account)
    account = _lock(account)
    _require_micc(account)
    overlay = ChatOverlay(
        account=account,
        name=name.strip(),
        greeting=greeting.strip(),
        background_colour=background_colour.lower(),
        text_colour=text_colour.lower(),
        target_queue=target_queue.strip(),
        created_by=actor,
    )
    overlay.full_clean(exclude=["account", "created_by"], validate_constraints=False, validate_unique=False)
    if ChatOverlay.objects.for_account(account).filter(name__iexact=overlay.name).exists():
        raise ValidationError({"name": f"A chat overlay called “{overlay.name}” already exists."})
    overlay.save()
    fields = ("name", "greeting", "background_colour", "text_colour", "target_queue")
    audit_record(
        actor=actor,
        account=account,
        action=AuditAction.CHAT_OVERLAY_CREATED,
        target=overlay,
        after={f: getattr(overlay, f) for f in fields},
    )
    return overlay


@transaction.atomic
def chat_overlay_delete(*, actor: User, account: Account, overlay_id: int) -> None:
    access.require(actor, Capability.MANAGE_INTEGRATIONS, account)
    overlay = ChatOverlay.objects.for_account(account).filter(pk=overlay_id).first()
    if overlay is None:
        raise ValidationError(_("That chat overlay no longer exists."))
    overlay.delete()
    audit_record(
        actor=actor,
        account=account,
        action=AuditAction.CHAT_OVERLAY_DELETED,
        target=overlay,
        before={"name": overlay.name, "target_queue": overlay.target_queue},
    )
