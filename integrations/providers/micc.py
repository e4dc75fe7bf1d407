"""MiCC (MiContact Center Business): web chat through CloudLink; the Contact Center Admin icon
leads to the Chat Overlays page."""

from django.utils.translation import gettext_lazy as _

from integrations.providers.base import Privilege, Provider

PROVIDER = Provider(
    type="micc",
    label="MiCC",
    summary=_(
        "Connects MiContact Center Business to CloudLink for web chat. Adds the Contact Center Admin "
        "icon, which leads to the Chat Overlays page."
    ),
    privileges=frozenset({Privilege.DELEGATED_AUTHENTICATION, Privilege.ALLOW_GUEST_ACCESS}),
    card_template="integrations/cards/_micc.html",
)
