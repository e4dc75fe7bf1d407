"""The one entry point other services use to publish an event (chat messages, call state changes).

    from notifications.publish import publication_publish

    publication_publish(
        account=account,
        topic="platform-api-media",
        subject=f"/2017-09-01/endpoints/{ext}/calls/{call_id}",
        method="PUT",
        content=call_json,
        publisher={"accountId": ..., "principalId": ...},   # optional
    )

It records a ``Publication`` in the caller's transaction and, once that transaction commits, hands
it to Celery (``notifications.tasks.publication_dispatch_task``), which POSTs it to every matching
subscription of the account. Publishing never fails the caller because of delivery: broker problems are logged.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.db import transaction

from core.context import current_correlation_id
from notifications.models import TOPICS, Publication

logger = logging.getLogger(__name__)


def _enqueue(publication_pk: int) -> None:
    from notifications.tasks import publication_dispatch_task

    publication_dispatch_task.delay(publication_pk)


def publication_publish(
    *,
    account,
    topic: str,
    subject: str,
    method: str,
    content: dict[str, Any],
    publisher: dict[str, Any] | None = None,
    audience: Iterable[str] | None = None,
) -> Publication:
    """Record a publication and, on commit, queue its delivery.

    ``audience`` (optional): principal ids allowed to receive it (e.g. a conversation's
    participants); subscriptions of the account's admins always match. ``None`` = the whole account.
    """
    if topic not in TOPICS:
        raise ValueError(f"Unknown topic {topic!r}; expected one of {', '.join(TOPICS)}.")
    publication = Publication.objects.create(
        account=account,
        topic=topic,
        subject=subject,
        method=method.upper(),
        content=content,
        publisher=publisher or {"accountId": str(account.account_id)},
        audience=sorted({str(p) for p in audience}) if audience is not None else None,
        correlation_id=current_correlation_id(),
    )
    transaction.on_commit(lambda: _enqueue(publication.pk), robust=True)
    return publication
