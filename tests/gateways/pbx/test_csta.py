"""The CSTA client: framing, the message set, and every Connect error path, over real sockets on 127.0.0.1."""

import socket
import threading
import time

import pytest

from gateways.pbx import csta_xml as cx
from gateways.pbx.csta import (
    CstaClient,
    CstaError,
    CstaServiceError,
    DeliveredEvent,
    EstablishedEvent,
    check_connection,
)
from gateways.pbx.simulator import DEFAULT_PASSWORD, DEFAULT_USER
from tests.waiting import wait_until

CREDENTIALS = {"user": DEFAULT_USER, "password": DEFAULT_PASSWORD}


def session(client: CstaClient, **kwargs):
    return client.start_session("Tests", **{**CREDENTIALS, **kwargs})


# --- framing and messages (no socket) --------------------------------------------------------------


def test_frame_header_is_format_indicator_total_length_and_four_digit_invoke_id():
    body = b"<RequestSystemStatus/>"
    frame = cx.encode_frame(42, body)

    assert frame[:2] == b"\x00\x00"
    assert int.from_bytes(frame[2:4], "big") == 8 + len(body) == len(frame)
    assert frame[4:8] == b"0042"
    assert frame[8:] == body


def test_decoder_reassembles_fragmented_and_coalesced_frames():
    stream = cx.encode_frame(1, b"<a/>") + cx.encode_frame(cx.EVENT_INVOKE_ID, b"<b>x</b>")
    decoder = cx.FrameDecoder()

    frames = [frame for byte in stream[:-3] for frame in decoder.feed(bytes([byte]))]
    assert frames == [cx.Frame(1, b"<a/>")]
    assert decoder.feed(stream[-3:]) == [cx.Frame(9999, b"<b>x</b>")]
    assert decoder.pending == b""

    assert cx.FrameDecoder().feed(stream * 2) == [cx.Frame(1, b"<a/>"), cx.Frame(9999, b"<b>x</b>")] * 2


@pytest.mark.parametrize(
    "data",
    [
        b"HTTP/1.1 400 Bad Request\r\n",
        b"\x00\x00\x00\x0cAB12<a/>",  # invoke id not digits
        b"\x00\x00\x00\x080001",  # length leaves no room for a message
    ],
    ids=["http", "invoke-id", "length"],
)
def test_decoder_rejects_streams_that_are_not_csta_frames(data):
    with pytest.raises(cx.FramingError):
        cx.FrameDecoder().feed(data)


def test_encoder_refuses_what_the_16_bit_length_cannot_carry():
    with pytest.raises(ValueError, match="16-bit"):
        cx.encode_frame(1, b"x" * 65528)
    with pytest.raises(ValueError, match="four digits"):
        cx.encode_frame(10000, b"<a/>")


def test_parser_refuses_document_type_declarations():
    with pytest.raises(cx.MessageError, match="document type"):
        cx.parse(b'<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>')
    with pytest.raises(cx.MessageError, match="malformed"):
        cx.parse(b"<a><b></a>")


def test_session_start_request_uses_the_ecma_354_elements():
    message = cx.parse(
        cx.start_application_session(
            application_id="CloudLinkGateway",
            user="csta",
            password="s3cret",
            versions=[cx.CSTA_ED3, cx.CSTA_ED4],
            duration=120,
        )
    )

    assert (message.name, message.namespace) == ("StartApplicationSession", cx.NS_SESSION)
    assert message.text("applicationInfo", "applicationID") == "CloudLinkGateway"
    assert message.text("applicationInfo", "applicationSpecificInfo", "user") == "csta"
    assert message.text("applicationInfo", "applicationSpecificInfo", "password") == "s3cret"
    assert message.texts("requestedProtocolVersions", "protocolVersion") == [cx.CSTA_ED3, cx.CSTA_ED4]
    assert message.text("requestedSessionDuration") == "120"


@pytest.mark.parametrize(
    ("builder", "name", "element"),
    [
        (cx.answer_call, "AnswerCall", "callToBeAnswered"),
        (cx.hold_call, "HoldCall", "callToBeHeld"),
        (cx.retrieve_call, "RetrieveCall", "callToBeRetrieved"),
    ],
)
def test_call_control_requests_name_one_connection_with_the_ecma_323_elements(builder, name, element):
    message = cx.parse(builder(cx.CSTA_ED4, "7", "1002"))

    assert (message.name, message.namespace) == (name, cx.CSTA_ED4)
    assert (message.text(element, "callID"), message.text(element, "deviceID")) == ("7", "1002")


# --- a conversation with the simulator --------------------------------------------------------------


def test_session_negotiates_the_protocol_version_and_answers_typed_results(pbx_simulator):
    with CstaClient("127.0.0.1", pbx_simulator.port, timeout=1) as client:
        info = session(client)
        status = client.system_status()
        snapshot = client.snapshot_device("1001")

    assert info.protocol_version == cx.CSTA_ED3 and len(info.session_id) == 32
    assert info.session_duration == 180
    assert status.status == "normal"
    assert snapshot.device == "1001" and snapshot.connections == ()
    assert [name for _, name in pbx_simulator.received] == [
        "StartApplicationSession",
        "RequestSystemStatus",
        "SnapshotDevice",
        "StopApplicationSession",
    ]


@pytest.mark.parametrize(
    ("requested", "negotiated"),
    [("ed4", cx.CSTA_ED4), (["ed4", "ed3"], cx.CSTA_ED4), ([cx.CSTA_ED2, "ed3"], cx.CSTA_ED3)],
)
def test_the_switch_picks_the_first_offered_version_it_supports(pbx_simulator, requested, negotiated):
    with CstaClient("127.0.0.1", pbx_simulator.port, timeout=1) as client:
        info = session(client, protocol_version=requested)
        client.system_status()

    assert info.protocol_version == negotiated


def test_invoke_ids_are_four_digits_and_wrap_after_9998(pbx_simulator):
    with CstaClient("127.0.0.1", pbx_simulator.port, timeout=1) as client:
        client._next_invoke_id = 9997  # jump ahead rather than send ten thousand requests
        session(client)
        client.system_status()
        client.system_status()

    ids = [invoke_id for invoke_id, _ in pbx_simulator.received]
    assert ids == [9997, 9998, 1, 2]  # the last one is StopApplicationSession


def test_events_arriving_while_a_response_is_awaited_are_queued_in_order(pbx_simulator):
    with CstaClient("127.0.0.1", pbx_simulator.port, timeout=1) as client:
        session(client)
        xref = client.monitor_start("1002")
        call_id = client.make_call("1001", "1002")
        pbx_simulator.answer(call_id)  # the EstablishedEvent is on the wire before the next request

        assert client.system_status().status == "normal"
        events = [client.next_event(timeout=0), client.next_event(timeout=0)]
        assert client.next_event(timeout=0.05) is None

    assert [type(event) for event in events] == [DeliveredEvent, EstablishedEvent]
    assert {(event.monitor_xref, event.call_id) for event in events} == {(xref, call_id)}


def test_leaving_the_context_stops_the_session_and_closes_the_socket(pbx_simulator):
    with CstaClient("127.0.0.1", pbx_simulator.port, timeout=1) as client:
        session(client)
        assert pbx_simulator.open_connections == 1

    assert not client.connected and client.session is None
    assert pbx_simulator.received[-1][1] == "StopApplicationSession"
    assert wait_until(lambda: pbx_simulator.open_connections == 0, timeout=1, interval=0.01)


def test_check_connection_reports_each_step_and_the_negotiated_session(pbx_simulator):
    steps = []

    result = check_connection(
        "127.0.0.1", pbx_simulator.port, **CREDENTIALS, timeout=1, progress=steps.append
    )

    assert steps == ["connecting", "session", "status", "closing"]
    assert result.session.protocol_version == cx.CSTA_ED3 and result.status.status == "normal"
    assert [name for _, name in pbx_simulator.received][-1] == "StopApplicationSession"


def test_a_csta_error_answer_is_a_protocol_error_carrying_the_csta_code(pbx_simulator):
    with CstaClient("127.0.0.1", pbx_simulator.port, timeout=1) as client:
        session(client)
        with pytest.raises(CstaServiceError) as error:
            client.snapshot_device("4711")
        assert client.system_status().status == "normal"  # the session survives the refusal

    assert error.value.code == "protocol_error"
    assert (error.value.category, error.value.value) == ("operation", "invalidDeviceID")
    assert "SnapshotDevice" in str(error.value)


# --- the Connect step's error paths ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "code", "hint"),
    [
        ("refuse", "refused", "closed it"),
        ("stall", "timeout", "did not answer StartApplicationSession"),
        ("reject-credentials", "session_rejected", "user name and password"),
        ("speak-http", "not_csta", "does not speak CSTA: check that the port"),
        ("wrong-version", "version_mismatch", "protocol version"),
    ],
)
def test_every_misbehaving_pbx_gives_its_own_actionable_error(pbx_simulator_factory, mode, code, hint):
    simulator = pbx_simulator_factory(mode=mode)
    started = time.monotonic()

    with pytest.raises(CstaError) as error:
        check_connection("127.0.0.1", simulator.port, **CREDENTIALS, timeout=0.3)

    assert error.value.code == code
    assert hint in str(error.value)
    assert time.monotonic() - started < 1.5


def test_a_closed_port_is_refused(closed_port):
    with pytest.raises(CstaError) as error:
        check_connection("127.0.0.1", closed_port, **CREDENTIALS, timeout=0.5)

    assert error.value.code == "refused"
    assert "8882" in str(error.value)  # points at MX-ONE's CSTA port


def test_an_unknown_host_is_host_not_found():
    with pytest.raises(CstaError) as error:
        check_connection("pbx.invalid", 8882, **CREDENTIALS, timeout=0.5)

    assert error.value.code == "host_not_found"
    assert "pbx.invalid" in str(error.value)


def test_a_wrong_password_is_a_rejected_session_and_nothing_else_is_sent(pbx_simulator):
    with CstaClient("127.0.0.1", pbx_simulator.port, timeout=1) as client:
        with pytest.raises(CstaError) as error:
            client.start_session("Tests", DEFAULT_USER, "wrong")
        assert client.session is None

    assert error.value.code == "session_rejected" and error.value.detail == "invalidApplicationInfo"
    assert [name for _, name in pbx_simulator.received] == ["StartApplicationSession"]


def test_the_response_timeout_is_per_call(pbx_simulator_factory):
    simulator = pbx_simulator_factory(mode="stall")
    with CstaClient("127.0.0.1", simulator.port, timeout=5) as client:
        started = time.monotonic()
        with pytest.raises(CstaError) as error:
            session(client, timeout=0.2)
        elapsed = time.monotonic() - started

    assert error.value.code == "timeout"
    assert 0.2 <= elapsed < 1


# --- peers the simulator would never be: scripted over a real socket ---------------------------------


class ScriptedPeer:
    """Accepts one connection and plays `script(peer)` on it in a thread."""

    def __init__(self, script):
        self.script = script
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.decoder = cx.FrameDecoder()
        self.conn: socket.socket | None = None
        self.received: list[tuple[int, str]] = []
        self.thread = threading.Thread(target=self._run, name="scripted-peer", daemon=True)
        self.thread.start()

    def _run(self):
        self.listener.settimeout(2)
        try:
            self.conn, _ = self.listener.accept()
        except OSError:
            return
        with self.conn:
            self.conn.settimeout(2)
            self.script(self)
            self.conn.shutdown(socket.SHUT_WR)
            while self.conn.recv(4096):  # until the client closes
                pass

    def read(self) -> tuple[int, cx.Message]:
        frames: list[cx.Frame] = []
        while not frames:
            frames = self.decoder.feed(self.conn.recv(65536))
        frame = frames[0]
        message = cx.parse(frame.body)
        self.received.append((frame.invoke_id, message.name))
        return frame.invoke_id, message

    def send(self, invoke_id: int, body: bytes) -> None:
        self.conn.sendall(cx.encode_frame(invoke_id, body))

    def accept_session(self) -> None:
        invoke_id, _ = self.read()
        self.send(
            invoke_id, cx.start_application_session_pos(session_id="s1", version=cx.CSTA_ED3, duration=60)
        )

    def close(self):
        self.listener.close()
        self.thread.join(timeout=5)


@pytest.fixture
def scripted_peer():
    peers = []

    def start(script) -> ScriptedPeer:
        peer = ScriptedPeer(script)
        peers.append(peer)
        return peer

    yield start
    for peer in peers:
        peer.close()
        assert not peer.thread.is_alive()


def test_a_peer_that_answers_with_another_protocol_is_not_csta(scripted_peer):
    peer = scripted_peer(lambda peer: peer.conn.sendall(b"SSH-2.0-OpenSSH_9.6\r\n"))

    with pytest.raises(CstaError) as error, CstaClient("127.0.0.1", peer.port, timeout=1) as client:
        session(client)

    assert error.value.code == "not_csta" and "SSH" not in str(error.value) + error.value.detail


def test_a_framed_answer_in_a_foreign_xml_vocabulary_is_not_csta(scripted_peer):
    def script(peer):
        invoke_id, _ = peer.read()
        peer.send(invoke_id, b'<Envelope xmlns="http://schemas.xmlsoap.org/soap/envelope/"/>')

    peer = scripted_peer(script)
    with pytest.raises(CstaError) as error, CstaClient("127.0.0.1", peer.port, timeout=1) as client:
        session(client)

    assert error.value.code == "not_csta"


def test_malformed_xml_after_the_session_started_is_a_protocol_error(scripted_peer):
    def script(peer):
        peer.accept_session()
        invoke_id, _ = peer.read()
        peer.send(invoke_id, b"<RequestSystemStatusResponse><systemStatus>")

    peer = scripted_peer(script)
    with CstaClient("127.0.0.1", peer.port, timeout=1) as client:
        session(client)
        with pytest.raises(CstaError) as error:
            client.system_status()

    assert error.value.code == "protocol_error" and "malformed" in str(error.value)


def test_an_unexpected_answer_is_a_protocol_error(scripted_peer):
    def script(peer):
        peer.accept_session()
        invoke_id, _ = peer.read()
        peer.send(invoke_id, cx.monitor_stop_response(cx.CSTA_ED3))

    peer = scripted_peer(script)
    with CstaClient("127.0.0.1", peer.port, timeout=1) as client:
        session(client)
        with pytest.raises(CstaError) as error:
            client.system_status()

    assert error.value.code == "protocol_error" and error.value.detail == "MonitorStopResponse"


def test_answers_are_matched_by_invoke_id_and_the_switch_heartbeat_is_acknowledged(scripted_peer):
    def script(peer):
        peer.accept_session()
        invoke_id, _ = peer.read()
        peer.send(invoke_id - 1, cx.request_system_status_response(cx.CSTA_ED3, "disabled"))  # stale
        peer.send(4711, cx.build("SystemStatus", [("systemStatus", "normal")], namespace=cx.CSTA_ED3))
        peer.send(invoke_id, cx.request_system_status_response(cx.CSTA_ED3, "normal"))
        peer.read()  # the heartbeat's acknowledgement

    peer = scripted_peer(script)
    with CstaClient("127.0.0.1", peer.port, timeout=1) as client:
        session(client)
        status = client.system_status()
        client.close()
    peer.thread.join(timeout=2)

    assert status.status == "normal"
    assert (4711, "SystemStatusResponse") in peer.received


def test_a_peer_closing_mid_session_is_a_lost_connection(scripted_peer):
    peer = scripted_peer(lambda peer: peer.accept_session())

    with CstaClient("127.0.0.1", peer.port, timeout=1) as client:
        session(client)
        with pytest.raises(CstaError) as error:
            client.system_status()
        assert not client.connected

    assert error.value.code == "connection_lost"
