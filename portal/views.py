"""Shell pages: home redirect, health check, the email outbox, and error pages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from accounts import access
from accounts.access import Capability
from portal.csp import csp_replace
from portal.selectors import outbox_messages_for

# An email's HTML body (Outbox): no script, nothing loaded, shown only in the Outbox's frame.
EMAIL_BODY_CSP = {
    "default-src": ["'none'"],
    "style-src": ["'unsafe-inline'"],
    "img-src": ["data:"],
    "base-uri": ["'none'"],
    "form-action": ["'none'"],
    "frame-ancestors": ["'self'"],
    "sandbox": [],
}


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.account.is_partner and access.has_capability(user, Capability.LIST_CUSTOMER_ACCOUNTS):
        return redirect("accounts:account_list")
    if access.can(user, Capability.VIEW_ACCOUNT, user.account):
        return redirect("accounts:account_detail", number=user.account.account_number)
    return redirect("account_change_password")


@login_not_required
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@require_GET
def outbox(request: HttpRequest) -> HttpResponse:
    """Sent emails of the embedded default, each to those who may read it (accounts.access):
    platform operators all of them, admins those of their own users."""
    if not access.can_read_outbox(request.user):
        raise PermissionDenied("The Outbox is for platform operators and account administrators.")
    page = Paginator(outbox_messages_for(request.user), 20).get_page(request.GET.get("page"))
    return render(request, "portal/outbox.html", {"page": page})


@require_GET
@xframe_options_sameorigin
def outbox_message_html(request: HttpRequest, pk: int) -> HttpResponse:
    """One email's HTML body, for the Outbox's sandboxed frame: its own policy runs no script and
    loads nothing; the inline styles mail clients need are allowed here only."""
    message = get_object_or_404(outbox_messages_for(request.user), pk=pk)
    response = HttpResponse(message.body_html, content_type="text/html; charset=utf-8")
    return csp_replace(response, EMAIL_BODY_CSP)


@login_not_required
def staff_login(request: HttpRequest) -> HttpResponse:
    """``/staff/login/`` (Django admin's sign-in): the portal's own sign-in page, then back to the
    staff pages. A signed-in user who is not staff gets 403 rather than a sign-in loop."""
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("admin:index")
    if not request.user.is_authenticated:
        return redirect_to_login(next_url)
    if not request.user.is_staff:
        raise PermissionDenied("The staff pages are for platform operators.")
    return redirect(next_url)


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
    """413 for a body over the route's cap (``portal.middleware.RequestLimitsMiddleware``)."""
    message = f"The request body is larger than {_size(max_bytes)}, the most this route accepts."
    if _is_api(request):
        return JsonResponse({"name": "PayloadTooLarge", "message": message}, status=413)
    return render(request, "413.html", {"message": message}, status=413)
