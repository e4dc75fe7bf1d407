"""Console fragments about calls: the live calls of a user's extension on the user page (htmx polling)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts import selectors as account_selectors
from accounts.access import Capability
from accounts.decorators import account_view
from media import selectors


@account_view(need=Capability.MANAGE_USERS)
def user_calls_hx(request: HttpRequest, number: str, user_id) -> HttpResponse:
    person = account_selectors.user_get_or_404(actor=request.user, account=request.account, user_ref=user_id)
    calls = selectors.call_live_for_extension(request.account, person.extension)
    return render(request, "media/_user_calls.html", {"person": person, "calls": calls})
