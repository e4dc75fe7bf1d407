"""Platform-level storage: the email outbox of the embedded default (moved here from ``portal``;
it keeps its table)."""

from django.db import models
from django.utils import timezone


class OutboxMessage(models.Model):
    """A sent email kept by the outbox backend, readable in the portal instead of a mailbox."""

    to = models.JSONField(default=list)
    cc = models.JSONField(default=list, blank=True)
    subject = models.CharField(max_length=998)
    from_email = models.CharField(max_length=255)
    body_text = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    correlation_id = models.CharField(max_length=128, blank=True)
    # The userId of the one user the email was written for (welcome, password reset), which decides
    # which admins may read it (accounts.access.outbox_recipients_q); empty: operators only. Not a
    # foreign key: the user may be deleted between queueing and sending, and the email must stay.
    recipient_user_id = models.UUIDField(null=True, blank=True, db_index=True)
    sent_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        db_table = "portal_outboxmessage"
        ordering = ["-sent_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.subject} -> {', '.join(self.to)}"
