"""The opt-in API rate limit, counted per verified token principal, else per client address."""

import hashlib
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse

from core import throttle
from core.throttle import parse_rate


class ApiRateLimitMiddleware:
    """Opt-in fixed-window limit on /api/ per client, shared across processes via the cache
    (Redis in production). Over the limit: 429 with ``retry-after`` in milliseconds.

    The client is the principal (user, application or guest) of a bearer token whose signature
    verifies, so all its tokens share one budget; else the client address, proxy-aware
    (``core.throttle.client_address``): an unverified header (junk, forged, a Basic pair) buys no
    budget of its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = parse_rate(getattr(settings, "PORTAL_API_RATE_LIMIT", ""))
        if limit is None or not request.path.startswith("/api/") or request.method == "OPTIONS":
            return self.get_response(request)
        max_requests, window = limit
        now = throttle.now()
        window_start = int(now // window) * window
        key = f"ratelimit:{self._client_key(request)}:{window_start}"
        cache.add(key, 0, timeout=window + 1)
        try:
            used = cache.incr(key)
        except ValueError:  # evicted between add and incr
            cache.set(key, 1, timeout=window + 1)
            used = 1
        if used > max_requests:
            retry_ms = throttle.retry_after_ms(window_start + window - now)
            response = JsonResponse(
                {"name": "TooManyRequests", "message": f"Too many requests; retry after {retry_ms} ms."},
                status=429,
            )
            response["retry-after"] = retry_ms
            return response
        return self.get_response(request)

    @staticmethod
    def _client_key(request: HttpRequest) -> str:
        principal = _verified_principal(request)
        if principal:
            return "p:" + hashlib.sha256(principal.encode()).hexdigest()[:32]
        return "ip:" + throttle.address_bucket(throttle.client_address(request))


def _verified_principal(request: HttpRequest) -> str | None:
    """``kind:account:subject`` of the bearer token if its signature and expiry verify, else None.
    Checks only the signature (one key lookup, as authentication does next): whether the principal
    may still act is authentication's question, not the counter's."""
    from oauth.authentication import bearer_token_from
    from oauth.tokens import TokenError, access_token_decode, token_kind

    token = bearer_token_from(request)
    if not token:
        return None
    try:
        claims = access_token_decode(token)
    except TokenError:
        return None
    return f"{token_kind(claims)}:{claims.get('accountId', '')}:{claims.get('sub', '')}"
