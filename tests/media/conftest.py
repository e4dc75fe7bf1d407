"""A PBX simulator with call control (answer, hold, retrieve) connected to the customer's gateway."""

import threading

import pytest
from rest_framework.test import APIClient

from gateways.models import Gateway, Pbx
from gateways.pbx.simulator import PbxSimulator, PbxUser
from tests.gateways.factories import PbxFactory
from tests.notifications.conftest import publish_now, webhook_server  # noqa: F401 (webhook fixtures)

BASE = "/api/media/2017-09-01"
USERS = [PbxUser("2001", "Ada", "Lovelace"), PbxUser("2002", "Bob", "Berg"), PbxUser("2003", "Cy", "Clark")]


@pytest.fixture(autouse=True)
def _media_settings(settings):
    settings.MEDIA_DELIVERED_WAIT = 2.0
    settings.MEDIA_ACTION_EVENT_WAIT = 1.0
    settings.MEDIA_CALL_FOLLOW_SECONDS = 0  # tests drive services.call_follow themselves
    settings.PORTAL_GATEWAY_CSTA_TIMEOUT = 2.0


@pytest.fixture(autouse=True)
def _no_leaked_simulator_threads():
    before = set(threading.enumerate())
    yield
    leaked = [t.name for t in threading.enumerate() if t not in before and t.name.startswith("pbx-sim")]
    assert not leaked, f"simulator threads still running: {leaked}"


@pytest.fixture
def call_pbx():
    simulator = PbxSimulator("127.0.0.1", 0, users=USERS)
    simulator.start()
    yield simulator
    simulator.stop()


def attach_pbx(account, *, port: int, user: str = "cloudlink", password: str = "cloudlink") -> Pbx:
    """A connected gateway of ``account`` whose MX-ONE listens on ``port``."""
    return PbxFactory(
        gateway__account=account,
        gateway__name="Main gateway",
        gateway__status=Gateway.Status.CONNECTED,
        name="mxone",
        csta_port=port,
        csta_user=user,
        csta_password=password,
    )


@pytest.fixture
def customer_pbx(customer, call_pbx) -> Pbx:
    return attach_pbx(customer, port=call_pbx.port)


@pytest.fixture
def member(member):
    """Uma, a USER on extension 2002."""
    member.extension = "2002"
    member.save(update_fields=["extension"])
    return member


@pytest.fixture
def admin_api(api_client_for, account_admin) -> APIClient:
    return api_client_for(account_admin)
