"""The Integrations panel as the answer to its actions (the integration views and the third-party
ones): with htmx the panel re-rendered, with the flash, the navigation and the header's Contact
Center Admin icon swapped out of band; without JavaScript back to the page the action was used
on (``next``)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from accounts.models import Account
from core.htmx import action_done
from integrations import selectors
from integrations.forms import ReturnToForm

PANEL = "integrations/_account_panel.html"


def return_to(request: HttpRequest) -> str:
    """The page the action was used on (``next``, same host only), else the Integrations page."""
    data = request.POST if request.method == "POST" else request.GET
    default = reverse("integrations:integration_list", args=[request.account.account_number])
    return ReturnToForm(data).return_url(request, default)


def panel_done(
    request: HttpRequest,
    *,
    account: Account | None = None,
    message: str = "",
    error: str = "",
    catalogue: dict | None = None,
) -> HttpResponse:
    """After a panel action: flash its outcome, then the panel of ``account`` (the one the service
    returned, with its privileges as they are now; the page's account when nothing changed). With
    ``catalogue`` (the "+ Add new" dialog's context) the panel carries that dialog, open again."""
    account = account or request.account

    def panel() -> HttpResponse:
        context = selectors.panel_context(actor=request.user, account=account)
        context |= {"return_to": return_to(request), "oob": True}
        if catalogue is not None:
            context |= {**catalogue, "catalogue_open": True}
        return render(request, PANEL, context)

    return action_done(request, message=message, error=error, fragment=panel, redirect_to=return_to(request))
