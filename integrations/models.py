"""Integrations added to an account, and the MiCC chat overlays.

The account privileges the integrations bring are the ``Account.allow_guest_access`` and
``Account.delegated_authentication`` fields; only ``integrations.services`` changes them.
"""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from accounts.querysets import TenantOwnedQuerySet
from integrations import registry

hex_colour = RegexValidator(r"^#[0-9a-fA-F]{6}$", "Enter a colour as #RRGGBB.")


class IntegrationQuerySet(TenantOwnedQuerySet):
    def enabled(self) -> IntegrationQuerySet:
        return self.filter(enabled=True)


class Integration(models.Model):
    """One catalogue integration added to one account (at most once)."""

    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="integrations")
    type = models.CharField(max_length=40)
    enabled = models.BooleanField(default=True)
    config = models.JSONField(default=dict, blank=True)
    setup_complete = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    modified_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    modified_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = IntegrationQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["account", "type"], name="integration_once_per_account"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def provider(self) -> registry.Provider | None:
        return registry.get(self.type)

    @property
    def label(self) -> str:
        provider = self.provider
        return provider.label if provider else self.type


class ChatOverlay(models.Model):
    """A MiCC web-chat overlay: the chat window a website shows, routed to a contact-center queue."""

    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="chat_overlays")
    name = models.CharField(max_length=100)
    greeting = models.CharField(max_length=300)
    background_colour = models.CharField(max_length=7, default="#0b5cad", validators=[hex_colour])
    text_colour = models.CharField(max_length=7, default="#ffffff", validators=[hex_colour])
    target_queue = models.CharField("Target queue", max_length=100)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = TenantOwnedQuerySet.as_manager()

    class Meta:
        ordering = [Lower("name"), "pk"]
        constraints = [
            models.UniqueConstraint(Lower("name"), "account", name="chat_overlay_name_unique_per_account"),
        ]

    def __str__(self) -> str:
        return self.name


class Application(models.Model):
    """A third-party application a partner registered on the Developer page.

    Pending until a platform operator approves it (which issues ``client_id`` and, for
    confidential clients, a secret shown once; only its hash is kept) or rejects it. Its
    ``mitel_app`` name only counts requests: it is unique among *approved* applications (a
    pending, rejected or blocked registration holds no name)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending approval"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        BLOCKED = "blocked", "Blocked"

    class ClientType(models.TextChoices):
        CONFIDENTIAL = "confidential", "Confidential (server, keeps a secret)"
        PUBLIC = "public", "Public (browser or mobile app, no secret)"

    owner = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="applications")
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    redirect_uris = models.JSONField(default=list, blank=True)
    contact_email = models.EmailField()
    mitel_app = models.CharField(
        "x-mitel-app value", max_length=200, help_text="The app name it sends in x-mitel-app, e.g. MyApp"
    )
    client_type = models.CharField(max_length=12, choices=ClientType.choices, default=ClientType.CONFIDENTIAL)
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
    """An approved application enabled in one customer account (CloudLink's PUT /applications/{id})."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="deployments")
    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="app_deployments")
    name = models.CharField(max_length=120, blank=True)
    description = models.TextField(blank=True)
    redirect_uris = models.JSONField(default=list, blank=True)
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    modified_at = models.DateTimeField(auto_now=True)

    objects = TenantOwnedQuerySet.as_manager()

    class Meta:
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
        ordering = ["-day"]
        constraints = [models.UniqueConstraint(fields=["application", "day"], name="usage_unique_per_day")]

    def __str__(self) -> str:
        return f"{self.application} {self.day}: {self.requests}"


class MitelOneUserSettings(models.Model):
    """Per-user Mitel One settings, shown on the user page once the account has Mitel One."""

    class Tier(models.TextChoices):
        ESSENTIAL = "essential", "Essential"
        PREMIER = "premier", "Premier"
        ELITE = "elite", "Elite"

    user = models.OneToOneField("accounts.User", on_delete=models.CASCADE, related_name="mitel_one")
    enabled = models.BooleanField("Mitel One enabled", default=True)
    tier = models.CharField("Licence tier", max_length=10, choices=Tier.choices, default=Tier.ESSENTIAL)
    modified_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Mitel One for {self.user_id}: {self.tier}{'' if self.enabled else ' (off)'}"
