"""Third-party applications in an account's integrations (``/accounts/<number>/integrations/third-party/``):
deploy an approved application to a customer account after confirming its x-mitel-app header, and
activate or deactivate it. They answer like every panel action (``integrations.panel``)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import reswap, retarget

from accounts.access import Capability
from accounts.decorators import account_view
from core.htmx import call_service, render_page, submit
from integrations.forms import SwitchForm
from integrations.panel import panel_done, return_to
from oauth.applications import selectors, services
from oauth.applications.forms import DeployConfirmForm


@account_view(need=Capability.MANAGE_INTEGRATIONS)
@require_http_methods(["GET", "POST"])
def third_party_deploy(request: HttpRequest, number: str, pk: int) -> HttpResponse:
    """GET: confirm the application's x-mitel-app header; POST (Submit): deploy it."""
    app = selectors.deployable_application_get_or_404(actor=request.user, account=request.account, pk=pk)
    data = request.POST if request.method == "POST" else None
    form = DeployConfirmForm(data, application=app)
    ok, _ = submit(
        form,
        lambda _: services.application_deploy(actor=request.user, account=request.account, application=app),
    )
    if ok:
        return panel_done(request, message=f"{app.name} deployed to {request.account.name}.")
    context = {
        "account": request.account,
        "app": app,
        "form": form,
        "return_to": return_to(request),
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
        return panel_done(request, error="That application is not deployed to this account.")
    _, error = call_service(
        lambda: services.application_deploy(
            actor=request.user, account=request.account, application=deployment.application, active=form.on
        )
    )
    state = "activated" if form.on else "deactivated"
    return panel_done(request, message=f"{deployment.application.name} {state}.", error=error)
