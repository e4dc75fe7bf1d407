"""The account's gateway, its PBX and SIP trunk (the API and the gateway page), and the building
blocks the wizard and the connect job share: the permission check, the account lock, saving the
gateway and its PBX with their audit rows (never a secret in a snapshot).

One gateway per customer account, none on a partner's own account; one PBX per gateway. Secrets
(CSTA and trunk passwords) are write-only: a blank value keeps the stored one.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts import access
from accounts.access import Capability
from accounts.audit import AuditAction, audit_record
from accounts.models import Account, User
from core.errors import Conflict
from gateways.forms import DEFAULT_GATEWAY_USERNAME
from gateways.models import PBX_NEEDS_CREDENTIALS, Gateway, GatewaySetup, Pbx, PbxType, SipTrunk

PARTNER_ACCOUNT_MESSAGE = _(
    "A gateway connects a customer's PBX: it can't be added to a partner account. Open one of your "
    "customer accounts and add the gateway there."
)
NO_GATEWAY_MESSAGE = _("This account has no gateway yet.")
NO_PBX_MESSAGE = "Configure the gateway's PBX before connecting."
DISCONNECTED_BY_ADMIN = "Disconnected by an administrator: the gateway is no longer re-checked."


class GatewayConflict(Conflict, ValidationError):
    """The account has a gateway already (the API answers 409)."""


# --- snapshots (audit before/after; never a secret) ---------------------------------------------------


def gateway_snapshot(gateway: Gateway | None) -> dict[str, Any]:
    if gateway is None:
        return {}
    return {
        "name": gateway.name,
        "serial_number": gateway.serial_number,
        "mac_address": gateway.mac_address,
        "network": gateway.network,
        "ip_address": gateway.ip_address or "",
        "subnet_mask": gateway.subnet_mask or "",
        "default_gateway": gateway.default_gateway or "",
        "dns_servers": list(gateway.dns_servers),
        "internal_dns_server": gateway.internal_dns_server or "",
        "status": gateway.status,
    }


def pbx_snapshot(pbx: Pbx | None) -> dict[str, Any]:
    if pbx is None:
        return {}
    return {
        "type": pbx.type,
        "name": pbx.name,
        "host": pbx.host,
        "csta_port": pbx.csta_port,
        "csta_user": pbx.csta_user,
        "csta_password_set": bool(pbx.csta_password),
        "csta_tls": pbx.csta_tls,
        "csta_tls_certificate_set": bool(pbx.csta_tls_certificate),
    }


def trunk_snapshot(trunk: SipTrunk) -> dict[str, Any]:
    return {
        "address": trunk.address,
        "port": trunk.port,
        "transport": trunk.transport,
        "description": trunk.description,
        "pbx_username": trunk.pbx_username,
        "pbx_password_set": bool(trunk.pbx_password),
        "gateway_username": trunk.gateway_username,
        "gateway_password_set": bool(trunk.gateway_password),
        "gsm_deploy_number": trunk.gsm_deploy_number,
    }


# --- building blocks (the wizard's and the connect job's services use them too) -----------------------


def require_manager(actor: User | None, account: Account) -> None:
    """The actor may manage the account's gateway, and the account is a customer's (not a partner's)."""
    access.require(actor, Capability.MANAGE_GATEWAY, account)
    if account.is_partner:
        raise ValidationError(PARTNER_ACCOUNT_MESSAGE, code="partner_account")


def lock_account(account: Account) -> Account:
    """Lock the account row: changes to one account's gateway run one at a time."""
    return Account.objects.select_for_update().get(pk=account.pk)


def gateway_of(account: Account) -> Gateway:
    """The account's gateway, or a ValidationError saying it has none."""
    gateway = Gateway.objects.filter(account=account).select_related("pbx", "trunk").first()
    if gateway is None:
        raise ValidationError(NO_GATEWAY_MESSAGE, code="no_gateway")
    return gateway


def pbx_of(gateway: Gateway) -> Pbx | None:
    return Pbx.objects.filter(gateway=gateway).first()


def _apply_gateway(gateway: Gateway, values: dict[str, Any]) -> None:
    for name in ("name", "serial_number", "mac_address", "network", "dns_servers"):
        setattr(gateway, name, values[name])
    for name in ("ip_address", "subnet_mask", "default_gateway", "internal_dns_server"):
        setattr(gateway, name, values.get(name) or None)


def gateway_save(
    *, actor: User | None, account: Account, customer: dict[str, Any], values: dict[str, Any]
) -> tuple[Gateway, bool]:
    """Create or update the account's gateway from Customer and Gateway step values."""
    gateway = Gateway.objects.filter(account=account).first()
    created = gateway is None
    before = gateway_snapshot(gateway)
    if created:
        gateway = Gateway(account=account, created_by=actor)
    _apply_gateway(gateway, values)
    gateway.customer = customer
    gateway.save()
    if created:
        SipTrunk.objects.create(
            gateway=gateway, address=gateway.ip_address or "", gateway_username=DEFAULT_GATEWAY_USERNAME
        )
    after = gateway_snapshot(gateway)
    if created or before != after:
        audit_record(
            actor=actor,
            account=account,
            action=AuditAction.GATEWAY_CREATED if created else AuditAction.GATEWAY_UPDATED,
            target=gateway,
            before=before,
            after=after,
        )
    return gateway, created


def pbx_save(*, actor: User | None, gateway: Gateway, values: dict[str, Any], password: str) -> Pbx:
    """Create or update the gateway's one PBX; a blank ``password`` keeps the stored one."""
    pbx = pbx_of(gateway)
    before = pbx_snapshot(pbx)
    created = pbx is None
    pbx = pbx or Pbx(gateway=gateway)
    for name in ("type", "name", "host", "csta_port", "csta_user"):
        setattr(pbx, name, values[name])
    pbx.csta_tls = bool(values.get("csta_tls"))
    pbx.csta_tls_certificate = values.get("csta_tls_certificate") or ""
    if password:
        pbx.csta_password = password
    pbx.save()
    after = pbx_snapshot(pbx)
    if created or before != after or password:
        audit_record(
            actor=actor,
            account=gateway.account,
            action=AuditAction.GATEWAY_PBX_CREATED if created else AuditAction.GATEWAY_PBX_UPDATED,
            target=gateway,
            before=before,
            after=after | ({"csta_password_changed": True} if password and not created else {}),
        )
    return pbx


# --- the gateway, its PBX and trunk (API and gateway page) -------------------------------------------------


@transaction.atomic
def gateway_create(
    *, actor: User, account: Account, customer: dict[str, Any], values: dict[str, Any]
) -> Gateway:
    """Add the account's gateway (the API's POST; the wizard's Connect does the same)."""
    require_manager(actor, account)
    lock_account(account)
    if Gateway.objects.filter(account=account).exists():
        raise GatewayConflict("This account already has a gateway: one gateway per customer account.")
    gateway, _created = gateway_save(actor=actor, account=account, customer=customer, values=values)
    return gateway


@transaction.atomic
def gateway_update(
    *, actor: User, account: Account, customer: dict[str, Any], values: dict[str, Any]
) -> Gateway:
    require_manager(actor, account)
    lock_account(account)
    gateway_of(account)
    gateway, _created = gateway_save(actor=actor, account=account, customer=customer, values=values)
    return gateway


@transaction.atomic
def pbx_set(*, actor: User, account: Account, values: dict[str, Any], password: str = "") -> Pbx:
    """Set the gateway's one PBX (a PbxForm's ``values()``); a blank password keeps the stored one."""
    require_manager(actor, account)
    lock_account(account)
    gateway = gateway_of(account)
    pbx = pbx_of(gateway)
    if values["type"] in PBX_NEEDS_CREDENTIALS and not password and not (pbx and pbx.csta_password):
        raise ValidationError(
            {
                "csta_password": _("%(pbx_type)s needs the CSTA user's password.")
                % {"pbx_type": PbxType(values["type"]).label}
            }
        )
    return pbx_save(actor=actor, gateway=gateway, values=values, password=password)


@transaction.atomic
def trunk_update(
    *, actor: User, account: Account, values: dict[str, Any], secrets: dict[str, str]
) -> SipTrunk:
    """Save the SIP trunk section (a SipTrunkForm's ``values()`` and ``secrets()``: blank keeps)."""
    require_manager(actor, account)
    lock_account(account)
    gateway = gateway_of(account)
    trunk, _created = SipTrunk.objects.get_or_create(gateway=gateway)
    before = trunk_snapshot(trunk)
    for name, value in values.items():
        setattr(trunk, name, value)
    for name in ("pbx_password", "gateway_password"):
        if secrets.get(name):
            setattr(trunk, name, secrets[name])
    trunk.save()
    after = trunk_snapshot(trunk)
    changed_secrets = sorted(name for name in secrets if secrets[name])
    if before != after or changed_secrets:
        audit_record(
            actor=actor,
            account=account,
            action=AuditAction.GATEWAY_TRUNK_UPDATED,
            target=gateway,
            before=before,
            after=after | ({"passwords_changed": changed_secrets} if changed_secrets else {}),
        )
    return trunk


@transaction.atomic
def gateway_disconnect(*, actor: User, account: Account) -> Gateway:
    """Mark the gateway disconnected and stop re-checking it (Re-check connects it again)."""
    require_manager(actor, account)
    lock_account(account)
    gateway = gateway_of(account)
    before = gateway_snapshot(gateway)
    gateway.status = Gateway.Status.DISCONNECTED
    gateway.monitored = False
    gateway.last_error_code = "disconnected"
    gateway.last_error = DISCONNECTED_BY_ADMIN
    gateway.save(update_fields=["status", "monitored", "last_error_code", "last_error", "modified_at"])
    audit_record(
        actor=actor,
        account=account,
        action=AuditAction.GATEWAY_DISCONNECTED,
        target=gateway,
        before=before,
        after=gateway_snapshot(gateway),
    )
    return gateway


@transaction.atomic
def gateway_remove(*, actor: User, account: Account) -> None:
    """Remove the gateway, its PBX, trunk, jobs and wizard state; the account no longer shows a PBX type."""
    require_manager(actor, account)
    account = lock_account(account)
    gateway = gateway_of(account)
    before = gateway_snapshot(gateway) | {"pbx": pbx_snapshot(pbx_of(gateway))}
    gateway.delete()
    GatewaySetup.objects.filter(account=account).delete()
    if account.pbx_type:
        Account.objects.filter(pk=account.pk).update(pbx_type="")
    audit_record(actor=actor, account=account, action=AuditAction.GATEWAY_REMOVED, before=before)
