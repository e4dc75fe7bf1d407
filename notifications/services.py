"""Rules of notifications: creating and deleting subscriptions, matching and delivering publications.

Celery tasks (``tasks.py``) are thin wrappers around ``publication_dispatch`` and
``delivery_attempt_run``; everything here also runs in-process (eager mode, tests, the bench).
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts import access
from accounts.access import Principal
from core.errors import ServiceError
from notifications.filters import (
    FilterError,
    publication_filter_compile,
    publication_matches,
    subject_filter_compile,
    subject_matches,
)
from notifications.models import (
    TOPICS,
    TRANSPORT_WEBHOOK,
    DeliveryAttempt,
    Publication,
    Subscription,
    subscription_secret_new,
)
from notifications.serializers import delivery_payload, publication_body
from notifications.webhooks import WebhookUrlError, webhook_body, webhook_post, webhook_url_validate

logger = logging.getLogger(__name__)

# --- subscriptions ------------------------------------------------------------------------------


class UnknownTopic(ServiceError, ValueError):
    name = "InvalidTopic"


class UnknownTransport(ServiceError, ValueError):
    name = "InvalidTransport"


def subscription_create(
    *,
    account,
    principal_id: str,
    user=None,
    application_id: str = "",
    device_id: str,
    transport: str = TRANSPORT_WEBHOOK,
    topic: str,
    subject_filter: str = "",
    publication_filter: str = "",
) -> Subscription:
    """Validate and store a webhook subscription of ``principal_id`` in ``account``.

    Raises ``UnknownTransport``/``UnknownTopic`` and ``ValidationError`` keyed by the API names
    (``deviceId``, ``subjectFilter``, ``publicationFilter``)."""
    if transport != TRANSPORT_WEBHOOK:
        raise UnknownTransport(f"Unknown transport {transport!r}; only 'webhook' is supported.")
    if topic not in TOPICS:
        raise UnknownTopic(f"Unknown topic {topic!r}; expected one of: {', '.join(TOPICS)}.")
    errors: dict[str, str] = {}
    try:
        device_id = webhook_url_validate(device_id)
    except WebhookUrlError as exc:
        errors["deviceId"] = str(exc)
    try:
        subject_filter_compile(subject_filter)
    except FilterError as exc:
        errors["subjectFilter"] = str(exc)
    try:
        publication_filter_compile((publication_filter or "").strip())
    except FilterError as exc:
        errors["publicationFilter"] = str(exc)
    if errors:
        raise ValidationError(errors)
    return Subscription.objects.create(
        account=account,
        principal_id=str(principal_id),
        user=user,
        application_id=application_id or "",
        device_id=device_id,
        transport=transport,
        topic=topic,
        subject_filter=(subject_filter or "").strip(),
        publication_filter=(publication_filter or "").strip(),
    )


def subscription_delete(*, subscription: Subscription) -> None:
    subscription.delete()


def subscription_secret_rotate(*, subscription: Subscription) -> Subscription:
    """Give the subscription a new signing secret; deliveries from now on are signed with it only."""
    subscription.secret = subscription_secret_new()
    subscription.save(update_fields=["secret"])
    return subscription


# --- matching -----------------------------------------------------------------------------------


def subscriber_principal(subscription: Subscription) -> Principal:
    """Who holds ``subscription``: its user, or the application that subscribed on its own."""
    if subscription.user is not None:
        return Principal.for_user(subscription.user)
    return Principal.for_application(subscription.account, subscription.principal_id)


def _in_audience(publication: Publication, subscription: Subscription) -> bool:
    return access.receives_event(subscriber_principal(subscription), publication.audience)


def subscriptions_matching(publication: Publication) -> list[Subscription]:
    body = publication_body(publication)
    candidates = Subscription.objects.filter(
        account_id=publication.account_id, topic=publication.topic, transport=TRANSPORT_WEBHOOK
    ).select_related("account", "user__account")
    return [
        sub
        for sub in candidates
        if subject_matches(sub.subject_filter, publication.subject)
        and publication_matches(sub.publication_filter, body)
        and _in_audience(publication, sub)
    ]


def publication_dispatch(publication_pk: int, enqueue) -> int:
    """Hand one delivery per matching subscription to ``enqueue(publication_pk, subscription_pk)``."""
    publication = Publication.objects.filter(pk=publication_pk).first()
    if publication is None:
        return 0
    matching = subscriptions_matching(publication)
    for subscription in matching:
        enqueue(publication.pk, subscription.pk)
    return len(matching)


# --- delivery -----------------------------------------------------------------------------------


@dataclass
class Outcome:
    """What one run of a delivery did: ``delivered``, ``already`` (idempotent skip), ``gone``
    (publication or subscription deleted), ``retry`` (try again later) or ``failed`` (give up)."""

    state: str
    attempt: DeliveryAttempt | None = None


RETRYABLE_STATUSES = frozenset({408, 425, 429}) | frozenset(range(500, 600))


def retry_countdown(retries: int) -> float:
    """Exponential backoff with jitter: ``base * 2**retries`` plus up to ``base`` seconds, capped."""
    base = settings.PORTAL_WEBHOOK_RETRY_BASE
    return min(base * 2**retries + random.uniform(0, base), settings.PORTAL_WEBHOOK_RETRY_MAX_DELAY)


def delivery_attempt_run(publication_pk: int, subscription_pk: int, *, final: bool) -> Outcome:
    """Try to deliver once; ``final`` when no retry would follow a failure.

    Idempotent: when this publication already reached this subscription, nothing is sent. An
    attempt left ``pending`` by a worker that died mid-request is marked ``interrupted``."""
    publication = Publication.objects.filter(pk=publication_pk).first()
    subscription = Subscription.objects.filter(pk=subscription_pk).first()
    if publication is None or subscription is None:
        return Outcome("gone")
    attempts = DeliveryAttempt.objects.filter(
        publication=publication, subscription_ref=subscription.subscription_id
    )
    if attempts.filter(status=DeliveryAttempt.Status.SUCCEEDED).exists():
        return Outcome("already")
    attempts.filter(status=DeliveryAttempt.Status.PENDING).update(
        status=DeliveryAttempt.Status.INTERRUPTED,
        error="The worker stopped during this attempt; the delivery was handed to another worker.",
        finished_on=timezone.now(),
    )
    with transaction.atomic():
        attempt = DeliveryAttempt.objects.create(
            publication=publication,
            subscription=subscription,
            account_id=publication.account_id,
            subscription_ref=subscription.subscription_id,
            url=subscription.device_id,
            attempt=attempts.count() + 1,
        )
    result = webhook_post(
        subscription.device_id,
        webhook_body(delivery_payload(publication, subscription)),
        secret=subscription.secret,
        headers={
            "x-mitel-correlation-id": publication.correlation_id or str(publication.publication_id),
            "x-cloudlink-delivery-attempt": str(attempt.attempt),
        },
    )
    attempt.status_code = result.status_code
    attempt.duration_ms = result.duration_ms
    attempt.error = result.error
    attempt.finished_on = timezone.now()
    attempt.status = DeliveryAttempt.Status.SUCCEEDED if result.ok else DeliveryAttempt.Status.FAILED
    attempt.save(update_fields=["status_code", "duration_ms", "error", "finished_on", "status"])
    if result.ok:
        return Outcome("delivered", attempt)
    retryable = not result.refused and (
        result.status_code is None or result.status_code in RETRYABLE_STATUSES
    )
    logger.warning(
        "webhook delivery failed",
        extra={
            "subscription": subscription.subscription_id,
            "attempt": attempt.attempt,
            "error": result.error,
        },
    )
    return Outcome("retry" if retryable and not final else "failed", attempt)
