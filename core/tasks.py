"""The email task and the shape a message travels in to the worker (plain JSON)."""

from celery import shared_task
from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection


def message_to_payload(message: EmailMessage) -> dict:
    return {
        "recipient_user_id": getattr(message, "recipient_user_id", None),
        "subject": message.subject,
        "body": message.body,
        "from_email": message.from_email,
        "to": list(message.to),
        "cc": list(message.cc),
        "alternatives": [list(alt) for alt in getattr(message, "alternatives", []) or []],
        "headers": dict(message.extra_headers),
    }


def payload_to_message(payload: dict) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=payload["subject"],
        body=payload["body"],
        from_email=payload["from_email"],
        to=payload["to"],
        cc=payload.get("cc") or [],
        headers=payload.get("headers") or {},
        connection=get_connection(),
    )
    for content, mimetype in payload.get("alternatives") or []:
        message.attach_alternative(content, mimetype)
    message.recipient_user_id = payload.get("recipient_user_id")
    return message


# Named as before the move from ``portal``, so messages queued by an older release still run.
@shared_task(
    name="portal.tasks.email_send_task",
    bind=True,
    acks_late=True,
    max_retries=5,
    default_retry_delay=30,
    retry_backoff=True,
)
def email_send_task(self, payload: dict) -> int:
    """Send one rendered email; SMTP failures are retried with exponential backoff."""
    try:
        return payload_to_message(payload).send()
    except OSError as exc:  # SMTP connection problems (smtplib errors are OSErrors)
        raise self.retry(exc=exc) from exc
