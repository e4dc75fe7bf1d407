"""Calls placed or seen through an account's PBX, one row per *leg*: a call between 2001 and 2002 is
``endpoints/2002/calls/7`` (outbound, on the caller's extension) and ``endpoints/2001/calls/7`` (inbound,
on the called one), as CloudLink names them. ``call_number`` is the PBX's CSTA call id.

A leg's ``state`` is its device's CSTA local connection state in CloudLink's words (alerting -> ringing,
connected, hold -> held, null -> completed). Every change goes through ``media.services``.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.querysets import TenantOwnedQuerySet


class CallState(models.TextChoices):
    UNKNOWN = "unknown", "Unknown"
    IDLE = "idle", "Idle"
    RINGING = "ringing", "Ringing"
    CONNECTED = "connected", "Connected"
    HELD = "held", "Held"
    OUT_OF_SERVICE = "outOfService", "Out of service"
    COMPLETED = "completed", "Completed"


class CallDirection(models.TextChoices):
    INBOUND = "inbound", "Inbound"
    OUTBOUND = "outbound", "Outbound"


class Call(models.Model):
    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="calls")
    endpoint = models.CharField(max_length=30, help_text="The extension this leg belongs to.")
    call_number = models.CharField(max_length=64, help_text="The PBX's CSTA call id.")
    direction = models.CharField(max_length=8, choices=CallDirection.choices)
    from_number = models.CharField(max_length=64, blank=True)
    from_name = models.CharField(max_length=120, blank=True)
    to_number = models.CharField(max_length=64, blank=True)
    to_name = models.CharField(max_length=120, blank=True)
    state = models.CharField(max_length=12, choices=CallState.choices, default=CallState.UNKNOWN)
    cause = models.CharField(max_length=40, blank=True)
    extra_pbx_data = models.JSONField(default=dict, blank=True)
    created_on = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)
    end_time = models.DateTimeField(null=True, blank=True)
    modified_at = models.DateTimeField(auto_now=True)
    placed_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = TenantOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_on", "-pk"]
        constraints = [
            # A PBX reuses call ids (e.g. after a restart): only one *live* leg per endpoint and call id.
            models.UniqueConstraint(
                fields=["account", "endpoint", "call_number"],
                condition=Q(end_time__isnull=True),
                name="media_one_live_leg_per_call",
            )
        ]
        indexes = [models.Index(fields=["account", "endpoint", "-created_on"])]

    def __str__(self) -> str:
        return self.call_id

    @property
    def call_id(self) -> str:
        return f"endpoints/{self.endpoint}/calls/{self.call_number}"

    @property
    def self_link(self) -> str:
        return f"/2017-09-01/{self.call_id}"

    @property
    def is_over(self) -> bool:
        return self.state == CallState.COMPLETED

    @property
    def completed(self) -> bool:
        """CloudLink's ``completed``: the call ended and had been answered."""
        return self.is_over and self.answered_at is not None

    @property
    def ring_time(self) -> float:
        end = self.answered_at or self.end_time
        return round((end - self.created_on).total_seconds(), 3) if end else 0

    @property
    def billing_time(self) -> float:
        if self.answered_at is None or self.end_time is None:
            return 0
        return round((self.end_time - self.answered_at).total_seconds(), 3)


class PbxListenerLease(models.Model):
    """Which ``manage.py pbx_listener`` worker holds a gateway's long-lived CSTA session, until when.
    A worker renews its lease while it runs; another takes the gateway over once it expired."""

    gateway = models.OneToOneField(
        "gateways.Gateway", on_delete=models.CASCADE, related_name="listener_lease"
    )
    holder = models.CharField(max_length=120, blank=True, help_text="The worker's id; empty when released.")
    expires_at = models.DateTimeField()
    acquired_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.gateway_id} held by {self.holder or 'nobody'} until {self.expires_at:%H:%M:%S}"
