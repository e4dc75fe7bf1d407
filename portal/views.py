"""Shell pages: the home redirect and the staff (Django admin) sign-in."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET

from accounts import access
from accounts.access import Capability


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.account.is_partner and access.has_capability(user, Capability.LIST_CUSTOMER_ACCOUNTS):
        return redirect("accounts:account_list")
    if access.can(user, Capability.VIEW_ACCOUNT, user.account):
        return redirect("accounts:account_detail", number=user.account.account_number)
    return redirect("account_change_password")


@login_not_required
def staff_login(request: HttpRequest) -> HttpResponse:
    """``/staff/login/`` (Django admin's sign-in): the portal's own sign-in page, then back to the
    staff pages. A signed-in user who is not staff gets 403 rather than a sign-in loop."""
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("admin:index")
    if not request.user.is_authenticated:
        return redirect_to_login(next_url)
    if not request.user.is_staff:
        raise PermissionDenied("The staff pages are for platform operators.")
    return redirect(next_url)
