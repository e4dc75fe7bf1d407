"""The simulator's scripted handsets and its transfer/consultation/conference services, seen by a CSTA
client on a real socket: the ECMA-269 event sequences each monitor receives."""

import pytest

from gateways.pbx.csta import (
    ConferencedEvent,
    ConnectionClearedEvent,
    ConnectionMove,
    CstaClient,
    CstaServiceError,
    DeliveredEvent,
    DivertedEvent,
    EstablishedEvent,
    FailedEvent,
    OriginatedEvent,
    OtherEvent,
    ServiceInitiatedEvent,
    TransferredEvent,
)
from tests.gateways.pbx.test_simulator import client_for


def monitored(simulator, *extensions) -> tuple[CstaClient, dict[str, str]]:
    client = client_for(simulator)
    return client, {client.monitor_start(ext): ext for ext in extensions}


def drain(client: CstaClient) -> list:
    return list(client.events(timeout=0.2))


def test_a_handset_goes_off_hook_dials_and_is_answered(pbx_simulator):
    client, xrefs = monitored(pbx_simulator, "1001", "1002")
    try:
        call_id = pbx_simulator.offhook("1001")
        off_hook = drain(client)
        assert pbx_simulator.dial("1001", "1002") == call_id
        dialled = drain(client)
        pbx_simulator.answer("1002")  # the handset picks up the call ringing on it
        answered = drain(client)
    finally:
        client.close()

    assert [(type(e), xrefs[e.monitor_xref], e.local_state) for e in off_hook] == [
        (ServiceInitiatedEvent, "1001", "initiated")
    ]
    assert [(type(e), xrefs[e.monitor_xref]) for e in dialled] == [
        (OriginatedEvent, "1001"),
        (DeliveredEvent, "1001"),
        (DeliveredEvent, "1002"),
    ]
    assert {type(e) for e in answered} == {EstablishedEvent}
    assert pbx_simulator.calls[call_id].state == "connected"


def test_single_step_transfer_tells_the_parties_and_rings_the_destination(pbx_simulator):
    client, xrefs = monitored(pbx_simulator, "1001", "1002", "1003")
    try:
        call_id = client.make_call("1001", "1002")
        pbx_simulator.answer(call_id)
        drain(client)
        assert client.single_step_transfer(call_id, "1002", "1003") == call_id
        events = drain(client)
    finally:
        client.close()

    transferred = [e for e in events if isinstance(e, TransferredEvent)]
    assert {xrefs[e.monitor_xref]: e.local_state for e in transferred} == {
        "1001": "connected",
        "1002": "null",
    }
    assert {(e.transferring_device, e.transferred_to_device, e.cause) for e in transferred} == {
        ("1002", "1003", "singleStepTransfer")
    }
    assert transferred[0].moves == (ConnectionMove("1001", call_id, call_id),)
    delivered = [e for e in events if isinstance(e, DeliveredEvent)]
    assert {(xrefs[e.monitor_xref], e.alerting_device, e.calling_device) for e in delivered} == {
        ("1001", "1003", "1001"),
        ("1003", "1003", "1001"),
    }


def test_consultation_then_conference_then_one_party_leaves(pbx_simulator):
    client, xrefs = monitored(pbx_simulator, "1001", "1002", "1003")
    try:
        first = client.make_call("1001", "1002")
        pbx_simulator.answer(first)
        drain(client)
        consultation = client.consultation_call(first, "1001", "1003")
        consulting = drain(client)
        pbx_simulator.answer(consultation)
        drain(client)
        assert client.conference_call((first, "1001"), (consultation, "1001")) == first
        conferenced = drain(client)
        client.clear_connection(first, "1003")
        left = drain(client)
    finally:
        client.close()

    names = [
        (type(e).__name__ if not isinstance(e, OtherEvent) else e.name, xrefs[e.monitor_xref])
        for e in consulting
    ]
    assert names[:2] == [("HeldEvent", "1001"), ("HeldEvent", "1002")]
    assert names[2:4] == [("ServiceInitiatedEvent", "1001"), ("OriginatedEvent", "1001")]
    assert {e.cause for e in consulting if isinstance(e, DeliveredEvent)} == {"consultation"}
    assert {xrefs[e.monitor_xref] for e in conferenced if isinstance(e, ConferencedEvent)} == {
        "1001",
        "1002",
        "1003",
    }
    assert {(e.conferencing_device, e.added_party, e.secondary_call_id) for e in conferenced} == {
        ("1001", "1003", consultation)
    }
    assert [(xrefs[e.monitor_xref], e.local_state) for e in left] == [
        ("1001", "connected"),
        ("1002", "connected"),
        ("1003", "null"),
    ]
    assert pbx_simulator.calls[first].parties == ["1001", "1002"]


def test_transfer_call_needs_a_held_call_at_the_transferring_device(pbx_simulator):
    client, _ = monitored(pbx_simulator, "1001")
    try:
        first = client.make_call("1001", "1002")
        second = client.make_call("1001", "1003")
        with pytest.raises(CstaServiceError) as error:
            client.transfer_call((first, "1001"), (second, "1001"))
    finally:
        client.close()

    assert error.value.value == "invalidObjectState"


def test_device_features_are_set_read_and_announced_to_the_devices_monitors(pbx_simulator):
    client, xrefs = monitored(pbx_simulator, "1001")
    try:
        client.set_do_not_disturb("1001", True)
        client.set_message_waiting("1001", True)
        client.set_forwarding("1001", "forwardBusy", True, "1002")
        read = (
            client.get_do_not_disturb("1001"),
            client.get_message_waiting("1001"),
            client.get_forwarding("1001"),
        )
        announced = drain(client)
        with pytest.raises(CstaServiceError) as unknown:
            client.get_do_not_disturb("9999")
    finally:
        client.close()

    assert read == (True, True, {"forwardBusy": "1002"})
    assert [(e.name, xrefs[e.monitor_xref]) for e in announced] == [
        ("DoNotDisturbEvent", "1001"),
        ("MessageWaitingEvent", "1001"),
        ("ForwardingEvent", "1001"),
    ]
    assert unknown.value.value == "invalidDeviceID"


def test_a_forked_number_rings_both_terminals_and_answering_one_clears_the_other(pbx_simulator_factory):
    simulator = pbx_simulator_factory(forks={"1002": ["1092"]})
    client, xrefs = monitored(simulator, "1002", "1092")
    try:
        call_id = client.make_call("1001", "1002")
        ringing = drain(client)
        client.answer_call(call_id, "1092")  # picked up on the second terminal
        answered = drain(client)
        snapshot = client.snapshot_device("1002")
    finally:
        client.close()

    assert {(xrefs[e.monitor_xref], e.alerting_device, e.local_state) for e in ringing} == {
        ("1002", "1002", "alerting"),
        ("1092", "1092", "alerting"),
    }
    cleared = [e for e in answered if isinstance(e, ConnectionClearedEvent)]
    assert [(xrefs[e.monitor_xref], e.dropped_device, e.cause) for e in cleared] == [
        ("1002", "1002", "callPickup"),
        ("1092", "1002", "callPickup"),
    ]
    established = [e for e in answered if isinstance(e, EstablishedEvent)]
    assert {(xrefs[e.monitor_xref], e.answering_device) for e in established} == {("1092", "1092")}
    assert simulator.calls[call_id].parties == ["1001", "1092"]
    assert snapshot.connections == ()


def test_forward_immediate_sends_diverted_to_the_caller_and_the_diverting_device(pbx_simulator):
    pbx_simulator.set_forwarding("1002", "forwardImmediate", "1003")
    client, xrefs = monitored(pbx_simulator, "1001", "1002", "1003")
    try:
        call_id = client.make_call("1001", "1002")
        events = drain(client)
    finally:
        client.close()

    assert [(type(e).__name__, xrefs[e.monitor_xref]) for e in events] == [
        ("ServiceInitiatedEvent", "1001"),
        ("OriginatedEvent", "1001"),
        ("DivertedEvent", "1001"),
        ("DivertedEvent", "1002"),
        ("DeliveredEvent", "1001"),
        ("DeliveredEvent", "1003"),
    ]
    diverted = {xrefs[e.monitor_xref]: e for e in events if isinstance(e, DivertedEvent)}
    assert (diverted["1002"].diverting_device, diverted["1002"].new_destination) == ("1002", "1003")
    assert (diverted["1002"].local_state, diverted["1001"].local_state) == ("null", "connected")
    assert diverted["1001"].cause == "callForwardImmediate"
    assert pbx_simulator.calls[call_id].parties == ["1001", "1003"]


def test_do_not_disturb_without_a_diversion_fails_the_call(pbx_simulator):
    pbx_simulator.set_dnd("1002", True)
    client, xrefs = monitored(pbx_simulator, "1001", "1002")
    try:
        call_id = client.make_call("1001", "1002")
        events = drain(client)
    finally:
        client.close()

    failed = [(xrefs[e.monitor_xref], e.local_state, e.cause) for e in events if isinstance(e, FailedEvent)]
    assert failed == [("1001", "fail", "doNotDisturb"), ("1002", "null", "doNotDisturb")]
    assert isinstance(events[-1], ConnectionClearedEvent)
    assert (call_id in pbx_simulator.calls) is False
