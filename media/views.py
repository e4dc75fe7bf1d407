"""Console fragments on the user page: the live calls of the user's extension (htmx polling) and its
device features (DND, message waiting, call forward, presence) read from the PBX."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from accounts import selectors as account_selectors
from accounts.access import Capability
from accounts.decorators import account_view
from core.errors import Conflict
from gateways.pbx.bridge import PbxError
from media import endpoints, selectors


@account_view(need=Capability.MANAGE_USERS)
def user_calls_hx(request: HttpRequest, number: str, user_id) -> HttpResponse:
    person = account_selectors.user_get_or_404(actor=request.user, account=request.account, user_ref=user_id)
    calls = selectors.call_live_for_extension(request.account, person.extension)
    return render(request, "media/_user_calls.html", {"person": person, "calls": calls})


@account_view(need=Capability.MANAGE_USERS)
def user_device_hx(request: HttpRequest, number: str, user_id) -> HttpResponse:
    """DND, message waiting and call forward of the user's extension, read from the PBX once per load."""
    person = account_selectors.user_get_or_404(actor=request.user, account=request.account, user_ref=user_id)
    endpoint, problem = None, ""
    try:
        endpoint = endpoints.endpoint_state(account=request.account, extension=person.extension)
    except (PbxError, Conflict, Http404) as exc:
        problem = str(getattr(exc, "message", "") or exc)
    return render(
        request, "media/_user_device.html", {"person": person, "endpoint": endpoint, "problem": problem}
    )
