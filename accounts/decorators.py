"""The HTML adapter over ``accounts.access``: resolves ``<number>`` to ``request.account``."""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from accounts import access
from accounts.access import Capability


def account_view(*, need: Capability) -> Callable:
    """Resolve the URL's account inside the signed-in user's scope (404 outside it) and
    require ``need`` (403 without it). The view finds the account on ``request.account``."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, number: str, *args, **kwargs) -> HttpResponse:
            request.account = access.get_account_or_404(request.user, number, need=need)
            return view(request, number, *args, **kwargs)

        return wrapper

    return decorator
