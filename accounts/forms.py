"""Shape-only forms of the accounts app (rules live in services)."""

from __future__ import annotations

from allauth.account.forms import LoginForm
from django import forms

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
        self.needs_account = bool(self.data.get("account"))
        if not self.needs_account:
            self.fields["account"].widget = forms.HiddenInput()

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
                self.needs_account = True
                self.fields["account"].widget = forms.TextInput(
                    attrs={"autocomplete": "off", "autofocus": True}
                )
                self.fields["account"].required = True
                if credentials.get("account"):
                    raise forms.ValidationError(
                        "No account with that number has this email address."
                    ) from None
            raise forms.ValidationError(error.message) from None


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


class AccountForm(forms.ModelForm):
    """Customer information fields (shape only; account_create / account_update apply the rules)."""

    class Meta:
        model = Account
        fields = ACCOUNT_FORM_FIELDS

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        from django_countries import countries

        self.fields["country"] = forms.ChoiceField(choices=[("", "Select a country"), *countries])
        self.fields["name"].label = "Customer name"


class SupportContactsField(forms.CharField):
    """One or more support contact emails, separated by commas, semicolons or new lines."""

    widget = forms.Textarea(attrs={"rows": 2})

    def to_python(self, value):
        import re

        text = super().to_python(value) or ""
        return [part.strip() for part in re.split(r"[,;\s]+", text) if part.strip()]

    def validate(self, value):
        from django.core.validators import validate_email

        if not value and self.required:
            raise forms.ValidationError("Add at least one support contact email.")
        for email in value:
            try:
                validate_email(email)
            except forms.ValidationError:
                raise forms.ValidationError(f"{email} is not a valid email address.") from None


class AccountCreateForm(AccountForm):
    support_contacts = SupportContactsField(
        label="Support contacts", help_text="Email addresses that receive issue reports. At least one."
    )


class SupportContactForm(forms.Form):
    email = forms.EmailField(label="Support contact email")


class ConfirmForm(forms.Form):
    confirmation = forms.CharField(label="Type the word to confirm", required=True)
