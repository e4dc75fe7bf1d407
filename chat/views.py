"""Console page of an account's conversations (read only), so admins can see guest chat happening."""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from accounts.access import Capability
from accounts.decorators import account_view
from chat import selectors

TEMPLATE = "chat/conversation_list.html"


@account_view(need=Capability.MANAGE_USERS)
@require_GET
def conversation_list(request: HttpRequest, number: str) -> HttpResponse:
    conversations = selectors.account_conversation_list(actor=request.user, account=request.account)
    page = Paginator(conversations, settings.PORTAL_PAGE_SIZE).get_page(request.GET.get("page"))
    htmx = request.htmx
    template = TEMPLATE
    if htmx and not htmx.boosted and not htmx.history_restore_request:
        template = f"{TEMPLATE}#conversation-table"
    response = render(request, template, {"account": request.account, "page": page})
    patch_vary_headers(response, ("HX-Request",))
    return response
