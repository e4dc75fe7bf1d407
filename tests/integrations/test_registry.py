"""The catalogue: which integrations exist, in which tab, and exactly which privileges each brings."""

import pytest

from integrations import registry
from integrations.registry import Privilege, Tab

GUEST = Privilege.ALLOW_GUEST_ACCESS
DELEGATED = Privilege.DELEGATED_AUTHENTICATION


def test_the_catalogue_has_the_seven_mitel_integrations():
    assert set(registry.PROVIDERS) == {
        "mitel-one",
        "mitel-one-workgroups",
        "cloudlink-gateway",
        "micc",
        "miteam-meetings",
        "micollab",
        "unify-phone",
    }
    assert all(p.tab == Tab.MITEL for p in registry.PROVIDERS.values())


@pytest.mark.parametrize(
    ("type_", "expected"),
    [
        ("mitel-one", {GUEST}),
        ("miteam-meetings", {GUEST}),
        ("micc", {DELEGATED, GUEST}),
        ("micollab", {DELEGATED}),
        ("mitel-one-workgroups", set()),
        ("cloudlink-gateway", set()),
        ("unify-phone", set()),
    ],
)
def test_privilege_mapping_is_exactly_the_documented_one(type_, expected):
    assert registry.get(type_).privileges == expected


def test_every_provider_says_what_it_does_and_its_type_matches_its_key():
    for key, provider in registry.PROVIDERS.items():
        assert provider.type == key and provider.label and len(provider.summary) > 30


def test_the_third_party_tab_explains_applications_come_from_the_developer_page():
    tabs = {tab.tab: tab for tab in registry.TABS}
    assert [tab.label for tab in registry.TABS] == ["Mitel", "Third party"]
    assert "Developer page" in tabs[Tab.THIRD_PARTY].intro and tabs[Tab.THIRD_PARTY].providers == []


def test_unify_phone_needs_setup_and_its_form_checks_each_mode():
    provider = registry.get("unify-phone")
    assert provider.needs_setup and provider.configurable

    assert not provider.form(data={"mode": "existing"}).is_valid()
    assert not provider.form(data={"mode": "new", "tenant_name": "Globex"}).is_valid()
    existing = provider.form(data={"mode": "existing", "api_key": "k-123", "tenant_name": "ignored"})
    assert existing.is_valid() and existing.cleaned_data["tenant_name"] == ""
    assert provider.masked({"api_key": "k-123", "mode": "existing"}) == {
        "api_key": "********",
        "mode": "existing",
    }


def test_unknown_types_and_privilege_slugs():
    assert registry.get("zoom") is None
    assert Privilege.from_slug("allow-guest-access") is GUEST
    assert Privilege.from_slug("allowProxyAuthentication") is DELEGATED
    assert Privilege.from_slug("nope") is None
