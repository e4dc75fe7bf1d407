"""Every change to an account's identity provider (``identity_provider_<verb>(*, actor, ...)``).

Account admins manage their own account's provider, partner admins their customers' (and their
own): ``Capability.MANAGE_SSO`` in ``accounts.access``. One audit event per change.
"""

from __future__ import annotations

from typing import Any

import requests
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts import access
from accounts.access import Capability
from accounts.audit import AuditAction, audit_record
from accounts.models import Account, User
from core.errors import Conflict
from sso import oidc, saml
from sso.models import IdentityProvider, TrustedIssuer

OPTION_FIELDS = ("active", "label", "sso_required", "jit_user_creation", "role_claim")
SAML_FIELDS = ("saml_entity_id", "saml_login_url", "saml_logout_url", "saml_certificates")
OIDC_FIELDS = ("oidc_issuer", "oidc_client_id", "oidc_client_secret")
METADATA_TIMEOUT = 10


def _snapshot(provider: IdentityProvider) -> dict[str, Any]:
    fields = ("protocol", *OPTION_FIELDS, "saml_entity_id", "saml_login_url", "oidc_issuer", "oidc_client_id")
    return {name: getattr(provider, name) for name in fields}


def metadata_fetch(url: str) -> str:
    try:
        response = requests.get(url, timeout=METADATA_TIMEOUT)
        response.raise_for_status()
    except requests.RequestException as exc:
        raise ValidationError({"saml_metadata_url": f"The metadata could not be fetched ({exc})."}) from exc
    return response.text


def _apply_saml(provider: IdentityProvider, changes: dict[str, Any]) -> None:
    """Metadata (uploaded XML or fetched from a URL) fills the SAML fields; else the fields given."""
    if changes.get("saml_metadata_url") and not changes.get("saml_metadata_xml"):
        changes["saml_metadata_xml"] = metadata_fetch(changes["saml_metadata_url"])
    if changes.get("saml_metadata_xml"):
        try:
            meta = saml.metadata_parse(changes["saml_metadata_xml"])
        except saml.MetadataInvalid as exc:
            raise ValidationError({"saml_metadata_xml": str(exc)}) from exc
        provider.saml_metadata_xml = changes["saml_metadata_xml"]
        provider.saml_metadata_url = changes.get("saml_metadata_url", "")
        provider.saml_entity_id = meta.entity_id
        provider.saml_login_url = meta.login_url
        provider.saml_logout_url = meta.logout_url
        provider.saml_certificates = "".join(meta.certificates)
        return
    touched = False
    for name in SAML_FIELDS:
        if name in changes:
            value = changes[name] or ""
            if name == "saml_certificates":
                try:
                    value = "".join(saml.certificates_from_text(value))
                except saml.MetadataInvalid as exc:
                    raise ValidationError({name: str(exc)}) from exc
            setattr(provider, name, value)
            touched = True
    if touched:  # the provider is described by its fields now, not by old metadata
        provider.saml_metadata_xml = ""
        provider.saml_metadata_url = ""
    missing = [
        name
        for name in ("saml_entity_id", "saml_login_url", "saml_certificates")
        if not getattr(provider, name)
    ]
    if missing:
        raise ValidationError({name: "This field is required for a SAML provider." for name in missing})


def _apply_oidc(provider: IdentityProvider, changes: dict[str, Any]) -> None:
    for name in OIDC_FIELDS:
        if name in changes:
            setattr(provider, name, (changes[name] or "").strip())
    if not provider.oidc_issuer or not provider.oidc_client_id:
        raise ValidationError({"oidc_issuer": "An OpenID Connect provider needs an issuer and a client ID."})
    try:
        provider.oidc_issuer = oidc.issuer_check(provider.oidc_issuer)
        if "oidc_issuer" in changes:
            oidc.discover(provider.oidc_issuer)
    except oidc.OidcError as exc:
        raise ValidationError({"oidc_issuer": str(exc)}) from exc


def _apply(provider: IdentityProvider, changes: dict[str, Any]) -> None:
    for name in OPTION_FIELDS:
        if name in changes:
            setattr(provider, name, changes[name])
    if provider.role_claim is None:
        provider.role_claim = ""
    if provider.is_saml:
        _apply_saml(provider, changes)
    else:
        _apply_oidc(provider, changes)
    provider.label = provider.label or provider.protocol


@transaction.atomic
def identity_provider_create(
    *, actor: User, account: Account, protocol: str, **changes: Any
) -> IdentityProvider:
    access.require(actor, Capability.MANAGE_SSO, account)
    if protocol not in IdentityProvider.Protocol.values:
        raise ValidationError({"protocol": "The provider type must be SAML or OIDC."})
    if IdentityProvider.objects.filter(account=account).exists():
        raise Conflict("This account already has an identity provider: update or delete it.")
    provider = IdentityProvider(account=account, protocol=protocol, created_by=actor, modified_by=actor)
    _apply(provider, changes)
    try:
        with transaction.atomic():
            provider.save()
    except IntegrityError as exc:
        raise Conflict("This account already has an identity provider: update or delete it.") from exc
    audit_record(
        actor=actor,
        account=account,
        action=AuditAction.IDENTITY_PROVIDER_CREATED,
        target=provider,
        after=_snapshot(provider),
    )
    return provider


@transaction.atomic
def identity_provider_update(*, actor: User, provider: IdentityProvider, **changes: Any) -> IdentityProvider:
    access.require(actor, Capability.MANAGE_SSO, provider.account)
    provider = IdentityProvider.objects.select_for_update().select_related("account").get(pk=provider.pk)
    before = _snapshot(provider)
    _apply(provider, changes)
    provider.modified_by = actor
    provider.save()
    audit_record(
        actor=actor,
        account=provider.account,
        action=AuditAction.IDENTITY_PROVIDER_UPDATED,
        target=provider,
        before=before,
        after=_snapshot(provider),
    )
    return provider


@transaction.atomic
def identity_provider_delete(*, actor: User, provider: IdentityProvider) -> None:
    access.require(actor, Capability.MANAGE_SSO, provider.account)
    audit_record(
        actor=actor,
        account=provider.account,
        action=AuditAction.IDENTITY_PROVIDER_DELETED,
        target=provider,
        before=_snapshot(provider),
    )
    provider.delete()


# --- trusted issuers --------------------------------------------------------------------------------

TRUSTED_ISSUER_FIELDS = ("display_name", "description", "iss", "jwks_uri", "audience")


def _issuer_snapshot(issuer: TrustedIssuer) -> dict[str, Any]:
    return {name: getattr(issuer, name) for name in TRUSTED_ISSUER_FIELDS}


def _apply_trusted_issuer(issuer: TrustedIssuer, changes: dict[str, Any]) -> None:
    for name in TRUSTED_ISSUER_FIELDS:
        if name in changes:
            setattr(issuer, name, (changes[name] or "").strip())
    if not issuer.iss:
        raise ValidationError({"iss": "The issuer's iss claim is required."})
    if not issuer.jwks_uri:
        raise ValidationError({"jwks_uri": "The issuer's JWKS URL is required."})
    try:
        issuer.jwks_uri = oidc.issuer_check(issuer.jwks_uri)
    except oidc.OidcError as exc:
        raise ValidationError({"jwks_uri": str(exc).replace("issuer", "JWKS URL")}) from exc


def _save_trusted_issuer(issuer: TrustedIssuer) -> None:
    try:
        with transaction.atomic():
            issuer.save()
    except IntegrityError as exc:
        raise Conflict("This account already trusts an issuer with this iss.") from exc


@transaction.atomic
def trusted_issuer_create(*, actor: User, account: Account, **changes: Any) -> TrustedIssuer:
    access.require(actor, Capability.MANAGE_SSO, account)
    issuer = TrustedIssuer(account=account, created_by=actor)
    _apply_trusted_issuer(issuer, changes)
    _save_trusted_issuer(issuer)
    audit_record(
        actor=actor,
        account=account,
        action=AuditAction.TRUSTED_ISSUER_CREATED,
        target=issuer,
        after=_issuer_snapshot(issuer),
    )
    return issuer


@transaction.atomic
def trusted_issuer_update(*, actor: User, issuer: TrustedIssuer, **changes: Any) -> TrustedIssuer:
    access.require(actor, Capability.MANAGE_SSO, issuer.account)
    issuer = TrustedIssuer.objects.select_for_update().select_related("account").get(pk=issuer.pk)
    before = _issuer_snapshot(issuer)
    _apply_trusted_issuer(issuer, changes)
    _save_trusted_issuer(issuer)
    audit_record(
        actor=actor,
        account=issuer.account,
        action=AuditAction.TRUSTED_ISSUER_UPDATED,
        target=issuer,
        before=before,
        after=_issuer_snapshot(issuer),
    )
    return issuer


@transaction.atomic
def trusted_issuer_delete(*, actor: User, issuer: TrustedIssuer) -> None:
    access.require(actor, Capability.MANAGE_SSO, issuer.account)
    audit_record(
        actor=actor,
        account=issuer.account,
        action=AuditAction.TRUSTED_ISSUER_DELETED,
        target=issuer,
        before=_issuer_snapshot(issuer),
    )
    issuer.delete()
