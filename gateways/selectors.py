"""Scoped reads of an account's gateway, its setup wizard and connect jobs (console and API alike)."""

from __future__ import annotations

import uuid

from django.http import Http404

from accounts import access
from accounts.access import Capability
from accounts.models import Account, User
from gateways.models import ConnectJob, Gateway, GatewaySetup


def gateway_for(*, actor: User, account: Account) -> Gateway | None:
    """The account's gateway with its PBX and trunk, or None."""
    access.require(actor, Capability.MANAGE_GATEWAY, account)
    return Gateway.objects.for_account(account).select_related("pbx", "trunk").first()


def gateway_get_or_404(*, actor: User, account: Account) -> Gateway:
    gateway = gateway_for(actor=actor, account=account)
    if gateway is None:
        raise Http404("This account has no gateway.")
    return gateway


def gateway_setup_for(*, actor: User, account: Account) -> GatewaySetup | None:
    access.require(actor, Capability.MANAGE_GATEWAY, account)
    return GatewaySetup.objects.for_account(account).first()


def connect_job_get_or_404(*, actor: User, account: Account, job_id: uuid.UUID | str) -> ConnectJob:
    access.require(actor, Capability.MANAGE_GATEWAY, account)
    try:
        job_id = uuid.UUID(str(job_id))
    except ValueError:
        raise Http404("No such connection check.") from None
    job = ConnectJob.objects.for_account(account).filter(job_id=job_id).select_related("gateway").first()
    if job is None:
        raise Http404("No such connection check.")
    return job


def connect_job_latest(*, gateway: Gateway) -> ConnectJob | None:
    return ConnectJob.objects.filter(gateway=gateway).first()


def gateway_card(account: Account) -> Gateway | None:
    """The gateway shown on the CloudLink Gateway integration card (the panel already checked access)."""
    return Gateway.objects.for_account(account).select_related("pbx").first()


def gateways_to_recheck() -> list[int]:
    """Ids of the gateways the periodic task re-checks: monitored ones with a PBX."""
    return list(
        Gateway.objects.filter(monitored=True, pbx__isnull=False)
        .order_by("last_check_at", "pk")
        .values_list("pk", flat=True)
    )
