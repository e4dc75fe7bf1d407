"""Outgoing email: rendered in the request, sent by a Celery task with retries.

In the embedded default the ``OutboxBackend`` stores each message in ``OutboxMessage``
so it can be read on the portal's Outbox page; production uses SMTP (``EMAIL_URL``).
"""

from __future__ import annotations

from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction

from core.context import current_correlation_id
from core.tasks import email_send_many_task, email_send_task, message_to_payload


class OutboxBackend(BaseEmailBackend):
    atomic_batches = True  # a batch is one INSERT: all stored or none

    def send_messages(self, email_messages) -> int:
        from core.models import OutboxMessage

        rows = []
        for message in email_messages:
            html = ""
            for content, mimetype in getattr(message, "alternatives", []) or []:
                if mimetype == "text/html":
                    html = content
            rows.append(
                OutboxMessage(
                    recipient_user_id=getattr(message, "recipient_user_id", None),
                    to=list(message.to),
                    cc=list(message.cc),
                    subject=message.subject,
                    from_email=message.from_email,
                    body_text=message.body,
                    body_html=html,
                    correlation_id=message.extra_headers.get("X-Mitel-Correlation-Id", ""),
                )
            )
        OutboxMessage.objects.bulk_create(rows)
        return len(rows)


def email_queue(*, message: EmailMessage, recipient=None) -> None:
    """Queue a rendered message; it is sent only if the surrounding transaction commits.

    ``recipient`` is the user the message is written for (a welcome or reset link): in the Outbox
    their admins may read it; without one, only platform operators can. It never leaves the portal."""
    payload = _payload(message, recipient)
    transaction.on_commit(lambda: email_send_task.delay(payload))


def email_queue_many(messages: list[tuple[EmailMessage, object]]) -> None:
    """``email_queue`` for a batch of ``(message, recipient)``: one task sends them all."""
    payloads = [_payload(message, recipient) for message, recipient in messages]
    if payloads:
        transaction.on_commit(lambda: email_send_many_task.delay(payloads))


def _payload(message: EmailMessage, recipient) -> dict:
    if getattr(recipient, "user_id", None):
        message.recipient_user_id = str(recipient.user_id)
    if current_correlation_id():
        message.extra_headers.setdefault("X-Mitel-Correlation-Id", current_correlation_id())
    return message_to_payload(message)


def email_render(name: str, *, to: list[str], context: dict, reader=None) -> EmailMultiAlternatives:
    """Render ``emails/<name>_subject.txt``, ``_body.txt`` and ``_body.html`` into one message, in
    the language of ``reader`` (the user it is written for: their own, else their account's)."""
    from core.i18n import language_of

    with language_of(reader):
        return _email_render(name, to=to, context=context)


def _email_render(name: str, *, to: list[str], context: dict) -> EmailMultiAlternatives:
    from django.conf import settings
    from django.template.loader import render_to_string

    subject = " ".join(render_to_string(f"emails/{name}_subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"emails/{name}_body.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=to,
    )
    message.attach_alternative(render_to_string(f"emails/{name}_body.html", context), "text/html")
    return message
