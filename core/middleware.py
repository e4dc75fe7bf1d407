"""Cross-cutting HTTP behaviour, written once: correlation ids, request limits (NUL characters,
body sizes) and JSON errors under /api/ with DEBUG on."""

import logging
import re
import time
from collections.abc import Callable

from django.conf import settings
from django.core.signals import request_finished
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse

from core.context import correlation_id_var, mitel_app_var, new_correlation_id

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


# --- request body size ---------------------------------------------------------------------------


def body_limit(max_bytes: int):
    """Give a view its own body cap instead of ``PORTAL_MAX_BODY_BYTES`` (file uploads). Works on
    function views; a DRF view class sets ``max_body_bytes`` instead."""

    def decorate(view):
        view.max_body_bytes = max_bytes
        return view

    return decorate


def view_body_limit(view_func) -> int:
    view_class = getattr(view_func, "cls", None) or getattr(view_func, "view_class", None)
    limit = getattr(view_func, "max_body_bytes", None) or getattr(view_class, "max_body_bytes", None)
    return limit or settings.PORTAL_MAX_BODY_BYTES


# How a NUL character (U+0000) is written in a body of each kind.
_NUL_IN_BODY = {
    "application/json": (b"\x00", b"\\u0000"),
    "application/x-www-form-urlencoded": (b"\x00", b"%00"),
}


def _has_nul(request: HttpRequest) -> bool:
    if "\x00" in request.path or "%00" in request.META.get("QUERY_STRING", ""):
        return True
    return any("\x00" in value for key, value in request.META.items() if key.startswith("HTTP_"))


class RequestLimitsMiddleware:
    """What no request may carry, refused at the door (first in the chain, after the correlation id):

    - a NUL character (U+0000) in the path, the query, a header or a JSON / form body: no field
      accepts one, and PostgreSQL text cannot hold one, so it would otherwise end as a 500 in the
      first database lookup (400 ``BadRequest``);
    - a body (``Content-Length``) larger than its view accepts (``PORTAL_MAX_BODY_BYTES``, or the
      view's own ``body_limit``): 413 ``PayloadTooLarge`` before anything reads it, and before the
      CSRF check, which reads form bodies. Without a ``Content-Length`` Django reads no body at all.

    Under /api/ the answers are JSON ``{name, message}``, elsewhere error pages."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _has_nul(request):
            return self._nul(request)
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        try:
            size = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            size = 0
        limit = view_body_limit(view_func)
        if size > limit:
            from core.views import payload_too_large

            return payload_too_large(request, limit)
        markers = _NUL_IN_BODY.get(request.content_type, ())
        if size and markers and any(marker in request.body for marker in markers):
            return self._nul(request)
        return None

    @staticmethod
    def _nul(request: HttpRequest) -> HttpResponse:
        from core.views import bad_request

        return bad_request(
            request, message="The request contains a NUL character (U+0000); no field accepts one."
        )


# --- /api/ answers JSON, with DEBUG on too -------------------------------------------------------------


class ApiDebugErrorsMiddleware:
    """With ``DEBUG`` on, Django answers an exception raised by a view with its HTML debug page. Under
    /api/ the answer stays JSON ``{name, message}``, as with ``DEBUG`` off (``portal/views.py``'s
    handlers); the traceback still goes to the log. Unknown routes and CSRF failures under /api/ are
    answered by ``core.views.api_route_not_found`` and ``csrf_failure``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not settings.DEBUG or not request.path.startswith("/api/"):
            return None
        from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
        from django.http import Http404
        from django.utils.log import log_response

        from core import views

        if isinstance(exception, Http404):
            response = views.page_not_found(request, exception)
        elif isinstance(exception, PermissionDenied):
            response = views.permission_denied(request, exception)
        elif isinstance(exception, BadRequest | SuspiciousOperation):
            response = views.bad_request(request, exception)
        else:
            response = views.server_error(request)
        log_response(
            "%s: %s",
            response.reason_phrase,
            request.path,
            response=response,
            request=request,
            exception=exception,
        )
        return response
