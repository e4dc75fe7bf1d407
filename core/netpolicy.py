"""Where the portal may open connections to: the one address policy against SSRF.

Two features connect to an address a user typed: the gateway's CSTA connection to the PBX
(``gateways/pbx/csta.py``) and webhook deliveries (``notifications/webhooks.py``). Both go
through ``connect_checked``: resolve the host once, check *every* address it resolves to, then
connect to those checked addresses, so a DNS answer that changes between the check and the
connection (DNS rebinding) cannot send the connection elsewhere.

The rule (``address_refusal``), in this order:

1. an address inside one of the policy's ``allowed_networks`` (an operator setting) is allowed;
2. cloud metadata endpoints (``METADATA_ADDRESSES``) are refused;
3. unspecified, loopback, link-local and multicast addresses are refused;
4. private networks (RFC 1918, RFC 6598 shared space, IPv6 ULA) are allowed only when the policy
   allows them: PBXs live on private networks, webhook receivers must be public;
5. other public unicast addresses are allowed; everything else (reserved, documentation,
   benchmarking, broadcast ...) is refused.

An IPv6 address that carries an IPv4 one (IPv4-mapped, 6to4, NAT64 ``64:ff9b::/96``) is judged by
the IPv4 address. Plain Python apart from reading the two settings (``pbx_policy``,
``webhook_policy``); it imports no app.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

PRIVATE_NETWORKS: tuple[IPNetwork, ...] = tuple(
    ipaddress.ip_network(net)
    for net in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7")
)
# Instance metadata services hand out cloud credentials: AWS/GCP/Azure/OCI/DigitalOcean
# (169.254.169.254, AWS's IPv6 fd00:ec2::254), AWS ECS task metadata, Alibaba Cloud.
METADATA_ADDRESSES: frozenset[IPAddress] = frozenset(
    ipaddress.ip_address(address)
    for address in ("169.254.169.254", "fd00:ec2::254", "169.254.170.2", "100.100.100.200")
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class AddressError(ValueError):
    """The host cannot be connected to; ``str()`` says why, for the person who typed it."""


class HostNotFound(AddressError):
    def __init__(self, host: str):
        super().__init__(f"The host name {host!r} could not be resolved.")
        self.host = host


class AddressRefused(AddressError):
    def __init__(self, host: str, address: str, category: str, setting: str):
        kind = f"{_article(category)} {category} address"
        said = f"{address} is {kind}" if _is_literal(host) else f"{host} resolves to {kind}"
        super().__init__(
            f"{said}, which the portal does not connect to unless the operator allows it in {setting}."
        )
        self.host, self.address, self.category, self.setting = host, address, category, setting


@dataclass(frozen=True)
class AddressPolicy:
    """``setting`` names the operator setting that holds ``allowed_networks`` (quoted in refusals)."""

    setting: str
    allow_private: bool
    allowed_networks: tuple[IPNetwork, ...] = ()


def networks_parse(value: str | Iterable[str]) -> tuple[IPNetwork, ...]:
    """``"127.0.0.0/8, ::1/128"`` or a list of CIDRs (host bits allowed) -> networks; ValueError if bad."""
    entries = value.split(",") if isinstance(value, str) else value
    return _networks(tuple(str(entry).strip() for entry in entries if str(entry).strip()))


@lru_cache(maxsize=32)
def _networks(entries: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def _setting(name: str) -> tuple[IPNetwork, ...]:
    from django.conf import settings

    if not settings.configured:
        return ()
    return networks_parse(getattr(settings, name, ()) or ())


def pbx_policy() -> AddressPolicy:
    """PBXs: private networks allowed; PORTAL_PBX_ALLOWED_NETWORKS adds more (e.g. loopback in dev)."""
    setting = "PORTAL_PBX_ALLOWED_NETWORKS"
    return AddressPolicy(setting, allow_private=True, allowed_networks=_setting(setting))


def webhook_policy() -> AddressPolicy:
    """Webhooks: public addresses only; PORTAL_WEBHOOK_ALLOWED_NETWORKS adds more."""
    setting = "PORTAL_WEBHOOK_ALLOWED_NETWORKS"
    return AddressPolicy(setting, allow_private=False, allowed_networks=_setting(setting))


# --- the rule ---------------------------------------------------------------------------------------


def _ip(address: str | IPAddress) -> IPAddress:
    if isinstance(address, str):
        address = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone ("%eth0")
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address in _NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            return embedded
    return address


def address_category(address: str | IPAddress) -> str:
    """``public``, ``private``, ``cloud metadata``, ``unspecified``, ``loopback``, ``link-local``,
    ``multicast`` or ``reserved``."""
    ip = _ip(address)
    if ip in METADATA_ADDRESSES:
        return "cloud metadata"
    for category, test in (
        ("unspecified", ip.is_unspecified),
        ("loopback", ip.is_loopback),
        ("link-local", ip.is_link_local),
        ("multicast", ip.is_multicast),
    ):
        if test:
            return category
    if any(ip in network for network in PRIVATE_NETWORKS):
        return "private"
    if ip.is_global and not ip.is_reserved and not getattr(ip, "is_site_local", False):
        return "public"
    return "reserved"


def address_refusal(address: str | IPAddress, policy: AddressPolicy) -> str | None:
    """None when ``policy`` allows a connection to ``address``, else the category that refuses it."""
    original = ipaddress.ip_address(address.split("%", 1)[0]) if isinstance(address, str) else address
    if any(ip in network for ip in {original, _ip(original)} for network in policy.allowed_networks):
        return None
    category = address_category(original)
    if category == "public" or (category == "private" and policy.allow_private):
        return None
    return category


def literal_check(host: str, policy: AddressPolicy) -> None:
    """Raise ``AddressRefused`` when ``host`` is an IP address ``policy`` refuses (early feedback for a
    form); a host name passes here and is checked, address by address, when connecting."""
    if not _is_literal(host):
        return
    category = address_refusal(host, policy)
    if category is not None:
        raise AddressRefused(host, host.split("%", 1)[0], category, policy.setting)


# --- resolving and connecting -------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckedAddress:
    family: int
    sockaddr: tuple

    @property
    def address(self) -> str:
        return self.sockaddr[0]


def resolve_checked(host: str, port: int, policy: AddressPolicy) -> list[CheckedAddress]:
    """Every address of ``host`` (one DNS lookup), each allowed by ``policy``.

    Raises ``HostNotFound``, or ``AddressRefused`` when any address is refused: a name that also
    points somewhere forbidden is refused as a whole."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError) as exc:
        raise HostNotFound(host) from exc
    checked: list[CheckedAddress] = []
    for family, _, _, _, sockaddr in infos:
        if family not in (socket.AF_INET, socket.AF_INET6):
            continue
        candidate = CheckedAddress(family, tuple(sockaddr))
        category = address_refusal(candidate.address, policy)
        if category is not None:
            raise AddressRefused(host, candidate.address.split("%", 1)[0], category, policy.setting)
        if candidate not in checked:
            checked.append(candidate)
    if not checked:
        raise HostNotFound(host)
    return checked


def connect_checked(host: str, port: int, policy: AddressPolicy, *, timeout: float) -> socket.socket:
    """A TCP connection to the first checked address of ``host`` that answers (``timeout`` per try).

    Raises ``AddressError`` before any connection is attempted, or the last ``OSError`` (refused,
    timed out, unreachable) when no address answers."""
    error: OSError | None = None
    for candidate in resolve_checked(host, port, policy):
        sock = socket.socket(candidate.family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        try:
            sock.settimeout(timeout)
            sock.connect(candidate.sockaddr)
        except OSError as exc:
            sock.close()
            error = exc
            continue
        return sock
    assert error is not None  # resolve_checked returns at least one address
    raise error


def _is_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    return True


def _article(category: str) -> str:
    return "an" if category[0] in "aeiou" else "a"
