"""MiCollab: connected from the MiCollab server side (Server Manager -> CloudLink Integration); it
authenticates its users through CloudLink and can enable CloudLink Chat. The console records the
server and the CloudLink Chat state."""

from django import forms
from django.utils.translation import gettext_lazy as _

from integrations.providers.base import Privilege, Provider


class MiCollabConfigForm(forms.Form):
    server = forms.CharField(
        label=_("MiCollab server"),
        required=False,
        max_length=253,
        help_text=_("Host name of the MiCollab server connected to this account, for reference."),
    )
    cloudlink_chat = forms.BooleanField(
        label=_("CloudLink Chat enabled"),
        required=False,
        help_text=_("Set by “Enable CloudLink Chat” in MiCollab Server Manager."),
    )


PROVIDER = Provider(
    type="micollab",
    label="MiCollab",
    summary=_(
        "Lets MiCollab authenticate its users through CloudLink and enables CloudLink Chat. The "
        "connection is made from MiCollab Server Manager (CloudLink Integration)."
    ),
    privileges=frozenset({Privilege.DELEGATED_AUTHENTICATION}),
    config_form=MiCollabConfigForm,
    card_template="integrations/cards/_micollab.html",
)
