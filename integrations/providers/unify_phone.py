"""Unify Phone: two modes, chosen in its Complete setup dialog.

* Link an existing Unify Phone tenant (already working with an OpenScape PBX) with its API key,
  to enable CloudLink Chat inside Unify Phone.
* Create a new tenant for a MiVoice PBX, so that the account's users can use Unify Phone.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from integrations.providers.base import Provider

MODES = {
    "existing": _("Link an existing Unify Phone tenant"),
    "new": _("Create a new Unify Phone tenant"),
}


class UnifyPhoneConfigForm(forms.Form):
    mode = forms.ChoiceField(
        label=_("Mode"),
        choices=list(MODES.items()),
        widget=forms.RadioSelect,
        help_text=_(
            "Link an existing tenant when Unify Phone already works with an OpenScape PBX (this "
            "enables CloudLink Chat in Unify Phone). Create a new tenant when the customer uses a "
            "MiVoice PBX."
        ),
    )
    api_key = forms.CharField(
        label=_("API key"),
        required=False,
        max_length=200,
        help_text=_(
            "Existing tenant: from the Telephony connector tab of the Unify Phone administration app."
        ),
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )
    tenant_name = forms.CharField(label=_("Tenant name"), required=False, max_length=100)
    admin_email = forms.EmailField(
        label=_("Tenant administrator email"),
        required=False,
        help_text=_("New tenant: receives the Unify Phone administrator invitation."),
    )

    def clean(self):
        data = super().clean()
        mode = data.get("mode")
        if mode == "existing":
            if not data.get("api_key"):
                self.add_error("api_key", _("Enter the API key of the existing tenant."))
            data["tenant_name"] = data["admin_email"] = ""
        elif mode == "new":
            for name in ("tenant_name", "admin_email"):
                if not data.get(name):
                    self.add_error(name, _("This field is required for a new tenant."))
            data["api_key"] = ""
        return data


PROVIDER = Provider(
    type="unify-phone",
    label="Unify Phone",
    summary=_(
        "Unify Phone for the account's users, in one of two modes chosen in its setup: an existing "
        "tenant (OpenScape PBX) or a new tenant (MiVoice PBX)."
    ),
    config_form=UnifyPhoneConfigForm,
    needs_setup=True,
    card_template="integrations/cards/_unify_phone.html",
    secret_fields=frozenset({"api_key"}),
)
