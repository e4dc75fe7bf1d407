"""A small CSTA Phase III XML client over TCP (ECMA-323 messages, ECMA-354 application sessions).

Plain Python apart from the address policy: the Connect step's Celery job, the periodic re-check, the Media
bridge and the simulator's tests use it the same way::

    with CstaClient("pbx.example", 8882, timeout=5) as pbx:
        session = pbx.start_session("CloudLink", user="cloudlink", password="...")
        pbx.system_status()
        pbx.stop_session()

Every failure is a `CstaError` whose `code` (address_refused, refused, timeout, host_not_found, unreachable,
not_csta, session_rejected, version_mismatch, connection_lost, protocol_error) the UI maps to an actionable
message; `str(error)` is already one.

The client connects only where `core.netpolicy` allows (by default `pbx_policy()`: private networks yes,
loopback, link-local, cloud metadata and the like no, unless PORTAL_PBX_ALLOWED_NETWORKS lists them), to the
very address it checked. A peer that is not CSTA is reported as such and nothing of what it said is repeated
(the port could be any service the portal's network reaches). The client is synchronous and owns no thread: while it waits for a response it
reads the socket itself, queues the events it meets, and answers the switch's SystemStatus heartbeats.
Framing and message catalogue: `gateways.pbx.csta_xml`; sources: docs/csta.md.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import ssl
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from core import netpolicy
from gateways.pbx import csta_xml as cx

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 5.0
DEFAULT_APPLICATION_ID = "CloudLinkGateway"
DEFAULT_SESSION_DURATION = 180

# Well-known CSTA ports, used for defaults and hints (sources in docs/csta.md).
MXONE_CSTA_XML_PORT = 8882
MIVOICE_OFFICE_400_CSTA_PORT = 7001
MXONE_CSTA_XML_TLS_PORT = 8883


# --- errors ---------------------------------------------------------------------------------------


class CstaError(Exception):
    """Base of every client failure. `code` is stable (for the UI and the database); the message is for people."""

    code = "protocol_error"

    def __init__(self, message: str, *, detail: str = ""):
        super().__init__(message)
        self.message = message
        self.detail = detail


class CstaAddressRefused(CstaError):
    """The address policy (core.netpolicy) forbids the PBX address; nothing was connected."""

    code = "address_refused"


class CstaConnectionRefused(CstaError):
    code = "refused"


class CstaTimeout(CstaError):
    code = "timeout"


class CstaHostNotFound(CstaError):
    code = "host_not_found"


class CstaUnreachable(CstaError):
    code = "unreachable"


class CstaNotCsta(CstaError):
    code = "not_csta"


class CstaSessionRejected(CstaError):
    code = "session_rejected"


class CstaVersionMismatch(CstaError):
    code = "version_mismatch"


class CstaTlsError(CstaError):
    """The TLS handshake failed: an untrusted or mismatched certificate, or no TLS on that port."""

    code = "tls_failed"


class CstaConnectionLost(CstaError):
    code = "connection_lost"


class CstaProtocolError(CstaError):
    code = "protocol_error"


class CstaServiceError(CstaProtocolError):
    """The switch answered a request with CSTAErrorCode; `category`/`value` e.g. operation/invalidDeviceID."""

    def __init__(self, message: str, *, category: str, value: str):
        super().__init__(message, detail=f"{category}: {value}")
        self.category = category
        self.value = value


# --- typed results and events ---------------------------------------------------------------------


@dataclass(frozen=True)
class SessionInfo:
    session_id: str
    protocol_version: str
    session_duration: int | None


@dataclass(frozen=True)
class SystemStatus:
    status: str


@dataclass(frozen=True)
class SnapshotConnection:
    call_id: str
    device: str
    state: str


@dataclass(frozen=True)
class DeviceSnapshot:
    device: str
    connections: tuple[SnapshotConnection, ...]


@dataclass(frozen=True)
class CstaEvent:
    monitor_xref: str
    call_id: str


@dataclass(frozen=True)
class DeliveredEvent(CstaEvent):
    alerting_device: str
    calling_device: str
    called_device: str
    local_state: str
    cause: str


@dataclass(frozen=True)
class EstablishedEvent(CstaEvent):
    answering_device: str
    calling_device: str
    called_device: str
    local_state: str
    cause: str


@dataclass(frozen=True)
class ConnectionClearedEvent(CstaEvent):
    dropped_device: str
    releasing_device: str
    local_state: str
    cause: str


@dataclass(frozen=True)
class ServiceInitiatedEvent(CstaEvent):
    """The device went off-hook (by hand, or for MakeCall / ConsultationCall)."""

    initiating_device: str
    local_state: str
    cause: str


@dataclass(frozen=True)
class OriginatedEvent(CstaEvent):
    calling_device: str
    called_device: str
    local_state: str
    cause: str


@dataclass(frozen=True)
class DivertedEvent(CstaEvent):
    """The call left ``diverting_device`` for ``new_destination`` (forwarding, do not disturb)."""

    diverting_device: str
    new_destination: str
    calling_device: str
    local_state: str
    cause: str


@dataclass(frozen=True)
class FailedEvent(CstaEvent):
    failing_device: str
    calling_device: str
    local_state: str
    cause: str


@dataclass(frozen=True)
class ConnectionMove:
    """A connection that moved from one call to another in a transfer or a conference."""

    device: str
    old_call_id: str
    new_call_id: str


@dataclass(frozen=True)
class TransferredEvent(CstaEvent):
    """``call_id`` is the primary old call; ``secondary_call_id`` is empty for a single-step transfer."""

    secondary_call_id: str
    transferring_device: str
    transferred_to_device: str
    moves: tuple[ConnectionMove, ...]
    local_state: str
    cause: str


@dataclass(frozen=True)
class ConferencedEvent(CstaEvent):
    """``call_id`` is the primary old call (the one the conference continues as)."""

    secondary_call_id: str
    conferencing_device: str
    added_party: str
    moves: tuple[ConnectionMove, ...]
    local_state: str
    cause: str


@dataclass(frozen=True)
class OtherEvent(CstaEvent):
    """An event this client has no dataclass for; `name` is its element name."""

    name: str = ""


def event_from_message(message: cx.Message) -> CstaEvent:
    xref = message.text("monitorCrossRefID")
    if message.name == "DeliveredEvent":
        return DeliveredEvent(
            monitor_xref=xref,
            call_id=message.text("connection", "callID"),
            alerting_device=message.text("alertingDevice", "deviceIdentifier"),
            calling_device=message.text("callingDevice", "deviceIdentifier"),
            called_device=message.text("calledDevice", "deviceIdentifier"),
            local_state=message.text("localConnectionInfo"),
            cause=message.text("cause"),
        )
    if message.name == "EstablishedEvent":
        return EstablishedEvent(
            monitor_xref=xref,
            call_id=message.text("establishedConnection", "callID"),
            answering_device=message.text("answeringDevice", "deviceIdentifier"),
            calling_device=message.text("callingDevice", "deviceIdentifier"),
            called_device=message.text("calledDevice", "deviceIdentifier"),
            local_state=message.text("localConnectionInfo"),
            cause=message.text("cause"),
        )
    if message.name == "ConnectionClearedEvent":
        return ConnectionClearedEvent(
            monitor_xref=xref,
            call_id=message.text("droppedConnection", "callID"),
            dropped_device=message.text("droppedConnection", "deviceID"),
            releasing_device=message.text("releasingDevice", "deviceIdentifier"),
            local_state=message.text("localConnectionInfo"),
            cause=message.text("cause"),
        )
    if message.name == "ServiceInitiatedEvent":
        return ServiceInitiatedEvent(
            monitor_xref=xref,
            call_id=message.text("initiatedConnection", "callID"),
            initiating_device=message.text("initiatingDevice", "deviceIdentifier")
            or message.text("initiatedConnection", "deviceID"),
            local_state=message.text("localConnectionInfo"),
            cause=message.text("cause"),
        )
    if message.name == "OriginatedEvent":
        return OriginatedEvent(
            monitor_xref=xref,
            call_id=message.text("originatedConnection", "callID"),
            calling_device=message.text("callingDevice", "deviceIdentifier"),
            called_device=message.text("calledDevice", "deviceIdentifier"),
            local_state=message.text("localConnectionInfo"),
            cause=message.text("cause"),
        )
    if message.name == "DivertedEvent":
        return DivertedEvent(
            monitor_xref=xref,
            call_id=message.text("connection", "callID"),
            diverting_device=message.text("divertingDevice", "deviceIdentifier"),
            new_destination=message.text("newDestination", "deviceIdentifier"),
            calling_device=message.text("callingDevice", "deviceIdentifier"),
            local_state=message.text("localConnectionInfo"),
            cause=message.text("cause"),
        )
    if message.name == "FailedEvent":
        return FailedEvent(
            monitor_xref=xref,
            call_id=message.text("failedConnection", "callID"),
            failing_device=message.text("failingDevice", "deviceIdentifier"),
            calling_device=message.text("callingDevice", "deviceIdentifier"),
            local_state=message.text("localConnectionInfo"),
            cause=message.text("cause"),
        )
    if message.name == "TransferredEvent":
        return TransferredEvent(
            monitor_xref=xref,
            call_id=message.text("primaryOldCall", "callID"),
            secondary_call_id=message.text("secondaryOldCall", "callID"),
            transferring_device=message.text("transferringDevice", "deviceIdentifier"),
            transferred_to_device=message.text("transferredToDevice", "deviceIdentifier"),
            moves=_moves(message, "transferredConnections"),
            local_state=message.text("localConnectionInfo"),
            cause=message.text("cause"),
        )
    if message.name == "ConferencedEvent":
        return ConferencedEvent(
            monitor_xref=xref,
            call_id=message.text("primaryOldCall", "callID"),
            secondary_call_id=message.text("secondaryOldCall", "callID"),
            conferencing_device=message.text("conferencingDevice", "deviceIdentifier"),
            added_party=message.text("addedParty", "deviceIdentifier"),
            moves=_moves(message, "conferenceConnections"),
            local_state=message.text("localConnectionInfo"),
            cause=message.text("cause"),
        )
    call = next(cx.iter_named(message.root, "callID"), None)
    return OtherEvent(
        monitor_xref=xref, call_id=(call.text or "").strip() if call is not None else "", name=message.name
    )


def _moves(message: cx.Message, element: str) -> tuple[ConnectionMove, ...]:
    parent = message.find(element)
    if parent is None:
        return ()
    return tuple(
        ConnectionMove(
            device=cx.text_of(item, "newConnection", "deviceID")
            or cx.text_of(item, "oldConnection", "deviceID"),
            old_call_id=cx.text_of(item, "oldConnection", "callID"),
            new_call_id=cx.text_of(item, "newConnection", "callID"),
        )
        for item in cx.iter_named(parent, "connectionListItem")
    )


# --- the client -----------------------------------------------------------------------------------


@dataclass
class _Pending:
    invoke_id: int
    request: str
    deadline: float
    response: cx.Message | None = None


class CstaClient:
    """One TCP connection to a CSTA server. Meant for one thread at a time: a lock serialises the calls, and
    `timeout` (seconds) bounds the connect and each wait for a response unless a call passes its own.
    `address_policy` defaults to the PBX policy of the settings (`netpolicy.pbx_policy()`)."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        connect_timeout: float | None = None,
        address_policy: netpolicy.AddressPolicy | None = None,
        tls: bool = False,
        tls_trust_pem: str = "",
    ):
        self.host = host
        self.tls = tls
        self.tls_trust_pem = tls_trust_pem
        self.address_policy = address_policy or netpolicy.pbx_policy()
        self.port = int(port)
        self.timeout = timeout
        self.connect_timeout = timeout if connect_timeout is None else connect_timeout
        self.session: SessionInfo | None = None
        self._sock: socket.socket | None = None
        self._decoder = cx.FrameDecoder()
        self._frames: deque[cx.Frame] = deque()
        self._events: deque[CstaEvent] = deque()
        self._next_invoke_id = cx.MIN_INVOKE_ID
        self._messages_seen = 0
        self._namespace = cx.DEFAULT_PROTOCOL_VERSIONS[0]
        self._lock = threading.RLock()

    # -- connection ------------------------------------------------------------------------------

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def tls_version(self) -> str:
        """The negotiated TLS version (e.g. "TLSv1.3"), "" on a plain connection."""
        return self._sock.version() or "" if isinstance(self._sock, ssl.SSLSocket) else ""

    @property
    def connected(self) -> bool:
        return self._sock is not None

    def connect(self) -> None:
        with self._lock:
            if self._sock is not None:
                return
            try:
                sock = netpolicy.connect_checked(
                    self.host, self.port, self.address_policy, timeout=self.connect_timeout
                )
            except netpolicy.AddressRefused as exc:
                raise CstaAddressRefused(str(exc), detail=exc.category) from exc
            except netpolicy.HostNotFound as exc:
                raise CstaHostNotFound(
                    f"The host name {self.host!r} could not be resolved: check the PBX address and the "
                    "gateway's DNS servers.",
                    detail=str(exc),
                ) from exc
            except ConnectionRefusedError as exc:
                raise CstaConnectionRefused(
                    f"{self.address} refused the connection: nothing listens on that port. Check the CSTA "
                    f"port (MX-ONE's CSTA XML default is {MXONE_CSTA_XML_PORT}) and that CSTA is enabled.",
                    detail=str(exc),
                ) from exc
            except TimeoutError as exc:
                raise CstaTimeout(
                    f"No answer from {self.address} within {self.connect_timeout:g} s: check the address, "
                    "that the PBX is up, and that no firewall drops the connection.",
                    detail="connect",
                ) from exc
            except OSError as exc:
                raise CstaUnreachable(
                    f"{self.address} cannot be reached from here ({exc.strerror or exc}): check the network "
                    "route between the gateway and the PBX.",
                    detail=str(exc),
                ) from exc
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if self.tls:
                sock = self._tls_wrap(sock)
            self._sock = sock
            self._decoder = cx.FrameDecoder()
            self._frames.clear()
            self._messages_seen = 0

    def _tls_wrap(self, sock: socket.socket) -> ssl.SSLSocket:
        """TLS on the connected socket, trusting ``tls_trust_pem`` (the PBX's certificate or its CA) or,
        when blank, the system's CAs; the certificate must name ``host``."""
        try:
            context = ssl.create_default_context(cadata=self.tls_trust_pem or None)
            return context.wrap_socket(sock, server_hostname=self.host)
        except ssl.SSLCertVerificationError as exc:
            sock.close()
            raise CstaTlsError(
                f"The TLS certificate of {self.address} is not trusted ({exc.verify_message}): store the PBX's "
                "certificate or the CA that signed it on the gateway's PBX settings, and check that it names "
                f"{self.host}.",
                detail=str(exc),
            ) from exc
        except (ssl.SSLError, ValueError) as exc:
            sock.close()
            raise CstaTlsError(
                f"The TLS handshake with {self.address} failed: check that the port serves CSTA over TLS "
                f"(MX-ONE: {MXONE_CSTA_XML_TLS_PORT}) and that the stored certificate is PEM.",
                detail=str(exc),
            ) from exc
        except OSError as exc:
            sock.close()
            raise CstaTlsError(
                f"{self.address} closed the connection during the TLS handshake: is TLS enabled on that port?",
                detail=str(exc),
            ) from exc

    def close(self) -> None:
        with self._lock:
            sock, self._sock = self._sock, None
            self.session = None
            if sock is None:
                return
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def __enter__(self) -> CstaClient:
        self.connect()
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if exc_type is None and self.session is not None and self._sock is not None:
                try:
                    self.stop_session(timeout=min(self.timeout, 1.0))
                except CstaError:
                    logger.info("CSTA session to %s not stopped cleanly", self.address)
        finally:
            self.close()

    # -- application session (ECMA-354) ----------------------------------------------------------

    def start_session(
        self,
        application_id: str = DEFAULT_APPLICATION_ID,
        user: str = "",
        password: str = "",
        protocol_version: str | Iterable[str] | None = None,
        *,
        session_duration: int = DEFAULT_SESSION_DURATION,
        timeout: float | None = None,
    ) -> SessionInfo:
        """Start the application session; `protocol_version` is 'ed3', 'ed4', a namespace, or several
        (in order of preference). Raises CstaSessionRejected / CstaVersionMismatch on a negative answer."""
        versions = cx.protocol_versions(protocol_version)
        body = cx.start_application_session(
            application_id=application_id,
            user=user,
            password=password,
            versions=versions,
            duration=session_duration,
        )
        response = self._request(
            body, "StartApplicationSession", ("StartApplicationSessionPosResponse",), timeout=timeout
        )
        if response.name == "StartApplicationSessionNegResponse":
            self._raise_session_refused(response, versions)
        actual = response.text("actualProtocolVersion") or versions[0]
        if actual not in versions:
            raise CstaVersionMismatch(
                f"The PBX chose CSTA protocol version {actual}, which this gateway did not offer "
                f"({', '.join(versions)}).",
                detail=actual,
            )
        duration = response.text("actualSessionDuration")
        self._namespace = actual
        self.session = SessionInfo(
            session_id=response.text("sessionID"),
            protocol_version=actual,
            session_duration=int(duration) if duration.isdigit() else None,
        )
        return self.session

    def _raise_session_refused(self, response: cx.Message, versions: tuple[str, ...]) -> None:
        defined = response.text("errorCode", "definedError")
        application_error = response.text("errorCode", "applError")
        if defined == "requestedProtocolVersionNotSupported":
            raise CstaVersionMismatch(
                "The PBX does not support the requested CSTA protocol version "
                f"({', '.join(versions)}): check the PBX type and its CSTA release.",
                detail=defined,
            )
        if defined in ("serverResourcesBusy", "maxNumberSessions"):
            raise CstaSessionRejected(
                "The PBX refused the CSTA session because it has no free application sessions: close other "
                "CSTA applications or raise the PBX's session limit.",
                detail=defined,
            )
        raise CstaSessionRejected(
            "The PBX rejected the CSTA session: check the CSTA user name and password configured on the PBX "
            "for this gateway.",
            detail=defined or application_error or "rejected",
        )

    def stop_session(self, reason: str = "normal", *, timeout: float | None = None) -> None:
        if self.session is None:
            return
        body = cx.stop_application_session(session_id=self.session.session_id, reason=reason)
        try:
            self._request(
                body, "StopApplicationSession", ("StopApplicationSessionPosResponse",), timeout=timeout
            )
        finally:
            self.session = None

    # -- services (ECMA-323) ---------------------------------------------------------------------

    def system_status(self, *, timeout: float | None = None) -> SystemStatus:
        response = self._request(
            cx.request_system_status(self._namespace),
            "RequestSystemStatus",
            ("RequestSystemStatusResponse",),
            timeout=timeout,
        )
        return SystemStatus(status=response.text("systemStatus", default="normal"))

    def snapshot_device(self, device: str, *, timeout: float | None = None) -> DeviceSnapshot:
        response = self._request(
            cx.snapshot_device(self._namespace, device),
            "SnapshotDevice",
            ("SnapshotDeviceResponse",),
            timeout=timeout,
        )
        connections = tuple(
            SnapshotConnection(
                call_id=cx.text_of(info, "connectionIdentifier", "callID"),
                device=cx.text_of(info, "connectionIdentifier", "deviceID"),
                state=next((cx.text_of(node) for node in cx.iter_named(info, "localConnectionState")), ""),
            )
            for info in cx.iter_named(response.root, "snapshotDeviceResponseInfo")
        )
        return DeviceSnapshot(device=device, connections=connections)

    def monitor_start(self, device: str, *, timeout: float | None = None) -> str:
        """Monitor a device; returns the monitor cross-reference id its events will carry."""
        response = self._request(
            cx.monitor_start(self._namespace, device),
            "MonitorStart",
            ("MonitorStartResponse",),
            timeout=timeout,
        )
        xref = response.text("monitorCrossRefID")
        if not xref:
            raise CstaProtocolError("The PBX answered MonitorStart without a monitor cross-reference id.")
        return xref

    def monitor_stop(self, xref: str, *, timeout: float | None = None) -> None:
        self._request(
            cx.monitor_stop(self._namespace, xref), "MonitorStop", ("MonitorStopResponse",), timeout=timeout
        )

    def make_call(self, calling: str, called: str, *, timeout: float | None = None) -> str:
        """Third-party make call from `calling` to `called`; returns the call id."""
        response = self._request(
            cx.make_call(self._namespace, calling, called), "MakeCall", ("MakeCallResponse",), timeout=timeout
        )
        call_id = response.text("callingDevice", "callID")
        if not call_id:
            raise CstaProtocolError("The PBX answered MakeCall without a call id.")
        return call_id

    def clear_connection(self, call_id: str, device: str, *, timeout: float | None = None) -> None:
        self._request(
            cx.clear_connection(self._namespace, call_id, device),
            "ClearConnection",
            ("ClearConnectionResponse",),
            timeout=timeout,
        )

    # ECMA-269 call control on one connection (call id + device): what the Media API's actions send.

    def answer_call(self, call_id: str, device: str, *, timeout: float | None = None) -> None:
        """AnswerCall: the alerting `device` answers `call_id`."""
        self._request(
            cx.answer_call(self._namespace, call_id, device),
            "AnswerCall",
            ("AnswerCallResponse",),
            timeout=timeout,
        )

    def hold_call(self, call_id: str, device: str, *, timeout: float | None = None) -> None:
        """HoldCall: `device` puts its connection to `call_id` on hold."""
        self._request(
            cx.hold_call(self._namespace, call_id, device), "HoldCall", ("HoldCallResponse",), timeout=timeout
        )

    def retrieve_call(self, call_id: str, device: str, *, timeout: float | None = None) -> None:
        """RetrieveCall: `device` takes its held connection to `call_id` back."""
        self._request(
            cx.retrieve_call(self._namespace, call_id, device),
            "RetrieveCall",
            ("RetrieveCallResponse",),
            timeout=timeout,
        )

    # Transfer, consultation and conference (ECMA-269 clause 17). Connections are (call id, device id).

    def single_step_transfer(
        self, call_id: str, device: str, transferred_to: str, *, timeout: float | None = None
    ) -> str:
        """SingleStepTransferCall (blind transfer); returns the transferred call's id."""
        response = self._request(
            cx.single_step_transfer_call(self._namespace, call_id, device, transferred_to),
            "SingleStepTransferCall",
            ("SingleStepTransferCallResponse",),
            timeout=timeout,
        )
        return response.text("transferredCall", "callID") or call_id

    def consultation_call(
        self, call_id: str, device: str, consulted: str, *, timeout: float | None = None
    ) -> str:
        """ConsultationCall: hold ``call_id`` at ``device`` and call ``consulted``; returns the new call id."""
        response = self._request(
            cx.consultation_call(self._namespace, call_id, device, consulted),
            "ConsultationCall",
            ("ConsultationCallResponse",),
            timeout=timeout,
        )
        new_call = response.text("initiatedCall", "callID")
        if not new_call:
            raise CstaProtocolError("The PBX answered ConsultationCall without a call id.")
        return new_call

    def transfer_call(
        self, held: tuple[str, str], active: tuple[str, str], *, timeout: float | None = None
    ) -> str:
        """TransferCall (supervised transfer); returns the resulting call's id."""
        response = self._request(
            cx.transfer_call(self._namespace, held, active),
            "TransferCall",
            ("TransferCallResponse",),
            timeout=timeout,
        )
        return response.text("transferredCall", "callID") or held[0]

    def conference_call(
        self, held: tuple[str, str], active: tuple[str, str], *, timeout: float | None = None
    ) -> str:
        """ConferenceCall; returns the conference's call id."""
        response = self._request(
            cx.conference_call(self._namespace, held, active),
            "ConferenceCall",
            ("ConferenceCallResponse",),
            timeout=timeout,
        )
        return response.text("conferenceCall", "callID") or held[0]

    def alternate_call(
        self, held: tuple[str, str], active: tuple[str, str], *, timeout: float | None = None
    ) -> None:
        """AlternateCall: hold the active call and retrieve the held one."""
        self._request(
            cx.alternate_call(self._namespace, held, active),
            "AlternateCall",
            ("AlternateCallResponse",),
            timeout=timeout,
        )

    # Device features (ECMA-269 clause 22): do not disturb, message waiting, forwarding.

    def set_do_not_disturb(self, device: str, on: bool, *, timeout: float | None = None) -> None:
        self._request(
            cx.set_do_not_disturb(self._namespace, device, on),
            "SetDoNotDisturb",
            ("SetDoNotDisturbResponse",),
            timeout=timeout,
        )

    def get_do_not_disturb(self, device: str, *, timeout: float | None = None) -> bool:
        response = self._request(
            cx.get_do_not_disturb(self._namespace, device),
            "GetDoNotDisturb",
            ("GetDoNotDisturbResponse",),
            timeout=timeout,
        )
        return response.text("doNotDisturbOn") == "true"

    def set_message_waiting(self, device: str, on: bool, *, timeout: float | None = None) -> None:
        self._request(
            cx.set_message_waiting_indicator(self._namespace, device, on),
            "SetMessageWaitingIndicator",
            ("SetMessageWaitingIndicatorResponse",),
            timeout=timeout,
        )

    def get_message_waiting(self, device: str, *, timeout: float | None = None) -> bool:
        response = self._request(
            cx.get_message_waiting_indicator(self._namespace, device),
            "GetMessageWaitingIndicator",
            ("GetMessageWaitingIndicatorResponse",),
            timeout=timeout,
        )
        return response.text("messageWaitingOn") == "true"

    def set_forwarding(
        self,
        device: str,
        forwarding_type: str,
        on: bool,
        destination: str = "",
        *,
        timeout: float | None = None,
    ) -> None:
        """``forwarding_type``: forwardImmediate, forwardBusy or forwardNoAns."""
        self._request(
            cx.set_forwarding(self._namespace, device, forwarding_type, on, destination),
            "SetForwarding",
            ("SetForwardingResponse",),
            timeout=timeout,
        )

    def get_forwarding(self, device: str, *, timeout: float | None = None) -> dict[str, str]:
        """The active forwardings: forwarding type -> destination."""
        response = self._request(
            cx.get_forwarding(self._namespace, device),
            "GetForwarding",
            ("GetForwardingResponse",),
            timeout=timeout,
        )
        return {
            cx.text_of(item, "forwardingType"): cx.text_of(item, "forwardDN")
            for item in cx.iter_named(response.root, "forwardListItem")
            if cx.text_of(item, "forwardStatus") == "true"
        }

    # -- events ----------------------------------------------------------------------------------

    def next_event(self, timeout: float | None = None) -> CstaEvent | None:
        """The next unsolicited event (queued ones first), or None when none arrives within `timeout`."""
        with self._lock:
            if self._events:
                return self._events.popleft()
            deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
            while not self._events:
                frame = self._read_frame(deadline)
                if frame is None:
                    return None
                self._dispatch(frame, pending=None)
            return self._events.popleft()

    def events(self, timeout: float | None = None) -> Iterator[CstaEvent]:
        """Yield events until none arrives for `timeout` seconds."""
        while (event := self.next_event(timeout)) is not None:
            yield event

    # -- plumbing --------------------------------------------------------------------------------

    def _take_invoke_id(self) -> int:
        invoke_id = self._next_invoke_id
        self._next_invoke_id = cx.MIN_INVOKE_ID if invoke_id >= cx.MAX_INVOKE_ID else invoke_id + 1
        return invoke_id

    def _send(self, invoke_id: int, body: bytes) -> None:
        if self._sock is None:
            raise CstaConnectionLost(f"Not connected to {self.address}.")
        try:
            self._sock.sendall(cx.encode_frame(invoke_id, body))
        except OSError as exc:
            self.close()
            raise CstaConnectionLost(
                f"The connection to {self.address} broke while sending ({exc}).", detail=str(exc)
            ) from exc

    def _request(
        self, body: bytes, request: str, expected: tuple[str, ...], *, timeout: float | None
    ) -> cx.Message:
        with self._lock:
            if self._sock is None:
                raise CstaConnectionLost(f"Not connected to {self.address}.")
            wait = self.timeout if timeout is None else timeout
            pending = _Pending(self._take_invoke_id(), request, time.monotonic() + wait)
            self._send(pending.invoke_id, body)
            while pending.response is None:
                frame = self._read_frame(pending.deadline)
                if frame is None:
                    raise CstaTimeout(
                        f"{self.address} did not answer {request} within {wait:g} s: the PBX accepted the "
                        "connection but is not answering CSTA (is this its CSTA XML port, and is the CSTA "
                        "server running?).",
                        detail=request,
                    )
                self._dispatch(frame, pending=pending)
            response = pending.response
        if response.name == "CSTAErrorCode":
            category = next((cx.local_name(child.tag) for child in response.root), "unspecified")
            value = response.text(category)
            raise CstaServiceError(
                f"The PBX refused {request}: {value or category}.", category=category, value=value
            )
        session_answers = (
            ("StartApplicationSessionNegResponse",) if request == "StartApplicationSession" else ()
        )
        if response.name not in expected + session_answers:
            raise CstaProtocolError(
                f"The PBX answered {request} with an unexpected {response.name or 'message'}.",
                detail=response.name,
            )
        return response

    def _dispatch(self, frame: cx.Frame, *, pending: _Pending | None) -> None:
        first = self._messages_seen == 0
        try:
            message = cx.parse(frame.body)
        except cx.MessageError as exc:
            if first:
                self._raise_not_csta(frame.body)
            raise CstaProtocolError(
                f"{self.address} sent a message that is not CSTA XML ({exc}).",
                detail=frame.body[:80].decode("latin-1"),
            ) from None
        if first and not cx.looks_like_csta(message):
            self._raise_not_csta(frame.body)
        self._messages_seen += 1
        if frame.invoke_id == cx.EVENT_INVOKE_ID or message.is_event:
            self._events.append(event_from_message(message))
        elif message.name == "SystemStatus":
            # The switch's heartbeat: acknowledge it with the same invoke id.
            self._send(frame.invoke_id, cx.system_status_response(message.namespace or self._namespace))
        elif pending is not None and frame.invoke_id == pending.invoke_id:
            pending.response = message
        else:
            logger.info(
                "Dropping %s with invoke id %04d from %s: no request waits for it",
                message.name,
                frame.invoke_id,
                self.address,
            )

    def _read_frame(self, deadline: float) -> cx.Frame | None:
        """The next frame, or None at the deadline. Raises on EOF, broken or non-CSTA streams."""
        while not self._frames:
            if self._sock is None:
                raise CstaConnectionLost(f"Not connected to {self.address}.")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            self._sock.settimeout(remaining)
            try:
                data = self._sock.recv(65536)
            except TimeoutError:
                return None
            except OSError as exc:
                self.close()
                raise CstaConnectionLost(
                    f"The connection to {self.address} broke ({exc}).", detail=str(exc)
                ) from exc
            if not data:
                self._raise_closed()
            try:
                self._frames.extend(self._decoder.feed(data))
            except cx.FramingError as exc:
                self._raise_garbage(exc)
        return self._frames.popleft()

    def _raise_closed(self) -> None:
        pending_bytes = self._decoder.pending
        seen_frames = self._decoder.frames_decoded
        self.close()
        if pending_bytes and not seen_frames:
            self._raise_not_csta(pending_bytes)
        if not seen_frames:
            raise CstaConnectionRefused(
                f"{self.address} accepted the connection and closed it without a word: the CSTA server refuses "
                "this gateway (check that its address is allowed and the CSTA licence is free).",
                detail="closed",
            )
        raise CstaConnectionLost(f"{self.address} closed the CSTA connection.", detail="closed")

    def _raise_garbage(self, exc: cx.FramingError) -> None:
        seen_frames = self._decoder.frames_decoded
        self.close()
        if not seen_frames:
            self._raise_not_csta(exc.head)
        raise CstaProtocolError(f"{self.address} broke the CSTA framing ({exc}).", detail=str(exc)) from None

    def _raise_not_csta(self, answer: bytes) -> None:
        """The peer is not a CSTA server. What it answered goes to the operator's log only: the port may be
        any service reachable from the portal, and the error is shown to whoever typed the address."""
        self.close()
        logger.info("%s is not CSTA; its first bytes: %r", self.address, bytes(answer[:80]))
        raise CstaNotCsta(
            f"{self.address} does not speak CSTA: check that the port is the PBX's CSTA port "
            f"(MX-ONE: {MXONE_CSTA_XML_PORT})."
        ) from None


# --- the Connect step -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ConnectCheck:
    session: SessionInfo
    status: SystemStatus
    elapsed: float


def check_connection(
    host: str,
    port: int,
    *,
    user: str = "",
    password: str = "",
    application_id: str = DEFAULT_APPLICATION_ID,
    protocol_version: str | Iterable[str] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    progress=None,
    tls: bool = False,
    tls_trust_pem: str = "",
) -> ConnectCheck:
    """What the wizard's Connect step runs: connect, start a session, ask the system status, stop, close.

    `progress(step)` is called with "connecting", "session", "status", "closing" as each step begins.
    Raises CstaError (see `.code`)."""
    report = progress or (lambda step: None)
    started = time.monotonic()
    report("connecting")
    with CstaClient(host, port, timeout=timeout, tls=tls, tls_trust_pem=tls_trust_pem) as client:
        report("session")
        session = client.start_session(application_id, user, password, protocol_version)
        report("status")
        status = client.system_status()
        report("closing")
        client.stop_session()
    return ConnectCheck(session=session, status=status, elapsed=time.monotonic() - started)
