"""Celery task of the bulk user import: it takes the job's id and calls the import service."""

from __future__ import annotations

import logging

from celery import shared_task

from accounts.user_import import services as user_import_services

logger = logging.getLogger(__name__)


@shared_task(
    name="accounts.tasks.user_import_run_task",  # its name before it moved: queued tasks still run
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
        job = user_import_services.import_job_run(job_id)
    except Exception as exc:
        if self.request.retries >= self.max_retries:
            logger.exception("user import job %s failed", job_id)
            user_import_services.import_job_fail(job_id=job_id, error=f"{type(exc).__name__}: {exc}")
            raise
        raise self.retry(exc=exc) from exc
    if job is None:
        return None
    return {"status": job.status, "created": job.created_count, "skipped": job.skipped_count}
