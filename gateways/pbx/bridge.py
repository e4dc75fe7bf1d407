"""The link between calls and an account's PBX: short-lived CSTA sessions that place and control calls
and turn the switch's events into ``PbxCallEvent`` values the services apply to ``Call`` rows.

No Django models here besides reading the ``Pbx`` connection settings; no database writes. One session::

    with PbxBridge.open(pbx) as bridge:           # connect + StartApplicationSession
        bridge.monitor("2001", "2002")            # MonitorStart on each extension
        call_number = bridge.make_call("2002", "2001")
        for event in bridge.events(until=..., timeout=2):   # PbxCallEvent, one per monitored leg
            ...

CSTA failures are raised as ``PbxError`` subclasses (``PbxUnavailable``, ``PbxTimeout``,
``PbxRejected``) carrying the CSTA client's actionable message; the API maps them (docs/calls.md).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from core.errors import TimedOut, Unavailable
from gateways.models import Pbx
from gateways.pbx import csta

logger = logging.getLogger(__name__)

APPLICATION_ID = "CloudLinkMedia"

# CSTA local connection states (ECMA-269) -> CloudLink call states.
LOCAL_STATE_TO_CALL_STATE = {
    "alerting": "ringing",
    "initiated": "ringing",
    "queued": "ringing",
    "connected": "connected",
    "hold": "held",
    "held": "held",
    "fail": "completed",
    "null": "completed",
}


# --- errors ---------------------------------------------------------------------------------------


class PbxError(Unavailable):
    """A PBX problem the caller cannot fix by changing the request (except PbxRejected)."""

    name = "PbxUnavailable"

    def __init__(self, message: str, *, code: str = "", csta_error: csta.CstaError | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.csta_error = csta_error


class PbxUnavailable(PbxError):
    """The PBX could not be reached or refused the session (refused, unreachable, bad credentials...)."""


class PbxTimeout(PbxError, TimedOut):
    """The PBX did not answer in time."""

    name = "PbxTimeout"


class PbxRejected(PbxError):
    """The PBX answered the request with a CSTA error (``category``/``value``, e.g. invalidCalledDevice).
    ``reason`` is the PBX's answer; ``message`` says the PBX refused."""

    name = "PbxRejected"

    def __init__(self, message: str, *, category: str, value: str, csta_error: csta.CstaError | None = None):
        super().__init__(message, code=value or category, csta_error=csta_error)
        self.reason = message
        self.message = f"The account's PBX refused the request: {message}"
        self.category = category
        self.value = value


def translate(exc: csta.CstaError) -> PbxError:
    if isinstance(exc, csta.CstaServiceError):
        return PbxRejected(str(exc), category=exc.category, value=exc.value, csta_error=exc)
    if isinstance(exc, csta.CstaTimeout):
        return PbxTimeout(f"The account's PBX did not answer in time: {exc}", code=exc.code, csta_error=exc)
    return PbxUnavailable(f"The account's PBX cannot be reached: {exc}", code=exc.code, csta_error=exc)


# --- events as the services see them ----------------------------------------------------------------


@dataclass(frozen=True)
class PbxCallEvent:
    """One CSTA event seen from one monitored extension (``device``): the state of that device's leg."""

    kind: str  # initiated, originated, delivered, established, cleared, held, retrieved, transferred,
    # conferenced, diverted, failed, snapshot, gone; "feature" (DND, message waiting, forwarding changed)
    call_number: str
    device: str
    calling: str = ""
    called: str = ""
    state: str = ""  # CloudLink state of the device's leg, "" when unknown
    cause: str = ""
    extra: dict = field(default_factory=dict)
    far_end: str = ""  # the party the leg now talks to, when a transfer changed it


# Kinds whose ``state`` comes with the event; the others (held, retrieved...) need a snapshot.
STATEFUL_KINDS = frozenset(
    {
        "initiated",
        "originated",
        "delivered",
        "established",
        "cleared",
        "transferred",
        "conferenced",
        "diverted",
        "failed",
        "feature",
    }
)
# Device feature events (ECMA-269 clause 22): a "feature" event names only the device.
FEATURE_EVENTS = frozenset({"DoNotDisturbEvent", "MessageWaitingEvent", "ForwardingEvent"})


def _state(local_state: str) -> str:
    return LOCAL_STATE_TO_CALL_STATE.get(local_state, "")


def call_event(event: csta.CstaEvent, device: str) -> PbxCallEvent | None:
    """Translate a client event received on ``device``'s monitor (None: not about a call leg)."""
    if isinstance(event, csta.DeliveredEvent):
        return PbxCallEvent(
            "delivered",
            event.call_id,
            device,
            calling=event.calling_device,
            called=event.called_device,
            state=_state(event.local_state),
            cause=event.cause,
            extra={
                "eventType": "deliveredEvent",
                "alertingDevice": event.alerting_device,
                "callingDevice": event.calling_device,
                "calledDevice": event.called_device,
                "localConnectionInfo": event.local_state,
                "callTrackingID": event.call_id,
            },
        )
    if isinstance(event, csta.EstablishedEvent):
        return PbxCallEvent(
            "established",
            event.call_id,
            device,
            calling=event.calling_device,
            called=event.called_device,
            state=_state(event.local_state),
            cause=event.cause,
            extra={
                "eventType": "establishedEvent",
                "answeringDevice": event.answering_device,
                "callingDevice": event.calling_device,
                "calledDevice": event.called_device,
                "localConnectionInfo": event.local_state,
                "callTrackingID": event.call_id,
            },
        )
    if isinstance(event, csta.ConnectionClearedEvent):
        return PbxCallEvent(
            "cleared",
            event.call_id,
            device,
            state=_state(event.local_state),
            cause=event.cause,
            extra={
                "eventType": "connectionClearedEvent",
                "droppedDevice": event.dropped_device,
                "releasingDevice": event.releasing_device,
                "localConnectionInfo": event.local_state,
                "callTrackingID": event.call_id,
            },
        )
    if isinstance(event, csta.OtherEvent) and event.name in FEATURE_EVENTS:
        return PbxCallEvent(
            "feature", "", device, extra={"eventType": event.name[:1].lower() + event.name[1:]}
        )
    if isinstance(event, csta.OtherEvent) and event.call_id:
        kind = {"HeldEvent": "held", "RetrievedEvent": "retrieved"}.get(event.name, event.name)
        return PbxCallEvent(
            kind, event.call_id, device, extra={"eventType": event.name[:1].lower() + event.name[1:]}
        )
    return None


def call_events(event: csta.CstaEvent, device: str) -> list[PbxCallEvent]:
    """Every leg change one client event means for ``device`` (a transfer ends a leg and starts another)."""
    if isinstance(event, csta.ServiceInitiatedEvent):
        # The caller's side of a call being set up is "connected" in CloudLink's words (Media spec, make call).
        return [
            PbxCallEvent(
                "initiated",
                event.call_id,
                device,
                calling=event.initiating_device,
                state="connected",
                cause=event.cause,
                extra={
                    "eventType": "serviceInitiatedEvent",
                    "initiatingDevice": event.initiating_device,
                    "localConnectionInfo": event.local_state,
                    "callTrackingID": event.call_id,
                },
            )
        ]
    if isinstance(event, csta.OriginatedEvent):
        return [
            PbxCallEvent(
                "originated",
                event.call_id,
                device,
                calling=event.calling_device,
                called=event.called_device,
                state=_state(event.local_state),
                cause=event.cause,
                extra={
                    "eventType": "originatedEvent",
                    "callingDevice": event.calling_device,
                    "calledDevice": event.called_device,
                    "localConnectionInfo": event.local_state,
                    "callTrackingID": event.call_id,
                },
            )
        ]
    if isinstance(event, csta.DivertedEvent):
        return [_diverted(event, device)]
    if isinstance(event, csta.FailedEvent):
        return [
            PbxCallEvent(
                "failed",
                event.call_id,
                device,
                calling=event.calling_device,
                called=event.failing_device,
                state=_state(event.local_state),
                cause=event.cause,
                extra={
                    "eventType": "failedEvent",
                    "failingDevice": event.failing_device,
                    "callingDevice": event.calling_device,
                    "localConnectionInfo": event.local_state,
                    "callTrackingID": event.call_id,
                },
            )
        ]
    if isinstance(event, csta.TransferredEvent):
        return _transferred(event, device)
    if isinstance(event, csta.ConferencedEvent):
        return _conferenced(event, device)
    single = call_event(event, device)
    return [single] if single is not None else []


def _diverted(event: csta.DivertedEvent, device: str) -> PbxCallEvent:
    """The diverting device's leg ends (or is born over, when it never rang); the caller's leg now talks to
    the new destination."""
    return PbxCallEvent(
        "diverted",
        event.call_id,
        device,
        calling=event.calling_device,
        called=event.diverting_device,
        state=_state(event.local_state),
        cause=event.cause,
        extra={
            "eventType": "divertedEvent",
            "divertingDevice": event.diverting_device,
            "newDestination": event.new_destination,
            "callingDevice": event.calling_device,
            "localConnectionInfo": event.local_state,
            "callTrackingID": event.call_id,
        },
        far_end=event.new_destination if device == event.calling_device else "",
    )


def _moved_legs(event, device: str, *, kind: str, far_end: str, extra: dict) -> list[PbxCallEvent]:
    """``device``'s connection moved from an old call to the resulting one: the old leg ends, a new leg
    (inbound from ``far_end``) starts in the event's local state."""
    move = next(m for m in event.moves if m.device == device)
    return [
        PbxCallEvent(kind, move.old_call_id, device, state="completed", cause=event.cause, extra=extra),
        PbxCallEvent(
            kind,
            move.new_call_id,
            device,
            calling=far_end,
            called=device,
            state=_state(event.local_state),
            cause=event.cause,
            extra=extra,
        ),
    ]


def _transferred(event: csta.TransferredEvent, device: str) -> list[PbxCallEvent]:
    extra = {
        "eventType": "transferredEvent",
        "primaryOldCall": event.call_id,
        "secondaryOldCall": event.secondary_call_id,
        "transferringDevice": event.transferring_device,
        "transferredToDevice": event.transferred_to_device,
        "localConnectionInfo": event.local_state,
        "callTrackingID": event.call_id,
    }
    if device == event.transferring_device:
        calls = [c for c in (event.call_id, event.secondary_call_id) if c]
        return [
            PbxCallEvent("transferred", c, device, state="completed", cause=event.cause, extra=extra)
            for c in calls
        ]
    moved = [m for m in event.moves if m.device == device and m.old_call_id != m.new_call_id]
    if moved:
        stayed = next((m.device for m in event.moves if m.device != device), "")
        return _moved_legs(event, device, kind="transferred", far_end=stayed, extra=extra)
    return [
        PbxCallEvent(
            "transferred",
            event.call_id,
            device,
            state=_state(event.local_state),
            cause=event.cause,
            extra=extra,
            far_end=event.transferred_to_device,
        )
    ]


def _conferenced(event: csta.ConferencedEvent, device: str) -> list[PbxCallEvent]:
    extra = {
        "eventType": "conferencedEvent",
        "primaryOldCall": event.call_id,
        "secondaryOldCall": event.secondary_call_id,
        "conferencingDevice": event.conferencing_device,
        "addedParty": event.added_party,
        "localConnectionInfo": event.local_state,
        "callTrackingID": event.call_id,
    }
    if device == event.added_party:
        return _moved_legs(event, device, kind="conferenced", far_end=event.conferencing_device, extra=extra)
    events = [
        PbxCallEvent(
            "conferenced",
            event.call_id,
            device,
            state=_state(event.local_state),
            cause=event.cause,
            extra=extra,
        )
    ]
    if device == event.conferencing_device:
        events.insert(
            0,
            PbxCallEvent(
                "conferenced",
                event.secondary_call_id,
                device,
                state="completed",
                cause=event.cause,
                extra=extra,
            ),
        )
    return events


# --- a session ----------------------------------------------------------------------------------------


class PbxBridge:
    """One CSTA session to an account's PBX, with the monitors it started."""

    def __init__(self, client: csta.CstaClient):
        self.client = client
        self.monitors: dict[str, str] = {}  # monitor cross-reference id -> extension

    @classmethod
    def open(cls, pbx: Pbx, *, timeout: float | None = None) -> PbxBridge:
        from gateways.services import csta_timeout

        client = csta.CstaClient(
            pbx.host,
            pbx.csta_port,
            timeout=timeout or csta_timeout(),
            tls=pbx.csta_tls,
            tls_trust_pem=pbx.csta_tls_certificate,
        )
        try:
            client.connect()
            client.start_session(APPLICATION_ID, pbx.csta_user, pbx.csta_password)
        except csta.CstaError as exc:
            client.close()
            raise translate(exc) from exc
        return cls(client)

    def __enter__(self) -> PbxBridge:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self.close()

    def close(self) -> None:
        client = self.client
        try:
            if client.connected and client.session is not None:
                for xref in list(self.monitors):
                    client.monitor_stop(xref, timeout=1.0)
                client.stop_session(timeout=1.0)
        except csta.CstaError:
            logger.info("CSTA session to %s not closed cleanly", client.address)
        finally:
            self.monitors.clear()
            client.close()

    def _do(self, operation: Callable, *args):
        try:
            return operation(*args)
        except csta.CstaError as exc:
            raise translate(exc) from exc

    def monitor(self, *extensions: str) -> None:
        """Monitor each extension once; extensions the PBX does not know are skipped (logged)."""
        watched = set(self.monitors.values())
        for extension in dict.fromkeys(extensions):
            if not extension or extension in watched:
                continue
            try:
                self.monitors[self._do(self.client.monitor_start, extension)] = extension
            except PbxRejected as exc:
                logger.info("PBX refused to monitor %s: %s", extension, exc)

    def make_call(self, calling: str, called: str) -> str:
        return self._do(self.client.make_call, calling, called)

    def answer(self, call_number: str, device: str) -> None:
        self._do(self.client.answer_call, call_number, device)

    def clear(self, call_number: str, device: str) -> None:
        self._do(self.client.clear_connection, call_number, device)

    def hold(self, call_number: str, device: str) -> None:
        self._do(self.client.hold_call, call_number, device)

    def retrieve(self, call_number: str, device: str) -> None:
        self._do(self.client.retrieve_call, call_number, device)

    def blind_transfer(self, call_number: str, device: str, destination: str) -> str:
        return self._do(self.client.single_step_transfer, call_number, device, destination)

    def consult(self, call_number: str, device: str, destination: str) -> str:
        return self._do(self.client.consultation_call, call_number, device, destination)

    def transfer(self, held_call: str, active_call: str, device: str) -> str:
        return self._do(self.client.transfer_call, (held_call, device), (active_call, device))

    def conference(self, held_call: str, active_call: str, device: str) -> str:
        return self._do(self.client.conference_call, (held_call, device), (active_call, device))

    def alternate(self, held_call: str, active_call: str, device: str) -> None:
        self._do(self.client.alternate_call, (held_call, device), (active_call, device))

    def set_feature(self, device: str, feature: str, on: bool) -> None:
        """``feature``: dnd or messageWaiting."""
        operation = {"dnd": self.client.set_do_not_disturb, "messageWaiting": self.client.set_message_waiting}
        self._do(operation[feature], device, on)

    def set_forwarding(self, device: str, forwarding_type: str, destination: str) -> None:
        """Forward ``forwarding_type`` calls to ``destination``; "" switches that forwarding off."""
        self._do(self.client.set_forwarding, device, forwarding_type, bool(destination), destination)

    def device_features(self, device: str) -> dict:
        """DND, message waiting and the active forwardings (type -> destination) of ``device``."""
        return {
            "dnd": self._do(self.client.get_do_not_disturb, device),
            "messageWaiting": self._do(self.client.get_message_waiting, device),
            "forwarding": self._do(self.client.get_forwarding, device),
        }

    def snapshot(self, device: str) -> list[PbxCallEvent]:
        """The device's current calls as ``snapshot`` events (state from the local connection state)."""
        result = self._do(self.client.snapshot_device, device)
        return [
            PbxCallEvent(
                "snapshot",
                connection.call_id,
                device,
                state=_state(connection.state),
                extra={"eventType": "snapshot", "localConnectionInfo": connection.state},
            )
            for connection in result.connections
            if connection.call_id
        ]

    def events(self, *, until: float, idle: float | None = None) -> Iterator[PbxCallEvent]:
        """Yield call events until the monotonic deadline ``until`` (or ``idle`` seconds without one).
        A broken connection ends the stream (logged): what was seen so far stays valid."""
        while (remaining := until - time.monotonic()) > 0:
            wait = remaining if idle is None else min(remaining, idle)
            try:
                event = self.client.next_event(timeout=wait)
            except csta.CstaError as exc:
                logger.warning("CSTA event stream from %s ended: %s", self.client.address, exc)
                return
            if event is None:
                if idle is not None:
                    return
                continue
            device = self.monitors.get(event.monitor_xref)
            if device is None:
                continue
            for translated in call_events(event, device):
                if translated.kind in STATEFUL_KINDS:
                    yield translated
                    continue
                # Held, retrieved and the rest do not say whose side changed: ask the switch.
                try:
                    current = [e for e in self.snapshot(device) if e.call_number == translated.call_number]
                except PbxError as exc:
                    logger.warning("CSTA snapshot of %s failed: %s", device, exc)
                    return
                yield from current or [PbxCallEvent("gone", translated.call_number, device)]
