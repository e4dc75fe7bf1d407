"""Cross-cutting HTTP behaviour, written once: correlation ids, x-mitel-app usage counting and
the opt-in API rate limit."""

import hashlib
import logging
import math
import re
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.core.signals import request_finished
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse

from .context import correlation_id_var, mitel_app_var, new_correlation_id

logger = logging.getLogger("portal.request")

CORRELATION_HEADER = "x-mitel-correlation-id"
_VALID_CORRELATION_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{7,127}$")


class CorrelationIdMiddleware:
    """Gives every request a correlation id (echoing a well-formed one the client sent),
    puts it on every response and in every log line, and records ``x-mitel-app``.

    The id stays in the context until the response is finished (``request_finished``), so
    Django's own "Not Found: ..." / "Bad Request: ..." lines, written after the middleware
    chain returns, carry it too."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        supplied = request.headers.get(CORRELATION_HEADER, "")
        correlation_id = supplied if _VALID_CORRELATION_ID.match(supplied) else new_correlation_id()
        request.correlation_id = correlation_id
        request.mitel_app = request.headers.get("x-mitel-app", "")[:500]
        correlation_id_var.set(correlation_id)
        mitel_app_var.set(request.mitel_app)
        started = time.monotonic()
        response = self.get_response(request)
        response[CORRELATION_HEADER] = correlation_id
        if request.path.startswith("/api/"):
            logger.info(
                "%s %s -> %s in %.0f ms app=%r",
                request.method,
                request.path,
                response.status_code,
                (time.monotonic() - started) * 1000,
                request.mitel_app,
            )
        return response


@receiver(request_finished, dispatch_uid="portal.correlation_id_reset")
def _correlation_id_reset(**kwargs) -> None:
    correlation_id_var.set("-")
    mitel_app_var.set("")


class MitelAppUsageMiddleware:
    """Counts /api/ requests towards the approved application their ``x-mitel-app`` header names
    (case-insensitively): its daily usage, shown to the partner on the Developer page, and
    ``request.application``. Never refuses: the header is self-declared, so anyone may send any
    name, and a registration in any state changes nothing for the callers that send it. An
    application is refused by its authenticated client instead (``accounts.oauth``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from integrations import application_services as apps

        request.application = None
        header = getattr(request, "mitel_app", None)
        if header is None:
            header = request.headers.get("x-mitel-app", "")
        if header and request.path.startswith("/api/") and request.method != "OPTIONS":
            application = apps.application_counted_for_mitel_app(header)
            if application is not None:
                request.application = application
                apps.application_usage_count(application.pk)
        return self.get_response(request)


_UNITS = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60, "h": 3600, "hour": 3600}


def parse_rate(rate: str) -> tuple[int, int] | None:
    """``"100/60"`` (per 60 seconds) or ``"100/m"``, ``"5/s"``, ``"1000/h"`` -> (requests, seconds);
    empty -> None (rate limiting off)."""
    rate = (rate or "").strip()
    if not rate:
        return None
    count, _, period = rate.partition("/")
    period = period.strip().lower() or "1"
    seconds = _UNITS.get(period) or int(period)
    if int(count) < 1 or seconds < 1:
        raise ValueError(f"PORTAL_API_RATE_LIMIT must look like '100/60', not {rate!r}")
    return int(count), seconds


class ApiRateLimitMiddleware:
    """Opt-in fixed-window limit on /api/ per client, shared across processes via the cache
    (Redis in production). Over the limit: 429 with ``retry-after`` in milliseconds."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = parse_rate(getattr(settings, "PORTAL_API_RATE_LIMIT", ""))
        if limit is None or not request.path.startswith("/api/") or request.method == "OPTIONS":
            return self.get_response(request)
        max_requests, window = limit
        now = time.time()
        window_start = int(now // window) * window
        key = f"ratelimit:{self._client_key(request)}:{window_start}"
        cache.add(key, 0, timeout=window + 1)
        try:
            used = cache.incr(key)
        except ValueError:  # evicted between add and incr
            cache.set(key, 1, timeout=window + 1)
            used = 1
        if used > max_requests:
            retry_ms = max(1, math.ceil((window_start + window - now) * 1000))
            response = JsonResponse(
                {"name": "TooManyRequests", "message": f"Too many requests; retry after {retry_ms} ms."},
                status=429,
            )
            response["retry-after"] = str(retry_ms)
            return response
        return self.get_response(request)

    @staticmethod
    def _client_key(request: HttpRequest) -> str:
        """The caller's token (hashed) when one is sent, else the client address."""
        auth = request.headers.get("authorization", "")
        token = auth.split()[-1] if auth.strip() else ""
        if token:
            return "t:" + hashlib.sha256(token.encode()).hexdigest()[:32]
        return "ip:" + request.META.get("REMOTE_ADDR", "unknown")
