"""CloudLink Notifications' JSON, built from the models: a publication as a subscription's filter
sees it, and the payload its webhook receives. Services match and deliver ``Publication`` objects;
the wire shape is built here.
"""

from __future__ import annotations

from notifications.models import Publication, Subscription


def publication_body(publication: Publication) -> dict:
    """The publication as a JSONPath filter sees it (the delivered payload without the envelope)."""
    return {
        "publicationId": str(publication.publication_id),
        "topic": publication.topic,
        "method": publication.method,
        "subject": publication.subject,
        "content": publication.content,
        "publisher": publication.publisher,
    }


def delivery_payload(publication: Publication, subscription: Subscription) -> dict:
    """What the webhook receives (docs/notifications.md, Delivery)."""
    return publication_body(publication) | {
        "subscription": {"subscriptionId": subscription.subscription_id},
        "notification": {
            "createdOn": publication.created_on.isoformat().replace("+00:00", "Z"),
            "correlationId": publication.correlation_id or str(publication.publication_id),
        },
    }
