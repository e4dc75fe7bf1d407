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


@shared_task(name="core.tasks.email_send_many_task", acks_late=True)
def email_send_many_task(payloads: list[dict]) -> int:
    """Send a batch of rendered emails (a bulk import's welcome emails) over one connection.
    A backend that stores the whole batch or nothing (``atomic_batches``: the Outbox, one
    insert) takes them at once; otherwise each is sent in turn and, if the connection fails,
    each message not yet sent goes on as its own ``email_send_task``, which retries it (the
    ones already sent are not sent again)."""
    connection = get_connection()
    messages = [payload_to_message(payload) for payload in payloads]
    if getattr(connection, "atomic_batches", False):
        return connection.send_messages(messages)
    sent = 0
    try:
        connection.open()
        for message in messages:
            connection.send_messages([message])
            sent += 1
    except OSError:
        for payload in payloads[sent:]:
            email_send_task.delay(payload)
    finally:
        connection.close()
    return sent
