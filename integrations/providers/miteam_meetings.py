"""MiTeam Meetings: meetings for the account's users (licensed per user), with guest participants."""

from django.utils.translation import gettext_lazy as _

from integrations.providers.base import Privilege, Provider

PROVIDER = Provider(
    type="miteam-meetings",
    label="MiTeam Meetings",
    summary=_(
        "Gives the account's users MiTeam Meetings (licensed per user through Orders); meetings can "
        "invite guest participants."
    ),
    privileges=frozenset({Privilege.ALLOW_GUEST_ACCESS}),
)
