"""Every API error is JSON ``{name, message}`` (CloudLink's error schema)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


class ApiError(exceptions.APIException):
    """An error with CloudLink's ``name``; raise it from API views."""

    def __init__(self, name: str, message: str, status_code: int = 400, **extra):
        self.name = name
        self.status_code = status_code
        self.extra = extra
        super().__init__(detail=message)


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
    if isinstance(exc, ValidationError):
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
