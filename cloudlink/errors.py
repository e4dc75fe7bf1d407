"""Typed errors raised by the client. Every API error carries CloudLink's ``{name, message}`` plus
the ids to quote when reporting a problem (``x-mitel-correlation-id``, ``x-amzn-requestid``)."""

from __future__ import annotations

from typing import Any


class CloudLinkError(Exception):
    """Base class of everything the client raises on purpose."""


class NotAuthenticated(CloudLinkError):
    """A call needs a token, and the client has none (sign in first)."""


class ApiError(CloudLinkError):
    """The service answered 4xx/5xx. ``name``/``message`` come from the JSON body when there is one."""

    def __init__(
        self,
        status: int,
        name: str = "",
        message: str = "",
        *,
        correlation_id: str = "",
        request_id: str = "",
        method: str = "",
        url: str = "",
        body: Any = None,
        headers: dict[str, str] | None = None,
    ):
        self.status = status
        self.name = name or f"HTTP{status}"
        self.message = message
        self.correlation_id = correlation_id
        self.request_id = request_id
        self.method = method
        self.url = url
        self.body = body
        self.headers = headers or {}
        super().__init__(self.__str__())

    def __str__(self) -> str:
        text = f"{self.status} {self.name}"
        if self.message:
            text += f": {self.message}"
        if self.correlation_id:
            text += f" (correlation id {self.correlation_id})"
        return text


class BadRequest(ApiError):
    """400."""


class Unauthorized(ApiError):
    """401: no token, a bad or expired one, or wrong credentials."""


class Forbidden(ApiError):
    """403."""


class NotFound(ApiError):
    """404 (also anything outside the caller's tenancy)."""


class Conflict(ApiError):
    """409."""


class MultipleMatching(Conflict):
    """409 ``MultipleMatching``: the email and password match in several accounts; sign in again
    with ``account_id``."""


class RateLimited(ApiError):
    """429 after the client spent its retries. ``retry_after`` is the last wait asked, in seconds."""

    def __init__(self, *args, retry_after: float | None = None, attempts: int = 0, **kwargs):
        self.retry_after = retry_after
        self.attempts = attempts
        super().__init__(*args, **kwargs)


class ServerError(ApiError):
    """5xx."""


_BY_STATUS: dict[int, type[ApiError]] = {
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    429: RateLimited,
}
_BY_NAME: dict[str, type[ApiError]] = {"MultipleMatching": MultipleMatching}


def error_class(status: int, name: str) -> type[ApiError]:
    """The most specific class for an error answer."""
    if name in _BY_NAME:
        return _BY_NAME[name]
    if status >= 500:
        return ServerError
    return _BY_STATUS.get(status, ApiError)
