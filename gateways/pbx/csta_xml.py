"""CSTA Phase III XML on the wire: TCP framing, message building and parsing (no sockets here).

Shared by the client (`gateways.pbx.csta`) and the PBX simulator (`gateways.pbx.simulator`). See docs/csta.md
for the sources behind the framing and the element names.

Framing (the 8-byte header public ECMA-323-over-TCP implementations use)::

    0      2          4                  8
    +------+----------+------------------+----------------------+
    | 0x00 | length   | invoke id        | XML message (UTF-8)  |
    | 0x00 | (uint16, | (4 ASCII digits) |                      |
    |      |  BE)     |                  |                      |
    +------+----------+------------------+----------------------+

- bytes 0-1: the format indicator, 0x0000 ("XML without SOAP");
- bytes 2-3: the length of the whole message, header included, big-endian (so at most 65,535);
- bytes 4-7: the invoke id as four ASCII digits: a request and its response carry the same id
  (0001-9998 here); unsolicited events carry 9999.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

# --- framing -------------------------------------------------------------------------------------

FORMAT_INDICATOR = b"\x00\x00"
HEADER_LENGTH = 8
MAX_FRAME_LENGTH = 0xFFFF
EVENT_INVOKE_ID = 9999
MIN_INVOKE_ID = 1
MAX_INVOKE_ID = 9998


class FramingError(ValueError):
    """The bytes on the connection are not CSTA XML frames; `head` keeps the first bytes seen."""

    def __init__(self, message: str, head: bytes = b""):
        super().__init__(message)
        self.head = head


@dataclass(frozen=True)
class Frame:
    invoke_id: int
    body: bytes


def encode_frame(invoke_id: int, body: bytes) -> bytes:
    """Prefix `body` with the 8-byte header."""
    if not 0 <= invoke_id <= EVENT_INVOKE_ID:
        raise ValueError(f"invoke id {invoke_id} is not four digits")
    length = HEADER_LENGTH + len(body)
    if length > MAX_FRAME_LENGTH:
        raise ValueError(f"CSTA message of {length} bytes does not fit the 16-bit length")
    return FORMAT_INDICATOR + length.to_bytes(2, "big") + b"%04d" % invoke_id + body


class FrameDecoder:
    """Splits a byte stream into frames; feed it whatever `recv` returned."""

    def __init__(self) -> None:
        self._buffer = bytearray()
        self.frames_decoded = 0

    @property
    def pending(self) -> bytes:
        """Bytes received that do not yet form a whole frame."""
        return bytes(self._buffer)

    def feed(self, data: bytes) -> list[Frame]:
        self._buffer.extend(data)
        frames: list[Frame] = []
        while True:
            frame = self._next()
            if frame is None:
                return frames
            frames.append(frame)

    def _next(self) -> Frame | None:
        buffer = self._buffer
        if len(buffer) >= 2 and bytes(buffer[:2]) != FORMAT_INDICATOR:
            raise FramingError(
                "the message does not start with the 0x0000 format indicator", bytes(buffer[:64])
            )
        if len(buffer) < HEADER_LENGTH:
            return None
        length = int.from_bytes(buffer[2:4], "big")
        invoke = bytes(buffer[4:8])
        if length <= HEADER_LENGTH:
            raise FramingError(f"message length {length} is shorter than the header", bytes(buffer[:64]))
        if not invoke.isdigit():
            raise FramingError(f"invoke id {invoke!r} is not four ASCII digits", bytes(buffer[:64]))
        if len(buffer) < length:
            return None
        body = bytes(buffer[HEADER_LENGTH:length])
        del buffer[:length]
        self.frames_decoded += 1
        return Frame(int(invoke), body)


# --- namespaces and protocol versions --------------------------------------------------------------

# ECMA-354 (Application Session Services) carries StartApplicationSession and friends.
NS_SESSION = "http://www.ecma-international.org/standards/ecma-354/appl_session"
# ECMA-323 (CSTA XML): the namespace names the edition; the session negotiates it as the protocol version.
CSTA_ED2 = "http://www.ecma.ch/standards/ecma-323/csta/ed2"
CSTA_ED3 = "http://www.ecma-international.org/standards/ecma-323/csta/ed3"
CSTA_ED4 = "http://www.ecma-international.org/standards/ecma-323/csta/ed4"
PROTOCOL_VERSION_ALIASES = {"ed2": CSTA_ED2, "ed3": CSTA_ED3, "ed4": CSTA_ED4}
DEFAULT_PROTOCOL_VERSIONS = (CSTA_ED3, CSTA_ED4)
_CSTA_NAMESPACE = re.compile(r"^http://www\.ecma(-international\.org|\.ch)/standards/ecma-3(23|54)/")


def protocol_version(value: str) -> str:
    """'ed3' -> the ECMA-323 3rd edition namespace; a full namespace is returned as is."""
    return PROTOCOL_VERSION_ALIASES.get(value.strip().lower(), value.strip())


def protocol_versions(value: str | Iterable[str] | None) -> tuple[str, ...]:
    if value is None:
        return DEFAULT_PROTOCOL_VERSIONS
    if isinstance(value, str):
        value = [value]
    versions = tuple(protocol_version(v) for v in value if v and v.strip())
    if not versions:
        raise ValueError("at least one protocol version is needed")
    return versions


def is_csta_namespace(namespace: str) -> bool:
    return bool(_CSTA_NAMESPACE.match(namespace))


def looks_like_csta(message: Message) -> bool:
    """An ECMA namespace, or (vendors differ) at least a CSTA-shaped element name."""
    if not message.namespace or is_csta_namespace(message.namespace):
        return True
    return message.name in ("CSTAErrorCode", "SystemStatus") or message.name.endswith(("Response", "Event"))


# --- building -------------------------------------------------------------------------------------

Content = str | int | None | list["Node"]
Node = tuple[str, Content]


def build(name: str, children: list[Node] | None = None, *, namespace: str) -> bytes:
    """Serialize `<name xmlns=namespace>` with nested (name, text-or-children) tuples; None skips."""
    root = ET.Element(f"{{{namespace}}}{name}")
    _append(root, children or [], namespace)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True, default_namespace=namespace)


def _append(parent: ET.Element, children: list[Node], namespace: str) -> None:
    for child_name, content in children:
        if content is None:
            continue
        element = ET.SubElement(parent, f"{{{namespace}}}{child_name}")
        if isinstance(content, list):
            _append(element, content, namespace)
        else:
            element.text = str(content)


# --- parsing --------------------------------------------------------------------------------------


class MessageError(ValueError):
    """The body is not a well-formed XML message we accept."""


@dataclass(frozen=True)
class Message:
    """A parsed message: its root element's local name and namespace, and the tree to read from."""

    name: str
    namespace: str
    root: ET.Element

    def find(self, *path: str) -> ET.Element | None:
        """The first element under the root whose local names follow `path` (namespaces ignored)."""
        return find(self.root, *path)

    def text(self, *path: str, default: str = "") -> str:
        return text_of(self.root, *path) or default

    def texts(self, *path: str) -> list[str]:
        *parents, last = path
        parent = self.find(*parents) if parents else self.root
        if parent is None:
            return []
        return [(child.text or "").strip() for child in parent if local_name(child.tag) == last]

    @property
    def is_event(self) -> bool:
        return self.name.endswith("Event")


def local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def namespace_of(tag: str) -> str:
    return tag[1:].split("}", 1)[0] if tag.startswith("{") else ""


def find(element: ET.Element, *path: str) -> ET.Element | None:
    current = element
    for name in path:
        current = next((child for child in current if local_name(child.tag) == name), None)
        if current is None:
            return None
    return current


def text_of(element: ET.Element, *path: str) -> str:
    """The stripped text at `path` under `element` ('' when missing)."""
    node = find(element, *path) if path else element
    return (node.text or "").strip() if node is not None else ""


def iter_named(element: ET.Element, name: str) -> Iterator[ET.Element]:
    return (node for node in element.iter() if local_name(node.tag) == name)


def parse(body: bytes) -> Message:
    """Parse one message body. Document type declarations are refused (no entity expansion)."""
    if b"<!DOCTYPE" in body or b"<!ENTITY" in body:
        raise MessageError("XML with a document type declaration is not accepted")
    try:
        root = ET.fromstring(body)
    except ET.ParseError as exc:
        raise MessageError(f"malformed XML: {exc}") from None
    return Message(local_name(root.tag), namespace_of(root.tag), root)


# --- the message set ------------------------------------------------------------------------------
# Requests the application sends (ECMA-354 for the session, ECMA-323 for the rest).


def start_application_session(
    *, application_id: str, user: str, password: str, versions: Iterable[str], duration: int
) -> bytes:
    credentials: list[Node] = [("user", user or None), ("password", password or None)]
    return build(
        "StartApplicationSession",
        [
            (
                "applicationInfo",
                [
                    ("applicationID", application_id),
                    ("applicationSpecificInfo", credentials if user or password else None),
                ],
            ),
            ("requestedProtocolVersions", [("protocolVersion", v) for v in versions]),
            ("requestedSessionDuration", duration),
        ],
        namespace=NS_SESSION,
    )


def stop_application_session(*, session_id: str, reason: str = "normal") -> bytes:
    return build(
        "StopApplicationSession",
        [("sessionID", session_id), ("sessionEndReason", [("definedEndReason", reason)])],
        namespace=NS_SESSION,
    )


def request_system_status(ns: str) -> bytes:
    return build("RequestSystemStatus", namespace=ns)


def system_status_response(ns: str) -> bytes:
    return build("SystemStatusResponse", namespace=ns)


def snapshot_device(ns: str, device: str) -> bytes:
    return build("SnapshotDevice", [("snapshotObject", device)], namespace=ns)


def monitor_start(ns: str, device: str) -> bytes:
    return build("MonitorStart", [("monitorObject", [("deviceObject", device)])], namespace=ns)


def monitor_stop(ns: str, xref: str) -> bytes:
    return build("MonitorStop", [("monitorCrossRefID", xref)], namespace=ns)


def make_call(ns: str, calling: str, called: str) -> bytes:
    return build("MakeCall", [("callingDevice", calling), ("calledDirectoryNumber", called)], namespace=ns)


def clear_connection(ns: str, call_id: str, device: str) -> bytes:
    return build(
        "ClearConnection",
        [("connectionToBeCleared", [("callID", call_id), ("deviceID", device)])],
        namespace=ns,
    )


def _connection_node(element: str, call_id: str, device: str) -> list[Node]:
    return [(element, [("callID", call_id), ("deviceID", device)])]


def answer_call(ns: str, call_id: str, device: str) -> bytes:
    """ECMA-323 AnswerCall: the alerting `device` picks up `call_id`."""
    return build("AnswerCall", _connection_node("callToBeAnswered", call_id, device), namespace=ns)


def hold_call(ns: str, call_id: str, device: str) -> bytes:
    """ECMA-323 HoldCall: `device` puts its connection to `call_id` on hold."""
    return build("HoldCall", _connection_node("callToBeHeld", call_id, device), namespace=ns)


def retrieve_call(ns: str, call_id: str, device: str) -> bytes:
    """ECMA-323 RetrieveCall: `device` takes its held connection to `call_id` back."""
    return build("RetrieveCall", _connection_node("callToBeRetrieved", call_id, device), namespace=ns)


# Responses and events the switch sends.


def start_application_session_pos(*, session_id: str, version: str, duration: int) -> bytes:
    return build(
        "StartApplicationSessionPosResponse",
        [("sessionID", session_id), ("actualProtocolVersion", version), ("actualSessionDuration", duration)],
        namespace=NS_SESSION,
    )


def start_application_session_neg(defined_error: str) -> bytes:
    """`defined_error`: invalidApplicationInfo, requestedProtocolVersionNotSupported, serverResourcesBusy,
    maxNumberSessions (the ECMA-354 defined errors)."""
    return build(
        "StartApplicationSessionNegResponse",
        [("errorCode", [("definedError", defined_error)])],
        namespace=NS_SESSION,
    )


def stop_application_session_pos() -> bytes:
    return build("StopApplicationSessionPosResponse", namespace=NS_SESSION)


def request_system_status_response(ns: str, status: str = "normal") -> bytes:
    return build("RequestSystemStatusResponse", [("systemStatus", status)], namespace=ns)


def snapshot_device_response(ns: str, connections: Iterable[tuple[str, str, str]]) -> bytes:
    """`connections`: (call id, device id, local connection state) of each call at the device."""
    infos: list[Node] = [
        (
            "snapshotDeviceResponseInfo",
            [
                ("connectionIdentifier", [("callID", call_id), ("deviceID", device)]),
                ("localCallState", [("compoundCallState", [("localConnectionState", state)])]),
            ],
        )
        for call_id, device, state in connections
    ]
    return build(
        "SnapshotDeviceResponse", [("crossRefIDorSnapshotData", [("snapshotData", infos)])], namespace=ns
    )


def monitor_start_response(ns: str, xref: str) -> bytes:
    return build("MonitorStartResponse", [("monitorCrossRefID", xref)], namespace=ns)


def monitor_stop_response(ns: str) -> bytes:
    return build("MonitorStopResponse", namespace=ns)


def make_call_response(ns: str, *, call_id: str, calling: str, called: str) -> bytes:
    return build(
        "MakeCallResponse",
        [("callingDevice", [("callID", call_id), ("deviceID", calling)]), ("calledDevice", called)],
        namespace=ns,
    )


def clear_connection_response(ns: str) -> bytes:
    return build("ClearConnectionResponse", namespace=ns)


def answer_call_response(ns: str) -> bytes:
    return build("AnswerCallResponse", namespace=ns)


def hold_call_response(ns: str) -> bytes:
    return build("HoldCallResponse", namespace=ns)


def retrieve_call_response(ns: str) -> bytes:
    return build("RetrieveCallResponse", namespace=ns)


def csta_error(ns: str, category: str, value: str) -> bytes:
    """A negative acknowledgement, e.g. csta_error(ns, "operation", "invalidDeviceID")."""
    return build("CSTAErrorCode", [(category, value)], namespace=ns)


def _device(identifier: str) -> list[Node]:
    return [("deviceIdentifier", identifier)]


def delivered_event(
    ns: str,
    *,
    xref: str,
    call_id: str,
    alerting: str,
    calling: str,
    called: str,
    local_state: str,
    cause: str = "newCall",
) -> bytes:
    return build(
        "DeliveredEvent",
        [
            ("monitorCrossRefID", xref),
            ("connection", [("callID", call_id), ("deviceID", alerting)]),
            ("alertingDevice", _device(alerting)),
            ("callingDevice", _device(calling)),
            ("calledDevice", _device(called)),
            ("lastRedirectionDevice", [("notRequired", "")]),
            ("localConnectionInfo", local_state),
            ("cause", cause),
        ],
        namespace=ns,
    )


def diverted_event(
    ns: str,
    *,
    xref: str,
    call_id: str,
    diverting: str,
    new_destination: str,
    calling: str,
    local_state: str,
    cause: str,
) -> bytes:
    """The switch moved the call from ``diverting`` (the device it was offered to) to ``new_destination``
    (call forward, do not disturb): ECMA-269 DivertedEvent."""
    return build(
        "DivertedEvent",
        [
            ("monitorCrossRefID", xref),
            ("connection", [("callID", call_id), ("deviceID", diverting)]),
            ("divertingDevice", _device(diverting)),
            ("newDestination", _device(new_destination)),
            ("callingDevice", _device(calling)),
            ("calledDevice", _device(diverting)),
            ("lastRedirectionDevice", [("notRequired", "")]),
            ("localConnectionInfo", local_state),
            ("cause", cause),
        ],
        namespace=ns,
    )


def failed_event(
    ns: str, *, xref: str, call_id: str, failing: str, calling: str, local_state: str, cause: str
) -> bytes:
    """The call could not reach ``failing`` (do not disturb without a diversion): ECMA-269 FailedEvent."""
    return build(
        "FailedEvent",
        [
            ("monitorCrossRefID", xref),
            ("failedConnection", [("callID", call_id), ("deviceID", failing)]),
            ("failingDevice", _device(failing)),
            ("callingDevice", _device(calling)),
            ("calledDevice", _device(failing)),
            ("lastRedirectionDevice", [("notRequired", "")]),
            ("localConnectionInfo", local_state),
            ("cause", cause),
        ],
        namespace=ns,
    )


def established_event(
    ns: str, *, xref: str, call_id: str, answering: str, calling: str, called: str, local_state: str
) -> bytes:
    return build(
        "EstablishedEvent",
        [
            ("monitorCrossRefID", xref),
            ("establishedConnection", [("callID", call_id), ("deviceID", answering)]),
            ("answeringDevice", _device(answering)),
            ("callingDevice", _device(calling)),
            ("calledDevice", _device(called)),
            ("lastRedirectionDevice", [("notRequired", "")]),
            ("localConnectionInfo", local_state),
            ("cause", "newCall"),
        ],
        namespace=ns,
    )


def connection_cleared_event(
    ns: str,
    *,
    xref: str,
    call_id: str,
    dropped: str,
    releasing: str,
    local_state: str,
    cause: str = "normalClearing",
) -> bytes:
    return build(
        "ConnectionClearedEvent",
        [
            ("monitorCrossRefID", xref),
            ("droppedConnection", [("callID", call_id), ("deviceID", dropped)]),
            ("releasingDevice", _device(releasing)),
            ("localConnectionInfo", local_state),
            ("cause", cause),
        ],
        namespace=ns,
    )


def held_event(ns: str, *, xref: str, call_id: str, holding: str) -> bytes:
    return build(
        "HeldEvent",
        [
            ("monitorCrossRefID", xref),
            ("heldConnection", [("callID", call_id), ("deviceID", holding)]),
            ("holdingDevice", _device(holding)),
            ("cause", "normal"),
        ],
        namespace=ns,
    )


def retrieved_event(ns: str, *, xref: str, call_id: str, retrieving: str) -> bytes:
    return build(
        "RetrievedEvent",
        [
            ("monitorCrossRefID", xref),
            ("retrievedConnection", [("callID", call_id), ("deviceID", retrieving)]),
            ("retrievingDevice", _device(retrieving)),
            ("cause", "normal"),
        ],
        namespace=ns,
    )


# --- call control beyond the basics (ECMA-269 clauses 17: transfer, consultation, conference) ------


def _connection(call_id: str, device: str) -> list[Node]:
    return [("callID", call_id), ("deviceID", device)]


def single_step_transfer_call(ns: str, call_id: str, device: str, transferred_to: str) -> bytes:
    """SingleStepTransferCall: `device` hands its call to `transferred_to` and drops out (blind transfer)."""
    return build(
        "SingleStepTransferCall",
        [("activeCall", _connection(call_id, device)), ("transferredTo", transferred_to)],
        namespace=ns,
    )


def consultation_call(ns: str, call_id: str, device: str, consulted: str) -> bytes:
    """ConsultationCall: `device` holds `call_id` and calls `consulted` in one step."""
    return build(
        "ConsultationCall",
        [("existingCall", _connection(call_id, device)), ("consultedDevice", consulted)],
        namespace=ns,
    )


def _held_and_active(held: tuple[str, str], active: tuple[str, str]) -> list[Node]:
    return [("heldCall", _connection(*held)), ("activeCall", _connection(*active))]


def transfer_call(ns: str, held: tuple[str, str], active: tuple[str, str]) -> bytes:
    """TransferCall: the device of both connections joins the held call's and the active call's other
    parties and drops out (supervised transfer). `held`/`active`: (call id, device id)."""
    return build("TransferCall", _held_and_active(held, active), namespace=ns)


def conference_call(ns: str, held: tuple[str, str], active: tuple[str, str]) -> bytes:
    """ConferenceCall: the held call and the active call become one call with every party."""
    return build("ConferenceCall", _held_and_active(held, active), namespace=ns)


def alternate_call(ns: str, held: tuple[str, str], active: tuple[str, str]) -> bytes:
    """AlternateCall: hold the active call and retrieve the held one in one step."""
    return build("AlternateCall", _held_and_active(held, active), namespace=ns)


def single_step_transfer_call_response(ns: str, *, call_id: str, device: str) -> bytes:
    return build(
        "SingleStepTransferCallResponse", [("transferredCall", _connection(call_id, device))], namespace=ns
    )


def consultation_call_response(ns: str, *, call_id: str, device: str) -> bytes:
    return build("ConsultationCallResponse", [("initiatedCall", _connection(call_id, device))], namespace=ns)


def transfer_call_response(ns: str, *, call_id: str, device: str) -> bytes:
    return build("TransferCallResponse", [("transferredCall", _connection(call_id, device))], namespace=ns)


def conference_call_response(ns: str, *, call_id: str, device: str) -> bytes:
    return build("ConferenceCallResponse", [("conferenceCall", _connection(call_id, device))], namespace=ns)


def alternate_call_response(ns: str) -> bytes:
    return build("AlternateCallResponse", namespace=ns)


def service_initiated_event(
    ns: str, *, xref: str, call_id: str, device: str, cause: str = "newCall"
) -> bytes:
    """The device went off-hook (or the switch did it for MakeCall / ConsultationCall)."""
    return build(
        "ServiceInitiatedEvent",
        [
            ("monitorCrossRefID", xref),
            ("initiatedConnection", _connection(call_id, device)),
            ("initiatingDevice", _device(device)),
            ("localConnectionInfo", "initiated"),
            ("cause", cause),
        ],
        namespace=ns,
    )


def originated_event(
    ns: str, *, xref: str, call_id: str, calling: str, called: str, local_state: str, cause: str = "newCall"
) -> bytes:
    """The calling device's dialling is complete: the switch is routing the call to `called`."""
    return build(
        "OriginatedEvent",
        [
            ("monitorCrossRefID", xref),
            ("originatedConnection", _connection(call_id, calling)),
            ("callingDevice", _device(calling)),
            ("calledDevice", _device(called)),
            ("localConnectionInfo", local_state),
            ("cause", cause),
        ],
        namespace=ns,
    )


def _connection_list(moves: Iterable[tuple[str, str, str]]) -> list[Node]:
    """`moves`: (device, old call id, new call id) of each connection that changed calls."""
    return [
        (
            "connectionListItem",
            [("newConnection", _connection(new, device)), ("oldConnection", _connection(old, device))],
        )
        for device, old, new in moves
    ]


def transferred_event(
    ns: str,
    *,
    xref: str,
    primary_call: str,
    secondary_call: str | None,
    transferring: str,
    transferred_to: str,
    moves: Iterable[tuple[str, str, str]],
    local_state: str,
    cause: str,
) -> bytes:
    return build(
        "TransferredEvent",
        [
            ("monitorCrossRefID", xref),
            ("primaryOldCall", _connection(primary_call, transferring)),
            ("secondaryOldCall", _connection(secondary_call, transferring) if secondary_call else None),
            ("transferringDevice", _device(transferring)),
            ("transferredToDevice", _device(transferred_to)),
            ("transferredConnections", _connection_list(moves)),
            ("localConnectionInfo", local_state),
            ("cause", cause),
        ],
        namespace=ns,
    )


def conferenced_event(
    ns: str,
    *,
    xref: str,
    primary_call: str,
    secondary_call: str,
    conferencing: str,
    added: str,
    moves: Iterable[tuple[str, str, str]],
    local_state: str,
) -> bytes:
    return build(
        "ConferencedEvent",
        [
            ("monitorCrossRefID", xref),
            ("primaryOldCall", _connection(primary_call, conferencing)),
            ("secondaryOldCall", _connection(secondary_call, conferencing)),
            ("conferencingDevice", _device(conferencing)),
            ("addedParty", _device(added)),
            ("conferenceConnections", _connection_list(moves)),
            ("localConnectionInfo", local_state),
            ("cause", "normal"),
        ],
        namespace=ns,
    )


# --- device features (ECMA-269 clause 22: logical device features) --------------------------------

FORWARDING_TYPES = ("forwardImmediate", "forwardBusy", "forwardNoAns")


def set_do_not_disturb(ns: str, device: str, on: bool) -> bytes:
    return build("SetDoNotDisturb", [("device", device), ("doNotDisturbOn", _bool(on))], namespace=ns)


def get_do_not_disturb(ns: str, device: str) -> bytes:
    return build("GetDoNotDisturb", [("device", device)], namespace=ns)


def set_message_waiting_indicator(ns: str, device: str, on: bool) -> bytes:
    return build(
        "SetMessageWaitingIndicator", [("device", device), ("messageWaitingOn", _bool(on))], namespace=ns
    )


def get_message_waiting_indicator(ns: str, device: str) -> bytes:
    return build("GetMessageWaitingIndicator", [("device", device)], namespace=ns)


def set_forwarding(ns: str, device: str, forwarding_type: str, on: bool, destination: str = "") -> bytes:
    return build(
        "SetForwarding",
        [
            ("device", device),
            ("forwardingType", forwarding_type),
            ("activateForward", _bool(on)),
            ("forwardDN", destination or None),
        ],
        namespace=ns,
    )


def get_forwarding(ns: str, device: str) -> bytes:
    return build("GetForwarding", [("device", device)], namespace=ns)


def _bool(value: bool) -> str:
    return "true" if value else "false"


def get_do_not_disturb_response(ns: str, on: bool) -> bytes:
    return build("GetDoNotDisturbResponse", [("doNotDisturbOn", _bool(on))], namespace=ns)


def get_message_waiting_indicator_response(ns: str, on: bool) -> bytes:
    return build("GetMessageWaitingIndicatorResponse", [("messageWaitingOn", _bool(on))], namespace=ns)


def get_forwarding_response(ns: str, forwards: Iterable[tuple[str, bool, str]]) -> bytes:
    """`forwards`: (forwarding type, on, destination) of each forwarding the device has."""
    return build(
        "GetForwardingResponse",
        [
            (
                "forwardingList",
                [
                    (
                        "forwardListItem",
                        [("forwardingType", kind), ("forwardStatus", _bool(on)), ("forwardDN", dn or None)],
                    )
                    for kind, on, dn in forwards
                ],
            )
        ],
        namespace=ns,
    )


def empty_response(ns: str, name: str) -> bytes:
    """SetDoNotDisturbResponse, SetMessageWaitingIndicatorResponse, SetForwardingResponse."""
    return build(name, namespace=ns)


def feature_event(ns: str, name: str, *, xref: str, device: str, values: list[Node]) -> bytes:
    """DoNotDisturbEvent / MessageWaitingEvent / ForwardingEvent to a monitor of `device`."""
    return build(name, [("monitorCrossRefID", xref), ("device", _device(device)), *values], namespace=ns)
