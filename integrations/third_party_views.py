"""Third-party applications in an account's integrations (``/accounts/<number>/integrations/third-party/``):
deploy an approved application to a customer account after confirming its x-mitel-app header, and
activate or deactivate it. The panel's own helpers answer (``integrations.views``)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import reswap, retarget

from accounts.access import Capability
from accounts.decorators import account_view
from core.forms import add_service_errors
from core.htmx import render_page
from integrations.forms import SwitchForm
from integrations.views import _done, _return_to
from oauth.applications import selectors, services
from oauth.applications.forms import DeployConfirmForm


@account_view(need=Capability.MANAGE_INTEGRATIONS)
@require_http_methods(["GET", "POST"])
def third_party_deploy(request: HttpRequest, number: str, pk: int) -> HttpResponse:
    """GET: confirm the application's x-mitel-app header; POST (Submit): deploy it."""
    app = selectors.deployable_application_get_or_404(actor=request.user, account=request.account, pk=pk)
    data = request.POST if request.method == "POST" else None
    form = DeployConfirmForm(data, application=app)
    if data is not None and form.is_valid():
        try:
            services.application_deploy(actor=request.user, account=request.account, application=app)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return _done(request, f"{app.name} deployed to {request.account.name}.")
    context = {
        "account": request.account,
        "app": app,
        "form": form,
        "return_to": _return_to(request),
    }
    response = render_page(request, "integrations/_third_party_deploy.html", "integrations-dialog", context)
    if request.htmx and data is not None:  # invalid: show the dialog again, with the errors
        response = reswap(retarget(response, "#integrations-dialog"), "outerHTML")
    return response


@account_view(need=Capability.MANAGE_INTEGRATIONS)
@require_POST
def third_party_toggle(request: HttpRequest, number: str, pk: int) -> HttpResponse:
    """Activate or deactivate a deployed application (the card's switch)."""
    deployment = selectors.deployment_list(account=request.account).filter(application_id=pk).first()
    form = SwitchForm(request.POST)
    if deployment is None or not form.is_valid():
        return _done(request, error="That application is not deployed to this account.")
    try:
        services.application_deploy(
            actor=request.user, account=request.account, application=deployment.application, active=form.on
        )
    except ValidationError as exc:
        return _done(request, error=" ".join(exc.messages))
    state = "activated" if form.on else "deactivated"
    return _done(request, f"{deployment.application.name} {state}.")
