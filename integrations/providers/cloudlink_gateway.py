"""CloudLink Gateway: connects the account's PBX; its setup is the gateway wizard, not a dialog."""

from django.utils.translation import gettext_lazy as _

from integrations.providers.base import Provider

PROVIDER = Provider(
    type="cloudlink-gateway",
    label=_("CloudLink Gateway"),
    summary=_(
        "Connects the account's PBX to CloudLink: associate a gateway, configure and connect the PBX, "
        "and deploy apps to all users."
    ),
    card_template="integrations/cards/_cloudlink_gateway.html",
)
