"""The Outbox pages: the list, and one email's HTML body in a sandboxed frame."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET

from accounts import access
from accounts.outbox.selectors import outbox_messages_for
from core.csp import csp_replace
from core.htmx import paginate

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
def outbox(request: HttpRequest) -> HttpResponse:
    """Sent emails of the embedded default, each to those who may read it (accounts.access):
    platform operators all of them, admins those of their own users."""
    if not access.can_read_outbox(request.user):
        raise PermissionDenied("The Outbox is for platform operators and account administrators.")
    search = request.GET.get("q", "")[:200]
    page = paginate(request, outbox_messages_for(request.user, search=search), per_page=20)
    return render(request, "portal/outbox.html", {"page": page, "search": search})


@require_GET
@xframe_options_sameorigin
def outbox_message_html(request: HttpRequest, pk: int) -> HttpResponse:
    """One email's HTML body, for the Outbox's sandboxed frame: its own policy runs no script and
    loads nothing; the inline styles mail clients need are allowed here only."""
    message = get_object_or_404(outbox_messages_for(request.user), pk=pk)
    response = HttpResponse(message.body_html, content_type="text/html; charset=utf-8")
    return csp_replace(response, EMAIL_BODY_CSP)
