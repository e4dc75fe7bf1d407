"""The "Finish building your account" page a welcome email links to."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import SetPasswordForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts.services import RegistrationLinkInvalid, user_register, welcome_link_resolve


class RegistrationForm(SetPasswordForm):
    """Choose a password (at least 8 characters and Django's validators)."""

    new_password1 = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password", "autofocus": True}),
        help_text="At least 8 characters; not too common, not all digits, not like your email.",
    )
    new_password2 = forms.CharField(
        label="Confirm password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest, token: str) -> HttpResponse:
    try:
        link = welcome_link_resolve(token)
    except RegistrationLinkInvalid as exc:
        return render(request, "accounts/register_invalid.html", {"reason": exc.reason}, status=410)
    form = RegistrationForm(link.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = user_register(token=token, password=form.cleaned_data["new_password1"])
        except RegistrationLinkInvalid as exc:
            return render(request, "accounts/register_invalid.html", {"reason": exc.reason}, status=410)
        login(request, user, backend="accounts.backends.AccountEmailBackend")
        messages.success(
            request, f"Your account is ready: sign in with {user.email} and the password you just chose."
        )
        return redirect("home")
    return render(
        request, "accounts/register.html", {"form": form, "invited": link.user, "account": link.user.account}
    )
