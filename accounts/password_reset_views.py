"""The page where the 6-digit code of a reset email sets a new password (besides the email's link)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.password_validation import validate_password
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts.services import user_password_reset_by_code
from core.htmx import submit


class ResetCodeForm(forms.Form):
    email = forms.EmailField(label="Email", widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    code = forms.RegexField(
        label="Code from the email",
        regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": "Enter the 6 digits of the code."},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
    new_password1 = forms.CharField(
        label="New password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 8 characters; not too common, not all digits.",
    )
    new_password2 = forms.CharField(
        label="New password (again)",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_new_password1(self) -> str:
        password = self.cleaned_data["new_password1"]
        validate_password(password)
        return password

    def clean(self):
        data = super().clean()
        if data.get("new_password1") and data.get("new_password1") != data.get("new_password2"):
            self.add_error("new_password2", "The two passwords differ.")
        return data


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def password_reset_code(request: HttpRequest) -> HttpResponse:
    form = ResetCodeForm(request.POST if request.method == "POST" else None)
    ok, _user = submit(
        form,
        lambda data: user_password_reset_by_code(
            email=data["email"], code=data["code"], new_password=data["new_password1"]
        ),
    )
    if ok:
        messages.success(request, "Your new password is set: sign in with it.")
        return redirect("account_login")
    return render(
        request,
        "account/password_reset_code.html",
        {"form": form},
    )
