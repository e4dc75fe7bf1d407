"""HTTP layer: one ``requests.Session``, the ``x-mitel-app`` header, 429 retries honouring
``retry-after``, logging of every error answer and typed errors.

``retry-after`` rule (see docs/python-client.md): a bare number is **milliseconds** by default
(what this portal sends, and what the issue specifies); pass ``retry_after_unit="seconds"`` for a
server that follows RFC 9110's delta-seconds. A number with a unit suffix (``"1500ms"``, ``"2s"``)
is read in that unit whatever the option. Anything else is parsed as an HTTP-date
(``email.utils``), which is what CloudLink's own samples expect; a date in the past means "now".
"""

from __future__ import annotations

import logging
import random
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import requests

from cloudlink.errors import ApiError, RateLimited, error_class

logger = logging.getLogger("cloudlink")

CORRELATION_HEADER = "x-mitel-correlation-id"
REQUEST_ID_HEADER = "x-amzn-requestid"
_NUMBER = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|sec|seconds?)?\s*$", re.IGNORECASE)


def parse_retry_after(value: str | None, *, unit: str = "ms", now: datetime | None = None) -> float | None:
    """The wait a ``retry-after`` header asks for, in seconds (never negative), or None when the
    header is missing or unreadable. ``unit`` is how bare numbers are read: ``"ms"`` or ``"seconds"``."""
    if value is None or not str(value).strip():
        return None
    match = _NUMBER.match(str(value))
    if match:
        number, suffix = float(match.group(1)), (match.group(2) or "").lower()
        if suffix == "ms" or (not suffix and unit in ("ms", "milliseconds")):
            return number / 1000.0
        return number
    try:
        when = parsedate_to_datetime(str(value).strip())
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    now = now or datetime.now(UTC)
    return max(0.0, (when - now).total_seconds())


def response_json(response: requests.Response) -> Any:
    """The body as JSON, or None when it is empty or not JSON."""
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return None


class HttpTransport:
    """Sends requests; retries 429s; logs and turns error answers into :class:`ApiError`\\ s."""

    def __init__(
        self,
        *,
        mitel_app: str,
        session: requests.Session | None = None,
        timeout: float = 30.0,
        max_retries: int = 3,
        max_retry_wait: float = 60.0,
        retry_after_unit: str = "ms",
        default_retry_after: float = 2.0,
        jitter: float = 0.25,
        log_body_chars: int = 1000,
        sleep: Callable[[float], None] = time.sleep,
    ):
        if retry_after_unit not in ("ms", "milliseconds", "s", "seconds"):
            raise ValueError("retry_after_unit must be 'ms' or 'seconds'")
        self.session = session or requests.Session()
        self.mitel_app = mitel_app
        self.timeout = timeout
        self.max_retries = max_retries
        self.max_retry_wait = max_retry_wait
        self.retry_after_unit = retry_after_unit
        self.default_retry_after = default_retry_after
        self.jitter = jitter
        self.log_body_chars = log_body_chars
        self.sleep = sleep

    def retry_wait(self, response: requests.Response) -> float:
        """Seconds to wait before retrying a 429 (``retry-after``, else the default), without jitter."""
        wait = parse_retry_after(response.headers.get("retry-after"), unit=self.retry_after_unit)
        return self.default_retry_after if wait is None else wait

    def send(
        self,
        method: str,
        url: str,
        *,
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> requests.Response:
        """One call, repeated after each 429 while retries are left and the wait asked is at most
        ``max_retry_wait``. Every 4xx/5xx answer is logged; none is raised here."""
        all_headers = {"x-mitel-app": self.mitel_app, **(headers or {})}
        kwargs.setdefault("timeout", self.timeout)
        attempt = 0
        while True:
            response = self.session.request(method, url, headers=all_headers, **kwargs)
            if response.status_code >= 400:
                self.log_error(response)
            if response.status_code != 429 or attempt >= self.max_retries:
                response.attempts = attempt + 1  # type: ignore[attr-defined]
                return response
            wait = self.retry_wait(response)
            if wait > self.max_retry_wait:
                response.attempts = attempt + 1  # type: ignore[attr-defined]
                return response
            wait += random.uniform(0, self.jitter)
            attempt += 1
            logger.info("%s %s -> 429; retry %d/%d in %.3f s", method, url, attempt, self.max_retries, wait)
            self.sleep(wait)

    def log_error(self, response: requests.Response) -> None:
        request = response.request
        body = response.text or ""
        if len(body) > self.log_body_chars:
            body = body[: self.log_body_chars] + "...(truncated)"
        correlation_id = response.headers.get(CORRELATION_HEADER, "")
        request_id = response.headers.get(REQUEST_ID_HEADER, "")
        level = logging.ERROR if response.status_code >= 500 else logging.WARNING
        logger.log(
            level,
            "%s %s -> %s correlation_id=%s request_id=%s body=%s",
            request.method,
            request.url,
            response.status_code,
            correlation_id or "-",
            request_id or "-",
            body,
            extra={
                "cloudlink_method": request.method,
                "cloudlink_url": request.url,
                "cloudlink_status": response.status_code,
                "cloudlink_correlation_id": correlation_id,
                "cloudlink_request_id": request_id,
                "cloudlink_body": body,
            },
        )

    def error_for(self, response: requests.Response) -> ApiError:
        body = response_json(response)
        name = message = ""
        if isinstance(body, dict):
            name = str(body.get("name") or body.get("error") or "")
            message = str(body.get("message") or body.get("error_description") or "")
        elif response.text:
            message = response.text[:200]
        kwargs = {
            "correlation_id": response.headers.get(CORRELATION_HEADER, ""),
            "request_id": response.headers.get(REQUEST_ID_HEADER, ""),
            "method": response.request.method or "",
            "url": response.request.url or "",
            "body": body if body is not None else response.text,
            "headers": dict(response.headers),
        }
        cls = error_class(response.status_code, name)
        if issubclass(cls, RateLimited):
            return cls(
                response.status_code,
                name,
                message,
                retry_after=parse_retry_after(
                    response.headers.get("retry-after"), unit=self.retry_after_unit
                ),
                attempts=getattr(response, "attempts", 1),
                **kwargs,
            )
        return cls(response.status_code, name, message, **kwargs)

    def raise_for_error(self, response: requests.Response) -> None:
        if response.status_code >= 400:
            raise self.error_for(response)
