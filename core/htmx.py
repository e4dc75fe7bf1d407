"""The one htmx toolkit of the console: every page and action answers through these.

One URL serves the full page or, for htmx, the named fragment (``template#partial``, whose name
is also its DOM id). An action calls one service, shows what went wrong on its form, and then
navigates (a redirect, or ``HX-Redirect`` for htmx). A polling fragment says when to stop; a
job's progress fragment (``job_status_fragment``) stops once the job is finished.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django_htmx.http import HttpResponseClientRedirect, HttpResponseStopPolling

from core.forms import add_service_errors

if TYPE_CHECKING:
    from core.models import Job


def is_fragment_request(request: HttpRequest) -> bool:
    """An htmx request that wants a fragment (not a boosted navigation or a history restore)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx and not htmx.boosted and not htmx.history_restore_request)


def render_page(
    request: HttpRequest, template: str, partial: str, context: dict, status: int = 200
) -> HttpResponse:
    """The full page, or for an htmx request just ``template#partial``."""
    if is_fragment_request(request):
        template = f"{template}#{partial}"
    response = render(request, template, context, status=status)
    patch_vary_headers(response, ("HX-Request",))
    return response


def navigate(request: HttpRequest, url: str) -> HttpResponse:
    """Go to ``url`` after an action: a redirect, or ``HX-Redirect`` for htmx."""
    return HttpResponseClientRedirect(url) if getattr(request, "htmx", None) else redirect(url)


def submit(form: forms.Form, call: Callable[[dict], Any]) -> tuple[bool, Any]:
    """Validate the form's shape, then call one service with its cleaned data: ``(True, result)``,
    or ``(False, None)`` with the service's ValidationError on the form.

    So does a PermissionDenied: the view already required the page's capability, so one raised
    by the service is one of its rules ("you cannot delete yourself"), which the person should
    read on the page. A refusal marked ``answer_with_status`` (acting on a user above your role,
    which no page offers) stays a 403."""
    if not form.is_valid():
        return False, None
    try:
        return True, call(form.cleaned_data)
    except ValidationError as exc:
        add_service_errors(form, exc)
    except PermissionDenied as exc:
        if getattr(exc, "answer_with_status", False):
            raise
        form.add_error(None, str(exc))
    return False, None


def paginate(request: HttpRequest, items) -> Page:
    return Paginator(items, settings.PORTAL_PAGE_SIZE).get_page(request.GET.get("page"))


def polling_fragment(response: HttpResponse, *, finished: bool) -> HttpResponse:
    """A polled progress fragment; once the work is ``finished`` htmx stops polling (286)."""
    if not finished:
        return response
    return HttpResponseStopPolling(response.content, headers={"Vary": "HX-Request"})


def job_status_fragment(
    request: HttpRequest, job: Job, *, template: str, partial: str, context: dict, page_url: str
) -> HttpResponse:
    """The progress fragment a job's page polls (``core.models.Job``): once the job is finished,
    the final fragment with 286, so the polling stops. A request without htmx goes to the job's page."""
    if not getattr(request, "htmx", None):
        return redirect(page_url)
    return polling_fragment(render_page(request, template, partial, context), finished=job.is_finished)
