"""Webhook URLs: validation, the delivery signature, and one HTTP delivery.

A webhook URL must be ``http``/``https`` with a host and no credentials. Its host must pass the
webhook address policy (``core.netpolicy.webhook_policy``): every address it resolves to must be
public, unless ``PORTAL_WEBHOOK_ALLOWED_NETWORKS`` lists it; loopback, private, link-local, cloud
metadata, multicast and reserved addresses are refused, so a subscription cannot make the portal
probe its own network (SSRF). The check runs when the subscription is created and again for each
delivery, which then connects to the very address it checked (no second DNS lookup to rebind).

Each delivery is signed: ``x-mitel-signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>">``
with the subscription's secret (the scheme of Stripe's webhook signatures; docs/notifications.md
shows the receiver's check).
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import ssl
import time
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import SplitResult, urlsplit

import certifi
from django.conf import settings

from core import netpolicy

USER_AGENT = "CloudLink-Notifications/2017-09-01"
SIGNATURE_HEADER = "x-mitel-signature"


class WebhookUrlError(ValueError):
    pass


def _parts(url: str) -> SplitResult:
    url = (url or "").strip()
    if not url:
        raise WebhookUrlError("deviceId (the webhook URL) is required.")
    if len(url) > 2000:
        raise WebhookUrlError("The webhook URL is longer than 2000 characters.")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError as exc:
        raise WebhookUrlError(f"The webhook URL is not valid: {exc}.") from exc
    if parts.scheme not in ("http", "https"):
        raise WebhookUrlError("The webhook URL must start with http:// or https://.")
    if not parts.hostname:
        raise WebhookUrlError("The webhook URL has no host.")
    if parts.username or parts.password:
        raise WebhookUrlError("The webhook URL must not contain credentials.")
    return parts


def _port(parts: SplitResult) -> int:
    return parts.port or (443 if parts.scheme == "https" else 80)


def webhook_url_validate(url: str) -> str:
    """Return ``url`` when it may receive webhooks; raise ``WebhookUrlError`` with the reason."""
    parts = _parts(url)
    try:
        netpolicy.resolve_checked(parts.hostname, _port(parts), netpolicy.webhook_policy())
    except netpolicy.HostNotFound as exc:
        raise WebhookUrlError(f"The webhook host {parts.hostname!r} does not resolve.") from exc
    except netpolicy.AddressRefused as exc:
        raise WebhookUrlError(f"The webhook URL is refused: {exc}") from exc
    return url.strip()


def webhook_body(payload: dict) -> bytes:
    """The exact bytes that are sent and signed."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


def webhook_signature(secret: str, body: bytes, timestamp: int) -> str:
    """The ``x-mitel-signature`` value: ``t=<timestamp>,v1=<hex HMAC-SHA256 of "<timestamp>.<body>">``."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


@dataclass
class DeliveryResult:
    """``refused``: the address policy refused the URL (retrying cannot help)."""

    ok: bool
    status_code: int | None
    error: str
    duration_ms: int
    refused: bool = False


@lru_cache(maxsize=1)
def _tls_context() -> ssl.SSLContext:
    return ssl.create_default_context(cafile=certifi.where())


def webhook_post(
    url: str, body: bytes, *, secret: str = "", headers: dict[str, str] | None = None
) -> DeliveryResult:
    """POST ``body`` (JSON) to ``url``, signed with ``secret``; 2xx is success. Never raises for
    network problems. Redirects are not followed."""
    started = time.monotonic()
    try:
        parts = _parts(url)
        sock = netpolicy.connect_checked(
            parts.hostname, _port(parts), netpolicy.webhook_policy(), timeout=settings.PORTAL_WEBHOOK_TIMEOUT
        )
    except (WebhookUrlError, netpolicy.AddressRefused) as exc:
        error = str(exc) if isinstance(exc, WebhookUrlError) else f"The webhook URL is refused: {exc}"
        return DeliveryResult(False, None, error, _ms(started), refused=True)
    except (netpolicy.HostNotFound, OSError) as exc:
        return DeliveryResult(False, None, _network_error(exc), _ms(started))
    request_headers = {
        "User-Agent": USER_AGENT,
        "Content-Type": "application/json",
        **(headers or {}),
    }
    if secret:
        request_headers[SIGNATURE_HEADER] = webhook_signature(secret, body, int(time.time()))
    https = parts.scheme == "https"
    timeout = settings.PORTAL_WEBHOOK_TIMEOUT
    if https:
        connection = http.client.HTTPSConnection(
            parts.hostname, _port(parts), timeout=timeout, context=_tls_context()
        )
    else:
        connection = http.client.HTTPConnection(parts.hostname, _port(parts), timeout=timeout)
    try:
        # The socket is already connected to the checked address; TLS verifies the URL's host name.
        connection.sock = _tls_context().wrap_socket(sock, server_hostname=parts.hostname) if https else sock
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        connection.request("POST", target, body=body, headers=request_headers)
        response = connection.getresponse()
        text = response.read(500).decode("utf-8", errors="replace")
    except (OSError, http.client.HTTPException) as exc:
        return DeliveryResult(False, None, _network_error(exc), _ms(started))
    finally:
        connection.close()
        sock.close()
    ok = 200 <= response.status < 300
    error = "" if ok else f"HTTP {response.status}: {text}"
    return DeliveryResult(ok, response.status, error, _ms(started))


def _network_error(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:2000]


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
