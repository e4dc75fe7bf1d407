"""429 handling against the portal's opt-in rate limit (retry-after in milliseconds)."""

from __future__ import annotations

import time

import pytest

from cloudlink import RateLimited

pytestmark = pytest.mark.django_db(transaction=True)


def test_429_waits_the_retry_after_then_succeeds(
    cloudlink, partner_admin, customer, password, settings, throttle_clock
):
    client = cloudlink(max_retries=3, jitter=0.05)
    client.login(partner_admin.email, password)
    settings.PORTAL_API_RATE_LIMIT = "2/2"  # 2 requests per 2-second window
    waits: list[tuple[float, float]] = []  # (the rest of the window when refused, the wait)

    def wait(seconds: float) -> None:
        waits.append((2 - throttle_clock.now % 2, seconds))
        throttle_clock.advance(seconds)

    # The client's wait moves the portal's rate-limit clock (the portal runs in this process).
    client.transport.sleep = wait

    results = [client.admin.get_account(customer.account_number).name for _ in range(5)]

    assert results == ["Globex Corp"] * 5
    # The clock stands still between waits: requests 3 and 5 each hit the limit once, and waiting
    # the retry-after (read as milliseconds: the rest of the 2 s window, plus up to 0.05 s of
    # jitter) was enough.
    assert len(waits) == 2
    assert all(rest <= seconds <= rest + 0.05 for rest, seconds in waits)
    assert waits[0][0] == 2


def test_retries_are_bounded_then_rate_limited_is_raised(
    cloudlink, partner_admin, customer, password, settings
):
    client = cloudlink(max_retries=2, max_retry_wait=10**9)
    client.login(partner_admin.email, password)
    settings.PORTAL_API_RATE_LIMIT = f"1/{10**9}"  # a window no test run leaves
    waits: list[float] = []
    client.transport.sleep = waits.append  # do not actually wait hours

    client.admin.get_account(customer.account_number)
    with pytest.raises(RateLimited) as caught:
        client.admin.get_account(customer.account_number)

    error = caught.value
    assert (error.status, error.name, error.attempts) == (429, "TooManyRequests", 3)
    assert len(waits) == 2 and error.retry_after > 1000 and error.correlation_id


def test_a_wait_longer_than_allowed_raises_at_once(cloudlink, partner_admin, customer, password, settings):
    client = cloudlink(max_retries=5, max_retry_wait=30)
    client.login(partner_admin.email, password)
    settings.PORTAL_API_RATE_LIMIT = f"1/{10**9}"
    client.admin.get_account(customer.account_number)
    started = time.monotonic()
    with pytest.raises(RateLimited) as caught:
        client.admin.get_account(customer.account_number)
    assert caught.value.attempts == 1 and time.monotonic() - started < 5
