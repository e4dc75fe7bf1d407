"""Every API error is JSON ``{name, message}`` (CloudLink's error schema).

``SERVICE_ERRORS`` is the one table from an exception a service (or ``accounts.access``) raises to
the answer's status and name; the DRF exception handler below answers every API view with it, so
a view calls the service and lets its error through. ``service_errors()`` is for the views that
rename a ``ValidationError``'s fields to the API's names; ``ApiError.from_service`` for a view that
adds to the body (the PBX sync's new plan).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import Conflict, ServiceError, TimedOut, Unavailable, error_message


class ApiError(exceptions.APIException):
    """An error with CloudLink's ``name``; raise it from API views."""

    def __init__(self, name: str, message: str, status_code: int = 400, **extra):
        self.name = name
        self.status_code = status_code
        self.extra = extra
        super().__init__(detail=message)

    @classmethod
    def from_service(cls, exc: Exception, **extra) -> ApiError:
        """A service's error as the API's: status and name from ``SERVICE_ERRORS`` (the class's
        own ``name`` first), its sentence as the message; ``extra`` joins the body."""
        status_code, name = service_error_answer(exc)
        return cls(getattr(exc, "name", None) or name, error_message(exc), status_code, **extra)


#: exception (or a base of it) -> (status, name). The first class of the exception's MRO found here
#: answers, so a new ``ServiceError`` subclass needs no line: its kind has one.
SERVICE_ERRORS: dict[type[Exception], tuple[int, str]] = {
    Conflict: (status.HTTP_409_CONFLICT, "Conflict"),
    TimedOut: (status.HTTP_504_GATEWAY_TIMEOUT, "Timeout"),
    Unavailable: (status.HTTP_502_BAD_GATEWAY, "Unavailable"),
    ServiceError: (status.HTTP_400_BAD_REQUEST, "BadRequest"),
    ValidationError: (status.HTTP_400_BAD_REQUEST, "ValidationError"),
    PermissionDenied: (status.HTTP_403_FORBIDDEN, "Forbidden"),
    Http404: (status.HTTP_404_NOT_FOUND, "NotFound"),
}


def service_error_answer(exc: Exception) -> tuple[int, str]:
    """(status, name) of ``exc`` in ``SERVICE_ERRORS``; an exception outside it is a 500."""
    for klass in type(exc).__mro__:
        if klass in SERVICE_ERRORS:
            return SERVICE_ERRORS[klass]
    return status.HTTP_500_INTERNAL_SERVER_ERROR, "InternalServerError"


_NAMES = {
    400: "BadRequest",
    401: "UnauthorizedError",
    403: "Forbidden",
    404: "NotFound",
    405: "MethodNotAllowed",
    406: "NotAcceptable",
    409: "Conflict",
    415: "UnsupportedMediaType",
    429: "TooManyRequests",
}


def _flatten(detail) -> str:
    if isinstance(detail, dict):
        parts = []
        for key, value in detail.items():
            text = _flatten(value)
            parts.append(text if key in ("non_field_errors", "__all__") else f"{key}: {text}")
        return "; ".join(parts)
    if isinstance(detail, list):
        return " ".join(_flatten(item) for item in detail)
    return str(detail)


def exception_handler(exc, context):
    if isinstance(exc, ServiceError):
        exc = ApiError.from_service(exc)
    elif isinstance(exc, ValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or "The requested resource was not found.")
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or "You do not have permission to do this.")
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    name = getattr(exc, "name", None) or _NAMES.get(response.status_code, "Error")
    if isinstance(exc, exceptions.ValidationError):
        name = "ValidationError"
    body = {"name": name, "message": _flatten(getattr(exc, "detail", response.data))}
    body |= getattr(exc, "extra", {}) or {}
    if isinstance(exc, exceptions.ValidationError) and isinstance(exc.detail, dict):
        body["errors"] = exc.detail
    response.data = body
    return response


def validation_error(exc: ValidationError, names: dict[str, str] | None = None) -> exceptions.ValidationError:
    """A Django ``ValidationError`` (from a form or a service) as the API's 400, with its field
    keys renamed to the API's names (``default_language`` -> ``languageCode``)."""
    names = names or {}
    if hasattr(exc, "error_dict"):
        detail: dict[str, list[str]] = {}
        for key, messages in exc.message_dict.items():
            detail.setdefault(names.get(key, key), []).extend(messages)
        return exceptions.ValidationError(detail)
    return exceptions.ValidationError(exc.messages)


FieldNames = dict[str, str] | Callable[[ValidationError], dict[str, str]]


@contextmanager
def service_errors(names: FieldNames | None = None, *, validation_name: str = "") -> Iterator[None]:
    """Around a service call in an API view: a ``ServiceError`` answers through ``SERVICE_ERRORS``
    (also when it is a ``ValidationError`` too, like a duplicate email's 409); another
    ``ValidationError`` is the 400 with its fields renamed by ``names`` (a dict, or a function of
    the error). ``validation_name`` answers it as a plain ``{name, message}`` instead (Chat's
    ``BadRequestError``)."""
    try:
        yield
    except ServiceError as exc:
        raise ApiError.from_service(exc) from exc
    except ValidationError as exc:
        if validation_name:
            detail = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
            raise ApiError(validation_name, _flatten(detail), status.HTTP_400_BAD_REQUEST) from exc
        raise validation_error(exc, names(exc) if callable(names) else names) from exc


def error_response(
    name: str, message: str, status_code: int = status.HTTP_400_BAD_REQUEST, **extra
) -> Response:
    return Response({"name": name, "message": message, **extra}, status=status_code)


class ErrorSerializer(serializers.Serializer):
    """CloudLink's error body (documented on every operation of the OpenAPI documents)."""

    name = serializers.CharField()
    message = serializers.CharField()


def error_responses(*status_codes: int) -> dict[int, type[ErrorSerializer]]:
    return dict.fromkeys(status_codes, ErrorSerializer)
