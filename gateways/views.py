"""Console pages of an account's CloudLink Gateway, under ``/accounts/<number>/gateway/``:

* the gateway page: status (connected, disconnected, last check, last error) with Re-check and
  Disconnect, the SIP trunk section, the configuration and Remove; or, without a gateway, Add Gateway;
* the setup wizard (Customer -> Gateway -> PBX -> Connect), one URL per step, its state in the
  database (``GatewaySetup``) so anyone can leave and resume;
* the connect job's page and the progress fragments both pages poll (htmx, every second, stopped
  with 286 once the job is finished; a Refresh link without JavaScript).

Thin: forms validate shape, ``gateways.services`` applies the rules, ``gateways.wizard`` knows the steps.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import Capability
from accounts.decorators import account_view
from accounts.forms import ConfirmForm
from core.htmx import (
    action_done,
    call_service,
    job_status_fragment,
    navigate,
    polling_fragment,
    render_page,
    submit,
)
from gateways import selectors, services, wizard
from gateways.forms import CustomerForm, SipTrunkForm
from gateways.models import ConnectJob, GatewaySetup

PAGE = "gateways/gateway_detail.html"
WIZARD = "gateways/setup_wizard.html"
JOB = "gateways/connect_job.html"
REMOVE_WORD = "remove"


def _url(request: HttpRequest, name: str, *args) -> str:
    return reverse(f"gateways:{name}", args=[request.account.account_number, *args])


# --- The gateway page ------------------------------------------------------------------------------------


def _page_context(request: HttpRequest, **forms_) -> dict:
    account, actor = request.account, request.user
    gateway = selectors.gateway_for(actor=actor, account=account)
    setup = selectors.gateway_setup_for(actor=actor, account=account)
    context = {
        "account": account,
        "gateway": gateway,
        "setup": setup,
        "setup_step_title": wizard.TITLES[setup.step] if setup else "",
        "partner_message": services.PARTNER_ACCOUNT_MESSAGE if account.is_partner else "",
        "oob": bool(request.htmx),
    }
    if gateway is not None:
        trunk = getattr(gateway, "trunk", None)
        has_secrets = (bool(trunk and trunk.pbx_password), bool(trunk and trunk.gateway_password))
        context |= {
            "pbx": getattr(gateway, "pbx", None),
            "job": selectors.connect_job_latest(gateway=gateway),
            "trunk": trunk,
            "trunk_form": SipTrunkForm(
                initial=SipTrunkForm.initial_from(trunk) if trunk else None, has_secrets=has_secrets
            ),
            "remove_form": ConfirmForm(word=REMOVE_WORD),
        }
    return context | forms_


@account_view(need=Capability.MANAGE_GATEWAY)
@require_GET
def gateway_detail(request: HttpRequest, number: str) -> HttpResponse:
    return render_page(request, PAGE, "gateway-status", _page_context(request))


@account_view(need=Capability.MANAGE_GATEWAY)
@require_GET
def gateway_status_hx(request: HttpRequest, number: str) -> HttpResponse:
    """The status card the gateway page polls while a check runs; 286 (stop polling) once it is over."""
    if not request.htmx:
        return redirect("gateways:gateway_detail", number=number)
    context = _page_context(request)
    response = render_page(request, PAGE, "gateway-status", context)
    job = context.get("job")
    return polling_fragment(response, finished=job is None or job.is_finished)


def _page_done(request: HttpRequest, partial: str, *, message: str = "", error: str = "") -> HttpResponse:
    """After an action on the gateway page: its ``partial`` re-rendered (htmx), else the page."""
    return action_done(
        request,
        message=message,
        error=error,
        fragment=lambda: render_page(request, PAGE, partial, _page_context(request)),
        redirect_to=_url(request, "gateway_detail"),
    )


@account_view(need=Capability.MANAGE_GATEWAY)
@require_POST
def gateway_recheck(request: HttpRequest, number: str) -> HttpResponse:
    _, error = call_service(lambda: services.gateway_check_start(actor=request.user, account=request.account))
    return _page_done(
        request, "gateway-status", message=gettext("Checking the connection to the PBX…"), error=error
    )


@account_view(need=Capability.MANAGE_GATEWAY)
@require_POST
def gateway_disconnect(request: HttpRequest, number: str) -> HttpResponse:
    _, error = call_service(lambda: services.gateway_disconnect(actor=request.user, account=request.account))
    message = gettext("The gateway is disconnected and no longer re-checked. Re-check connects it again.")
    return _page_done(request, "gateway-status", message=message, error=error)


@account_view(need=Capability.MANAGE_GATEWAY)
@require_POST
def gateway_remove(request: HttpRequest, number: str) -> HttpResponse:
    form = ConfirmForm(request.POST, word=REMOVE_WORD)
    if form.is_valid() and form.cleaned_data["confirmation"].strip().lower() != REMOVE_WORD:
        form.add_error("confirmation", gettext("Type %(word)s to confirm.") % {"word": REMOVE_WORD})
    ok, _ = submit(form, lambda data: services.gateway_remove(actor=request.user, account=request.account))
    if ok:
        message = gettext("The gateway was removed from this account.")
        return action_done(request, message=message, redirect_to=_url(request, "gateway_detail"))
    return render_page(request, PAGE, "gateway-remove", _page_context(request, remove_form=form))


@account_view(need=Capability.MANAGE_GATEWAY)
@require_POST
def gateway_trunk_update(request: HttpRequest, number: str) -> HttpResponse:
    context = _page_context(request)
    if context["gateway"] is None:
        raise Http404("This account has no gateway.")
    trunk = context["trunk"]
    form = SipTrunkForm(
        request.POST, has_secrets=(bool(trunk and trunk.pbx_password), bool(trunk and trunk.gateway_password))
    )
    ok, _ = submit(
        form,
        lambda data: services.trunk_update(
            actor=request.user, account=request.account, values=form.values(), secrets=form.secrets()
        ),
    )
    if ok:
        return _page_done(request, "sip-trunk", message=gettext("SIP trunk settings saved."))
    return render_page(request, PAGE, "sip-trunk", context | {"trunk_form": form})


# --- The setup wizard -----------------------------------------------------------------------------------


def _wizard_context(request: HttpRequest, step: str, setup: GatewaySetup | None, **extra) -> dict:
    return {
        "account": request.account,
        "setup": setup,
        "step": step,
        "step_title": wizard.TITLES[step],
        "step_intro": wizard.INTROS[step],
        "steps": wizard.progress(setup, step),
        "previous": wizard.previous_step(step),
        "oob": bool(request.htmx),
    } | extra


@account_view(need=Capability.MANAGE_GATEWAY)
@require_GET
def gateway_setup(request: HttpRequest, number: str) -> HttpResponse:
    """Add Gateway / Resume setup: open the step the wizard stopped at."""
    setup = selectors.gateway_setup_for(actor=request.user, account=request.account)
    return redirect("gateways:gateway_setup_step", number=number, step=wizard.furthest(setup))


@account_view(need=Capability.MANAGE_GATEWAY)
@require_http_methods(["GET", "POST"])
def gateway_setup_step(request: HttpRequest, number: str, step: str) -> HttpResponse:
    if step not in wizard.STEPS:
        raise Http404("There is no such step.")
    if request.account.is_partner:
        messages.info(request, services.PARTNER_ACCOUNT_MESSAGE)
        return redirect("gateways:gateway_detail", number=number)
    actor, account = request.user, request.account
    setup = selectors.gateway_setup_for(actor=actor, account=account)
    if not wizard.reachable(setup, step):
        return redirect("gateways:gateway_setup_step", number=number, step=wizard.furthest(setup))
    if step == GatewaySetup.Step.CONNECT:
        return _connect_step(request, setup)
    gateway = selectors.gateway_for(actor=actor, account=account)
    build = dict(step=step, account=account, actor=actor, setup=setup, gateway=gateway)
    if request.method == "POST" and step == GatewaySetup.Step.CUSTOMER and "add_contact" in request.POST:
        # "Add a contact": the same values, one more contact row, nothing validated or saved yet.
        rows = CustomerForm(data=request.POST).rows + 1
        form = CustomerForm(initial=request.POST.dict(), rows=rows)
    elif request.method == "POST":
        form = wizard.step_form(data=request.POST, **build)
        ok, _ = submit(
            form,
            lambda data: services.gateway_setup_step_submit(
                actor=actor,
                account=account,
                step=step,
                values=form.values(),
                pbx_password=getattr(form, "password", ""),
            ),
        )
        if ok:
            return navigate(request, _url(request, "gateway_setup_step", wizard.next_step(step)))
    else:
        form = wizard.step_form(**build)
    return render_page(request, WIZARD, "wizard-step", _wizard_context(request, step, setup, form=form))


def _connect_step(request: HttpRequest, setup: GatewaySetup | None) -> HttpResponse:
    step = GatewaySetup.Step.CONNECT
    error = ""
    if request.method == "POST":
        job, error = call_service(
            lambda: services.gateway_setup_connect(actor=request.user, account=request.account)
        )
        if not error:
            return navigate(request, _url(request, "gateway_job", job.job_id))
    gateway = selectors.gateway_for(actor=request.user, account=request.account)
    context = _wizard_context(
        request,
        step,
        setup,
        summary=setup.data if setup else {},
        error=error,
        job=selectors.connect_job_latest(gateway=gateway) if gateway else None,
        has_password=wizard.has_stored_password(setup, gateway),
    )
    return render_page(request, WIZARD, "wizard-step", context)


@account_view(need=Capability.MANAGE_GATEWAY)
@require_POST
def gateway_setup_cancel(request: HttpRequest, number: str) -> HttpResponse:
    _, error = call_service(
        lambda: services.gateway_setup_cancel(actor=request.user, account=request.account)
    )
    return action_done(
        request,
        message=gettext("Gateway setup cancelled: what the wizard stored was discarded."),
        level=messages.INFO,
        error=error,
        redirect_to=_url(request, "gateway_detail"),
    )


# --- Connect jobs ----------------------------------------------------------------------------------------


def _job_context(request: HttpRequest, job: ConnectJob) -> dict:
    setup = selectors.gateway_setup_for(actor=request.user, account=request.account)
    return {
        "account": request.account,
        "job": job,
        "setup": setup,
        "pbx": getattr(job.gateway, "pbx", None),
        "steps": wizard.progress(setup, GatewaySetup.Step.CONNECT) if setup else None,
        "retry_in_wizard": setup is not None and setup.step == GatewaySetup.Step.CONNECT,
    }


@account_view(need=Capability.MANAGE_GATEWAY)
@require_GET
def gateway_job(request: HttpRequest, number: str, job_id: uuid.UUID) -> HttpResponse:
    """The Connect step's progress, then "connected" or the error to act on."""
    job = selectors.connect_job_get_or_404(actor=request.user, account=request.account, job_id=job_id)
    return render_page(request, JOB, "connect-progress", _job_context(request, job))


@account_view(need=Capability.MANAGE_GATEWAY)
@require_GET
def gateway_job_status_hx(request: HttpRequest, number: str, job_id: uuid.UUID) -> HttpResponse:
    job = selectors.connect_job_get_or_404(actor=request.user, account=request.account, job_id=job_id)
    return job_status_fragment(
        request,
        job,
        template=JOB,
        partial="connect-progress",
        context=_job_context(request, job),
        page_url=_url(request, "gateway_job", job.job_id),
    )
