"""Shape-only forms of the accounts app (rules live in services)."""

from __future__ import annotations

import re

from allauth.account.forms import ChangePasswordForm, LoginForm, ResetPasswordForm
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.forms.models import model_to_dict
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from accounts import access
from accounts.models import Account, User


class SignInForm(LoginForm):
    """allauth's sign-in plus an account number, asked for only when the email is in several accounts."""

    account = forms.CharField(
        label=_("Account number"),
        required=False,
        max_length=64,
        help_text=_("The 9-digit account number (or Account ID) of the account you want to sign in to."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["login"].label = _("Email")
        if "remember" in self.fields:
            self.fields["remember"].label = _("Keep me signed in")
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
        self.fields["password"].widget.attrs.pop("autofocus", None)
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


class SignInEmailForm(forms.Form):
    """The sign-in page's first step: the email alone (then the identity provider or the password)."""

    login = forms.EmailField(
        label=_("Email"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    account = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput())


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


# The model's fields named without a verbose name, in the reader's language.
ACCOUNT_FIELD_LABELS = {
    "address": _("Address"),
    "default_language": _("Default language"),
    "business_type": _("Business type"),
}


class AccountForm(forms.Form):
    """Customer information fields, shaped from the model (account_create / account_update apply the rules).

    A plain form rather than a ModelForm so that validating it never mutates the account
    the page is showing; pass ``account=`` to start from its current values."""

    def __init__(self, *args, account: Account | None = None, **kwargs) -> None:
        if account is not None:
            kwargs.setdefault("initial", model_to_dict(account, fields=ACCOUNT_FORM_FIELDS))
        super().__init__(*args, **kwargs)
        self.fields.update(forms.fields_for_model(Account, fields=ACCOUNT_FORM_FIELDS))
        self.fields["name"].label = _("Customer name")
        for name, label in ACCOUNT_FIELD_LABELS.items():
            if name in self.fields:
                self.fields[name].label = label
        self.fields["country"] = forms.ChoiceField(
            label=_("Country"), choices=[("", _("Select a country")), *countries]
        )
        self.fields["name"].widget.attrs.update({"autocomplete": "organization"})
        self.fields["address"].widget.attrs.update({"autocomplete": "street-address"})
        self.fields["postal_code"].widget.attrs.update({"autocomplete": "postal-code"})

    @property
    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in ACCOUNT_FORM_FIELDS}


class SupportContactsField(forms.CharField):
    """One or more support contact emails, separated by commas, semicolons, spaces or new lines."""

    widget = forms.Textarea(attrs={"rows": 2, "autocomplete": "email", "spellcheck": "false"})

    def to_python(self, value):
        text = super().to_python(value) or ""
        return [part.strip() for part in re.split(r"[,;\s]+", text) if part.strip()]

    def validate(self, value):
        if not value and self.required:
            raise forms.ValidationError(_("Add at least one support contact email."))
        for email in value:
            try:
                validate_email(email)
            except forms.ValidationError:
                raise forms.ValidationError(
                    _("%(email)s is not a valid email address.") % {"email": email}
                ) from None


class AccountCreateForm(AccountForm):
    support_contacts = SupportContactsField(
        label=_("Support contacts"),
        help_text=_(
            "Email addresses that receive issue reports: at least one, separated by commas or new lines."
        ),
    )

    @property
    def repeated_contacts(self) -> list[str]:
        """The support contact emails given more than once (case aside): each is added once."""
        seen: set[str] = set()
        repeated: list[str] = []
        for email in self.cleaned_data.get("support_contacts", []):
            key = email.lower()
            if key in seen and key not in repeated:
                repeated.append(key)
            seen.add(key)
        return repeated


class SupportContactsForm(forms.Form):
    """The whole list of an account's support contacts, edited with the same control as on Add account."""

    support_contacts = SupportContactsField(
        label=_("Support contacts"),
        help_text=_("Email addresses that receive issue reports: at least one, separated by commas."),
    )

    def __init__(self, *args, account: Account | None = None, **kwargs) -> None:
        if account is not None:
            emails = [contact.email for contact in account.support_contacts.all()]
            kwargs.setdefault("initial", {"support_contacts": ", ".join(emails)})
        super().__init__(*args, **kwargs)


class SupportContactForm(forms.Form):
    email = forms.EmailField(
        label=_("Support contact email"), widget=forms.EmailInput(attrs={"autocomplete": "off"})
    )


class SignInPolicyForm(forms.Form):
    admins_require_second_factor = forms.BooleanField(
        label="Admins must use a second factor",
        required=False,
        help_text="Partner and account admins of this account sign in with an authenticator app or a "
        "passkey; an admin without one is asked to add one before using the console.",
    )


class ConfirmForm(forms.Form):
    """A typed confirmation; the service checks the word, so a wrong one is reported by it."""

    confirmation = forms.CharField(label=_("Type the word to confirm"), max_length=20)

    def __init__(self, *args, word: str, **kwargs) -> None:
        super().__init__(*args, prefix=word, **kwargs)
        self.word = word
        self.fields["confirmation"].label = _("Type %(word)s to confirm") % {"word": word}
        self.fields["confirmation"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})


class AccountFilterForm(forms.Form):
    """The Accounts list's search, status filter and sort order (all optional, never invalid)."""

    SORTS = ("name", "-name", "number", "-number", "created", "-created", "status", "-status")

    q = forms.CharField(label=_("Search accounts"), required=False, max_length=200)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), *Account.Status.choices],
    )
    sort = forms.ChoiceField(required=False, choices=[(s, s) for s in SORTS], widget=forms.HiddenInput)

    def value(self, name: str) -> str:
        return (self.cleaned_data.get(name) or "") if self.is_valid() else ""


# --- Users -------------------------------------------------------------------------------------

USER_FORM_FIELDS = ("name", "first_name", "last_name", "email", "extension", "mobile", "phone")
NAME_REQUIRED = _("Enter at least one of Name, First Name or Last Name.")


class UserForm(forms.Form):
    """Add user and the User page: the person's fields and the Account Admin toggle.

    "At least one of Name, First Name, Last Name" is the console's rule (the API needs only an
    email); uniqueness, roles and the admin rules are the services'. With ``person`` the form
    starts from their values; the toggle is fixed for partner admins (their role never changes)
    and for the actor's own admin rights (nobody withdraws their own)."""

    service_fields = {"role": "account_admin"}

    name = forms.CharField(label=_("Name"), max_length=150, required=False)
    first_name = forms.CharField(label=_("First Name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last Name"), max_length=150, required=False)
    email = forms.EmailField(
        label=_("Email"),
        max_length=254,
        help_text=_("The user signs in with this address; it must be unique within the account."),
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    extension = forms.CharField(label=_("Extension"), max_length=30, required=False)
    mobile = forms.CharField(
        label=_("Mobile"), max_length=30, required=False, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    phone = forms.CharField(
        label=_("Phone"), max_length=30, required=False, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    account_admin = forms.BooleanField(
        label=_("Account Admin"),
        required=False,
        help_text=_("Account admins manage this account's information, users and integrations."),
        widget=forms.CheckboxInput(attrs={"role": "switch", "class": "toggle"}),
    )

    def __init__(self, *args, person: User | None = None, actor: User | None = None, **kwargs) -> None:
        if person is not None:
            initial = {name: getattr(person, name) for name in USER_FORM_FIELDS}
            initial["account_admin"] = access.is_admin(person)
            kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        self.fields["extension"].widget.attrs.update({"inputmode": "numeric", "autocomplete": "off"})
        self.person = person
        toggle = self.fields["account_admin"]
        if person is not None and not access.is_exchangeable_role(person):
            toggle.disabled = True
            toggle.help_text = _("Partner admins keep their role; it cannot be changed here.")
        elif person is not None and actor is not None and person.pk == actor.pk and access.is_admin(person):
            toggle.disabled = True
            toggle.help_text = _("You cannot withdraw your own admin rights; another admin can.")

    def clean(self) -> dict:
        data = super().clean()
        if not any(data.get(name) for name in ("name", "first_name", "last_name")):
            raise ValidationError(NAME_REQUIRED, code="name_required")
        return data

    @property
    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in USER_FORM_FIELDS}

    @property
    def role(self) -> str | None:
        """The role the toggle asks for; None where the role cannot change (a partner admin)."""
        if self.person is not None and not access.is_exchangeable_role(self.person):
            return None
        return User.Role.ACCOUNT_ADMIN if self.cleaned_data.get("account_admin") else User.Role.USER


class UserFilterForm(forms.Form):
    """The Users page's type-ahead search, property filters and sort order (never invalid)."""

    FILTERS = [
        ("admins", _("Admins")),
        ("users", _("Users")),
        ("registered", _("Registered")),
        ("unregistered", _("Unregistered")),
        ("pbx", _("PBX Users")),
    ]
    SORTS = (
        "name",
        "-name",
        "email",
        "-email",
        "extension",
        "-extension",
        "role",
        "-role",
        "registered",
        "-registered",
        "source",
        "-source",
        "modified",
        "-modified",
    )

    q = forms.CharField(label=_("Search users"), required=False, max_length=200)
    filter = forms.MultipleChoiceField(
        label=_("Show only"), required=False, choices=FILTERS, widget=forms.CheckboxSelectMultiple
    )
    sort = forms.ChoiceField(required=False, choices=[(s, s) for s in SORTS], widget=forms.HiddenInput)

    def value(self, name: str):
        """The cleaned value; invalid input (an unknown filter or sort) is ignored, field by field."""
        self.is_valid()
        empty = [] if name == "filter" else ""
        return self.cleaned_data.get(name) or empty

    @property
    def sort_key(self) -> str:
        return self.value("sort") or "name"

    @property
    def ordering(self) -> str:
        """The selector's ordering for ``sort``: the Name column sorts by the name shown."""
        return {"name": "display_name", "-name": "-display_name"}.get(self.sort_key, self.sort_key)


class UserDeleteForm(ConfirmForm):
    """Delete a user: type ``delete`` (the typed word is the page's confirmation, not a rule)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, word="delete", **kwargs)

    def clean_confirmation(self) -> str:
        value = self.cleaned_data["confirmation"].strip()
        if value.lower() != self.word:
            raise ValidationError(_("Type %(word)s to confirm.") % {"word": self.word}, code="confirmation")
        return value


class PortalResetPasswordForm(ResetPasswordForm):
    """allauth's forgotten-password form, sending through ``services.user_password_forgot``: the
    request only queues a task, whether or not the email is known (no lookup here), and the task
    emails links only to users who may sign in (registered, active, in an active account)."""

    def clean_email(self) -> str:
        self.users = []  # looked up by the task, never in the request
        return self.cleaned_data["email"].strip().lower()

    def save(self, request, **kwargs) -> str:
        from accounts.services import user_password_forgot

        email = self.cleaned_data["email"]
        user_password_forgot(email=email)
        return email


class PortalChangePasswordForm(ChangePasswordForm):
    """allauth's change-password form; the new password must differ from the current one."""

    def clean(self):
        data = super().clean()
        old, new = data.get("oldpassword"), data.get("password1")
        if old and new and old == new and "oldpassword" not in self.errors:
            self.add_error("password1", _("Choose a new password: this one is your current password."))
        return data


class ActivityFilterForm(forms.Form):
    """The Activity page's search and filters (never invalid: a bad value is ignored)."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    actor = forms.ChoiceField(label=_("Actor"), required=False)
    action = forms.ChoiceField(label=_("Action"), required=False)
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, data, *, actors: list[str]):
        from accounts.activity import ACTION_LABELS

        super().__init__(data)
        self.fields["actor"].choices = [("", _("Anyone")), *((label, label) for label in actors)]
        self.fields["action"].choices = [
            ("", _("Any action")),
            *sorted(ACTION_LABELS.items(), key=lambda item: item[1]),
        ]

    def value(self, name: str):
        self.is_valid()
        return self.cleaned_data.get(name) or None if name not in self.errors else None

    def selector_kwargs(self) -> dict:
        action = self.value("action")
        return {
            "search": self.value("q") or "",
            "actor_label": self.value("actor") or "",
            "actions": [action] if action else None,
            "since": self.value("since"),
            "until": self.value("until"),
        }
