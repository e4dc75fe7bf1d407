"""Console page of an account's conversations (read only), so admins can see guest chat happening."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from accounts.access import Capability
from accounts.decorators import account_view
from chat import selectors
from core.htmx import paginate, render_page


@account_view(need=Capability.MANAGE_USERS)
@require_GET
def conversation_list(request: HttpRequest, number: str) -> HttpResponse:
    conversations = selectors.account_conversation_list(actor=request.user, account=request.account)
    context = {"account": request.account, "page": paginate(request, conversations)}
    return render_page(request, "chat/conversation_list.html", "conversation-table", context)
