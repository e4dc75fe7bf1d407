"""Call forward and do not disturb divert calls (ECMA-269 DivertedEvent / FailedEvent), against the CSTA
simulator on a real socket: forwarding and DND are set through the Media API, calls are dialled on the
(scripted) handsets, the listener turns the PBX's events into leg states that the Media API answers and a
subscription's webhook receives."""

import pytest

from accounts.models import User
from media.listener import GatewayListener
from media.models import Call
from tests.accounts.factories import UserFactory
from tests.media.conftest import BASE
from tests.media.test_calls_api import media_publications
from tests.notifications.test_delivery import subscribe
from tests.waiting import wait_until

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def extensions(account_admin, member, customer):
    """Ada on 2001, Uma on 2002, Cy on 2003: the devices the listener monitors."""
    account_admin.extension = "2001"
    account_admin.save(update_fields=["extension"])
    UserFactory(account=customer, role=User.Role.USER, email="cy@globex.example", extension="2003")
    return account_admin


@pytest.fixture
def listener(customer_pbx, extensions):
    listening = GatewayListener(customer_pbx.gateway_id, "worker-a", lease=5.0)
    assert listening.step(0.05) is True  # connected, monitoring 2001-2003
    yield listening
    listening.close(release=True)


@pytest.fixture
def hooked(webhook_server, extensions, django_capture_on_commit_callbacks):
    """A webhook subscription of Ada's; publications are delivered as their transactions commit."""
    subscribe(extensions, webhook_server.url)
    with django_capture_on_commit_callbacks(execute=True):
        yield webhook_server


def forward(client, kind, destination, ext="2001"):
    response = client.put(
        f"{BASE}/endpoints/{ext}/forwarding", {"type": kind, "destination": destination}, format="json"
    )
    assert response.status_code == 200, response.content


def listen(listener, seconds=0.3):
    assert listener.step(seconds) is True


def api_leg(client, ext, number) -> dict:
    response = client.get(f"{BASE}/endpoints/{ext}/calls/{number}")
    assert response.status_code == 200, response.content
    return response.json()


def delivered(webhook_server) -> list[tuple[str, str, str]]:
    return sorted(
        (b["content"]["endpointId"], b["content"]["state"], b["content"]["extraPbxData"]["eventType"])
        for b in webhook_server.bodies()
        if "callId" in b["content"]  # not the endpoint notification of the forwarding PUT
    )


def test_forward_immediate_diverts_at_once_and_the_destination_rings(admin_api, listener, hooked, call_pbx):
    forward(admin_api, "forwardImmediate", "2003")

    number = call_pbx.dial("2002", "2001")
    listen(listener)

    diverted = api_leg(admin_api, "2001", number)
    assert (diverted["state"], diverted["cause"], diverted["direction"]) == (
        "completed",
        "callForwardImmediate",
        "inbound",
    )
    assert diverted["extraPbxData"]["eventType"] == "divertedEvent"
    assert diverted["extraPbxData"]["newDestination"] == "2003"
    ringing = api_leg(admin_api, "2003", number)
    assert (ringing["state"], ringing["from"], ringing["cause"]) == (
        "ringing",
        "2002",
        "callForwardImmediate",
    )
    assert Call.objects.get(endpoint="2002").to_number == "2003"
    assert [p.content["state"] for p in media_publications("2001", number)] == ["completed"]
    assert delivered(hooked) == [
        ("2001", "completed", "divertedEvent"),
        ("2002", "connected", "serviceInitiatedEvent"),
        ("2003", "ringing", "deliveredEvent"),
    ]
    assert (call_pbx.calls[number].called, call_pbx.calls[number].parties) == ("2003", ["2002", "2003"])


def test_forward_busy_diverts_only_while_the_device_has_a_call(admin_api, listener, call_pbx):
    forward(admin_api, "forwardBusy", "2003")

    free = call_pbx.dial("2002", "2001")
    listen(listener)
    call_pbx.hangup("2002")
    call_pbx.offhook("2001")  # 2001 is busy now
    busy = call_pbx.dial("2002", "2001")
    listen(listener)

    assert media_publications("2001", free).first().content["state"] == "ringing"  # not diverted
    assert Call.objects.filter(endpoint="2003", call_number=free).exists() is False
    diverted = api_leg(admin_api, "2001", busy)
    assert (diverted["state"], diverted["cause"]) == ("completed", "callForwardBusy")
    assert api_leg(admin_api, "2003", busy)["state"] == "ringing"


def test_forward_on_no_answer_diverts_a_ringing_call_when_the_ring_time_is_up(
    admin_api, listener, hooked, call_pbx
):
    forward(admin_api, "forwardNoAns", "2003")

    number = call_pbx.dial("2002", "2001")
    listen(listener)
    assert api_leg(admin_api, "2001", number)["state"] == "ringing"
    call_pbx.ring_timeout(number)
    listen(listener)

    assert [p.content["state"] for p in media_publications("2001", number)] == ["ringing", "completed"]
    diverted = api_leg(admin_api, "2001", number)
    assert (diverted["cause"], diverted["extraPbxData"]["eventType"]) == (
        "callForwardNoAnswer",
        "divertedEvent",
    )
    ringing = api_leg(admin_api, "2003", number)
    assert (ringing["state"], ringing["from"]) == ("ringing", "2002")
    assert delivered(hooked) == [
        ("2001", "completed", "divertedEvent"),
        ("2001", "ringing", "deliveredEvent"),
        ("2002", "connected", "serviceInitiatedEvent"),
        ("2003", "ringing", "deliveredEvent"),
    ]


def test_the_no_answer_ring_time_runs_out_on_its_own(admin_api, listener, call_pbx):
    forward(admin_api, "forwardNoAns", "2003")
    call_pbx.no_answer_after = 0.05

    number = call_pbx.dial("2002", "2001")
    wait_until(lambda: call_pbx.calls[number].called == "2003", timeout=5)
    listen(listener)

    assert api_leg(admin_api, "2001", number)["cause"] == "callForwardNoAnswer"
    assert api_leg(admin_api, "2003", number)["state"] == "ringing"


def test_an_answered_call_is_not_diverted_when_the_ring_time_is_up(admin_api, listener, call_pbx):
    forward(admin_api, "forwardNoAns", "2003")

    number = call_pbx.dial("2002", "2001")
    call_pbx.answer("2001")
    call_pbx.ring_timeout(number)
    listen(listener)

    assert api_leg(admin_api, "2001", number)["state"] == "connected"
    assert Call.objects.filter(endpoint="2003").exists() is False


def test_do_not_disturb_without_a_diversion_refuses_the_call(admin_api, listener, hooked, call_pbx):
    dnd = admin_api.put(
        f"{BASE}/endpoints/2001",
        {"action": "dnd", "userAvailability": "available", "enabled": True},
        format="json",
    )
    assert dnd.status_code == 200, dnd.content

    number = call_pbx.dial("2002", "2001")
    listen(listener)

    caller = api_leg(admin_api, "2002", number)
    assert (caller["state"], caller["cause"]) == ("completed", "doNotDisturb")
    assert caller["extraPbxData"]["eventType"] == "failedEvent"
    assert Call.objects.filter(endpoint="2001").exists() is False
    assert (number in call_pbx.calls) is False
    assert delivered(hooked) == [
        ("2002", "completed", "failedEvent"),
        ("2002", "connected", "serviceInitiatedEvent"),
    ]


def test_do_not_disturb_diverts_to_the_forward_busy_destination(admin_api, listener, call_pbx):
    forward(admin_api, "forwardBusy", "2003")
    call_pbx.set_dnd("2001", True)

    number = call_pbx.dial("2002", "2001")
    listen(listener)

    diverted = api_leg(admin_api, "2001", number)
    assert (diverted["state"], diverted["cause"]) == ("completed", "doNotDisturb")
    assert api_leg(admin_api, "2003", number)["state"] == "ringing"


def test_a_forwarding_loop_rings_the_device_it_comes_back_to(admin_api, listener, call_pbx):
    forward(admin_api, "forwardImmediate", "2003")
    forward(admin_api, "forwardImmediate", "2001", ext="2003")

    number = call_pbx.dial("2002", "2001")
    listen(listener)

    assert call_pbx.calls[number].called == "2003"
    assert api_leg(admin_api, "2003", number)["state"] == "ringing"
