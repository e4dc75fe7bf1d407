"""Scoped reads of the platform-level storage: the Outbox."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts import access
from accounts.models import User
from core.models import OutboxMessage


def outbox_messages_for(actor: User | None) -> QuerySet[OutboxMessage]:
    """The sent emails ``actor`` may read, newest first: every one for a platform operator; for an
    admin those written for the users they manage; none for anyone else."""
    if access.reads_every_email(actor):
        return OutboxMessage.objects.all()
    if not access.can_read_outbox(actor):
        return OutboxMessage.objects.none()
    readable = User.objects.filter(access.outbox_recipients_q(actor)).values("user_id")
    return OutboxMessage.objects.filter(recipient_user_id__in=readable)
