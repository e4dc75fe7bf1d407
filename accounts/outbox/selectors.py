"""Scoped reads of the platform-level storage: the Outbox."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from accounts import access
from accounts.models import User
from core.models import OutboxMessage


def outbox_messages_for(actor: User | None, *, search: str = "") -> QuerySet[OutboxMessage]:
    """The sent emails ``actor`` may read, newest first: every one for a platform operator; for an
    admin those written for the users they manage; none for anyone else. ``search`` keeps those
    whose recipient (To or Cc) or subject contains it."""
    if access.reads_every_email(actor):
        messages = OutboxMessage.objects.all()
    elif not access.can_read_outbox(actor):
        return OutboxMessage.objects.none()
    else:
        readable = User.objects.filter(access.outbox_recipients_q(actor)).values("user_id")
        messages = OutboxMessage.objects.filter(recipient_user_id__in=readable)
    search = search.strip()
    if search:
        messages = messages.filter(
            Q(subject__icontains=search) | Q(to__icontains=search) | Q(cc__icontains=search)
        )
    return messages
