"""Gateway page of an account (the setup wizard arrives with its own issue)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.access import Capability
from accounts.decorators import account_view


@account_view(need=Capability.MANAGE_GATEWAY)
@require_GET
def gateway_detail(request: HttpRequest, number: str) -> HttpResponse:
    return render(request, "gateways/gateway_detail.html", {"account": request.account})
