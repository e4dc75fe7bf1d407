"""Shape-only form of the console's single sign-on page (rules live in sso.services)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from sso.models import IdentityProvider

MAX_METADATA_BYTES = 512 * 1024


class IdentityProviderForm(forms.Form):
    protocol = forms.ChoiceField(label=_("Protocol"), choices=IdentityProvider.Protocol.choices)
    label = forms.CharField(
        label=_("Provider"), required=False, max_length=40, help_text=_("For example Entra ID, Okta, Google.")
    )
    saml_metadata_url = forms.URLField(
        assume_scheme="https", label=_("Metadata URL"), required=False, max_length=1000
    )
    saml_metadata_file = forms.FileField(label=_("Or upload the metadata XML"), required=False)
    saml_entity_id = forms.CharField(label=_("Or: IdP entity ID (issuer)"), required=False, max_length=500)
    saml_login_url = forms.URLField(
        assume_scheme="https", label=_("IdP login URL"), required=False, max_length=1000
    )
    saml_certificates = forms.CharField(
        label=_("IdP signing certificate (PEM)"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    oidc_issuer = forms.URLField(assume_scheme="https", label=_("Issuer"), required=False, max_length=500)
    oidc_client_id = forms.CharField(label=_("Client ID"), required=False, max_length=255)
    oidc_client_secret = forms.CharField(
        label=_("Client secret"),
        required=False,
        max_length=2000,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Leave empty to keep the saved secret."),
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    sso_required = forms.BooleanField(
        label=_("Users must sign in through the provider (admins keep their password)"), required=False
    )
    jit_user_creation = forms.BooleanField(label=_("Create users on their first sign-in"), required=False)
    role_claim = forms.CharField(
        label=_("Role claim"),
        required=False,
        max_length=100,
        help_text=_(
            "Claim or attribute whose value is USER or ACCOUNT_ADMIN; empty to keep roles as set here."
        ),
    )

    def clean_saml_metadata_file(self):
        upload = self.cleaned_data.get("saml_metadata_file")
        if not upload:
            return ""
        if upload.size > MAX_METADATA_BYTES:
            raise forms.ValidationError(_("The metadata file is larger than 512 KB."))
        try:
            return upload.read().decode("utf-8")
        except UnicodeDecodeError as exc:
            raise forms.ValidationError(_("The metadata file is not UTF-8 XML.")) from exc

    @property
    def changes(self) -> dict:
        data = dict(self.cleaned_data)
        changes = {
            name: data[name]
            for name in ("label", "active", "sso_required", "jit_user_creation", "role_claim")
        }
        if data["protocol"] == IdentityProvider.Protocol.SAML:
            if data["saml_metadata_file"]:
                changes["saml_metadata_xml"] = data["saml_metadata_file"]
            elif data["saml_metadata_url"]:
                changes["saml_metadata_url"] = data["saml_metadata_url"]
            elif data["saml_entity_id"] or data["saml_login_url"] or data["saml_certificates"]:
                for name in ("saml_entity_id", "saml_login_url", "saml_certificates"):
                    changes[name] = data[name]
        else:
            changes["oidc_issuer"] = data["oidc_issuer"]
            changes["oidc_client_id"] = data["oidc_client_id"]
            if data["oidc_client_secret"]:
                changes["oidc_client_secret"] = data["oidc_client_secret"]
        return changes
