"""Console pages for accounts (partners: the Accounts list; everyone: Account Information)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from . import selectors
from .access import Capability
from .decorators import account_view


@require_GET
def account_list(request: HttpRequest) -> HttpResponse:
    accounts = selectors.customer_account_list(actor=request.user)
    return render(request, "accounts/account_list.html", {"accounts": accounts})


@require_GET
@account_view(need=Capability.VIEW_ACCOUNT)
def account_detail(request: HttpRequest, number: str) -> HttpResponse:
    return render(request, "accounts/account_detail.html", {"account": request.account})
