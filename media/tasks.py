"""Celery task following a placed call's later events (answered, held, cleared) for a bounded time."""

from __future__ import annotations

import logging

from celery import shared_task

from gateways.pbx.bridge import PbxError
from media import services

logger = logging.getLogger(__name__)


# Named as before the move from the gateways app (gateways/media/), so tasks queued by an older release still run.
@shared_task(
    name="gateways.media.tasks.call_follow_task",
    acks_late=True,
    reject_on_worker_lost=True,
    time_limit=600,
    soft_time_limit=540,
)
def call_follow_task(account_id: int, call_number: str, extensions: list[str], seconds: float) -> list[str]:
    """Idempotent: a redelivered task starts again with a snapshot, so a worker restart loses nothing
    that the PBX still knows."""
    try:
        return services.call_follow(account_id, call_number, extensions, min(float(seconds), 500.0))
    except (PbxError, services.NoPbxConfigured) as exc:
        logger.warning("following call %s of account %s stopped: %s", call_number, account_id, exc)
        return []
