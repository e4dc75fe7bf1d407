"""Pages every part of the portal shares: the health check and the error pages (JSON
``{name, message}`` under /api/, branded pages elsewhere)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET


@login_not_required
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _api_not_found() -> JsonResponse:
    return JsonResponse({"name": "NotFound", "message": "The requested resource was not found."}, status=404)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return _api_not_found()
    return render(request, "404.html", status=404)


@csrf_exempt
@login_not_required
def api_route_not_found(request: HttpRequest, path: str = "") -> JsonResponse:
    """Every path under /api/ that no route matches: JSON 404 for any method, in DEBUG too (Django's
    debug 404 page would otherwise answer)."""
    return _api_not_found()


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """``CSRF_FAILURE_VIEW``: JSON 403 under /api/ (the console session's unsafe calls and the
    browser sign-in form of /authorize), Django's page elsewhere."""
    if _is_api(request):
        return JsonResponse(
            {"name": "Forbidden", "message": f"CSRF verification failed: {reason or 'no valid token.'}"},
            status=403,
        )
    from django.views.csrf import csrf_failure as django_csrf_failure

    return django_csrf_failure(request, reason=reason)


def server_error(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        return JsonResponse(
            {
                "name": "InternalServerError",
                "message": "An unexpected error occurred. Quote the correlation id.",
            },
            status=500,
        )
    return render(request, "500.html", status=500)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return JsonResponse({"name": "Forbidden", "message": str(exception or "Forbidden")}, status=403)
    return render(request, "403.html", {"message": str(exception or "")}, status=403)


def bad_request(request: HttpRequest, exception: Exception | None = None, message: str = "") -> HttpResponse:
    if _is_api(request):
        return JsonResponse(
            {"name": "BadRequest", "message": message or "The request could not be understood."}, status=400
        )
    return render(request, "400.html", {"message": message}, status=400)


def _size(max_bytes: int) -> str:
    mib, kib = 1024 * 1024, 1024
    if max_bytes >= mib:
        amount = f"{max_bytes / mib:.1f}".removesuffix(".0") + " MiB"
    elif max_bytes >= kib:
        amount = f"{max_bytes / kib:.1f}".removesuffix(".0") + " KiB"
    else:
        return f"{max_bytes:,} bytes"
    return f"{amount} ({max_bytes:,} bytes)"


def payload_too_large(request: HttpRequest, max_bytes: int) -> HttpResponse:
    """413 for a body over the route's cap (``core.middleware.RequestLimitsMiddleware``)."""
    message = f"The request body is larger than {_size(max_bytes)}, the most this route accepts."
    if _is_api(request):
        return JsonResponse({"name": "PayloadTooLarge", "message": message}, status=413)
    return render(request, "413.html", {"message": message}, status=413)
