"""The integrations catalogue: type key -> provider, in catalogue order, and the tabs.

Adding an integration kind = one module in ``integrations/providers/`` and one line here.
Which privileges an integration brings is part of its provider (``Provider.privileges``):

================================  ==============================================
Mitel One, MiTeam Meetings        Allow Guest Access
MiCC                              Delegated Authentication, Allow Guest Access
MiCollab                          Delegated Authentication
every other integration           none
================================  ==============================================
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from integrations.providers import (
    cloudlink_gateway,
    micc,
    micollab,
    miteam_meetings,
    mitel_one,
    mitel_one_workgroups,
    third_party,
    unify_phone,
)
from integrations.providers.base import PRIVILEGES, Privilege, Provider, Tab

__all__ = [
    "PRIVILEGES",
    "PROVIDERS",
    "TABS",
    "Privilege",
    "Provider",
    "Tab",
    "TabInfo",
    "get",
    "providers_bringing",
]

PROVIDERS: dict[str, Provider] = {
    provider.type: provider
    for provider in (
        cloudlink_gateway.PROVIDER,
        micc.PROVIDER,
        micollab.PROVIDER,
        mitel_one.PROVIDER,
        mitel_one_workgroups.PROVIDER,
        miteam_meetings.PROVIDER,
        unify_phone.PROVIDER,
    )
}


@dataclass(frozen=True)
class TabInfo:
    tab: Tab
    intro: str
    empty: str = ""

    @property
    def key(self) -> str:
        return self.tab.value

    @property
    def label(self) -> str:
        return self.tab.label

    @property
    def providers(self) -> list[Provider]:
        return [p for p in PROVIDERS.values() if p.tab == self.tab]


TABS: tuple[TabInfo, ...] = (
    TabInfo(Tab.MITEL, _("Mitel applications that work with this CloudLink account.")),
    TabInfo(Tab.THIRD_PARTY, third_party.TAB_INTRO, third_party.NOT_YET),
)


def get(type_: str) -> Provider | None:
    """The provider of ``type_``, or None for a type the catalogue does not know."""
    return PROVIDERS.get(type_)


def providers_bringing(privilege: Privilege) -> list[Provider]:
    return [p for p in PROVIDERS.values() if privilege in p.privileges]
