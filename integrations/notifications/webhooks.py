"""Webhook URLs: validation (no requests to private networks) and one HTTP delivery.

A webhook URL must be ``http``/``https`` with a host. Unless ``settings.PORTAL_WEBHOOK_ALLOW_PRIVATE``
is True, every address the host resolves to must be public: loopback, private (RFC 1918, ULA),
link-local, multicast, reserved and unspecified addresses are refused, so a subscription cannot
make the portal probe its own network (SSRF). The check runs when the subscription is created and
again before each delivery (DNS may change).
"""

from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
from django.conf import settings

USER_AGENT = "CloudLink-Notifications/2017-09-01"


class WebhookUrlError(ValueError):
    pass


def _address_is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )


def _resolve(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        raise WebhookUrlError(f"The webhook host {host!r} does not resolve.") from exc
    return sorted({info[4][0] for info in infos})


def webhook_url_validate(url: str) -> str:
    """Return ``url`` when it may receive webhooks; raise ``WebhookUrlError`` with the reason."""
    url = (url or "").strip()
    if not url:
        raise WebhookUrlError("deviceId (the webhook URL) is required.")
    if len(url) > 2000:
        raise WebhookUrlError("The webhook URL is longer than 2000 characters.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise WebhookUrlError(f"The webhook URL is not valid: {exc}.") from exc
    if parts.scheme not in ("http", "https"):
        raise WebhookUrlError("The webhook URL must start with http:// or https://.")
    if not parts.hostname:
        raise WebhookUrlError("The webhook URL has no host.")
    if parts.username or parts.password:
        raise WebhookUrlError("The webhook URL must not contain credentials.")
    if getattr(settings, "PORTAL_WEBHOOK_ALLOW_PRIVATE", False):
        return url
    for address in _resolve(parts.hostname, port or (443 if parts.scheme == "https" else 80)):
        if not _address_is_public(address):
            raise WebhookUrlError(
                f"The webhook URL's host {parts.hostname!r} resolves to {address}, a private, loopback, "
                "link-local or multicast address; webhooks are only sent to public addresses."
            )
    return url


@dataclass
class DeliveryResult:
    ok: bool
    status_code: int | None
    error: str
    duration_ms: int


def webhook_post(url: str, payload: dict, *, headers: dict[str, str] | None = None) -> DeliveryResult:
    """POST ``payload`` as JSON; 2xx is success. Never raises for network problems."""
    started = time.monotonic()
    try:
        webhook_url_validate(url)
        response = requests.post(
            url,
            json=payload,
            headers={"User-Agent": USER_AGENT, **(headers or {})},
            timeout=getattr(settings, "PORTAL_WEBHOOK_TIMEOUT", 10),
            allow_redirects=False,
        )
    except WebhookUrlError as exc:
        return DeliveryResult(False, None, str(exc), int((time.monotonic() - started) * 1000))
    except requests.RequestException as exc:
        return DeliveryResult(False, None, f"{type(exc).__name__}: {exc}"[:2000], _ms(started))
    ok = 200 <= response.status_code < 300
    error = "" if ok else f"HTTP {response.status_code}: {response.text[:500]}"
    return DeliveryResult(ok, response.status_code, error, _ms(started))


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
