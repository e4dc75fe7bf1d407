"""Celery tasks of notifications: dispatch a publication, deliver it to one subscription.

Both are ``acks_late`` with ``reject_on_worker_lost``: a worker that dies mid-delivery leaves the
message unacknowledged, so the broker hands it to another worker; the delivery is idempotent (a
publication that already reached a subscription is not sent again). Failures are retried with
exponential backoff and jitter (``services.retry_countdown``) up to PORTAL_WEBHOOK_MAX_RETRIES.
"""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from notifications import services


@shared_task(name="notifications.publication_dispatch", acks_late=True, reject_on_worker_lost=True)
def publication_dispatch_task(publication_pk: int) -> int:
    return services.publication_dispatch(
        publication_pk, lambda pub, sub: webhook_deliver_task.delay(pub, sub)
    )


@shared_task(
    bind=True,
    name="notifications.webhook_deliver",
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=None,  # bounded below by PORTAL_WEBHOOK_MAX_RETRIES (read at run time)
)
def webhook_deliver_task(self, publication_pk: int, subscription_pk: int) -> str:
    retries = self.request.retries or 0
    final = retries >= settings.PORTAL_WEBHOOK_MAX_RETRIES
    outcome = services.delivery_attempt_run(publication_pk, subscription_pk, final=final)
    if outcome.state == "retry":
        countdown = services.retry_countdown(retries)
        if self.request.is_eager:
            # In-process mode (no broker): the retry runs at once. Returned, not raised, so that
            # CELERY_TASK_EAGER_PROPAGATES does not turn it into an error of the publisher.
            return self.retry(countdown=countdown, throw=False)
        raise self.retry(countdown=countdown)
    return outcome.state
