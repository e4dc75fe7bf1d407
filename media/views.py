"""Console fragments on the user page: the live calls of the user's extension (htmx polling) and its
device features (DND, message waiting, call forward, presence) read from the PBX."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

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
    return _device(request, person, endpoint, problem)


def _device(request: HttpRequest, person, endpoint, problem: str, error: str = "") -> HttpResponse:
    return render(
        request,
        "media/_user_device.html",
        {"person": person, "endpoint": endpoint, "problem": problem, "error": error},
    )


@account_view(need=Capability.MANAGE_USERS)
@require_POST
def user_device_update_hx(request: HttpRequest, number: str, user_id) -> HttpResponse:
    """Switch DND (``feature=dnd``, ``enabled``) or set a call forward (``feature=forwarding``, ``type``,
    ``destination``; blank = off) through the service the Media API's endpoint PUTs use."""
    person = account_selectors.user_get_or_404(actor=request.user, account=request.account, user_ref=user_id)
    endpoint, problem, error = None, "", ""
    try:
        if request.POST.get("feature") == "forwarding":
            endpoint = endpoints.endpoint_forwarding_set(
                actor=request.user,
                extension=person.extension,
                forwarding_type=request.POST.get("type", ""),
                destination=request.POST.get("destination", "").strip(),
            )
        else:
            endpoint = endpoints.endpoint_update(
                actor=request.user,
                extension=person.extension,
                action="dnd",
                enabled=request.POST.get("enabled") == "true",
            )
    except ValidationError as exc:
        error = " ".join(message for messages in exc.message_dict.values() for message in messages)
    except (PbxError, Conflict, Http404) as exc:
        problem = str(getattr(exc, "message", "") or exc)
    if endpoint is None and not problem:
        try:
            endpoint = endpoints.endpoint_state(account=request.account, extension=person.extension)
        except (PbxError, Conflict, Http404) as exc:
            problem = str(getattr(exc, "message", "") or exc)
    return _device(request, person, endpoint, problem, error)
