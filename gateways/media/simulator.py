"""``PbxSimulator`` with the call-control services the Media API uses: AnswerCall, HoldCall, RetrieveCall.

Kept beside the Media app so the base simulator (issue 5) stays untouched; it could move into
``gateways/simulator.py`` as is. Held parties are reported by SnapshotDevice as ``hold``; HeldEvent and
RetrievedEvent go to every monitor of the call (the bridge asks a snapshot to learn whose side changed).
"""

from __future__ import annotations

from gateways import csta_xml as cx
from gateways.simulator import PbxSimulator, _Connection, _local_state


class CallControlSimulator(PbxSimulator):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.held: dict[str, set[str]] = {}  # call id -> devices that put the call on hold

    def _connection_of(self, connection: _Connection, invoke_id: int, message: cx.Message, element: str):
        call_id = message.text(element, "callID")
        device = message.text(element, "deviceID")
        with self._lock:
            call = self._calls.get(call_id)
        if call is None or device not in (call.calling, call.called):
            connection.send(
                invoke_id, cx.csta_error(connection.namespace, "operation", "invalidConnectionID")
            )
            return None, ""
        return call, device

    def _on_AnswerCall(self, connection: _Connection, invoke_id: int, message: cx.Message) -> None:
        call, device = self._connection_of(connection, invoke_id, message, "callToBeAnswered")
        if call is None:
            return
        if device != call.called or call.state != "alerting":
            connection.send(invoke_id, cx.csta_error(connection.namespace, "operation", "invalidObjectState"))
            return
        connection.send(invoke_id, cx.build("AnswerCallResponse", namespace=connection.namespace))
        self.answer(call.call_id)

    def _on_HoldCall(self, connection: _Connection, invoke_id: int, message: cx.Message) -> None:
        call, device = self._connection_of(connection, invoke_id, message, "callToBeHeld")
        if call is None:
            return
        with self._call_lock:
            if call.state != "connected" or device in self.held.get(call.call_id, set()):
                connection.send(
                    invoke_id, cx.csta_error(connection.namespace, "operation", "invalidObjectState")
                )
                return
            self.held.setdefault(call.call_id, set()).add(device)
            connection.send(invoke_id, cx.build("HoldCallResponse", namespace=connection.namespace))
            self._notify(
                call, lambda ns, xref, monitored: _hold_event(ns, "HeldEvent", xref, call.call_id, device)
            )

    def _on_RetrieveCall(self, connection: _Connection, invoke_id: int, message: cx.Message) -> None:
        call, device = self._connection_of(connection, invoke_id, message, "callToBeRetrieved")
        if call is None:
            return
        with self._call_lock:
            if device not in self.held.get(call.call_id, set()):
                connection.send(
                    invoke_id, cx.csta_error(connection.namespace, "operation", "invalidObjectState")
                )
                return
            self.held[call.call_id].discard(device)
            connection.send(invoke_id, cx.build("RetrieveCallResponse", namespace=connection.namespace))
            self._notify(
                call,
                lambda ns, xref, monitored: _hold_event(ns, "RetrievedEvent", xref, call.call_id, device),
            )

    def _on_SnapshotDevice(self, connection: _Connection, invoke_id: int, message: cx.Message) -> None:
        device = message.text("snapshotObject")
        if device not in self._users:
            connection.send(invoke_id, cx.csta_error(connection.namespace, "operation", "invalidDeviceID"))
            return
        with self._lock:
            entries = [
                (
                    call.call_id,
                    device,
                    "hold" if device in self.held.get(call.call_id, set()) else _local_state(call, device),
                )
                for call in self._calls.values()
                if device in (call.calling, call.called)
            ]
        connection.send(invoke_id, cx.snapshot_device_response(connection.namespace, entries))


def _hold_event(ns: str, name: str, xref: str, call_id: str, device: str) -> bytes:
    party = "holdingDevice" if name == "HeldEvent" else "retrievingDevice"
    connection = "heldConnection" if name == "HeldEvent" else "retrievedConnection"
    return cx.build(
        name,
        [
            ("monitorCrossRefID", xref),
            (connection, [("callID", call_id), ("deviceID", device)]),
            (party, [("deviceIdentifier", device)]),
            ("cause", "normal"),
        ],
        namespace=ns,
    )
