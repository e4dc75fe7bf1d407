"""Throttling, written once: who the client is (its address behind the trusted proxies), rates
such as ``"5/5m"`` and the failure lock behind sign-in throttling. Counts live in Django's cache
(Redis in production, so every process shares them); times are kept in the values, read with
``now()``, so a lock ends when its stored time says, whatever the cache's expiry does."""

from __future__ import annotations

import contextlib
import hashlib
import ipaddress
import math
import re
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


def now() -> float:
    """The throttles' clock (tests stop and move it)."""
    return time.time()


# --- the client address ----------------------------------------------------------------------------

_PORT_SUFFIX = re.compile(r"^\[(?P<v6>[0-9A-Fa-f:.]+)\](?::\d+)?$|^(?P<v4>[0-9.]+):\d+$")


def _ip(value: str) -> str | None:
    """``value`` as a normalised IP address (a port or IPv6 brackets dropped), or None."""
    value = value.strip()
    if not value or len(value) > 64:
        return None
    match = _PORT_SUFFIX.match(value)
    if match:
        value = match.group("v6") or match.group("v4")
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_address(request: HttpRequest) -> str:
    """The address of the client, for every per-address count (the API limit, sign-in locks and
    allauth's own limits, through the adapter).

    Without trusted proxies (``ALLAUTH_TRUSTED_PROXY_COUNT`` 0, the default) it is ``REMOTE_ADDR``
    and ``X-Forwarded-For`` is ignored: anyone can write that header. Behind N trusted proxies it is
    the N-th ``X-Forwarded-For`` entry from the right (each proxy appends the address it saw; the
    entries further left are the client's to invent), or the left-most one when there are fewer.
    ``ALLAUTH_TRUSTED_CLIENT_IP_HEADER`` names a header the proxy sets instead (``X-Real-IP``).
    A missing or malformed value falls back to ``REMOTE_ADDR``."""
    remote = _ip(request.META.get("REMOTE_ADDR", "")) or "unknown"
    header = getattr(settings, "ALLAUTH_TRUSTED_CLIENT_IP_HEADER", None)
    if header:
        return _ip(request.headers.get(header, "")) or remote
    proxies = int(getattr(settings, "ALLAUTH_TRUSTED_PROXY_COUNT", 0) or 0)
    forwarded = request.headers.get("x-forwarded-for", "")
    if proxies <= 0 or not forwarded:
        return remote
    hops = forwarded.split(",")
    return _ip(hops[-min(proxies, len(hops))]) or remote


def address_bucket(address: str) -> str:
    """What a per-address count is kept under: the address, or an IPv6 address's /64 (one
    client usually holds a whole /64 and could otherwise take a new address per request)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


# --- rates -----------------------------------------------------------------------------------------

_UNITS = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60, "h": 3600, "hour": 3600}
_PERIOD = re.compile(r"(?P<number>\d*)\s*(?P<unit>[a-z]*)")


def parse_rate(rate: str) -> tuple[int, int] | None:
    """``"100/60"`` (per 60 seconds), ``"100/m"``, ``"5/s"``, ``"1000/h"``, ``"5/5m"``, ``"3/90s"``
    -> (count, seconds); empty -> None (off)."""
    rate = (rate or "").strip()
    if not rate:
        return None
    count, _, period = rate.partition("/")
    match = _PERIOD.fullmatch(period.strip().lower() or "1")
    if match is None or not count.strip().isdigit() or (match["unit"] and match["unit"] not in _UNITS):
        raise ValueError(f"A rate must look like '100/60', '100/m' or '5/5m', not {rate!r}")
    seconds = int(match["number"] or 1) * _UNITS.get(match["unit"], 1)
    if int(count) < 1 or seconds < 1:
        raise ValueError(f"A rate needs at least 1 per at least 1 second, not {rate!r}")
    return int(count), seconds


def retry_after_ms(seconds: float) -> str:
    """The API's ``retry-after`` (CloudLink's: milliseconds, an integer string)."""
    return str(max(1, math.ceil(seconds * 1000)))


def retry_after_seconds(seconds: float) -> str:
    """HTTP's ``Retry-After`` (seconds) for the console's pages."""
    return str(max(1, math.ceil(seconds)))


# --- the failure lock ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Attempt:
    """One counted attempt. ``retry_after`` > 0: refused, the key is locked for that many seconds."""

    lock: FailureLock
    key: str
    retry_after: float = 0.0
    number: int = 0  # the attempt's number in its window (0: not counted)

    def failed(self) -> None:
        self.lock.attempt_failed(self)

    def succeeded(self) -> None:
        self.lock.attempt_given_back(self)


class FailureLock:
    """``count`` failures of one key within ``seconds`` lock that key for ``seconds``.

    Attempts are counted before the check they guard (so parallel guesses cannot go past the
    count), a success or a refused attempt gives its count back, and the lock starts at the
    failure that reached the count. ``rate`` is a rate string (``"5/5m"``)."""

    def __init__(self, scope: str, rate: str):
        parsed = parse_rate(rate)
        if parsed is None:
            raise ValueError(f"The {scope} throttle needs a rate such as '5/5m'")
        self.scope = scope
        self.count, self.seconds = parsed

    def _cache_key(self, key: str, part: str) -> str:
        digest = hashlib.sha256(key.encode()).hexdigest()[:32]
        return f"throttle:{self.scope}:{digest}:{part}"

    def _ttl(self) -> int:
        return self.seconds + 1

    def locked_for(self, key: str) -> float:
        """Seconds until ``key``'s lock ends (0.0: not locked)."""
        until = cache.get(self._cache_key(key, "lock")) or 0.0
        return max(0.0, until - now())

    def attempt(self, key: str) -> Attempt:
        remaining = self.locked_for(key)
        if remaining:
            return Attempt(self, key, retry_after=remaining)
        started_key, count_key = self._cache_key(key, "start"), self._cache_key(key, "count")
        started = cache.get(started_key)
        if started is None or now() - started >= self.seconds:
            cache.set_many({started_key: now(), count_key: 0}, timeout=self._ttl())
        try:
            number = cache.incr(count_key)
        except ValueError:  # evicted meanwhile
            cache.set(count_key, 1, timeout=self._ttl())
            number = 1
        if number > self.count:  # attempts in flight took the last tries
            self.attempt_given_back(Attempt(self, key, number=number))
            return Attempt(self, key, retry_after=self.locked_for(key) or float(self.seconds))
        return Attempt(self, key, number=number)

    def attempt_failed(self, attempt: Attempt) -> None:
        if attempt.number >= self.count:
            cache.set(self._cache_key(attempt.key, "lock"), now() + self.seconds, timeout=self._ttl())
            cache.delete_many([self._cache_key(attempt.key, "start"), self._cache_key(attempt.key, "count")])

    def attempt_given_back(self, attempt: Attempt) -> None:
        if attempt.number:
            with contextlib.suppress(ValueError):  # ValueError: its window is over
                cache.decr(self._cache_key(attempt.key, "count"))


# --- settings check --------------------------------------------------------------------------------

_RATE_SETTINGS = {
    "PORTAL_SIGN_IN_FAILURES": True,
    "PORTAL_SIGN_IN_ADDRESS_FAILURES": True,
    "PORTAL_API_RATE_LIMIT": False,
}


def check_throttle_settings(app_configs=None, **kwargs) -> list:
    """``manage.py check``: a mistyped rate or proxy count stops the start, not every sign-in."""
    from django.core.checks import Error

    errors = []
    for name, required in _RATE_SETTINGS.items():
        try:
            parsed = parse_rate(getattr(settings, name, ""))
        except ValueError as exc:
            errors.append(Error(f"{name}: {exc}", id="portal.E101"))
            continue
        if parsed is None and required:
            errors.append(Error(f"{name} must be a rate such as '5/5m'.", id="portal.E101"))
    proxies = getattr(settings, "ALLAUTH_TRUSTED_PROXY_COUNT", 0)
    if not isinstance(proxies, int) or proxies < 0:
        errors.append(Error("PORTAL_TRUSTED_PROXY_COUNT must be 0 or more.", id="portal.E102"))
    return errors
