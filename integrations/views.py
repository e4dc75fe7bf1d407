"""Integrations page of an account (the catalogue and privileges arrive with their own issue)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.access import Capability
from accounts.decorators import account_view


@account_view(need=Capability.MANAGE_INTEGRATIONS)
@require_GET
def integration_list(request: HttpRequest, number: str) -> HttpResponse:
    return render(request, "integrations/integration_list.html", {"account": request.account})
