"""Tokens and who may get them: signing keys, refresh tokens (one family per sign-in), guest
identities, authorization codes, and the third-party applications partners register.

These models moved here from ``accounts`` and ``integrations``; they keep their tables."""

import uuid

from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Account, User
from accounts.querysets import TenantOwnedQuerySet
from core.fields import EncryptedTextField


class SigningKey(models.Model):
    """An RSA key pair that signs access tokens. The newest active key signs; every key not
    yet retired stays in the JWKS so tokens signed before a rotation still verify. The private
    key is stored encrypted (PORTAL_ENCRYPTION_KEYS)."""

    kid = models.CharField(max_length=64, unique=True)
    private_key_pem = EncryptedTextField()
    public_jwk = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "accounts_signingkey"  # the table it had in the accounts app
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.kid


class RefreshToken(models.Model):
    """One issued refresh token. Using it rotates it; presenting a used one revokes its family."""

    jti = models.UUIDField(unique=True, default=uuid.uuid4)
    family = models.UUIDField(db_index=True, default=uuid.uuid4)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="refresh_tokens")
    issued_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    mitel_app = models.CharField(max_length=500, blank=True)
    # The application whose authorization-code flow began this sign-in ("" for the user's own):
    # blocking or deleting it revokes the family, and rotation stops while it is not active.
    client_id = models.CharField(max_length=64, blank=True, db_index=True)
    # The family's absolute end (first issue + PORTAL_REFRESH_FAMILY_MAX_AGE), copied on rotation.
    # Rows issued before it existed end with their own expires_at.
    family_expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "accounts_refreshtoken"  # the table it had in the accounts app
        ordering = ["-issued_at", "-pk"]

    def __str__(self) -> str:
        return str(self.jti)


class GuestPrincipal(models.Model):
    """A guest's ``principalId`` in an account, bound on its first ``/guest/token`` to the guest's
    refresh token, so nobody else can get a token for it. The row is kept after it expires: an
    identity that has been used is never handed to someone else (its conversations stay its own)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="guest_principals")
    principal_id = models.CharField(max_length=128)
    name = models.CharField(max_length=100)
    email = models.CharField(max_length=254, blank=True)
    client_id = models.CharField(max_length=200, blank=True)
    refresh_jti = models.UUIDField(unique=True, default=uuid.uuid4)  # the one refresh token that works
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    class Meta:
        db_table = "accounts_guestprincipal"  # the table it had in the accounts app
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "principal_id"], name="guest_principal_unique_per_account"
            )
        ]

    def __str__(self) -> str:
        return self.principal_id


class AuthorizationCode(models.Model):
    """A single-use OAuth authorization code (``POST /authorize`` and the browser flow).

    Only the code's SHA-256 is stored. Exchanging it records the refresh-token ``family`` it
    issued, so presenting it a second time revokes that family (and its access tokens)."""

    code_hash = models.CharField(max_length=64, unique=True)
    client_id = models.CharField(max_length=64)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    redirect_uri = models.CharField(max_length=2000, blank=True)
    scope = models.CharField(max_length=500, blank=True)
    code_challenge = models.CharField(max_length=128, blank=True)
    code_challenge_method = models.CharField(max_length=10, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    family = models.UUIDField(null=True, blank=True)

    class Meta:
        db_table = "accounts_authorizationcode"  # the table it had in the accounts app
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"code for {self.client_id} ({self.created_at:%Y-%m-%d %H:%M:%S})"


class Application(models.Model):
    """A third-party application a partner registered on the Developer page.

    Pending until a platform operator approves it (which issues ``client_id`` and, for
    confidential clients (an opt-in; public is the default), a secret shown once; only its hash is kept) or rejects it. Its
    ``mitel_app`` name only counts requests: it is unique among *approved* applications (a
    pending, rejected or blocked registration holds no name)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending approval")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        BLOCKED = "blocked", _("Blocked")

    class ClientType(models.TextChoices):
        CONFIDENTIAL = "confidential", _("Confidential (server, keeps a secret)")
        PUBLIC = "public", _("Public (browser or mobile app, no secret)")

    owner = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="applications")
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    redirect_uris = models.JSONField(default=list, blank=True)
    contact_email = models.EmailField()
    mitel_app = models.CharField(
        "x-mitel-app value", max_length=200, help_text="The app name it sends in x-mitel-app, e.g. MyApp"
    )
    # Public by default, as CloudLink's own registration (which has no client type): a code is
    # exchanged with the client ID alone. Confidential clients are an opt-in and authenticate.
    client_type = models.CharField(max_length=12, choices=ClientType.choices, default=ClientType.PUBLIC)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    status_reason = models.TextField(blank=True)
    client_id = models.CharField(max_length=64, unique=True, null=True, blank=True)
    client_secret_hash = models.CharField(max_length=128, blank=True)
    secret_rotated_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    reviewed_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "integrations_application"  # the table it had in the integrations app
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                Lower("mitel_app"),
                condition=models.Q(status="approved"),
                name="application_mitel_app_unique_when_approved",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_confidential(self) -> bool:
        return self.client_type == self.ClientType.CONFIDENTIAL


class ApplicationDeployment(models.Model):
    """An approved application enabled in one customer account (CloudLink's PUT /applications/{id}).

    ``redirect_uris`` is the account's own list, saved as given (CloudLink's examples hold
    placeholders) and checked when /authorize uses one. ``role`` is what the application's own
    token (client_credentials) may do in the account: USER (the default) or ACCOUNT_ADMIN."""

    class Role(models.TextChoices):
        USER = "USER", "User"
        ACCOUNT_ADMIN = "ACCOUNT_ADMIN", "Account admin"

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="deployments")
    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="app_deployments")
    name = models.CharField(max_length=120, blank=True)
    description = models.TextField(blank=True)
    redirect_uris = models.JSONField(default=list, blank=True)
    active = models.BooleanField(default=True)
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.USER)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    modified_at = models.DateTimeField(auto_now=True)

    objects = TenantOwnedQuerySet.as_manager()

    class Meta:
        db_table = "integrations_applicationdeployment"  # the table it had in the integrations app
        ordering = ["application__name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["application", "account"], name="deployment_unique_per_account")
        ]

    def __str__(self) -> str:
        return f"{self.application} in {self.account}"


class ApplicationUsage(models.Model):
    """Requests seen per approved application per day (from the x-mitel-app header callers send:
    self-declared, so a count, never an access control), shown to the partner."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="usage")
    day = models.DateField()
    requests = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "integrations_applicationusage"  # the table it had in the integrations app
        ordering = ["-day"]
        constraints = [models.UniqueConstraint(fields=["application", "day"], name="usage_unique_per_day")]

    def __str__(self) -> str:
        return f"{self.application} {self.day}: {self.requests}"
