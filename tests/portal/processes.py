"""Real server processes for the tests of the production shape (``make serve``, two instances):
free ports, production-like environments, waiting for ``/healthz`` and stopping a process group."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import requests
from django.conf import settings
from django.db import connection

from tests.waiting import wait_until

ROOT = Path(settings.BASE_DIR)
BIN = ROOT / ".venv" / "bin"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def require_postgres_and_redis() -> None:
    """Skip (with the reason) unless this run is on PostgreSQL and Redis: separate processes can
    share neither SQLite in memory nor an in-process cache."""
    if connection.vendor != "postgresql":
        pytest.skip("needs DATABASE_URL on PostgreSQL: server processes cannot share SQLite in memory")
    if not os.environ.get("REDIS_URL"):
        pytest.skip("needs REDIS_URL: server processes share caches, limits and throttles through Redis")


def database_url_of_this_run() -> str:
    """DATABASE_URL naming the database this test run uses (pytest-django's ``test_…`` one)."""
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"]))


def answers(base_url: str) -> bool:
    try:
        return requests.get(f"{base_url}/healthz", timeout=10).status_code == 200
    except requests.RequestException:  # not listening yet, or still loading the application
        return False


def start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    """Start ``command`` in its own process group (so everything it starts is stopped with it)."""
    with log.open("wb") as out:
        return subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def wait_for_health(base_url: str, process: subprocess.Popen, log: Path, timeout: float = 120) -> None:
    up = wait_until(lambda: process.poll() is not None or answers(base_url), timeout=timeout, interval=0.25)
    assert up and process.poll() is None, f"{base_url} did not come up:\n{log.read_text()[-3000:]}"
