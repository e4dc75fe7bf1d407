"""Waiting in tests, bounded: the one place a test may pause (``tests/test_test_rules.py``).

A test never sleeps for a fixed time hoping that work elsewhere is done; it polls for what it
expects with a deadline, or moves a simulated clock (time-machine, ``throttle_clock``)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_until(predicate: Callable[[], T], timeout: float = 20.0, interval: float = 0.05) -> T:
    """Poll ``predicate`` until it returns something truthy or ``timeout`` seconds pass; return its
    last result (falsy on timeout, so ``assert wait_until(...)`` fails with the deadline)."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(interval)


def request_threads_ended(timeout: float = 1.0) -> bool:
    """Wait until no thread of a threading HTTP server (the live server's, a stub's) is still
    handling a request, e.g. after the test closed its keep-alive connections, so none outlives the
    test's database. True when they ended within ``timeout``."""

    def ended() -> bool:
        return not any(
            "process_request_thread" in thread.name for thread in threading.enumerate() if thread.is_alive()
        )

    return wait_until(ended, timeout=timeout, interval=0.01)
