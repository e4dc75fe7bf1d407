"""The one htmx toolkit of the console: every page and action answers through these.

One URL serves the full page or, for htmx, the named fragment (``template#partial``, whose name
is also its DOM id). A form action calls one service through ``submit``, which shows what went
wrong on the form. A button action (no form to show errors on) calls one service through
``call_service`` and answers with ``action_done``: the outcome as a flash message, then for htmx the
re-rendered fragment and otherwise a redirect (post/redirect/get). A polling fragment says when to
stop; a job's progress fragment (``job_status_fragment``) stops once the job is finished.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, NamedTuple, TypeVar

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django_htmx.http import HttpResponseClientRedirect, HttpResponseStopPolling

from core.forms import add_service_errors

if TYPE_CHECKING:
    from core.models import Job

T = TypeVar("T")


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


class ServiceOutcome(NamedTuple, Generic[T]):
    """What ``call_service`` got: the service's ``result``, or the ``error`` to show ("" if none)."""

    result: T | None
    error: str


def service_error_text(exc: ValidationError) -> str:
    """A service's ValidationError as one sentence for a flash message."""
    return " ".join(exc.messages)


def call_service(call: Callable[[], T]) -> ServiceOutcome[T]:
    """Run one service; its ValidationError (a rule it enforces) becomes the ``error`` to show.

    Anything else propagates: a PermissionDenied or Http404 from the service answers 403 or 404."""
    try:
        return ServiceOutcome(call(), "")
    except ValidationError as exc:
        return ServiceOutcome(None, service_error_text(exc))


def action_done(
    request: HttpRequest,
    *,
    redirect_to: str,
    message: str = "",
    error: str = "",
    level: int = messages.SUCCESS,
    fragment: Callable[[], HttpResponse] | None = None,
) -> HttpResponse:
    """The answer to an action: flash its outcome, then show the page again.

    The outcome is ``error`` when there is one (flashed as an error), else ``message`` (at
    ``level``; nothing when empty). For htmx the answer is ``fragment()`` (rendered after the
    flash, so a fragment that swaps the messages out of band carries it), or without a fragment
    ``HX-Redirect``; otherwise a redirect to ``redirect_to`` (post/redirect/get)."""
    if error:
        messages.error(request, error)
    elif message:
        messages.add_message(request, level, message)
    if getattr(request, "htmx", None) and fragment is not None:
        return fragment()
    return navigate(request, redirect_to)


def paginate(request: HttpRequest, items, per_page: int | None = None) -> Page:
    """The page of ``items`` the ``page`` parameter names (``PORTAL_PAGE_SIZE`` a page by default)."""
    return Paginator(items, per_page or settings.PORTAL_PAGE_SIZE).get_page(request.GET.get("page"))


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
