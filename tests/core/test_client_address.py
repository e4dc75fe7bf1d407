"""The client address every throttle counts by (the API limit, sign-in locks, allauth's own limits):
X-Forwarded-For read right to left by ALLAUTH_TRUSTED_PROXY_COUNT, or a trusted client-IP header."""

import pytest
from allauth.account.adapter import get_adapter
from django.test import RequestFactory

from core.throttle import address_bucket, client_address

PROXY = "10.0.0.1"


@pytest.mark.parametrize(
    ("count", "forwarded_for", "expected"),
    [
        (0, None, PROXY),
        (0, "203.0.113.5", PROXY),  # not trusted: a client can write anything there
        (1, None, PROXY),  # not through the proxy (a health check on the host)
        (1, "203.0.113.5", "203.0.113.5"),
        (1, "192.0.2.1, 203.0.113.5", "203.0.113.5"),  # the client's own entry is ignored
        (1, "192.0.2.1,203.0.113.5 ", "203.0.113.5"),
        (2, "192.0.2.1, 203.0.113.5, 10.0.0.2", "203.0.113.5"),
        (2, "203.0.113.5", "203.0.113.5"),  # fewer entries than proxies: the farthest one there is
        (1, "203.0.113.5:4711", "203.0.113.5"),
        (1, "[2001:db8::7]:4711", "2001:db8::7"),
        (1, "2001:DB8::7", "2001:db8::7"),
        (1, "not-an-address", PROXY),
        (1, "192.0.2.1, ", PROXY),
        (1, "x" * 5000, PROXY),
    ],
)
def test_x_forwarded_for_is_read_right_to_left_by_the_trusted_count(settings, count, forwarded_for, expected):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = count
    headers = {"HTTP_X_FORWARDED_FOR": forwarded_for} if forwarded_for is not None else {}
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, **headers)

    assert client_address(request) == expected


@pytest.mark.parametrize(
    ("value", "expected"), [("203.0.113.5", "203.0.113.5"), ("junk", PROXY), (None, PROXY)]
)
def test_a_trusted_client_ip_header_wins_over_x_forwarded_for(settings, value, expected):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    settings.ALLAUTH_TRUSTED_CLIENT_IP_HEADER = "X-Real-IP"
    headers = {"HTTP_X_REAL_IP": value} if value is not None else {}
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="192.0.2.1", **headers)

    assert client_address(request) == expected


def test_allauth_counts_by_the_same_address(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="192.0.2.1, 203.0.113.5")

    assert get_adapter(request).get_client_ip(request) == client_address(request) == "203.0.113.5"


def test_ipv6_clients_are_counted_by_their_64_bit_prefix():
    """An IPv6 client usually holds a whole /64: it must not get a new budget per address."""
    assert (
        address_bucket("2001:db8:1:2:aaaa::1")
        == address_bucket("2001:db8:1:2:bbbb::2")
        == "2001:db8:1:2::/64"
    )
    assert address_bucket("2001:db8:1:3::1") != address_bucket("2001:db8:1:2::1")
    assert address_bucket("203.0.113.5") == "203.0.113.5"
