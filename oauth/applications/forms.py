"""Shape-only forms of the Developer, operator and Third party pages (the rules live in
``oauth.applications.services``)."""

from __future__ import annotations

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from oauth.applications.services import MAX_DESCRIPTION_LENGTH, MITEL_APP_NAME_HELP
from oauth.models import Application


class ApplicationRegisterForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=MAX_DESCRIPTION_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    redirect_uris = forms.CharField(
        label=_("Redirect URIs"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "https://app.example.com/callback"}),
        help_text=_("One per line. The authorization-code flow redirects only to these exact URIs."),
    )
    contact_email = forms.EmailField(
        label=_("Contact email"), help_text=_("Where the platform operator writes to you.")
    )
    mitel_app = forms.CharField(
        label=_("x-mitel-app value"),
        max_length=100,
        help_text=format_lazy(
            "{} {}",
            _(
                "The app name your requests send in the x-mitel-app header, e.g. MyApp for <code>app=MyApp/1.0;platform=…</code>."
            ),
            MITEL_APP_NAME_HELP,
        ),
    )
    client_type = forms.ChoiceField(
        label=_("Client type"),
        choices=Application.ClientType.choices,
        initial=Application.ClientType.PUBLIC,
        help_text=_(
            "Public (the default, as in CloudLink): codes are exchanged with the client ID alone, "
            "PKCE optional. Confidential: the application keeps a secret and must send it at /token; "
            "only confidential clients get service tokens (client_credentials)."
        ),
    )

    def clean_redirect_uris(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["redirect_uris"].splitlines() if line.strip()]


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Sent to the partner with the decision."),
    )


class DeployConfirmForm(forms.Form):
    """Deploying asks to confirm the x-mitel-app header the application will send."""

    confirm = forms.BooleanField(
        required=True,
        error_messages={"required": _("Confirm the x-mitel-app header this application sends.")},
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput, max_length=500)

    def __init__(self, *args, application: Application, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["confirm"].label = gettext(
            "This application identifies itself with x-mitel-app: %(mitel_app)s"
        ) % {"mitel_app": application.mitel_app}
