"""Celery tasks of the accounts app: they take ids and call one service; they own only retries."""

from __future__ import annotations

import logging

from celery import shared_task

from accounts import services

logger = logging.getLogger(__name__)


@shared_task(
    name="accounts.tasks.password_reset_emails_send_task",
    acks_late=True,
    max_retries=3,
    default_retry_delay=5,
    retry_backoff=True,
)
def password_reset_emails_send_task(email: str, account_ref: str = "") -> int:
    """Forgotten password: look the users up and queue their reset emails, away from the request
    (so known and unknown emails cost the request the same). Safe to run again: a second run
    sends new links, the old ones keep working until the password changes."""
    return services.password_reset_emails_send(email=email, account_ref=account_ref)
