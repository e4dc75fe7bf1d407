"""Shape-only forms of the accounts app (rules live in services)."""

from __future__ import annotations

import re

from allauth.account.forms import LoginForm
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.forms.models import model_to_dict
from django_countries import countries

from .models import Account


class SignInForm(LoginForm):
    """allauth's sign-in plus an account number, asked for only when the email is in several accounts."""

    account = forms.CharField(
        label="Account number",
        required=False,
        max_length=64,
        help_text="The 9-digit account number (or Account ID) of the account you want to sign in to.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["login"].label = "Email"
        if "remember" in self.fields:
            self.fields["remember"].label = "Keep me signed in"
        self.needs_account = False
        if self.data.get("account"):
            self._ask_for_account()
        else:
            self.fields["account"].widget = forms.HiddenInput()

    def _ask_for_account(self) -> None:
        """Show the account number field, between the email and the password (CloudLink's order)."""
        self.needs_account = True
        self.fields["account"].required = True
        self.fields["account"].widget = forms.TextInput(
            attrs={"autocomplete": "off", "inputmode": "numeric", "autofocus": True}
        )
        self.order_fields(["login", "account", "password", "remember"])

    def user_credentials(self) -> dict:
        credentials = super().user_credentials()
        account = (self.cleaned_data.get("account") or "").strip()
        if account:
            credentials["account"] = account
        return credentials

    def _clean_with_password(self, credentials: dict):
        try:
            return super()._clean_with_password(credentials)
        except forms.ValidationError:
            error = getattr(self.request, "sign_in_error", None)
            if error is None:
                raise
            del self.request.sign_in_error
            if error.name == "MultipleMatching":
                self._ask_for_account()
            raise forms.ValidationError(error.message, code=error.name) from None


ACCOUNT_FORM_FIELDS = [
    "name",
    "country",
    "province_state",
    "address",
    "city",
    "postal_code",
    "default_language",
    "business_type",
]


class AccountForm(forms.Form):
    """Customer information fields, shaped from the model (account_create / account_update apply the rules).

    A plain form rather than a ModelForm so that validating it never mutates the account
    the page is showing; pass ``account=`` to start from its current values."""

    def __init__(self, *args, account: Account | None = None, **kwargs) -> None:
        if account is not None:
            kwargs.setdefault("initial", model_to_dict(account, fields=ACCOUNT_FORM_FIELDS))
        super().__init__(*args, **kwargs)
        self.fields.update(forms.fields_for_model(Account, fields=ACCOUNT_FORM_FIELDS))
        self.fields["name"].label = "Customer name"
        self.fields["country"] = forms.ChoiceField(
            label="Country", choices=[("", "Select a country"), *countries]
        )
        self.fields["name"].widget.attrs.update({"autocomplete": "organization"})
        self.fields["address"].widget.attrs.update({"autocomplete": "street-address"})
        self.fields["postal_code"].widget.attrs.update({"autocomplete": "postal-code"})

    @property
    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in ACCOUNT_FORM_FIELDS}


class SupportContactsField(forms.CharField):
    """One or more support contact emails, separated by commas, semicolons, spaces or new lines."""

    widget = forms.Textarea(attrs={"rows": 2, "autocomplete": "email"})

    def to_python(self, value):
        text = super().to_python(value) or ""
        return [part.strip() for part in re.split(r"[,;\s]+", text) if part.strip()]

    def validate(self, value):
        if not value and self.required:
            raise forms.ValidationError("Add at least one support contact email.")
        for email in value:
            try:
                validate_email(email)
            except forms.ValidationError:
                raise forms.ValidationError(f"{email} is not a valid email address.") from None


class AccountCreateForm(AccountForm):
    support_contacts = SupportContactsField(
        label="Support contacts",
        help_text="Email addresses that receive issue reports: at least one, separated by commas or new lines.",
    )


class SupportContactForm(forms.Form):
    email = forms.EmailField(
        label="Support contact email", widget=forms.EmailInput(attrs={"autocomplete": "off"})
    )


class ConfirmForm(forms.Form):
    """A typed confirmation; the service checks the word, so a wrong one is reported by it."""

    confirmation = forms.CharField(label="Type the word to confirm", max_length=20)

    def __init__(self, *args, word: str, **kwargs) -> None:
        super().__init__(*args, prefix=word, **kwargs)
        self.word = word
        self.fields["confirmation"].label = f"Type {word} to confirm"
        self.fields["confirmation"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})


class AccountFilterForm(forms.Form):
    """The Accounts list's search, status filter and sort order (all optional, never invalid)."""

    SORTS = ("name", "-name", "number", "-number", "created", "-created", "status", "-status")

    q = forms.CharField(label="Search accounts", required=False, max_length=200)
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "All"), *Account.Status.choices],
    )
    sort = forms.ChoiceField(required=False, choices=[(s, s) for s in SORTS], widget=forms.HiddenInput)

    def value(self, name: str) -> str:
        return (self.cleaned_data.get(name) or "") if self.is_valid() else ""


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: keyed errors on their fields, the rest on top."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)
