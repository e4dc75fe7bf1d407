"""PBX simulators on free ports, stopped after each test, and a check that none leaks a thread."""

import socket
import threading

import pytest

from gateways.pbx.simulator import PbxSimulator


@pytest.fixture(autouse=True)
def _no_leaked_simulator_threads():
    before = set(threading.enumerate())
    yield
    leaked = [t.name for t in threading.enumerate() if t not in before and t.name.startswith("pbx-sim")]
    assert not leaked, f"simulator threads still running: {leaked}"


@pytest.fixture
def pbx_simulator_factory():
    """start(**kwargs) -> a running PbxSimulator on 127.0.0.1 and a free port; all are stopped afterwards."""
    started: list[PbxSimulator] = []

    def start(**kwargs) -> PbxSimulator:
        simulator = PbxSimulator("127.0.0.1", 0, **kwargs)
        simulator.start()
        started.append(simulator)
        return simulator

    yield start
    for simulator in started:
        simulator.stop()


@pytest.fixture
def pbx_simulator(pbx_simulator_factory) -> PbxSimulator:
    """A normal-mode simulator with the demo users 1001-1005 and the default CSTA credentials."""
    return pbx_simulator_factory()


@pytest.fixture
def closed_port() -> int:
    """A port on 127.0.0.1 nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
