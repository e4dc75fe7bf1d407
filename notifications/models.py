"""Notifications: subscriptions (webhooks), publications and every delivery attempt.

A ``Publication`` is one event published by a service (a chat message, a call state change). Each
matching ``Subscription`` of the publication's account gets it POSTed to its webhook; each try
is a ``DeliveryAttempt`` row (written *before* the request, so an attempt interrupted by a lost
worker stays visible as ``interrupted``).
"""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models

from core.fields import EncryptedTextField

TOPIC_CONVERSATIONS = "platform-api-conversations"
TOPIC_MEDIA = "platform-api-media"
TOPICS = (TOPIC_CONVERSATIONS, TOPIC_MEDIA)
TRANSPORT_WEBHOOK = "webhook"


def subscription_id_new() -> str:
    return uuid.uuid4().hex


def subscription_secret_new() -> str:
    """The key of a subscription's delivery signatures (HMAC-SHA256), shown to its owner once."""
    return "whsec_" + secrets.token_urlsafe(32)


class Subscription(models.Model):
    class Topic(models.TextChoices):
        CONVERSATIONS = TOPIC_CONVERSATIONS, "Conversations (chat messages)"
        MEDIA = TOPIC_MEDIA, "Media (call state changes)"

    class Transport(models.TextChoices):
        WEBHOOK = TRANSPORT_WEBHOOK, "Webhook"

    subscription_id = models.CharField(
        max_length=32, unique=True, default=subscription_id_new, editable=False
    )
    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="subscriptions")
    principal_id = models.CharField(
        max_length=64, help_text="The principal (user or application) that owns it."
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="subscriptions",
    )
    application_id = models.CharField(max_length=200, blank=True)
    device_id = models.URLField(max_length=2000, help_text="The webhook URL.")
    transport = models.CharField(max_length=20, choices=Transport.choices, default=TRANSPORT_WEBHOOK)
    topic = models.CharField(max_length=64, choices=Topic.choices)
    subject_filter = models.CharField(max_length=500, blank=True)
    publication_filter = models.CharField(max_length=1000, blank=True)
    secret = EncryptedTextField(
        default=subscription_secret_new,
        editable=False,
        help_text="Signs every delivery (x-mitel-signature); in the create/rotate answer only.",
    )
    created_on = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["account", "topic"])]

    def __str__(self) -> str:
        return f"{self.topic} -> {self.device_id}"


class Publication(models.Model):
    publication_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="publications")
    topic = models.CharField(max_length=64)
    subject = models.CharField(max_length=500)
    method = models.CharField(max_length=10)
    content = models.JSONField(default=dict)
    publisher = models.JSONField(default=dict)
    # Principals allowed to receive it besides the account's admins; null = everyone in the account.
    audience = models.JSONField(null=True, blank=True, default=None)
    correlation_id = models.CharField(max_length=64, blank=True)
    created_on = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["account", "-created_on"])]

    def __str__(self) -> str:
        return f"{self.method} {self.subject}"


class DeliveryAttempt(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Sending"
        SUCCEEDED = "succeeded", "Delivered"
        FAILED = "failed", "Failed"
        INTERRUPTED = "interrupted", "Interrupted (worker lost)"

    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="attempts")
    subscription = models.ForeignKey(
        Subscription, null=True, on_delete=models.SET_NULL, related_name="attempts"
    )
    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, related_name="delivery_attempts"
    )
    subscription_ref = models.CharField(max_length=32, help_text="subscriptionId (kept after deletion).")
    url = models.CharField(max_length=2000)
    attempt = models.PositiveIntegerField(help_text="1 for the first try.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    status_code = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    started_on = models.DateTimeField(auto_now_add=True)
    finished_on = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["account", "-started_on"]),
            models.Index(fields=["publication", "subscription_ref"]),
        ]

    def __str__(self) -> str:
        return f"#{self.attempt} {self.status} {self.url}"

    @property
    def badge(self) -> str:
        """The console badge colour of the status."""
        return {"succeeded": "success", "failed": "danger", "interrupted": "warning"}.get(self.status, "info")
