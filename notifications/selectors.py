"""Reads of notifications, scoped to a caller (API) or an account (console)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from notifications.models import DeliveryAttempt, Subscription


def subscription_list_for_principal(*, account, principal_id: str) -> QuerySet[Subscription]:
    """A principal's own subscriptions in its account (what ``GET /subscriptions`` lists)."""
    return Subscription.objects.filter(account=account, principal_id=str(principal_id)).select_related(
        "account"
    )


def subscription_get_or_404(*, account, principal_id: str, subscription_id: str) -> Subscription:
    subscription = (
        subscription_list_for_principal(account=account, principal_id=principal_id)
        .filter(subscription_id=str(subscription_id).lower())
        .first()
    )
    if subscription is None:
        raise Http404("No subscription with this subscriptionId.")
    return subscription


def subscription_list_for_account(*, account) -> QuerySet[Subscription]:
    """Every subscription of an account (console; the caller's access is checked by the view)."""
    return Subscription.objects.filter(account=account).select_related("user").order_by("-created_on")


def delivery_attempt_list(
    *, account, subscription_ref: str = "", status: str = ""
) -> QuerySet[DeliveryAttempt]:
    attempts = DeliveryAttempt.objects.filter(account=account).select_related("publication")
    if subscription_ref:
        attempts = attempts.filter(subscription_ref=subscription_ref)
    if status:
        attempts = attempts.filter(status=status)
    return attempts.order_by("-started_on", "-pk")
