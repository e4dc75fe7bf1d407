"""Mitel One: the account's users get Mitel One (web, desktop, mobile); features per user by licence."""

from django.utils.translation import gettext_lazy as _

from integrations.providers.base import Privilege, Provider

PROVIDER = Provider(
    type="mitel-one",
    label="Mitel One",
    summary=_(
        "Lets the account's users use Mitel One on the web, desktop and mobile. Features are managed "
        "per user through licences and tiers."
    ),
    privileges=frozenset({Privilege.ALLOW_GUEST_ACCESS}),
)
