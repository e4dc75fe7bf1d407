"""The MX-ONE-like PBX simulator: users, calls and events, shutdown, and the management command."""

import io
import json
import threading
import time

import pytest
from django.core.management import CommandError, call_command

from gateways.management.commands.pbx_simulator import Command
from gateways.pbx.csta import (
    ConnectionClearedEvent,
    CstaClient,
    CstaError,
    CstaServiceError,
    DeliveredEvent,
    EstablishedEvent,
    OriginatedEvent,
    OtherEvent,
    ServiceInitiatedEvent,
    SnapshotConnection,
)
from gateways.pbx.simulator import (
    DEFAULT_PASSWORD,
    DEFAULT_USER,
    DEMO_USERS,
    PbxSimulator,
    PbxUser,
    UsersFileError,
    load_users,
)
from tests.waiting import wait_until


def client_for(simulator: PbxSimulator, **kwargs) -> CstaClient:
    client = CstaClient("127.0.0.1", simulator.port, timeout=1)
    client.connect()
    client.start_session("Tests", simulator.user, simulator.password, **kwargs)
    return client


# --- users -----------------------------------------------------------------------------------------


def test_default_users_are_the_demo_extensions_1001_to_1005(pbx_simulator):
    assert [user.extension for user in pbx_simulator.users] == ["1001", "1002", "1003", "1004", "1005"]
    assert all(user.email and user.first_name and user.last_name for user in DEMO_USERS)


def test_users_load_from_csv_and_json(tmp_path):
    csv_file = tmp_path / "users.csv"
    csv_file.write_text(
        "extension,first_name,last_name,email\n2001,Ada,Lovelace,ada@example.com\n2002,,Turing,\n",
        encoding="utf-8",
    )
    json_file = tmp_path / "users.json"
    json_file.write_text(
        json.dumps({"users": [{"extension": 3001, "first_name": "Grace"}]}), encoding="utf-8"
    )

    assert load_users(csv_file) == [
        PbxUser("2001", "Ada", "Lovelace", "ada@example.com"),
        PbxUser("2002", "", "Turing", ""),
    ]
    assert load_users(json_file) == [PbxUser("3001", "Grace", "", "")]


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("dupes.csv", "extension,first_name\n2001,A\n2001,B\n", "appears twice"),
        ("letters.csv", "extension\nabc\n", "must be digits"),
        ("noheader.csv", "2001,Ada\n", "header row"),
        ("bad.json", "{", "not valid JSON"),
        ("shape.json", '{"people": []}', "list of user objects"),
    ],
)
def test_a_bad_users_file_is_refused_with_the_reason(tmp_path, name, content, problem):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")

    with pytest.raises(UsersFileError, match=problem):
        load_users(path)


def test_the_simulator_knows_only_its_users(pbx_simulator_factory):
    simulator = pbx_simulator_factory(users=[PbxUser("2001", "Ada", "Lovelace", "ada@example.com")])
    client = client_for(simulator)
    try:
        assert client.snapshot_device("2001").connections == ()
        with pytest.raises(CstaServiceError) as error:
            client.monitor_start("1001")
    finally:
        client.close()

    assert error.value.value == "invalidDeviceID"


# --- sessions, calls and events ------------------------------------------------------------------------


def test_requests_outside_a_session_are_refused(pbx_simulator):
    with (
        CstaClient("127.0.0.1", pbx_simulator.port, timeout=1) as client,
        pytest.raises(CstaServiceError) as error,
    ):
        client.system_status()

    assert error.value.value == "securityViolation"


def test_make_call_delivers_then_establishes_then_clears_on_the_monitors(pbx_simulator):
    client = client_for(pbx_simulator)
    try:
        called_xref = client.monitor_start("1002")
        calling_xref = client.monitor_start("1001")
        call_id = client.make_call("1001", "1002")
        initiated = [client.next_event(0.5), client.next_event(0.5)]
        delivered = [client.next_event(0.5), client.next_event(0.5)]
        assert client.snapshot_device("1002").connections == (
            SnapshotConnection(call_id, "1002", "alerting"),
        )

        pbx_simulator.answer(call_id)
        established = [client.next_event(0.5), client.next_event(0.5)]
        assert pbx_simulator.calls[call_id].state == "connected"

        pbx_simulator.clear(call_id)
        cleared = list(client.events(timeout=0.2))
    finally:
        client.close()

    # ECMA-269 after MakeCall: the calling device's monitor sees ServiceInitiated then Originated first.
    assert [(type(e), e.monitor_xref) for e in initiated] == [
        (ServiceInitiatedEvent, calling_xref),
        (OriginatedEvent, calling_xref),
    ]
    assert (initiated[0].initiating_device, initiated[0].local_state) == ("1001", "initiated")
    assert (initiated[1].calling_device, initiated[1].called_device) == ("1001", "1002")
    assert all(isinstance(event, DeliveredEvent) for event in delivered)
    assert {(e.monitor_xref, e.local_state) for e in delivered} == {
        (called_xref, "alerting"),
        (calling_xref, "connected"),
    }
    assert {(e.alerting_device, e.calling_device, e.called_device) for e in delivered} == {
        ("1002", "1001", "1002")
    }
    assert all(isinstance(e, EstablishedEvent) and e.answering_device == "1002" for e in established)
    assert [type(e) for e in cleared] == [ConnectionClearedEvent] * 4
    assert {(e.dropped_device, e.releasing_device) for e in cleared} == {("1002", "1002"), ("1001", "1002")}
    assert call_id not in pbx_simulator.calls


def test_called_extensions_answer_by_themselves_after_the_configured_delay(pbx_simulator_factory):
    simulator = pbx_simulator_factory(auto_answer_after=0.05)
    client = client_for(simulator)
    try:
        client.monitor_start("1003")
        call_id = client.make_call("1004", "1003")
        events = [client.next_event(1), client.next_event(1)]
    finally:
        client.close()

    assert [type(event) for event in events] == [DeliveredEvent, EstablishedEvent]
    assert events[1].call_id == call_id


def test_events_reach_only_the_sessions_monitoring_a_device_in_the_call(pbx_simulator):
    caller, watcher, bystander = (client_for(pbx_simulator) for _ in range(3))
    try:
        xref = watcher.monitor_start("1002")
        bystander.monitor_start("1005")
        call_id = caller.make_call("1001", "1002")

        event = watcher.next_event(0.5)
        assert caller.next_event(0.05) is None
        assert bystander.next_event(0.05) is None
    finally:
        for client in (caller, watcher, bystander):
            client.close()

    assert isinstance(event, DeliveredEvent) and (event.monitor_xref, event.call_id) == (xref, call_id)


def test_clear_connection_hangs_up_and_reports_the_releasing_device(pbx_simulator):
    client = client_for(pbx_simulator, protocol_version="ed4")
    try:
        client.monitor_start("1001")
        call_id = client.make_call("1001", "1002")
        ringing = [client.next_event(0.5) for _ in range(3)]  # ServiceInitiated, Originated, Delivered
        assert isinstance(ringing[-1], DeliveredEvent)
        client.clear_connection(call_id, "1001")
        cleared = list(client.events(timeout=0.2))
        with pytest.raises(CstaServiceError) as error:
            client.clear_connection(call_id, "1001")
    finally:
        client.close()

    assert [(e.dropped_device, e.releasing_device, e.local_state) for e in cleared] == [
        ("1001", "1001", "null"),
        ("1002", "1001", "null"),
    ]
    assert error.value.value == "invalidConnectionID"


def test_answer_call_connects_the_alerting_extension_and_tells_both_monitors(pbx_simulator):
    client = client_for(pbx_simulator)
    try:
        client.monitor_start("1001")
        client.monitor_start("1002")
        call_id = client.make_call("1001", "1002")
        list(client.events(timeout=0.2))  # the two DeliveredEvents
        with pytest.raises(CstaServiceError) as caller_answers:
            client.answer_call(call_id, "1001")

        client.answer_call(call_id, "1002")
        established = list(client.events(timeout=0.2))
        with pytest.raises(CstaServiceError) as answered_twice:
            client.answer_call(call_id, "1002")
    finally:
        client.close()

    assert caller_answers.value.value == "invalidObjectState"
    assert [type(e) for e in established] == [EstablishedEvent] * 2
    assert {(e.answering_device, e.local_state) for e in established} == {("1002", "connected")}
    assert pbx_simulator.calls[call_id].state == "connected"
    assert answered_twice.value.value == "invalidObjectState"


def test_hold_and_retrieve_change_only_the_holding_party_and_are_announced(pbx_simulator):
    client = client_for(pbx_simulator, protocol_version="ed4")
    try:
        client.monitor_start("1001")
        call_id = client.make_call("1001", "1002")
        ringing = [client.next_event(0.5) for _ in range(3)]  # ServiceInitiated, Originated, Delivered
        assert isinstance(ringing[-1], DeliveredEvent)
        with pytest.raises(CstaServiceError) as ringing_hold:
            client.hold_call(call_id, "1001")
        pbx_simulator.answer(call_id)
        client.next_event(0.5)

        client.hold_call(call_id, "1001")
        held = client.next_event(0.5)
        snapshots_on_hold = (client.snapshot_device("1001"), client.snapshot_device("1002"))
        with pytest.raises(CstaServiceError) as held_twice:
            client.hold_call(call_id, "1001")

        client.retrieve_call(call_id, "1001")
        retrieved = client.next_event(0.5)
        snapshot_after = client.snapshot_device("1001")
        with pytest.raises(CstaServiceError) as retrieved_twice:
            client.retrieve_call(call_id, "1001")
    finally:
        client.close()

    assert ringing_hold.value.value == "invalidObjectState"
    assert isinstance(held, OtherEvent) and (held.name, held.call_id) == ("HeldEvent", call_id)
    assert snapshots_on_hold[0].connections == (SnapshotConnection(call_id, "1001", "hold"),)
    assert snapshots_on_hold[1].connections == (SnapshotConnection(call_id, "1002", "connected"),)
    assert held_twice.value.value == "invalidObjectState"
    assert isinstance(retrieved, OtherEvent) and (retrieved.name, retrieved.call_id) == (
        "RetrievedEvent",
        call_id,
    )
    assert snapshot_after.connections == (SnapshotConnection(call_id, "1001", "connected"),)
    assert retrieved_twice.value.value == "invalidObjectState"


@pytest.mark.parametrize("operation", ["answer_call", "hold_call", "retrieve_call"])
def test_call_control_on_an_unknown_call_or_a_device_outside_it_is_an_invalid_connection(
    pbx_simulator, operation
):
    client = client_for(pbx_simulator)
    try:
        call_id = client.make_call("1001", "1002")
        errors = []
        for target in (("999", "1002"), (call_id, "1003")):
            with pytest.raises(CstaServiceError) as error:
                getattr(client, operation)(*target)
            errors.append(error.value.value)
    finally:
        client.close()

    assert errors == ["invalidConnectionID", "invalidConnectionID"]


def test_a_stopped_monitor_gets_no_more_events(pbx_simulator):
    client = client_for(pbx_simulator)
    try:
        xref = client.monitor_start("1002")
        client.monitor_stop(xref)
        client.make_call("1001", "1002")
        assert client.next_event(0.1) is None
        with pytest.raises(CstaServiceError) as error:
            client.monitor_stop(xref)
    finally:
        client.close()

    assert error.value.value == "invalidCrossRefID"


def test_make_call_to_an_unknown_extension_is_refused(pbx_simulator):
    client = client_for(pbx_simulator)
    try:
        with pytest.raises(CstaServiceError) as error:
            client.make_call("1001", "9999")
    finally:
        client.close()

    assert error.value.value == "invalidCalledDevice"
    assert pbx_simulator.calls == {}


# --- shutdown ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["normal", "stall", "speak-http"])
def test_stop_closes_connected_clients_and_joins_its_threads_quickly(pbx_simulator_factory, mode):
    simulator = pbx_simulator_factory(mode=mode, auto_answer_after=30)
    client = CstaClient("127.0.0.1", simulator.port, timeout=1)
    client.connect()
    if mode == "normal":
        client.start_session("Tests", DEFAULT_USER, DEFAULT_PASSWORD)
        client.make_call("1001", "1002")  # leaves a pending auto-answer timer
    wait_until(lambda: simulator.open_connections, timeout=1, interval=0.01)

    started = time.monotonic()
    simulator.stop()

    assert time.monotonic() - started < 1
    assert simulator.open_connections == 0
    assert not [t for t in threading.enumerate() if t.name.startswith("pbx-sim")]
    with pytest.raises(CstaError) as error:
        client.start_session("Tests", DEFAULT_USER, DEFAULT_PASSWORD)
    assert error.value.code in {"connection_lost", "refused", "not_csta"}
    client.close()


def test_a_stopped_simulator_starts_again_on_the_same_port():
    simulator = PbxSimulator(port=0)
    with simulator:
        port = simulator.port
    with simulator:
        client = client_for(simulator)
        client.close()

    assert simulator.port == port


# --- manage.py pbx_simulator ----------------------------------------------------------------------


def test_the_command_serves_the_users_file_with_the_given_credentials_until_stopped(tmp_path):
    users = tmp_path / "users.csv"
    users.write_text(
        "extension,first_name,last_name,email\n7001,Ada,Lovelace,ada@example.com\n7002,Bob,Berg,\n",
        encoding="utf-8",
    )
    command, out = Command(), io.StringIO()
    errors = []

    def run():
        try:
            call_command(
                command,
                "--port=0",
                f"--users={users}",
                "--user=gw",
                "--password=pw",
                "--answer-after=-1",
                stdout=out,
            )
        except Exception as exc:  # surfaced by the assertion below
            errors.append(exc)

    thread = threading.Thread(target=run, name="pbx-command-test")
    thread.start()
    try:
        assert command.ready.wait(5), errors
        simulator = command.simulator
        with CstaClient("127.0.0.1", simulator.port, timeout=1) as client:
            client.start_session("Tests", "gw", "pw")
            snapshot = client.snapshot_device("7001")
            call_id = client.make_call("7001", "7002")
            client.answer_call(call_id, "7002")
            client.hold_call(call_id, "7001")
            on_hold = client.snapshot_device("7001")
            client.retrieve_call(call_id, "7001")
        assert simulator.auto_answer_after is None
    finally:
        command.stop.set()
        thread.join(5)

    assert not thread.is_alive() and not errors
    assert snapshot.device == "7001"
    assert on_hold.connections == (SnapshotConnection(call_id, "7001", "hold"),)
    output = out.getvalue()
    assert f"listening on 127.0.0.1:{simulator.port}" in output and "2 users" in output
    assert "stopped" in output


def test_the_command_refuses_a_bad_users_file(tmp_path):
    users = tmp_path / "users.csv"
    users.write_text("extension\nnot-a-number\n", encoding="utf-8")

    with pytest.raises(CommandError, match="must be digits"):
        call_command("pbx_simulator", "--port=0", f"--users={users}")
