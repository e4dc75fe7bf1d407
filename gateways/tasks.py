"""Celery tasks of the gateways app: they take ids and call one service; they own only retries and limits.

The CSTA check itself is bounded by ``PORTAL_GATEWAY_CSTA_TIMEOUT`` per step, far below the time limits.
"""

from __future__ import annotations

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded

from gateways import selectors, services

logger = logging.getLogger(__name__)


@shared_task(
    name="gateways.tasks.gateway_connect_task",
    acks_late=True,
    reject_on_worker_lost=True,
    time_limit=90,
    soft_time_limit=60,
)
def gateway_connect_task(job_id: int) -> dict | None:
    """Run a connect / re-check job. CSTA failures are results (recorded on the job), not task errors;
    anything else (a crash, the time limit) marks the job failed so the page stops waiting."""
    try:
        job = services.gateway_connect_run(job_id)
    except SoftTimeLimitExceeded:
        services.gateway_connect_fail(
            job_id=job_id, code="timeout", error="The check took too long and was stopped."
        )
        raise
    except Exception as exc:
        logger.exception("gateway connect job %s crashed", job_id)
        services.gateway_connect_fail(
            job_id=job_id, error=f"The check failed unexpectedly ({type(exc).__name__})."
        )
        raise
    if job is None:
        return None
    return {"status": job.status, "error_code": job.error_code}


@shared_task(acks_late=True, reject_on_worker_lost=True, time_limit=90, soft_time_limit=60)
def gateway_recheck_task(gateway_id: int) -> str | None:
    gateway = services.gateway_recheck_run(gateway_id)
    return gateway.status if gateway else None


@shared_task(acks_late=True, time_limit=60)
def gateways_recheck_task() -> int:
    """Celery beat (CELERY_BEAT_SCHEDULE["gateways-recheck"]): re-check every monitored gateway, one task
    each so one slow PBX delays no other."""
    ids = selectors.gateways_to_recheck()
    for gateway_id in ids:
        gateway_recheck_task.delay(gateway_id)
    return len(ids)
