"""Calls started on the phone: one long-lived CSTA session per connected gateway, monitoring every user's
extension and feeding the PBX's events to ``services.call_event_apply`` (docs/calls.md, "The listener").

``manage.py pbx_listener`` runs a ``ListenerWorker``: it takes leases (``PbxListenerLease``) on up to N
gateways and runs one ``GatewayListener`` thread per gateway. A lease is renewed every few seconds; when a
worker dies its leases expire and another worker takes the gateways over. A takeover (and any reconnect)
starts with a snapshot of every monitored extension, applied through the same idempotent service, so what
happened while nobody listened is caught up once and nothing already published is published again.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, close_old_connections, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from gateways.models import Gateway
from gateways.pbx.bridge import PbxBridge, PbxCallEvent, PbxError
from media import endpoints, selectors, services
from media.models import Call, PbxListenerLease

logger = logging.getLogger(__name__)

BACKOFF_FIRST, BACKOFF_MAX = 1.0, 30.0
ENDPOINT_SETTLE = 0.05  # seconds without an event before the touched endpoints are read and published


def lease_seconds() -> float:
    return float(getattr(settings, "MEDIA_LISTENER_LEASE_SECONDS", 15.0))


def default_holder() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


# --- leases ---------------------------------------------------------------------------------------


def lease_acquire(gateway_id: int, holder: str, seconds: float | None = None) -> bool:
    """Take or renew the gateway's lease for ``holder``: True when it holds it now. Atomic: one UPDATE that
    matches only a lease this holder has or one that expired."""
    now = timezone.now()
    expires = now + timedelta(seconds=lease_seconds() if seconds is None else seconds)
    try:
        with transaction.atomic():
            PbxListenerLease.objects.get_or_create(gateway_id=gateway_id, defaults={"expires_at": now})
    except IntegrityError:
        pass  # another worker created it at the same moment
    taken = (
        PbxListenerLease.objects.filter(gateway_id=gateway_id)
        .filter(Q(holder=holder) | Q(holder="") | Q(expires_at__lte=now))
        .update(holder=holder, expires_at=expires)
    )
    if taken:
        PbxListenerLease.objects.filter(
            gateway_id=gateway_id, holder=holder, acquired_at__isnull=True
        ).update(acquired_at=now)
    return taken == 1


def lease_release(gateway_id: int, holder: str) -> None:
    PbxListenerLease.objects.filter(gateway_id=gateway_id, holder=holder).update(
        holder="", expires_at=timezone.now(), acquired_at=None
    )


def listened_gateways():
    """Gateways a listener should hold: connected, with a PBX."""
    return Gateway.objects.filter(status=Gateway.Status.CONNECTED, pbx__isnull=False).order_by("pk")


# --- one gateway ------------------------------------------------------------------------------------


class GatewayListener:
    """The long-lived session of one gateway, driven by ``step()`` (what the worker's thread loops on)."""

    def __init__(self, gateway_id: int, holder: str, *, lease: float | None = None):
        self.gateway_id = gateway_id
        self.holder = holder
        self.lease = lease_seconds() if lease is None else lease
        self.bridge: PbxBridge | None = None
        self.backoff = 0.0
        self.retry_at = 0.0
        self.renewed_at = 0.0
        self.holding = False
        self.reconnects = 0

    def step(self, seconds: float) -> bool:
        """Renew the lease, (re)connect when needed, apply events for up to ``seconds``. False when this
        worker does not (or no longer) hold the gateway; the session is closed then."""
        if not self._renew():
            self.close()
            return False
        if self.bridge is None and not self._connect():
            return True
        deadline = time.monotonic() + seconds
        account = self._account()
        # Renew well before expiry even when events keep coming.
        slice_end = min(deadline, self.renewed_at + self.lease / 3)
        while self.bridge.client.connected and time.monotonic() < slice_end:
            touched: set[str] = set()
            for event in self.bridge.events(until=slice_end, idle=ENDPOINT_SETTLE):
                services.call_event_apply(account, event)
                touched.add(event.device)
            # Once a burst of events is over: presence follows the devices' calls, DND / forwarding /
            # message waiting their feature events (published only when the endpoint changed).
            for extension in sorted(touched):
                endpoints.endpoint_refresh(account=account, bridge=self.bridge, extension=extension)
        if not self.bridge.client.connected:
            logger.warning(
                "listener %s lost gateway %s's CSTA session; reconnecting", self.holder, self.gateway_id
            )
            self._drop_session()
            self._schedule_retry()
        return True

    def run(self, stop: threading.Event, *, slice_seconds: float = 1.0) -> None:
        try:
            while not stop.is_set():
                if not self.step(slice_seconds):
                    return
                if self.bridge is None:
                    stop.wait(max(0.0, min(slice_seconds, self.retry_at - time.monotonic())))
        finally:
            self.close(release=True)
            close_old_connections()

    def close(self, *, release: bool = False) -> None:
        self._drop_session()
        if release and self.holding:
            lease_release(self.gateway_id, self.holder)
        self.holding = False

    # -- internals -------------------------------------------------------------------------------------

    def _renew(self) -> bool:
        if self.holding and time.monotonic() - self.renewed_at < self.lease / 3:
            return True
        self.holding = lease_acquire(self.gateway_id, self.holder, self.lease)
        if self.holding:
            self.renewed_at = time.monotonic()
        return self.holding

    def _account(self):
        return Gateway.objects.select_related("account").get(pk=self.gateway_id).account

    def extensions(self) -> list[str]:
        account = self._account()
        return sorted(
            set(
                User.objects.filter(account=account, is_active=True)
                .exclude(extension="")
                .values_list("extension", flat=True)
            )
        )

    def _connect(self) -> bool:
        if time.monotonic() < self.retry_at:
            return False
        account = self._account()
        pbx = selectors.pbx_for_account(account)
        if pbx is None:
            self._schedule_retry()
            return False
        try:
            bridge = PbxBridge.open(pbx)
            bridge.monitor(*self.extensions())
            self.bridge = bridge
            self._catch_up(account, bridge)
        except PbxError as exc:
            logger.warning("listener %s cannot open gateway %s: %s", self.holder, self.gateway_id, exc)
            self._drop_session()
            self._schedule_retry()
            return False
        self.backoff = 0.0
        self.reconnects += 1
        return True

    def _catch_up(self, account, bridge: PbxBridge) -> None:
        """Apply each monitored extension's snapshot, and end the live legs the PBX no longer has."""
        for extension in sorted(set(bridge.monitors.values())):
            present = bridge.snapshot(extension)
            for event in present:
                services.call_event_apply(account, event)
            known = {event.call_number for event in present}
            stale = Call.objects.filter(account=account, endpoint=extension, end_time__isnull=True).exclude(
                call_number__in=known
            )
            for call in stale:
                services.call_event_apply(account, PbxCallEvent("gone", call.call_number, extension))

    def _drop_session(self) -> None:
        bridge, self.bridge = self.bridge, None
        if bridge is not None:
            bridge.close()

    def _schedule_retry(self) -> None:
        self.backoff = BACKOFF_FIRST if not self.backoff else min(self.backoff * 2, BACKOFF_MAX)
        self.retry_at = time.monotonic() + self.backoff


# --- the worker -----------------------------------------------------------------------------------------


class ListenerWorker:
    """Holds up to ``max_gateways`` gateways, one thread each; looks for free ones every ``scan`` seconds."""

    def __init__(self, holder: str | None = None, *, max_gateways: int = 50, scan: float = 2.0):
        self.holder = holder or default_holder()
        self.max_gateways = max_gateways
        self.scan = scan
        self.stop = threading.Event()
        self.threads: dict[int, threading.Thread] = {}

    def run(self) -> None:
        while not self.stop.is_set():
            self.scan_once()
            self.stop.wait(self.scan)
        for thread in self.threads.values():
            thread.join(timeout=10)

    def scan_once(self) -> None:
        self.threads = {pk: t for pk, t in self.threads.items() if t.is_alive()}
        for gateway_id in listened_gateways().values_list("pk", flat=True):
            if len(self.threads) >= self.max_gateways:
                break
            if gateway_id in self.threads or not lease_acquire(gateway_id, self.holder):
                continue
            listener = GatewayListener(gateway_id, self.holder)
            listener.holding, listener.renewed_at = True, time.monotonic()
            thread = threading.Thread(
                target=listener.run, args=(self.stop,), name=f"pbx-listener-{gateway_id}", daemon=True
            )
            self.threads[gateway_id] = thread
            thread.start()
            logger.info("listener %s took gateway %s", self.holder, gateway_id)
        close_old_connections()
