"""core.netpolicy, the one address policy of the PBX connection and of webhook deliveries: every
category of address under both default policies, the operators' allow-lists, and resolution (every
address of a name is checked; one refused address refuses the name)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from core import netpolicy
from portal.settings.env import env_networks


def allowed(address, policy) -> bool:
    return netpolicy.address_refusal(address, policy) is None


PBX = netpolicy.AddressPolicy("PORTAL_PBX_ALLOWED_NETWORKS", allow_private=True)
WEBHOOK = netpolicy.AddressPolicy("PORTAL_WEBHOOK_ALLOWED_NETWORKS", allow_private=False)

# address, its category, allowed for a PBX by default, allowed for a webhook by default
TABLE = [
    ("8.8.8.8", "public", True, True),
    ("2606:4700:4700::1111", "public", True, True),
    ("64:ff9b::808:808", "public", True, True),  # NAT64 of 8.8.8.8
    ("10.1.2.3", "private", True, False),
    ("172.31.255.1", "private", True, False),
    ("192.168.1.10", "private", True, False),
    ("100.64.0.7", "private", True, False),
    ("fd12:3456:789a::1", "private", True, False),
    ("169.254.169.254", "cloud metadata", False, False),
    ("fd00:ec2::254", "cloud metadata", False, False),
    ("169.254.170.2", "cloud metadata", False, False),
    ("100.100.100.200", "cloud metadata", False, False),
    ("::ffff:169.254.169.254", "cloud metadata", False, False),
    ("127.0.0.1", "loopback", False, False),
    ("127.8.9.10", "loopback", False, False),
    ("::1", "loopback", False, False),
    ("::ffff:127.0.0.1", "loopback", False, False),
    ("2002:7f00:1::1", "loopback", False, False),  # 6to4 of 127.0.0.1
    ("64:ff9b::7f00:1", "loopback", False, False),  # NAT64 of 127.0.0.1
    ("169.254.1.1", "link-local", False, False),
    ("fe80::1%eth0", "link-local", False, False),
    ("0.0.0.0", "unspecified", False, False),
    ("::", "unspecified", False, False),
    ("224.0.0.251", "multicast", False, False),
    ("ff02::1", "multicast", False, False),
    ("0.1.2.3", "reserved", False, False),
    ("192.0.2.1", "reserved", False, False),
    ("198.18.0.1", "reserved", False, False),
    ("240.0.0.1", "reserved", False, False),
    ("255.255.255.255", "reserved", False, False),
    ("2001:db8::1", "reserved", False, False),
    ("fec0::1", "reserved", False, False),
]


@pytest.mark.parametrize(("address", "category", "pbx", "webhook"), TABLE)
def test_every_kind_of_address_under_the_default_policies(address, category, pbx, webhook):
    assert netpolicy.address_category(address) == category
    assert allowed(address, PBX) is pbx
    assert allowed(address, WEBHOOK) is webhook


def test_an_allowed_network_opens_exactly_its_addresses():
    policy = netpolicy.AddressPolicy(
        "X", allow_private=False, allowed_networks=netpolicy.networks_parse("127.0.0.0/8,10.0.0.0/8")
    )

    assert allowed("127.0.0.1", policy) and allowed("::ffff:127.0.0.1", policy)
    assert allowed("10.9.8.7", policy)
    assert netpolicy.address_refusal("::1", policy) == "loopback"
    assert netpolicy.address_refusal("169.254.169.254", policy) == "cloud metadata"
    assert netpolicy.address_refusal("192.168.0.1", policy) == "private"


def test_the_settings_feed_the_two_policies():
    with override_settings(PORTAL_PBX_ALLOWED_NETWORKS=["127.0.0.0/8"], PORTAL_WEBHOOK_ALLOWED_NETWORKS=[]):
        assert allowed("127.0.0.1", netpolicy.pbx_policy())
        assert allowed("10.0.0.1", netpolicy.pbx_policy())
        assert not allowed("127.0.0.1", netpolicy.webhook_policy())
        assert not allowed("10.0.0.1", netpolicy.webhook_policy())
    with override_settings(PORTAL_WEBHOOK_ALLOWED_NETWORKS="10.0.0.0/8, 127.0.0.1"):
        assert allowed("10.0.0.1", netpolicy.webhook_policy())
        assert allowed("127.0.0.1", netpolicy.webhook_policy())
        assert not allowed("127.0.0.2", netpolicy.webhook_policy())


def test_the_environment_variable_is_validated_at_start_up(monkeypatch):
    monkeypatch.setenv("PORTAL_PBX_ALLOWED_NETWORKS", " 127.0.0.1/8 , ::1 ")
    assert env_networks("PORTAL_PBX_ALLOWED_NETWORKS") == ["127.0.0.0/8", "::1/128"]
    monkeypatch.setenv("PORTAL_PBX_ALLOWED_NETWORKS", "127.0.0.0/8,localhost")
    with pytest.raises(ImproperlyConfigured, match="'localhost' is not an IP network"):
        env_networks("PORTAL_PBX_ALLOWED_NETWORKS")


def test_a_name_is_refused_when_any_of_its_addresses_is_refused():
    """localhost resolves to 127.0.0.1 (and ::1); allowing only one of them is not enough."""
    only_v4 = netpolicy.AddressPolicy(
        "X", allow_private=True, allowed_networks=netpolicy.networks_parse("127.0.0.0/8")
    )
    resolved = {item.address for item in netpolicy.resolve_checked("127.0.0.1", 80, only_v4)}
    assert resolved == {"127.0.0.1"}

    with pytest.raises(netpolicy.AddressRefused) as error:
        netpolicy.resolve_checked("localhost", 80, PBX)
    assert str(error.value) == (
        "localhost resolves to a loopback address, which the portal does not connect to unless the "
        "operator allows it in PORTAL_PBX_ALLOWED_NETWORKS."
    )


def test_a_literal_address_is_named_in_the_refusal_and_unknown_names_are_not_found():
    with pytest.raises(netpolicy.AddressRefused) as error:
        netpolicy.resolve_checked("169.254.169.254", 80, PBX)
    assert str(error.value).startswith("169.254.169.254 is a cloud metadata address,")
    with pytest.raises(netpolicy.HostNotFound):
        netpolicy.resolve_checked("nothing.invalid", 80, PBX)


def test_literal_check_judges_addresses_and_leaves_names_to_connection_time():
    netpolicy.literal_check("pbx.example.com", PBX)
    netpolicy.literal_check("10.0.0.5", PBX)
    with pytest.raises(netpolicy.AddressRefused):
        netpolicy.literal_check("10.0.0.5", WEBHOOK)
    with pytest.raises(netpolicy.AddressRefused):
        netpolicy.literal_check("0.0.0.0", PBX)
