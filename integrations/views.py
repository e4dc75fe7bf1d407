"""Console pages of an account's integrations: the Integrations page (the same panel Account
Information shows), the "+ Add new" catalogue, Complete setup, the remove confirmation, the
privilege switches, and the pages integrations add (Customer Care, Chat Overlays).

Without JavaScript the catalogue, setup and confirmation are plain pages and every action
redirects back to the page it was used on (``next``). With htmx they open as a dialog and every
action answers with the re-rendered panel (``#integrations-panel``), with the flash, the
navigation and the header's Contact Center Admin icon swapped out of band.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import reswap, retarget

from accounts.access import Capability
from accounts.decorators import account_view
from core.forms import add_service_errors
from core.htmx import is_fragment_request, render_page
from integrations import registry, selectors, services
from integrations.forms import ChatOverlayForm, ReturnToForm, SwitchForm
from integrations.registry import Privilege, Provider

PANEL = "integrations/_account_panel.html"


def _list_url(request: HttpRequest) -> str:
    return reverse("integrations:integration_list", args=[request.account.account_number])


def _return_to(request: HttpRequest) -> str:
    data = request.POST if request.method == "POST" else request.GET
    return ReturnToForm(data).return_url(request, _list_url(request))


def _provider(type_: str) -> Provider:
    provider = registry.get(type_)
    if provider is None:
        raise Http404("There is no such integration.")
    return provider


def _panel(request: HttpRequest) -> HttpResponse:
    """The re-rendered panel (htmx) with the flash, navigation and header icon out of band."""
    request.account.refresh_from_db()  # the service changed its privileges
    context = selectors.panel_context(actor=request.user, account=request.account)
    context |= {"return_to": _return_to(request), "oob": True}
    return render(request, PANEL, context)


def _done(request: HttpRequest, message: str = "", error: str = "") -> HttpResponse:
    """After a panel action: the panel for htmx, else back to the page it was used on (PRG)."""
    if message:
        messages.success(request, message)
    if error:
        messages.error(request, error)
    return _panel(request) if request.htmx else redirect(_return_to(request))


def _call(call: Callable[[], Any]) -> tuple[Any, str]:
    """Run one service; a ValidationError becomes the message to show."""
    try:
        return call(), ""
    except ValidationError as exc:
        return None, " ".join(exc.messages)


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
    added = set(
        selectors.integration_list(actor=request.user, account=request.account).values_list("type", flat=True)
    )
    tabs = selectors.catalogue(added)
    selected = next((t for t in tabs if t["tab"].key == request.GET.get("tab")), tabs[0])
    context = {
        "account": request.account,
        "tabs": tabs,
        "selected": selected,
        "partner_message": services.PARTNER_ACCOUNT_MESSAGE,
        "return_to": _return_to(request),
    }
    return render_page(request, "integrations/integration_catalogue.html", "integrations-dialog", context)


@account_view(need=Capability.MANAGE_INTEGRATIONS)
@require_POST
def integration_add(request: HttpRequest, number: str, type: str) -> HttpResponse:
    provider = _provider(type)
    integration, error = _call(
        lambda: services.integration_add(actor=request.user, account=request.account, type=type)
    )
    if error:
        return _done(request, error=error)
    brought = ", ".join(p.label for p in provider.ordered_privileges)
    message = f"{provider.label} added."
    if brought:
        message += f" Switched on: {brought}."
    if not integration.setup_complete:
        message += " Complete its setup to enable it."
    return _done(request, message)


# --- One added integration -------------------------------------------------------------------


@account_view(need=Capability.MANAGE_INTEGRATIONS)
@require_POST
def integration_toggle(request: HttpRequest, number: str, type: str) -> HttpResponse:
    provider = _provider(type)
    form = SwitchForm(request.POST)
    if not form.is_valid():
        return _done(request, error="Choose on or off.")
    _, error = _call(
        lambda: services.integration_set_enabled(
            actor=request.user, account=request.account, type=type, enabled=form.on
        )
    )
    return _done(request, "" if error else f"{provider.label} {'enabled' if form.on else 'disabled'}.", error)


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
    if data is not None and form.is_valid():
        try:
            services.integration_configure(
                actor=request.user, account=request.account, type=type, config=form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return _done(request, f"{provider.label} settings saved.")
    context = {
        "account": request.account,
        "provider": provider,
        "integration": integration,
        "form": form,
        "return_to": _return_to(request),
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
        preview, error = _call(
            lambda: services.integration_remove(actor=request.user, account=request.account, type=type)
        )
        if error:
            return _done(request, error=error)
        message = f"{provider.label} removed."
        if preview.switch_off:
            message += f" Switched off: {', '.join(p.label for p in preview.switch_off)}."
        return _done(request, message)
    selectors.integration_get_or_404(actor=request.user, account=request.account, type=type)
    context = {
        "account": request.account,
        "provider": provider,
        "preview": services.removal_preview(request.account, type),
        "return_to": _return_to(request),
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
        return _done(request, error="Choose on or off.")
    _, error = _call(
        lambda: services.privilege_set(
            actor=request.user, account=request.account, privilege=target, enabled=form.on
        )
    )
    return _done(request, "" if error else f"{target.label} switched {'on' if form.on else 'off'}.", error)


# --- Pages that integrations add -------------------------------------------------------------------


@account_view(need=Capability.MANAGE_INTEGRATIONS)
@require_GET
def customer_care(request: HttpRequest, number: str) -> HttpResponse:
    flags = selectors.console_flags(request.account)
    context = {"account": request.account, "available": flags["customer_care"]}
    return render(request, "integrations/customer_care.html", context)


def _overlays_context(request: HttpRequest, form: ChatOverlayForm | None = None) -> dict:
    return {
        "account": request.account,
        "available": selectors.console_flags(request.account)["contact_center_admin"],
        "overlays": selectors.chat_overlay_list(actor=request.user, account=request.account),
        "form": form or ChatOverlayForm(),
        "oob": bool(request.htmx),
    }


@account_view(need=Capability.MANAGE_INTEGRATIONS)
@require_http_methods(["GET", "POST"])
def chat_overlay_list(request: HttpRequest, number: str) -> HttpResponse:
    """The Chat Overlays page (MiCC): list, and create with the form below the list."""
    form = ChatOverlayForm(request.POST) if request.method == "POST" else None
    if form is not None and form.is_valid():
        try:
            overlay = services.chat_overlay_create(
                actor=request.user, account=request.account, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Chat overlay {overlay.name} created.")
            if not request.htmx:
                return redirect("integrations:chat_overlay_list", number=number)
            form = None
    return render_page(
        request, "integrations/chat_overlays.html", "chat-overlays", _overlays_context(request, form)
    )


@account_view(need=Capability.MANAGE_INTEGRATIONS)
@require_POST
def chat_overlay_delete(request: HttpRequest, number: str, overlay_id: int) -> HttpResponse:
    _, error = _call(
        lambda: services.chat_overlay_delete(
            actor=request.user, account=request.account, overlay_id=overlay_id
        )
    )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, "Chat overlay deleted.")
    if not request.htmx:
        return redirect("integrations:chat_overlay_list", number=number)
    return render_page(
        request, "integrations/chat_overlays.html", "chat-overlays", _overlays_context(request)
    )
