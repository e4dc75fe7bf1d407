"""Platform-level storage: the email outbox of the embedded default (moved here from ``portal``;
it keeps its table), and ``Job``, the base of every job a console page polls."""

import uuid
from typing import ClassVar

from django.conf import settings
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


class Job(models.Model):
    """What every background job a page polls has: the id in its URL, who created it, when it was
    created, started and finished, why it failed, how far it got (``percent``) and whether it is
    over (``is_finished``); ``core.htmx.job_status_fragment`` answers the page's polling.

    Each job declares its own ``status`` field (its states) and names the final states in
    ``FINISHED``; it counts its progress its own way (rows done, steps reached) in ``percent``."""

    job_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    FINISHED: ClassVar[tuple[str, ...]] = ()

    class Meta:
        abstract = True
        ordering = ["-created_at", "-pk"]

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED

    @property
    def percent(self) -> int:
        """How far the job got, 0 to 100."""
        return 100 if self.is_finished else 0
