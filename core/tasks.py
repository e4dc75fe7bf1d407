from celery import shared_task

from core.mail import payload_to_message


@shared_task(bind=True, acks_late=True, max_retries=5, default_retry_delay=30, retry_backoff=True)
def email_send_task(self, payload: dict) -> int:
    """Send one rendered email; SMTP failures are retried with exponential backoff."""
    try:
        return payload_to_message(payload).send()
    except OSError as exc:  # SMTP connection problems (smtplib errors are OSErrors)
        raise self.retry(exc=exc) from exc
