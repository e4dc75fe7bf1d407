"""Mitel One Workgroups: access to the Workgroups portal; adds Customer Care to the navigation."""

from django.utils.translation import gettext_lazy as _

from integrations.providers.base import Provider

PROVIDER = Provider(
    type="mitel-one-workgroups",
    label="Mitel One Workgroups",
    summary=_(
        "Gives the account access to the Workgroups portal for customer-care teams and adds "
        "Customer Care to the navigation."
    ),
    card_template="integrations/cards/_mitel_one_workgroups.html",
)
