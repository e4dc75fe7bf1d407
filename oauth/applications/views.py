"""Console pages of third-party applications.

* Developer (partner admins, ``/developer/``): the partner's applications with their status and
  request counts, the registration form, one application's page (client ID once approved; the
  client secret is generated there and shown once, in the answer to that POST only).
* Operator (Django staff, ``/operator/apps/``): every application, pending first; approve,
  reject (with a reason), block and delete. Approving here issues the client ID but no secret: the
  operator never sees the partner's secret (``approveapp`` on the command line prints one).
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import access
from accounts.access import Capability
from core.htmx import action_done, call_service, submit
from oauth.applications import selectors, services
from oauth.applications.forms import ApplicationRegisterForm, ReasonForm
from oauth.models import Application

# --- Developer (partners) -------------------------------------------------------------------------


def _partner(request: HttpRequest):
    """The signed-in partner admin's partner account (403 for everyone else)."""
    account = request.user.account
    if not access.can(request.user, Capability.MANAGE_APPLICATIONS, account):
        raise PermissionDenied("The Developer page is for partner administrators.")
    return account


@require_http_methods(["GET", "POST"])
def developer_home(request: HttpRequest) -> HttpResponse:
    """The partner's applications and the registration form."""
    partner = _partner(request)
    form = ApplicationRegisterForm(request.POST or None, initial={"contact_email": request.user.email})
    ok, app = submit(
        form, lambda values: services.application_register(actor=request.user, partner=partner, **values)
    )
    if ok:
        return action_done(
            request,
            message=gettext("%(name)s registered. It is pending the platform operator's approval.")
            % {"name": app.name},
            redirect_to=reverse("developer:application_detail", args=[app.pk]),
        )
    context = {
        "account": partner,
        "applications": selectors.developer_application_list(actor=request.user, partner=partner),
        "form": form,
    }
    return render(request, "integrations/developer.html", context, status=400 if form.errors else 200)


@never_cache
@require_GET
def developer_application(request: HttpRequest, pk: int) -> HttpResponse:
    partner = _partner(request)
    app = selectors.developer_application_get_or_404(actor=request.user, partner=partner, pk=pk)
    return _application_page(request, partner, app)


def _application_page(request, partner, app: Application, secret: str | None = None) -> HttpResponse:
    context = {
        "account": partner,
        "app": app,
        "secret": secret,
        "deployments": app.deployments.select_related("account").order_by("account__name"),
    }
    return render(request, "integrations/developer_application.html", context)


@never_cache
@require_POST
def developer_secret_rotate(request: HttpRequest, pk: int) -> HttpResponse:
    """Generate (or rotate) the client secret and show it in this answer only: it is not stored
    readable anywhere, so reloading the page does not show it again."""
    partner = _partner(request)
    app = selectors.developer_application_get_or_404(actor=request.user, partner=partner, pk=pk)
    secret, error = call_service(
        lambda: services.application_secret_rotate(actor=request.user, application=app)
    )
    if error:
        return action_done(
            request, error=error, redirect_to=reverse("developer:application_detail", args=[app.pk])
        )
    return _application_page(request, partner, app, secret=secret)


# --- Operator (platform staff) --------------------------------------------------------------------


@require_GET
def operator_list(request: HttpRequest) -> HttpResponse:
    applications = selectors.operator_application_list(actor=request.user)
    return render(request, "integrations/operator_apps.html", {"applications": applications})


def _operator_action(request: HttpRequest, pk: int, act: Callable[[Application, str], str]) -> HttpResponse:
    """Run ``act`` (one service, answering the message to show) on the application, with the
    reason typed in; then back to the list."""
    app = selectors.operator_application_get_or_404(actor=request.user, pk=pk)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    message, error = call_service(lambda: act(app, reason))
    return action_done(
        request,
        message=message or "",
        error=f"{app.name}: {error}" if error else "",
        redirect_to=reverse("operator:application_list"),
    )


@require_POST
def operator_approve(request: HttpRequest, pk: int) -> HttpResponse:
    def act(app: Application, reason: str) -> str:
        services.application_approve(actor=request.user, application=app, issue_secret=False)
        return gettext(
            "%(name)s approved. The partner generates its client secret on their Developer page."
        ) % {"name": app.name}

    return _operator_action(request, pk, act)


@require_POST
def operator_reject(request: HttpRequest, pk: int) -> HttpResponse:
    def act(app: Application, reason: str) -> str:
        services.application_reject(actor=request.user, application=app, reason=reason)
        return gettext("%(name)s rejected.") % {"name": app.name}

    return _operator_action(request, pk, act)


@require_POST
def operator_block(request: HttpRequest, pk: int) -> HttpResponse:
    def act(app: Application, reason: str) -> str:
        services.application_block(actor=request.user, application=app, reason=reason)
        return gettext(
            "%(name)s blocked: its client ID and the tokens issued to it are refused from now on."
        ) % {"name": app.name}

    return _operator_action(request, pk, act)


@require_POST
def operator_delete(request: HttpRequest, pk: int) -> HttpResponse:
    def act(app: Application, reason: str) -> str:
        services.application_delete(actor=request.user, application=app)
        return gettext("%(name)s deleted.") % {"name": app.name}

    return _operator_action(request, pk, act)
