"""An account's identity provider (SAML 2.0 or OpenID Connect) and the sign-ins started through it."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone

from accounts.models import Account, User
from core.fields import EncryptedTextField


class IdentityProvider(models.Model):
    """The one identity provider of an account (CloudLink's ``identityProvider``)."""

    class Protocol(models.TextChoices):
        SAML = "SAML", "SAML 2.0"
        OIDC = "OIDC", "OpenID Connect"

    identity_provider_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    account = models.OneToOneField(Account, on_delete=models.CASCADE, related_name="identity_provider")
    protocol = models.CharField(max_length=4, choices=Protocol.choices)
    # CloudLink's free-text `type` ("AZURE", "OKTA", ...); "OIDC" for OpenID Connect providers.
    label = models.CharField(max_length=40, blank=True)
    active = models.BooleanField(default=True)
    # SAML 2.0: what the IdP's metadata says (kept whole when uploaded or fetched).
    saml_entity_id = models.CharField(max_length=500, blank=True)
    saml_login_url = models.URLField(max_length=1000, blank=True)
    saml_logout_url = models.URLField(max_length=1000, blank=True)
    saml_certificates = models.TextField(blank=True, help_text="PEM signing certificates of the IdP.")
    saml_metadata_url = models.URLField(max_length=1000, blank=True)
    saml_metadata_xml = models.TextField(blank=True)
    # OpenID Connect: endpoints come from the issuer's discovery document.
    oidc_issuer = models.URLField(max_length=500, blank=True)
    oidc_client_id = models.CharField(max_length=255, blank=True)
    oidc_client_secret = EncryptedTextField(blank=True)
    # Options.
    sso_required = models.BooleanField(
        default=False,
        help_text="Users must sign in through the provider; admins keep a break-glass password.",
    )
    jit_user_creation = models.BooleanField(
        default=False, help_text="Create a user on first sign-in when the email is not in the account yet."
    )
    role_claim = models.CharField(
        max_length=100, blank=True, help_text="Claim or attribute whose value names the user's role."
    )
    created_on = models.DateTimeField(default=timezone.now, editable=False)
    modified_on = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    modified_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.get_protocol_display()} provider of {self.account}"

    @property
    def is_saml(self) -> bool:
        return self.protocol == self.Protocol.SAML


class SsoSignIn(models.Model):
    """One sign-in sent to an identity provider, until its answer comes back (once)."""

    state = models.CharField(max_length=64, unique=True)
    provider = models.ForeignKey(IdentityProvider, on_delete=models.CASCADE, related_name="sign_ins")
    request_id = models.CharField(max_length=200, blank=True, help_text="SAML AuthnRequest ID.")
    code_verifier = models.CharField(max_length=128, blank=True)
    nonce = models.CharField(max_length=64, blank=True)
    # Where the answer goes: the console ("next") or an API client (its code request).
    next_url = models.CharField(max_length=1000, blank=True)
    client_request = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["provider", "request_id"], name="sso_sign_in_request_idx")]

    def __str__(self) -> str:
        return f"sign-in {self.pk} through {self.provider}"


class TrustedIssuer(models.Model):
    """An external token issuer an account trusts (CloudLink's ``trustedIssuer``): its tokens,
    checked against its JWKS, are exchanged at ``POST /token`` for a token of the matching user."""

    issuer_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="trusted_issuers")
    display_name = models.CharField(max_length=200, blank=True)
    description = models.CharField(max_length=1000, blank=True)
    iss = models.CharField(max_length=500, help_text="The iss claim of the issuer's tokens.")
    jwks_uri = models.URLField(max_length=1000)
    audience = models.CharField(
        max_length=500,
        blank=True,
        help_text="The aud the issuer's tokens must carry; empty: the account's SSO entity ID.",
    )
    created_on = models.DateTimeField(default=timezone.now, editable=False)
    modified_on = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["account", "iss"], name="sso_trusted_issuer_once")]

    def __str__(self) -> str:
        return f"trusted issuer {self.iss} of {self.account}"
