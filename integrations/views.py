"""Console pages of an account's integrations: the Integrations page (the same panel Account
Information shows), the "+ Add new" catalogue, Complete setup, the remove confirmation, the
privilege switches, and the pages integrations add (Customer Care, Chat Overlays).

Without JavaScript the catalogue, setup and confirmation are plain pages and every action
redirects back to the page it was used on (``next``). With htmx they open as a dialog and every
action answers with the re-rendered panel (``#integrations-panel``), with the flash, the
navigation and the header's Contact Center Admin icon swapped out of band.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import reswap, retarget

from accounts.access import Capability
from accounts.decorators import account_view
from core.htmx import action_done, call_service, is_fragment_request, render_page, submit
from integrations import registry, selectors, services
from integrations.forms import ChatOverlayForm, SwitchForm
from integrations.panel import PANEL, panel_done, return_to
from integrations.registry import Privilege, Provider


def _provider(type_: str) -> Provider:
    provider = registry.get(type_)
    if provider is None:
        raise Http404("There is no such integration.")
    return provider


# --- The Integrations page and the catalogue -----------------------------------------------------


@account_view(need=Capability.MANAGE_INTEGRATIONS)
@require_GET
def integration_list(request: HttpRequest, number: str) -> HttpResponse:
    context = selectors.panel_context(actor=request.user, account=request.account)
    context["return_to"] = request.get_full_path()
    if is_fragment_request(request):
        return render(request, PANEL, context)
    return render(request, "integrations/integration_list.html", context)


@account_view(need=Capability.MANAGE_INTEGRATIONS)
@require_GET
def integration_catalogue(request: HttpRequest, number: str) -> HttpResponse:
    """The "+ Add new" catalogue: the Mitel and Third party tabs with what can be added."""
    context = _catalogue_context(request, request.account, tab=request.GET.get("tab", ""))
    return render_page(request, "integrations/integration_catalogue.html", "integrations-dialog", context)


def _catalogue_context(request: HttpRequest, account, *, tab: str) -> dict:
    added = set(
        selectors.integration_list(actor=request.user, account=account).values_list("type", flat=True)
    )
    tabs = selectors.catalogue(added)
    return {
        "account": account,
        "tabs": tabs,
        "selected": next((t for t in tabs if t["tab"].key == tab), tabs[0]),
        "partner_message": services.PARTNER_ACCOUNT_MESSAGE,
        "return_to": return_to(request),
    }


@account_view(need=Capability.MANAGE_INTEGRATIONS)
@require_POST
def integration_add(request: HttpRequest, number: str, type: str) -> HttpResponse:
    provider = _provider(type)
    # Only what was off is switched on: say that, and not the privileges that were on already.
    was_off = [p for p in provider.ordered_privileges if not getattr(request.account, p.value)]
    integration, error = call_service(
        lambda: services.integration_add(actor=request.user, account=request.account, type=type)
    )
    if error:
        return panel_done(request, error=error)
    message = gettext("%(integration)s added.") % {"integration": provider.label}
    if was_off:
        switched = ", ".join(p.label for p in was_off)
        message += " " + gettext("Switched on: %(privileges)s.") % {"privileges": switched}
    if not integration.setup_complete:
        message += " " + gettext("Complete its setup to enable it.")
    # Added from the "+ Add new" dialog: the dialog stays open, for adding several.
    catalogue = (
        _catalogue_context(request, integration.account, tab="") if request.POST.get("in_dialog") else None
    )
    return panel_done(request, account=integration.account, message=message, catalogue=catalogue)


# --- One added integration -------------------------------------------------------------------


@account_view(need=Capability.MANAGE_INTEGRATIONS)
@require_POST
def integration_toggle(request: HttpRequest, number: str, type: str) -> HttpResponse:
    provider = _provider(type)
    form = SwitchForm(request.POST)
    if not form.is_valid():
        return panel_done(request, error="Choose on or off.")
    integration, error = call_service(
        lambda: services.integration_set_enabled(
            actor=request.user, account=request.account, type=type, enabled=form.on
        )
    )
    return panel_done(
        request,
        account=integration.account if integration else None,
        message=(gettext("%(integration)s enabled.") if form.on else gettext("%(integration)s disabled."))
        % {"integration": provider.label},
        error=error,
    )


@account_view(need=Capability.MANAGE_INTEGRATIONS)
@require_http_methods(["GET", "POST"])
def integration_setup(request: HttpRequest, number: str, type: str) -> HttpResponse:
    """Complete setup / Configure: the provider's own Form."""
    provider = _provider(type)
    integration = selectors.integration_get_or_404(actor=request.user, account=request.account, type=type)
    if not provider.configurable:
        raise Http404("This integration has nothing to configure.")
    data = request.POST if request.method == "POST" else None
    form = provider.form(data=data, initial=integration.config, prefix="config")
    ok, configured = submit(
        form,
        lambda config: services.integration_configure(
            actor=request.user, account=request.account, type=type, config=config
        ),
    )
    if ok:
        return panel_done(
            request,
            account=configured.account,
            message=gettext("%(integration)s settings saved.") % {"integration": provider.label},
        )
    context = {
        "account": request.account,
        "provider": provider,
        "integration": integration,
        "form": form,
        "return_to": return_to(request),
    }
    response = render_page(request, "integrations/integration_setup.html", "integrations-dialog", context)
    if request.htmx and data is not None:  # invalid: show the dialog again, with the errors
        response = reswap(retarget(response, "#integrations-dialog"), "outerHTML")
    return response


@account_view(need=Capability.MANAGE_INTEGRATIONS)
@require_http_methods(["GET", "POST"])
def integration_remove(request: HttpRequest, number: str, type: str) -> HttpResponse:
    """GET: the confirmation, naming the privileges that switch off and those that stay on."""
    provider = _provider(type)
    if request.method == "POST":
        removal, error = call_service(
            lambda: services.integration_remove(actor=request.user, account=request.account, type=type)
        )
        if error:
            return panel_done(request, error=error)
        message = gettext("%(integration)s removed.") % {"integration": provider.label}
        if removal.switch_off:
            switched = ", ".join(p.label for p in removal.switch_off)
            message += " " + gettext("Switched off: %(privileges)s.") % {"privileges": switched}
        return panel_done(request, account=removal.account, message=message)
    selectors.integration_get_or_404(actor=request.user, account=request.account, type=type)
    context = {
        "account": request.account,
        "provider": provider,
        "preview": services.removal_preview(request.account, type),
        "return_to": return_to(request),
    }
    return render_page(request, "integrations/integration_remove.html", "integrations-dialog", context)


# --- Privileges ------------------------------------------------------------------------------------


@account_view(need=Capability.MANAGE_INTEGRATIONS)
@require_POST
def privilege_toggle(request: HttpRequest, number: str, privilege: str) -> HttpResponse:
    target = Privilege.from_slug(privilege)
    if target is None:
        raise Http404("There is no such privilege.")
    form = SwitchForm(request.POST)
    if not form.is_valid():
        return panel_done(request, error="Choose on or off.")
    account, error = call_service(
        lambda: services.privilege_set(
            actor=request.user, account=request.account, privilege=target, enabled=form.on
        )
    )
    return panel_done(
        request,
        account=account,
        message=(gettext("%(privilege)s switched on.") if form.on else gettext("%(privilege)s switched off."))
        % {"privilege": target.label},
        error=error,
    )


# --- Pages that integrations add -------------------------------------------------------------------


@account_view(need=Capability.MANAGE_INTEGRATIONS)
@require_GET
def customer_care(request: HttpRequest, number: str) -> HttpResponse:
    flags = selectors.console_flags(request.account)
    context = {"account": request.account, "available": flags["customer_care"]}
    return render(request, "integrations/customer_care.html", context)


OVERLAYS = "integrations/chat_overlays.html"


def _overlays_context(request: HttpRequest, form: ChatOverlayForm | None = None) -> dict:
    return {
        "account": request.account,
        "available": selectors.console_flags(request.account)["contact_center_admin"],
        "overlays": selectors.chat_overlay_list(actor=request.user, account=request.account),
        "form": form or ChatOverlayForm(),
        "oob": bool(request.htmx),
    }


def _overlays_done(request: HttpRequest, *, message: str = "", error: str = "") -> HttpResponse:
    """After a chat overlay action: the list with an empty form (htmx), else back to the page."""
    return action_done(
        request,
        message=message,
        error=error,
        fragment=lambda: render_page(request, OVERLAYS, "chat-overlays", _overlays_context(request)),
        redirect_to=reverse("integrations:chat_overlay_list", args=[request.account.account_number]),
    )


@account_view(need=Capability.MANAGE_INTEGRATIONS)
@require_http_methods(["GET", "POST"])
def chat_overlay_list(request: HttpRequest, number: str) -> HttpResponse:
    """The Chat Overlays page (MiCC): list, and create with the form below the list."""
    form = ChatOverlayForm(request.POST) if request.method == "POST" else None
    if form is not None:
        ok, overlay = submit(
            form,
            lambda values: services.chat_overlay_create(
                actor=request.user, account=request.account, **values
            ),
        )
        if ok:
            return _overlays_done(
                request, message=gettext("Chat overlay %(name)s created.") % {"name": overlay.name}
            )
    return render_page(request, OVERLAYS, "chat-overlays", _overlays_context(request, form))


@account_view(need=Capability.MANAGE_INTEGRATIONS)
@require_POST
def chat_overlay_delete(request: HttpRequest, number: str, overlay_id: int) -> HttpResponse:
    _, error = call_service(
        lambda: services.chat_overlay_delete(
            actor=request.user, account=request.account, overlay_id=overlay_id
        )
    )
    return _overlays_done(request, message=gettext("Chat overlay deleted."), error=error)
