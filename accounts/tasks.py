"""Celery tasks of the accounts app: they take ids and call one service; they own only retries."""

from __future__ import annotations

import logging

from celery import shared_task

from accounts import services

logger = logging.getLogger(__name__)


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=3,
    default_retry_delay=5,
    retry_backoff=True,
)
def user_import_run_task(self, job_id: int) -> dict | None:
    """Run a bulk user import. Any failure (a lost database connection, a time limit, a worker
    killed mid-batch) is retried; the service resumes after the last committed batch. When the
    retries are used up the job is marked failed, and the page offers to start it again."""
    try:
        job = services.import_job_run(job_id)
    except Exception as exc:
        if self.request.retries >= self.max_retries:
            logger.exception("user import job %s failed", job_id)
            services.import_job_fail(job_id=job_id, error=f"{type(exc).__name__}: {exc}")
            raise
        raise self.retry(exc=exc) from exc
    if job is None:
        return None
    return {"status": job.status, "created": job.created_count, "skipped": job.skipped_count}


@shared_task(acks_late=True, max_retries=3, default_retry_delay=5, retry_backoff=True)
def password_reset_emails_send_task(email: str, account_ref: str = "") -> int:
    """Forgotten password: look the users up and queue their reset emails, away from the request
    (so known and unknown emails cost the request the same). Safe to run again: a second run
    sends new links, the old ones keep working until the password changes."""
    return services.password_reset_emails_send(email=email, account_ref=account_ref)
