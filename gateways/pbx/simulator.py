"""A PBX that answers CSTA Phase III XML over TCP like an MX-ONE CSTA server, for tests and demos.

    sim = PbxSimulator(port=0, users=load_users("users.csv"))
    port = sim.start()          # listens on 127.0.0.1:<port>, one thread per connection
    ...                         # gateways.pbx.csta.CstaClient("127.0.0.1", port) talks to it
    sim.answer(call_id)         # the called extension picks up: EstablishedEvent
    sim.clear(call_id)          # a party hangs up: ConnectionClearedEvent
    sim.hold(call_id, device)   # a party puts the call on hold: HeldEvent (retrieve(): RetrievedEvent)
    sim.stop()                  # closes every socket and joins every thread

It implements the application session (ECMA-354: start with credentials and protocol-version negotiation,
stop), RequestSystemStatus (and acknowledges SystemStatus), SnapshotDevice, MonitorStart/MonitorStop,
MakeCall, ClearConnection and the call control the Media API uses (AnswerCall, HoldCall, RetrieveCall), with
DeliveredEvent / EstablishedEvent / ConnectionClearedEvent / HeldEvent / RetrievedEvent sent to the monitors
of the devices in the call. `mode` makes it misbehave the ways the Connect step must report:
refuse, stall, reject-credentials, speak-http, wrong-version. `manage.py pbx_simulator` runs one.
"""

from __future__ import annotations

import contextlib
import csv
import enum
import itertools
import json
import logging
import select
import socket
import ssl
import threading
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from gateways.pbx import csta_xml as cx

logger = logging.getLogger(__name__)

DEFAULT_USER = "cloudlink"
DEFAULT_PASSWORD = "cloudlink"
SUPPORTED_PROTOCOL_VERSIONS = (cx.CSTA_ED3, cx.CSTA_ED4)
# What the wrong-version mode speaks instead: only the old ECMA-323 2nd edition.
WRONG_VERSION_PROTOCOL_VERSIONS = (cx.CSTA_ED2,)
MAX_SESSION_DURATION = 3600
HTTP_ANSWER = (
    b"HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: 12\r\n"
    b"Connection: close\r\n\r\nBad Request\n"
)


class Mode(enum.StrEnum):
    NORMAL = "normal"
    REFUSE = "refuse"  # accepts, then closes at once without a byte
    STALL = "stall"  # accepts and reads, never answers
    REJECT_CREDENTIALS = "reject-credentials"  # every session start: invalidApplicationInfo
    SPEAK_HTTP = "speak-http"  # answers the first bytes with an HTTP 400 and closes
    WRONG_VERSION = "wrong-version"  # supports only ECMA-323 ed2: requestedProtocolVersionNotSupported


# --- PBX users --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PbxUser:
    extension: str
    first_name: str = ""
    last_name: str = ""
    email: str = ""


DEMO_USERS = (
    PbxUser("1001", "Alice", "Andersson", "alice.andersson@example.com"),
    PbxUser("1002", "Bob", "Berg", "bob.berg@example.com"),
    PbxUser("1003", "Carin", "Carlsson", "carin.carlsson@example.com"),
    PbxUser("1004", "David", "Dahl", "david.dahl@example.com"),
    PbxUser("1005", "Eva", "Ek", "eva.ek@example.com"),
)
USER_FIELDS = ("extension", "first_name", "last_name", "email")


class UsersFileError(ValueError):
    pass


def load_users(path: str | Path) -> list[PbxUser]:
    """PBX users from a CSV file (header row with extension,first_name,last_name,email) or a JSON file
    (a list of objects with those keys, or {"users": [...]}). Extensions must be digits and unique."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise UsersFileError(f"cannot read {path}: {exc.strerror or exc}") from None
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise UsersFileError(f"{path} is not valid JSON: {exc}") from None
        rows = data.get("users") if isinstance(data, dict) else data
        if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
            raise UsersFileError(f'{path}: expected a list of user objects or {{"users": [...]}}')
    else:
        reader = csv.DictReader(text.splitlines())
        if not reader.fieldnames or "extension" not in [name.strip() for name in reader.fieldnames]:
            raise UsersFileError(f"{path}: the CSV needs a header row with {', '.join(USER_FIELDS)}")
        rows = [{(key or "").strip(): value for key, value in row.items()} for row in reader]
    return users_from_rows(rows, source=str(path))


def users_from_rows(rows: Iterable[dict], *, source: str = "users") -> list[PbxUser]:
    users: list[PbxUser] = []
    seen: set[str] = set()
    for number, row in enumerate(rows, start=1):
        values = {name: str(row.get(name) or "").strip() for name in USER_FIELDS}
        extension = values["extension"]
        if not extension.isdigit():
            raise UsersFileError(f"{source}, user {number}: extension {extension!r} must be digits")
        if extension in seen:
            raise UsersFileError(f"{source}, user {number}: extension {extension} appears twice")
        seen.add(extension)
        users.append(PbxUser(**values))
    return users


# --- state --------------------------------------------------------------------------------------------


@dataclass
class SimulatedCall:
    call_id: str
    calling: str
    called: str  # "" while the calling handset is off-hook and has not dialled
    state: str = "alerting"  # (initiated ->) alerting -> connected -> cleared
    held: set[str] = field(default_factory=set)  # devices that put their connection on hold
    parties: list[str] = field(default_factory=list)  # devices with a connection (3+ in a conference)

    def __post_init__(self) -> None:
        if not self.parties:
            self.parties = [device for device in (self.calling, self.called) if device]

    def other_party(self, device: str) -> str:
        return next((party for party in self.parties if party != device), "")


@dataclass
class _Connection:
    sock: socket.socket
    peer: str
    namespace: str = cx.CSTA_ED3
    session_id: str | None = None
    monitors: dict[str, str] = field(default_factory=dict)  # cross-reference id -> device
    send_lock: threading.Lock = field(default_factory=threading.Lock)

    def send(self, invoke_id: int, body: bytes) -> None:
        with self.send_lock:
            try:
                self.sock.sendall(cx.encode_frame(invoke_id, body))
            except OSError:
                logger.debug("pbx simulator: %s went away while sending", self.peer)


class PbxSimulator:
    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        mode: Mode | str = Mode.NORMAL,
        users: Iterable[PbxUser] | None = None,
        user: str = DEFAULT_USER,
        password: str = DEFAULT_PASSWORD,
        auto_answer_after: float | None = None,
        tls_context: ssl.SSLContext | None = None,
        forks: dict[str, list[str]] | None = None,
        no_answer_after: float | None = None,
    ):
        self.host = host
        self.tls_context = tls_context  # a server context: CSTA over TLS, as MX-ONE on 8883
        self.port = port
        self.mode = Mode(mode)
        self.user = user
        self.password = password
        self.auto_answer_after = auto_answer_after
        # Ring time before forward-on-no-answer diverts a call (None: only ring_timeout() does it).
        self.no_answer_after = no_answer_after
        self._users = {u.extension: u for u in (DEMO_USERS if users is None else users)}
        # Forking: a directory number's further terminals ring with it; answering one clears the others.
        self.forks = {number: list(terminals) for number, terminals in (forks or {}).items()}
        self._devices = set(self._users) | {t for terminals in self.forks.values() for t in terminals}
        self._lock = threading.RLock()
        # Held while a call changes state and its events go out, so the events of one call never overtake
        # each other (answer() from a test waits until MakeCall's DeliveredEvent is on the wire).
        self._call_lock = threading.RLock()
        self._stopping = threading.Event()
        self._listener: socket.socket | None = None
        self._accept_thread: threading.Thread | None = None
        self._threads: list[threading.Thread] = []
        self._timers: list[threading.Timer] = []
        self._connections: list[_Connection] = []
        self._calls: dict[str, SimulatedCall] = {}
        self._xref_ids = itertools.count(1)
        self._call_ids = itertools.count(1)
        self.received: list[tuple[int, str]] = []  # (invoke id, request name), in arrival order
        self.dnd: set[str] = set()  # devices with do not disturb on
        self.message_waiting: set[str] = set()  # devices whose message waiting lamp is on
        self.forwarding: dict[str, dict[str, str]] = {}  # device -> forwarding type -> destination

    # -- lifecycle -----------------------------------------------------------------------------------

    @property
    def users(self) -> list[PbxUser]:
        return list(self._users.values())

    @property
    def calls(self) -> dict[str, SimulatedCall]:
        with self._lock:
            return dict(self._calls)

    @property
    def open_connections(self) -> int:
        with self._lock:
            return len(self._connections)

    def start(self) -> int:
        """Listen and serve in background threads; returns the bound port."""
        if self._listener is not None:
            return self.port
        self._stopping.clear()
        self._listener = socket.create_server((self.host, self.port))
        self.port = self._listener.getsockname()[1]
        self._accept_thread = threading.Thread(
            target=self._accept_loop, name=f"pbx-sim-accept-{self.port}", daemon=True
        )
        self._accept_thread.start()
        logger.info("pbx simulator listening on %s:%s (mode %s)", self.host, self.port, self.mode)
        return self.port

    def stop(self) -> None:
        """Close the listener and every connection, cancel timers, join every thread."""
        self._stopping.set()
        if self._accept_thread is not None:
            self._accept_thread.join(timeout=5)
            self._accept_thread = None
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        with self._lock:
            timers, self._timers = self._timers, []
            connections = list(self._connections)
        for timer in timers:
            timer.cancel()
        for connection in connections:
            # Wakes the connection's thread out of recv(); the thread closes its socket itself.
            with contextlib.suppress(OSError):
                connection.sock.shutdown(socket.SHUT_RDWR)
        current = threading.current_thread()
        for thread in [*self._threads, *timers]:
            if thread is not current and thread.ident is not None:
                thread.join(timeout=5)
        self._threads = [t for t in self._threads if t.is_alive()]

    def drop_connections(self) -> None:
        """Close every client connection (a PBX restart as the clients see it); keeps listening."""
        with self._lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.sock.shutdown(socket.SHUT_RDWR)

    def __enter__(self) -> PbxSimulator:
        self.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def _spawn(self, target, name: str, *args) -> None:
        thread = threading.Thread(target=target, args=args, name=name, daemon=True)
        self._threads = [t for t in self._threads if t.is_alive()]
        self._threads.append(thread)
        thread.start()

    def _accept_loop(self) -> None:
        listener = self._listener
        assert listener is not None
        while not self._stopping.is_set():
            ready, _, _ = select.select([listener], [], [], 0.05)
            if not ready or self._stopping.is_set():
                continue
            try:
                sock, address = listener.accept()
            except OSError:
                continue
            peer = f"{address[0]}:{address[1]}"
            # A switch answers, then sends events at once: without this, Nagle holds each event until the
            # client's delayed ACK of the answer (~40 ms on Linux).
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if self.mode is Mode.REFUSE:
                logger.info("pbx simulator (refuse): closing %s", peer)
                _shutdown(sock)
                continue
            connection = _Connection(sock, peer)
            with self._lock:
                self._connections.append(connection)
            self._spawn(self._serve, f"pbx-sim-conn-{peer}", connection)

    def _serve(self, connection: _Connection) -> None:
        try:
            if self.mode is Mode.SPEAK_HTTP:
                connection.sock.settimeout(2)
                try:
                    connection.sock.recv(4096)
                    connection.sock.sendall(HTTP_ANSWER)
                except OSError:
                    pass
                return
            if self.tls_context is not None:
                connection.sock.settimeout(5)
                try:
                    connection.sock = self.tls_context.wrap_socket(connection.sock, server_side=True)
                except (ssl.SSLError, OSError) as exc:
                    logger.info("pbx simulator: TLS handshake with %s failed (%s)", connection.peer, exc)
                    return
                connection.sock.settimeout(None)
            decoder = cx.FrameDecoder()
            while not self._stopping.is_set():
                try:
                    data = connection.sock.recv(65536)
                except OSError:
                    return
                if not data:
                    return
                if self.mode is Mode.STALL:
                    continue
                try:
                    frames = decoder.feed(data)
                except cx.FramingError as exc:
                    logger.info("pbx simulator: %s broke the framing (%s); closing", connection.peer, exc)
                    return
                for frame in frames:
                    self._handle(connection, frame)
        finally:
            with self._lock:
                if connection in self._connections:
                    self._connections.remove(connection)
            _shutdown(connection.sock)

    # -- requests ------------------------------------------------------------------------------------

    def _handle(self, connection: _Connection, frame: cx.Frame) -> None:
        ns = connection.namespace
        try:
            message = cx.parse(frame.body)
        except cx.MessageError:
            connection.send(frame.invoke_id, cx.csta_error(ns, "operation", "generic"))
            return
        with self._lock:
            self.received.append((frame.invoke_id, message.name))
        if message.name == "StartApplicationSession":
            connection.send(frame.invoke_id, self._start_session(connection, message))
            return
        if message.name == "StopApplicationSession":
            connection.session_id = None
            connection.send(frame.invoke_id, cx.stop_application_session_pos())
            return
        if message.name in ("SystemStatusResponse",) or message.is_event:
            return  # acknowledgements need no answer
        if connection.session_id is None:
            connection.send(frame.invoke_id, cx.csta_error(ns, "operation", "securityViolation"))
            return
        handler = getattr(self, f"_on_{message.name}", None)
        if handler is None:
            connection.send(frame.invoke_id, cx.csta_error(ns, "operation", "generic"))
            return
        handler(connection, frame.invoke_id, message)

    def _start_session(self, connection: _Connection, message: cx.Message) -> bytes:
        requested = message.texts("requestedProtocolVersions", "protocolVersion")
        supported = (
            WRONG_VERSION_PROTOCOL_VERSIONS
            if self.mode is Mode.WRONG_VERSION
            else SUPPORTED_PROTOCOL_VERSIONS
        )
        version = next((v for v in requested if v in supported), None)
        if version is None:
            return cx.start_application_session_neg("requestedProtocolVersionNotSupported")
        user = message.text("applicationInfo", "applicationSpecificInfo", "user")
        password = message.text("applicationInfo", "applicationSpecificInfo", "password")
        if self.mode is Mode.REJECT_CREDENTIALS or (user, password) != (self.user, self.password):
            logger.info("pbx simulator: session refused for %r from %s", user, connection.peer)
            return cx.start_application_session_neg("invalidApplicationInfo")
        duration_text = message.text("requestedSessionDuration")
        duration = min(int(duration_text), MAX_SESSION_DURATION) if duration_text.isdigit() else 180
        connection.session_id = uuid.uuid4().hex
        connection.namespace = version
        return cx.start_application_session_pos(
            session_id=connection.session_id, version=version, duration=duration
        )

    def _on_RequestSystemStatus(self, connection: _Connection, invoke_id: int, message: cx.Message) -> None:
        connection.send(invoke_id, cx.request_system_status_response(connection.namespace, "normal"))

    def _on_SystemStatus(self, connection: _Connection, invoke_id: int, message: cx.Message) -> None:
        connection.send(invoke_id, cx.system_status_response(connection.namespace))

    def _on_SnapshotDevice(self, connection: _Connection, invoke_id: int, message: cx.Message) -> None:
        device = message.text("snapshotObject")
        if device not in self._devices:
            connection.send(invoke_id, cx.csta_error(connection.namespace, "operation", "invalidDeviceID"))
            return
        with self._lock:
            entries = [
                (call.call_id, device, _local_state(call, device))
                for call in self._calls.values()
                if device in call.parties
            ]
        connection.send(invoke_id, cx.snapshot_device_response(connection.namespace, entries))

    def _on_MonitorStart(self, connection: _Connection, invoke_id: int, message: cx.Message) -> None:
        device = message.text("monitorObject", "deviceObject")
        if device not in self._devices:
            connection.send(invoke_id, cx.csta_error(connection.namespace, "operation", "invalidDeviceID"))
            return
        with self._lock:
            xref = str(next(self._xref_ids))
            connection.monitors[xref] = device
        connection.send(invoke_id, cx.monitor_start_response(connection.namespace, xref))

    def _on_MonitorStop(self, connection: _Connection, invoke_id: int, message: cx.Message) -> None:
        xref = message.text("monitorCrossRefID")
        with self._lock:
            known = connection.monitors.pop(xref, None) is not None
        if not known:
            connection.send(invoke_id, cx.csta_error(connection.namespace, "operation", "invalidCrossRefID"))
            return
        connection.send(invoke_id, cx.monitor_stop_response(connection.namespace))

    def _on_MakeCall(self, connection: _Connection, invoke_id: int, message: cx.Message) -> None:
        calling = message.text("callingDevice")
        called = message.text("calledDirectoryNumber")
        ns = connection.namespace
        if calling not in self._users:
            connection.send(invoke_id, cx.csta_error(ns, "operation", "invalidCallingDevice"))
            return
        if called not in self._users:
            connection.send(invoke_id, cx.csta_error(ns, "operation", "invalidCalledDevice"))
            return
        with self._call_lock:
            call = self._new_call(calling, called)
            connection.send(
                invoke_id, cx.make_call_response(ns, call_id=call.call_id, calling=calling, called=called)
            )
            self._initiated(call)
            self._originated(call)

    def _on_ClearConnection(self, connection: _Connection, invoke_id: int, message: cx.Message) -> None:
        call_id = message.text("connectionToBeCleared", "callID")
        device = message.text("connectionToBeCleared", "deviceID")
        with self._lock:
            call = self._calls.get(call_id)
        if call is None or device not in call.parties:
            connection.send(
                invoke_id, cx.csta_error(connection.namespace, "operation", "invalidConnectionID")
            )
            return
        connection.send(invoke_id, cx.clear_connection_response(connection.namespace))
        self.clear(call_id, releasing=device)

    def _connection_of(self, connection: _Connection, invoke_id: int, message: cx.Message, element: str):
        """The call and device a call-control request names (`element`/callID, deviceID), or (None, "")
        after answering invalidConnectionID."""
        call_id = message.text(element, "callID")
        device = message.text(element, "deviceID")
        with self._lock:
            call = self._calls.get(call_id)
        if call is None or device not in call.parties:
            connection.send(
                invoke_id, cx.csta_error(connection.namespace, "operation", "invalidConnectionID")
            )
            return None, ""
        return call, device

    def _on_AnswerCall(self, connection: _Connection, invoke_id: int, message: cx.Message) -> None:
        call, device = self._connection_of(connection, invoke_id, message, "callToBeAnswered")
        if call is None:
            return
        with self._call_lock:
            if device == call.calling or call.state != "alerting":
                connection.send(
                    invoke_id, cx.csta_error(connection.namespace, "operation", "invalidObjectState")
                )
                return
            connection.send(invoke_id, cx.answer_call_response(connection.namespace))
            self.answer(call.call_id, device)

    def _on_HoldCall(self, connection: _Connection, invoke_id: int, message: cx.Message) -> None:
        call, device = self._connection_of(connection, invoke_id, message, "callToBeHeld")
        if call is None:
            return
        with self._call_lock:
            if call.state != "connected" or device in call.held:
                connection.send(
                    invoke_id, cx.csta_error(connection.namespace, "operation", "invalidObjectState")
                )
                return
            connection.send(invoke_id, cx.hold_call_response(connection.namespace))
            self.hold(call.call_id, device)

    def _on_RetrieveCall(self, connection: _Connection, invoke_id: int, message: cx.Message) -> None:
        call, device = self._connection_of(connection, invoke_id, message, "callToBeRetrieved")
        if call is None:
            return
        with self._call_lock:
            if device not in call.held:
                connection.send(
                    invoke_id, cx.csta_error(connection.namespace, "operation", "invalidObjectState")
                )
                return
            connection.send(invoke_id, cx.retrieve_call_response(connection.namespace))
            self.retrieve(call.call_id, device)

    # -- device features: do not disturb, message waiting, forwarding (ECMA-269 clause 22) ----------

    def _feature_device(self, connection: _Connection, invoke_id: int, message: cx.Message) -> str:
        device = message.text("device")
        if device not in self._users:
            self._refuse(connection, invoke_id, "invalidDeviceID")
            return ""
        return device

    def _on_SetDoNotDisturb(self, connection: _Connection, invoke_id: int, message: cx.Message) -> None:
        if device := self._feature_device(connection, invoke_id, message):
            connection.send(invoke_id, cx.empty_response(connection.namespace, "SetDoNotDisturbResponse"))
            self.set_dnd(device, message.text("doNotDisturbOn") == "true")

    def _on_GetDoNotDisturb(self, connection: _Connection, invoke_id: int, message: cx.Message) -> None:
        if device := self._feature_device(connection, invoke_id, message):
            connection.send(
                invoke_id, cx.get_do_not_disturb_response(connection.namespace, device in self.dnd)
            )

    def _on_SetMessageWaitingIndicator(
        self, connection: _Connection, invoke_id: int, message: cx.Message
    ) -> None:
        if device := self._feature_device(connection, invoke_id, message):
            connection.send(
                invoke_id, cx.empty_response(connection.namespace, "SetMessageWaitingIndicatorResponse")
            )
            self.set_message_waiting(device, message.text("messageWaitingOn") == "true")

    def _on_GetMessageWaitingIndicator(
        self, connection: _Connection, invoke_id: int, message: cx.Message
    ) -> None:
        if device := self._feature_device(connection, invoke_id, message):
            on = device in self.message_waiting
            connection.send(invoke_id, cx.get_message_waiting_indicator_response(connection.namespace, on))

    def _on_SetForwarding(self, connection: _Connection, invoke_id: int, message: cx.Message) -> None:
        device = self._feature_device(connection, invoke_id, message)
        if not device:
            return
        kind, on, destination = (
            message.text("forwardingType"),
            message.text("activateForward") == "true",
            message.text("forwardDN"),
        )
        if kind not in cx.FORWARDING_TYPES or (on and destination not in self._users):
            self._refuse(
                connection, invoke_id, "invalidForwardingDestination" if on else "invalidForwardingType"
            )
            return
        connection.send(invoke_id, cx.empty_response(connection.namespace, "SetForwardingResponse"))
        self.set_forwarding(device, kind, destination if on else "")

    def _on_GetForwarding(self, connection: _Connection, invoke_id: int, message: cx.Message) -> None:
        if device := self._feature_device(connection, invoke_id, message):
            forwards = [(kind, True, dn) for kind, dn in sorted(self.forwarding.get(device, {}).items())]
            connection.send(invoke_id, cx.get_forwarding_response(connection.namespace, forwards))

    def set_dnd(self, device: str, on: bool) -> None:
        """The handset's DND key (or SetDoNotDisturb): DoNotDisturbEvent to the device's monitors."""
        with self._lock:
            (self.dnd.add if on else self.dnd.discard)(device)
        self._device_event(device, "DoNotDisturbEvent", [("doNotDisturbOn", "true" if on else "false")])

    def set_message_waiting(self, device: str, on: bool) -> None:
        with self._lock:
            (self.message_waiting.add if on else self.message_waiting.discard)(device)
        self._device_event(device, "MessageWaitingEvent", [("messageWaitingOn", "true" if on else "false")])

    def set_forwarding(self, device: str, kind: str, destination: str) -> None:
        """Forward ``kind`` calls of ``device`` to ``destination`` ("" switches that forwarding off)."""
        with self._lock:
            forwards = self.forwarding.setdefault(device, {})
            if destination:
                forwards[kind] = destination
            else:
                forwards.pop(kind, None)
        self._device_event(
            device,
            "ForwardingEvent",
            [
                ("forwardingType", kind),
                ("forwardStatus", "true" if destination else "false"),
                ("forwardTo", destination or None),
            ],
        )

    def _device_event(self, device: str, name: str, values) -> None:
        with self._lock:
            targets = [
                (connection, xref)
                for connection in self._connections
                for xref, monitored in connection.monitors.items()
                if monitored == device
            ]
        for connection, xref in targets:
            connection.send(
                cx.EVENT_INVOKE_ID,
                cx.feature_event(connection.namespace, name, xref=xref, device=device, values=values),
            )

    # -- transfer, consultation, conference (ECMA-269 clause 17) -------------------------------------

    def _refuse(self, connection: _Connection, invoke_id: int, value: str) -> None:
        connection.send(invoke_id, cx.csta_error(connection.namespace, "operation", value))

    def _on_SingleStepTransferCall(
        self, connection: _Connection, invoke_id: int, message: cx.Message
    ) -> None:
        call, device = self._connection_of(connection, invoke_id, message, "activeCall")
        if call is None:
            return
        target = message.text("transferredTo")
        if target not in self._users:
            self._refuse(connection, invoke_id, "invalidDestination")
            return
        with self._call_lock:
            if call.state != "connected" or len(call.parties) != 2 or target in call.parties:
                self._refuse(connection, invoke_id, "invalidObjectState")
                return
            remaining = call.other_party(device)
            with self._lock:
                before = set(call.parties)
                call.parties = [remaining, target]
                call.calling, call.called, call.state = remaining, target, "alerting"
                call.held.clear()
            connection.send(
                invoke_id,
                cx.single_step_transfer_call_response(
                    connection.namespace, call_id=call.call_id, device=remaining
                ),
            )
            self._notify(
                call,
                lambda ns, xref, monitored: cx.transferred_event(
                    ns,
                    xref=xref,
                    primary_call=call.call_id,
                    secondary_call=None,
                    transferring=device,
                    transferred_to=target,
                    moves=[(remaining, call.call_id, call.call_id)],
                    local_state=_local_state(call, monitored),
                    cause="singleStepTransfer",
                ),
                devices=before,
            )
            self._delivered(call, "singleStepTransfer")

    def _on_ConsultationCall(self, connection: _Connection, invoke_id: int, message: cx.Message) -> None:
        call, device = self._connection_of(connection, invoke_id, message, "existingCall")
        if call is None:
            return
        consulted = message.text("consultedDevice")
        if consulted not in self._users:
            self._refuse(connection, invoke_id, "invalidCalledDevice")
            return
        with self._call_lock:
            if call.state != "connected" or device in call.held or consulted in call.parties:
                self._refuse(connection, invoke_id, "invalidObjectState")
                return
            consultation = self._new_call(device, consulted)
            connection.send(
                invoke_id,
                cx.consultation_call_response(
                    connection.namespace, call_id=consultation.call_id, device=device
                ),
            )
            self.hold(call.call_id, device)
            self._initiated(consultation, cause="consultation")
            self._originated(consultation, cause="consultation")

    def _two_calls(self, connection: _Connection, invoke_id: int, message: cx.Message):
        """The held and the active call a TransferCall / ConferenceCall / AlternateCall names (same device,
        the held call held by it), or (None, None, "") after answering with an error."""
        held, device = self._connection_of(connection, invoke_id, message, "heldCall")
        if held is None:
            return None, None, ""
        active, active_device = self._connection_of(connection, invoke_id, message, "activeCall")
        if active is None:
            return None, None, ""
        if active_device != device or device not in held.held or device in active.held or held is active:
            self._refuse(connection, invoke_id, "invalidObjectState")
            return None, None, ""
        return held, active, device

    def _on_TransferCall(self, connection: _Connection, invoke_id: int, message: cx.Message) -> None:
        with self._call_lock:
            held, active, device = self._two_calls(connection, invoke_id, message)
            if held is None:
                return
            if len(held.parties) != 2 or len(active.parties) != 2 or active.state == "initiated":
                self._refuse(connection, invoke_id, "invalidObjectState")
                return
            remaining, consulted = held.other_party(device), active.other_party(device)
            with self._lock:
                del self._calls[active.call_id]
                held.parties = [remaining, consulted]
                held.calling, held.called, held.state = remaining, consulted, active.state
                held.held.clear()
            connection.send(
                invoke_id,
                cx.transfer_call_response(connection.namespace, call_id=held.call_id, device=consulted),
            )
            self._notify(
                held,
                lambda ns, xref, monitored: cx.transferred_event(
                    ns,
                    xref=xref,
                    primary_call=held.call_id,
                    secondary_call=active.call_id,
                    transferring=device,
                    transferred_to=consulted,
                    moves=[
                        (remaining, held.call_id, held.call_id),
                        (consulted, active.call_id, held.call_id),
                    ],
                    local_state=_local_state(held, monitored),
                    cause="transfer",
                ),
                devices={device, remaining, consulted},
            )
        if held.state == "alerting" and self.auto_answer_after is not None:
            self._schedule(self.auto_answer_after, self._auto_answer, held.call_id)

    def _on_ConferenceCall(self, connection: _Connection, invoke_id: int, message: cx.Message) -> None:
        with self._call_lock:
            held, active, device = self._two_calls(connection, invoke_id, message)
            if held is None:
                return
            if active.state != "connected" or len(active.parties) != 2:
                self._refuse(connection, invoke_id, "invalidObjectState")
                return
            added = active.other_party(device)
            with self._lock:
                del self._calls[active.call_id]
                held.parties.append(added)
                held.held.discard(device)
            connection.send(
                invoke_id,
                cx.conference_call_response(connection.namespace, call_id=held.call_id, device=device),
            )
            self._notify(
                held,
                lambda ns, xref, monitored: cx.conferenced_event(
                    ns,
                    xref=xref,
                    primary_call=held.call_id,
                    secondary_call=active.call_id,
                    conferencing=device,
                    added=added,
                    moves=[(device, active.call_id, held.call_id), (added, active.call_id, held.call_id)],
                    local_state=_local_state(held, monitored),
                ),
            )

    def _on_AlternateCall(self, connection: _Connection, invoke_id: int, message: cx.Message) -> None:
        with self._call_lock:
            held, active, device = self._two_calls(connection, invoke_id, message)
            if held is None:
                return
            if active.state != "connected":
                self._refuse(connection, invoke_id, "invalidObjectState")
                return
            connection.send(invoke_id, cx.alternate_call_response(connection.namespace))
            self.hold(active.call_id, device)
            self.retrieve(held.call_id, device)

    # -- the phones ----------------------------------------------------------------------------------

    def answer(self, call_id: str, device: str | None = None) -> None:
        """The called extension answers: EstablishedEvent to the monitors of both parties. ``call_id`` may
        also be an extension or terminal (a handset picking up the call ringing on it). On a forked number
        the other terminals stop ringing first (ConnectionClearedEvent, cause ``callPickup``)."""
        with self._call_lock:
            with self._lock:
                call = self._calls.get(call_id)
                if call is None:
                    call, device = self._alerting_at(call_id), call_id
                if call.state != "alerting":
                    return
                answering = device or call.called
                others = [p for p in call.parties if p not in (call.calling, answering)]
            for terminal in others:
                self._stop_ringing(call, terminal)
            with self._lock:
                call.called, call.state = answering, "connected"
            self._answered(call)

    def _stop_ringing(self, call: SimulatedCall, terminal: str) -> None:
        with self._lock:
            watching = set(call.parties)
            call.parties.remove(terminal)
        self._notify(
            call,
            lambda ns, xref, monitored: cx.connection_cleared_event(
                ns,
                xref=xref,
                call_id=call.call_id,
                dropped=terminal,
                releasing=terminal,
                local_state=_local_state(call, monitored),
                cause="callPickup",
            ),
            devices=watching,
        )

    def _alerting_at(self, extension: str) -> SimulatedCall:
        for call in self._calls.values():
            if extension in call.parties and extension != call.calling and call.state == "alerting":
                return call
        raise KeyError(extension)

    # -- scripted handsets -------------------------------------------------------------------------

    def offhook(self, extension: str) -> str:
        """The handset of ``extension`` goes off-hook: a call in state initiated (ServiceInitiatedEvent to
        its monitors). Returns the call id."""
        if extension not in self._users:
            raise KeyError(extension)
        with self._call_lock:
            call = self._new_call(extension, "", state="initiated")
            self._initiated(call)
        return call.call_id

    def dial(self, extension: str, number: str) -> str:
        """The handset of ``extension`` dials ``number`` (going off-hook first if it is not):
        OriginatedEvent to the caller's monitors, DeliveredEvent to both parties'. Returns the call id."""
        if number not in self._users:
            raise KeyError(number)
        with self._call_lock:
            with self._lock:
                call = next(
                    (c for c in self._calls.values() if c.calling == extension and c.state == "initiated"),
                    None,
                )
            if call is None:
                call = self._calls[self.offhook(extension)]
            with self._lock:
                call.called = number
                call.parties = [extension, number, *self.forks.get(number, [])]
                call.state = "alerting"
            self._originated(call)
        return call.call_id

    def hangup(self, extension: str) -> None:
        """The handset of ``extension`` hangs up its first call."""
        with self._call_lock:
            with self._lock:
                call = next(c for c in self._calls.values() if extension in c.parties)
            self.clear(call.call_id, releasing=extension)

    def _new_call(self, calling: str, called: str, *, state: str = "alerting") -> SimulatedCall:
        with self._lock:
            call = SimulatedCall(
                call_id=str(next(self._call_ids)), calling=calling, called=called, state=state
            )
            call.parties.extend(self.forks.get(called, []))
            self._calls[call.call_id] = call
        return call

    def _initiated(self, call: SimulatedCall, cause: str = "newCall") -> None:
        self._notify(
            call,
            lambda ns, xref, device: cx.service_initiated_event(
                ns, xref=xref, call_id=call.call_id, device=call.calling, cause=cause
            ),
            devices={call.calling},
        )

    def _originated(self, call: SimulatedCall, cause: str = "newCall") -> None:
        """Dialling is complete: OriginatedEvent to the caller's monitors, then DeliveredEvent (the called
        device rings) to every party's."""
        self._notify(
            call,
            lambda ns, xref, device: cx.originated_event(
                ns,
                xref=xref,
                call_id=call.call_id,
                calling=call.calling,
                called=call.called,
                local_state="connected",
                cause=cause,
            ),
            devices={call.calling},
        )
        self._offer(call, cause)

    # -- diversion: call forward and do not disturb (ECMA-269 DivertedEvent / FailedEvent) --------------

    def _offer(self, call: SimulatedCall, cause: str) -> None:
        """Offer the call to its called device as MX-ONE does: forward immediate diverts at once; do not
        disturb diverts to the forward-busy destination or refuses the call; forward busy diverts when the
        device already has a call; otherwise the device rings (and forward on no answer waits for the ring
        time, or ring_timeout()). A destination already on the way rings rather than loop."""
        visited = {call.calling, call.called}
        while True:
            diversion = self._diversion(call)
            if diversion is None:
                break
            reason, destination = diversion
            if not destination:
                self._refused(call, reason)
                return
            if destination in visited:
                break
            visited.add(destination)
            self._divert(call, destination, reason)
            cause = reason
        self._delivered(call, cause)
        if self.no_answer_after is not None and self._forward(call.called, "forwardNoAns"):
            self._schedule(self.no_answer_after, self._no_answer, call.call_id, call.called)

    def _forward(self, device: str, kind: str) -> str:
        with self._lock:
            return self.forwarding.get(device, {}).get(kind, "")

    def _diversion(self, call: SimulatedCall) -> tuple[str, str] | None:
        """(cause, destination) when the called device does not ring; destination "" refuses the call."""
        called = call.called
        with self._lock:
            busy = any(called in other.parties for other in self._calls.values() if other is not call)
            dnd = called in self.dnd
        if immediate := self._forward(called, "forwardImmediate"):
            return "callForwardImmediate", immediate
        if dnd:
            return "doNotDisturb", self._forward(called, "forwardBusy")
        if busy and (destination := self._forward(called, "forwardBusy")):
            return "callForwardBusy", destination
        return None

    def _divert(self, call: SimulatedCall, destination: str, cause: str) -> None:
        """DivertedEvent to the caller's and the diverting device's monitors; the call moves to
        ``destination`` (and its forked terminals)."""
        diverting = call.called
        with self._lock:
            watching = {call.calling, diverting, *call.parties}
            call.called = destination
            call.parties = [call.calling, destination, *self.forks.get(destination, [])]
            call.state = "alerting"
        self._notify(
            call,
            lambda ns, xref, monitored: cx.diverted_event(
                ns,
                xref=xref,
                call_id=call.call_id,
                diverting=diverting,
                new_destination=destination,
                calling=call.calling,
                local_state=_local_state(call, monitored),
                cause=cause,
            ),
            devices=watching - {destination},
        )

    def _refused(self, call: SimulatedCall, cause: str) -> None:
        """The called device takes no calls: FailedEvent to both sides, then the caller's connection clears."""
        with self._lock:
            self._calls.pop(call.call_id, None)
            failing, calling = call.called, call.calling
            call.parties = [calling]
        self._notify(
            call,
            lambda ns, xref, monitored: cx.failed_event(
                ns,
                xref=xref,
                call_id=call.call_id,
                failing=failing,
                calling=calling,
                local_state="fail" if monitored == calling else "null",
                cause=cause,
            ),
            devices={calling, failing},
        )
        call.state = "cleared"
        self._notify(
            call,
            lambda ns, xref, monitored: cx.connection_cleared_event(
                ns,
                xref=xref,
                call_id=call.call_id,
                dropped=calling,
                releasing=calling,
                local_state="null",
                cause=cause,
            ),
            devices={calling},
        )

    def ring_timeout(self, call_id: str) -> None:
        """The called device rang for the no-answer time: with forward on no answer the call is diverted
        (DivertedEvent, cause ``callForwardNoAnswer``) and offered to the destination; otherwise it keeps
        ringing."""
        with self._call_lock:
            with self._lock:
                call = self._calls.get(call_id)
                if call is None or call.state != "alerting":
                    return
            destination = self._forward(call.called, "forwardNoAns")
            if not destination or destination in (call.calling, call.called):
                return
            self._divert(call, destination, "callForwardNoAnswer")
            self._offer(call, "callForwardNoAnswer")

    def _no_answer(self, call_id: str, device: str) -> None:
        with self._lock:
            call = self._calls.get(call_id)
            still_ringing = call is not None and call.called == device
        if still_ringing:
            self.ring_timeout(call_id)

    def _delivered(self, call: SimulatedCall, cause: str) -> None:
        self._notify(
            call,
            lambda ns, xref, device: cx.delivered_event(
                ns,
                xref=xref,
                call_id=call.call_id,
                alerting=device if device in self.forks.get(call.called, []) else call.called,
                calling=call.calling,
                called=call.called,
                local_state=_local_state(call, device),
                cause=cause,
            ),
        )
        if self.auto_answer_after is not None:
            self._schedule(self.auto_answer_after, self._auto_answer, call.call_id)

    def hold(self, call_id: str, device: str) -> None:
        """`device` puts its connection on hold: HeldEvent to the monitors of both parties (SnapshotDevice
        then reports that device's connection as `hold`). No-op unless the call is connected."""
        with self._call_lock:
            with self._lock:
                call = self._calls[call_id]
                if call.state != "connected" or device not in call.parties:
                    return
                call.held.add(device)
            self._notify(
                call,
                lambda ns, xref, monitored: cx.held_event(
                    ns, xref=xref, call_id=call.call_id, holding=device
                ),
            )

    def retrieve(self, call_id: str, device: str) -> None:
        """`device` takes its held connection back: RetrievedEvent to the monitors of both parties."""
        with self._call_lock:
            with self._lock:
                call = self._calls[call_id]
                if device not in call.held:
                    return
                call.held.discard(device)
            self._notify(
                call,
                lambda ns, xref, monitored: cx.retrieved_event(
                    ns, xref=xref, call_id=call.call_id, retrieving=device
                ),
            )

    def _answered(self, call: SimulatedCall) -> None:
        self._notify(
            call,
            lambda ns, xref, device: cx.established_event(
                ns,
                xref=xref,
                call_id=call.call_id,
                answering=call.called,
                calling=call.calling,
                called=call.called,
                local_state="connected",
            ),
        )

    def clear(self, call_id: str, releasing: str | None = None) -> None:
        """`releasing` (default: the called party) hangs up: a ConnectionClearedEvent for each party's
        connection to every monitor in the call, then the call is gone."""
        with self._call_lock:
            with self._lock:
                call = self._calls[call_id]
                if releasing and len(call.parties) > 2:
                    # One party leaves a conference; the others stay connected.
                    self._leave(call, releasing)
                    return
                del self._calls[call_id]
                call.state = "cleared"
            self._cleared(call, releasing)

    def _leave(self, call: SimulatedCall, device: str) -> None:
        before = set(call.parties)
        call.parties.remove(device)
        call.held.discard(device)
        if device in (call.calling, call.called):
            call.calling, call.called = call.parties[0], call.parties[1]
        self._notify(
            call,
            lambda ns, xref, monitored: cx.connection_cleared_event(
                ns,
                xref=xref,
                call_id=call.call_id,
                dropped=device,
                releasing=device,
                local_state=_local_state(call, monitored),
            ),
            devices=before,
        )

    def _cleared(self, call: SimulatedCall, releasing: str | None) -> None:
        releasing = releasing or call.called or call.calling
        # The releasing party's connection drops first, then the others; each event carries the
        # monitored device's own state after that drop.
        order = [releasing, *(party for party in call.parties if party != releasing)]
        for index, dropped in enumerate(order):
            gone = set(order[: index + 1])
            self._notify(
                call,
                lambda ns, xref, device, dropped=dropped, gone=gone: cx.connection_cleared_event(
                    ns,
                    xref=xref,
                    call_id=call.call_id,
                    dropped=dropped,
                    releasing=releasing,
                    local_state="null" if device in gone else "connected",
                ),
            )

    def _auto_answer(self, call_id: str) -> None:
        with contextlib.suppress(KeyError):  # cleared before it was answered
            self.answer(call_id)

    def _schedule(self, delay: float, function, *args) -> None:
        timer = threading.Timer(delay, function, args=args)
        timer.name = f"pbx-sim-timer-{self.port}"
        timer.daemon = True
        with self._lock:
            if self._stopping.is_set():
                return
            self._timers = [t for t in self._timers if t.is_alive()]
            self._timers.append(timer)
        timer.start()

    def _notify(self, call: SimulatedCall, render, devices: Iterable[str] | None = None) -> None:
        """Send render(namespace, xref, monitored device) to each monitor of a device in the call (or of
        ``devices``)."""
        with self._lock:
            watched = set(call.parties if devices is None else devices)
            targets = [
                (connection, xref, device)
                for connection in self._connections
                for xref, device in connection.monitors.items()
                if device in watched
            ]
        for connection, xref, device in targets:
            connection.send(cx.EVENT_INVOKE_ID, render(connection.namespace, xref, device))


def _local_state(call: SimulatedCall, device: str) -> str:
    if call.state == "cleared" or device not in call.parties:
        return "null"
    if device in call.held:
        return "hold"
    if call.state == "initiated":
        return "initiated"
    if call.state == "alerting" and device != call.calling:
        return "alerting"  # the called device, or each terminal of a forked number
    return "connected"


def _shutdown(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()
