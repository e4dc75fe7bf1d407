"""Sign-in throttling: one policy for every password check (the console's sign-in form, the
password grant, ``POST /authorize`` and the browser flow's form), all through the allauth adapter.

Like Keycloak's brute-force detection, failures lock an *email at a client address*
(``PORTAL_SIGN_IN_FAILURES``, default 5 in 5 minutes lock it for 5 minutes): a guesser at one
address never locks out another user there, nor the same user at another address, which matters
behind a proxy where many people share one address. A high per-address cap on failures for any
email (``PORTAL_SIGN_IN_ADDRESS_FAILURES``, default 1000 a minute) stops guessing across many
emails. Successful sign-ins do not count. The address is ``core.throttle.client_address``."""

from __future__ import annotations

import math

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from accounts.authn import SignInError
from core.throttle import Attempt, FailureLock, address_bucket, client_address

LOCKED = "too_many_login_attempts"  # allauth's code for this refusal


class SignInLocked(SignInError):
    """The API's answer to a locked sign-in: 429, retry after ``retry_after`` seconds."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__("TooManyRequests", message, 429)
        self.retry_after = retry_after


def _wait(seconds: float) -> str:
    if seconds > 59:
        minutes = math.ceil(seconds / 60)
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    seconds = max(1, math.ceil(seconds))
    return f"{seconds} second{'s' if seconds != 1 else ''}"


def _locked(retry_after: float, whose: str) -> ValidationError:
    return ValidationError(
        "Too many failed sign-in attempts %(whose)s. Try again in %(wait)s.",
        code=LOCKED,
        params={"whose": whose, "wait": _wait(retry_after), "retry_after": retry_after},
    )


def lock_retry_after(errors: list[ValidationError]) -> float | None:
    """Seconds until the lock that refused a sign-in ends, if one of ``errors`` is that refusal."""
    for error in errors:
        for each in error.error_list:
            if each.code == LOCKED and "retry_after" in (each.params or {}):
                return each.params["retry_after"]
    return None


class SignInAttempt:
    """A counted password check; say how it ended with ``finished``."""

    def __init__(self, attempts: list[Attempt]):
        self._attempts = attempts

    def finished(self, *, succeeded: bool) -> None:
        for attempt in self._attempts:
            attempt.succeeded() if succeeded else attempt.failed()


def sign_in_attempt(request: HttpRequest, email: str | None) -> SignInAttempt:
    """Count a password check for ``email`` from the request's client, or raise the
    ``too_many_login_attempts`` ValidationError (with ``retry_after`` in its params) when locked."""
    address = address_bucket(client_address(request))
    by_account = FailureLock("sign-in", settings.PORTAL_SIGN_IN_FAILURES).attempt(
        f"{(email or '').strip().lower()}|{address}"
    )
    if by_account.retry_after:
        raise _locked(by_account.retry_after, "for this email address")
    by_address = FailureLock("sign-in-address", settings.PORTAL_SIGN_IN_ADDRESS_FAILURES).attempt(address)
    if by_address.retry_after:
        by_account.succeeded()  # refused before any password was checked: give the count back
        raise _locked(by_address.retry_after, "from your network")
    return SignInAttempt([by_account, by_address])
