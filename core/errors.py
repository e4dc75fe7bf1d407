"""What a service raises when it refuses a change: ``ServiceError`` and its kinds.

A service exception subclasses one kind (``Conflict``, ``Unavailable``, ``TimedOut``, or
``ServiceError`` itself for a plain refusal). The kind decides the HTTP status, in the one table
of ``core/api/errors.py``; a class may carry CloudLink's ``name`` for the error (``PbxTimeout``)
where it differs from the kind's. A service error that is also a form error (a duplicate email,
an integration already added) subclasses Django's ``ValidationError`` too, kind first
(``class DuplicateEmail(Conflict, ValidationError)``), so the console shows it on the form.

Services never build HTTP answers; they raise these with a sentence a person can act on.
"""

from __future__ import annotations

from typing import ClassVar

from django.core.exceptions import ValidationError


class ServiceError(Exception):
    """A service refused the change (the API's 400 unless a kind below says otherwise)."""

    #: CloudLink's error name when it differs from the kind's (``core.api.errors.SERVICE_ERRORS``).
    name: ClassVar[str | None] = None


class Conflict(ServiceError):
    """The change clashes with the current state (already there, in the wrong state): 409."""


class Unavailable(ServiceError):
    """Something the service depends on (the PBX) could not do it: 502."""


class TimedOut(Unavailable):
    """Something the service depends on did not answer in time: 504."""


def error_message(exc: BaseException) -> str:
    """The sentence of a service error (a ``ValidationError``'s messages joined)."""
    if isinstance(exc, ValidationError):
        return " ".join(str(message) for message in exc.messages)
    return str(getattr(exc, "message", None) or exc)
