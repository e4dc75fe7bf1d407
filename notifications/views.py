"""Console page of an account's notifications (``/accounts/<number>/notifications/``), admins only:
its webhook subscriptions and the delivery attempts, newest first (filter by subscription/status)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from accounts.access import Capability
from accounts.decorators import account_view
from core.htmx import paginate, render_page
from notifications import selectors
from notifications.models import DeliveryAttempt


@account_view(need=Capability.MANAGE_INTEGRATIONS)
@require_GET
def notification_list(request: HttpRequest, number: str) -> HttpResponse:
    account = request.account
    status = request.GET.get("status", "")
    if status not in DeliveryAttempt.Status.values:
        status = ""
    subscription = request.GET.get("subscription", "")[:32]
    attempts = selectors.delivery_attempt_list(account=account, subscription_ref=subscription, status=status)
    context = {
        "account": account,
        "subscriptions": selectors.subscription_list_for_account(account=account),
        "page": paginate(request, attempts),
        "statuses": DeliveryAttempt.Status.choices,
        "status": status,
        "subscription": subscription,
    }
    return render_page(request, "notifications/notification_list.html", "attempt-table", context)
