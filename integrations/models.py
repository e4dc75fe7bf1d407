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
        return str(provider.label) if provider else self.type  # a label may be lazy (translated)


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
