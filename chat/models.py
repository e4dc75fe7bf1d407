"""Chat (CloudLink Conversations API): conversations of an account, their participants and messages.

Participants and authors are *principals*: a user of the account (``USER``, ``participant_id`` is
the user's GUID) or an anonymous guest holding a GUEST token (``GUEST``, ``participant_id`` is the
token's ``principalId``). Guests have no row anywhere else, so principals are stored as strings.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone

from accounts.querysets import TenantOwnedQuerySet


class PrincipalType(models.TextChoices):
    USER = "USER", "User"
    GUEST = "GUEST", "Guest"
    APP = "APP", "Application"  # an application's own (service) token (CloudLink's client type)


class Conversation(models.Model):
    class Visibility(models.TextChoices):
        PUBLIC = "PUBLIC", "Public"
        PRIVATE = "PRIVATE", "Private"

    conversation_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="conversations")
    name = models.CharField(max_length=200, blank=True)
    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.PRIVATE)
    language_code = models.CharField(max_length=10, blank=True)
    thumbnail_url = models.URLField(max_length=500, blank=True)
    stream = models.BooleanField(default=False)
    hidden = models.BooleanField(default=False)
    generate_system_messages = models.BooleanField(default=False)
    created_by = models.CharField(max_length=255)  # principalId
    created_on = models.DateTimeField(default=timezone.now, db_index=True)
    modified_by = models.CharField(max_length=255)
    modified_on = models.DateTimeField(default=timezone.now)

    objects = TenantOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_on", "pk"]
        indexes = [models.Index(fields=["account", "-created_on"], name="chat_conv_account_recent_idx")]

    def __str__(self) -> str:
        return f"{self.name or 'Conversation'} ({self.conversation_id})"


class Participant(models.Model):
    class Status(models.TextChoices):
        ACCEPTED = "ACCEPTED", "Accepted"
        INVITED = "INVITED", "Invited"

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="participants")
    type = models.CharField(max_length=10, choices=PrincipalType.choices)
    participant_id = models.CharField(max_length=255)
    user = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField(max_length=150, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACCEPTED)
    added_by = models.CharField(max_length=255)
    created_on = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["conversation", "participant_id"], name="chat_participant_once"),
        ]
        indexes = [models.Index(fields=["participant_id"], name="chat_participant_principal_idx")]

    def __str__(self) -> str:
        return f"{self.type} {self.participant_id}"

    @property
    def display_name(self) -> str:
        if self.user is not None:
            return self.user.display_name
        return self.name or self.participant_id


class Message(models.Model):
    message_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="messages")
    body = models.TextField()
    content_type = models.CharField(max_length=100, default="text/plain")
    tag = models.TextField(blank=True)
    created_by = models.CharField(max_length=255)  # principalId
    created_by_type = models.CharField(max_length=10, choices=PrincipalType.choices)
    created_on = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_on", "pk"]
        indexes = [models.Index(fields=["conversation", "created_on"], name="chat_message_recent_idx")]

    def __str__(self) -> str:
        return f"{self.created_by}: {self.body[:40]}"
