"""Placing and controlling calls through an account's PBX, and applying the PBX's events to ``Call`` legs.

Rules (docs/calls.md):

* An actor acts on the calls of its own account's PBX. Admins and delegated tokens may use any
  extension; a USER only its own ``User.extension`` (403 otherwise): ``access.may_use_extension``.
* ``call_make`` opens a short CSTA session, monitors the calling and called extensions, sends MakeCall,
  records the caller's outbound leg and reads the switch's events for up to ``MEDIA_DELIVERED_WAIT``
  seconds (until each monitored party has reported the call), so the called party's ringing leg exists
  and is published when the API answers. A Celery task (``call_follow_task``) then follows the call
  (answered, held, cleared on the phones) for at most ``MEDIA_CALL_FOLLOW_SECONDS``.
* ``call_action`` (answer, end, hold, retrieve) checks the leg's state (409 when the action makes no
  sense), asks the PBX, and applies the resulting events (or, if none came, the acknowledged outcome).
* Every state change of a leg is one ``platform-api-media`` publication (CloudLink's CallStateNotification).
"""

from __future__ import annotations

import time
from dataclasses import replace

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from accounts import access
from accounts.access import Principal
from accounts.models import Account, User
from core.errors import Conflict
from core.jobs import enqueue
from gateways.pbx.bridge import PbxBridge, PbxCallEvent, PbxError, PbxRejected
from media import selectors
from media.models import Call, CallDirection, CallState
from media.serializers import call_notification
from notifications.publish import publication_publish

TOPIC = "platform-api-media"
DRAIN_SECONDS, DRAIN_IDLE = 0.5, 0.1
# Valid in the CloudLink spec, not served (400 with a clear message): dtmf needs CSTA GenerateDigits, which
# the MX-ONE CloudLink Gateway's CSTA component does not list; recordings have no CSTA service at all.
UNSUPPORTED_ACTIONS = (
    "dtmf",
    "pauseRecording",
    "resumeRecording",
    "tagRecording",
)
NO_PBX_MESSAGE = (
    "This account has no PBX connected: an administrator must add the CloudLink Gateway and its PBX "
    "(Gateway page) before calls can be placed."
)


class NoPbxConfigured(Conflict):
    """The account has no PBX to place the call on (409)."""

    name = "PbxNotConfigured"


class CallStateConflict(Conflict):
    """The action does not apply to the call in its current state (409)."""


def _setting(name: str, default: float) -> float:
    return float(getattr(settings, name, default))


def delivered_wait() -> float:
    return _setting("MEDIA_DELIVERED_WAIT", 2.0)


def action_event_wait() -> float:
    return _setting("MEDIA_ACTION_EVENT_WAIT", 1.0)


def follow_seconds() -> float:
    return _setting("MEDIA_CALL_FOLLOW_SECONDS", 120.0)


def _publish(call: Call) -> None:
    content = call_notification(call, user=selectors.user_for_extension(call.account, call.endpoint))
    # The extension's user (and the account's admins, always) may receive it; nobody else.
    audience = [content["principalId"]] if content["principalId"] else []
    publication_publish(
        account=call.account,
        topic=TOPIC,
        subject=f"/2017-09-01/endpoints/{call.endpoint}/calls/{call.call_number}",
        method="PUT",
        content=content,
        audience=audience,
    )


# --- applying events -----------------------------------------------------------------------------------


# "diverted": a call forwarded before the device rang still shows there, over (cause callForward...).
_LEG_STARTING_KINDS = (
    "initiated",
    "originated",
    "delivered",
    "established",
    "transferred",
    "conferenced",
    "diverted",
)


def _new_leg(account: Account, event: PbxCallEvent) -> Call | None:
    """A leg the PBX told us about first (a ringing phone, a call dialled on the phone)."""
    if event.kind == "snapshot" and event.state in (CallState.RINGING, CallState.CONNECTED, CallState.HELD):
        # A call that started while nobody listened (the listener's catch-up): the snapshot names no far end.
        inbound = event.state == CallState.RINGING
        return Call(
            account=account,
            endpoint=event.device,
            call_number=event.call_number,
            direction=CallDirection.INBOUND if inbound else CallDirection.OUTBOUND,
            from_number="" if inbound else event.device,
            to_number=event.device if inbound else "",
            state=CallState.UNKNOWN,
            cause="newCall",
        )
    if event.kind not in _LEG_STARTING_KINDS or not event.calling:
        return None
    if not event.called and event.kind != "initiated":  # off-hook: the number comes with OriginatedEvent
        return None
    if event.device == event.called:
        direction = CallDirection.INBOUND
    elif event.device == event.calling:
        direction = CallDirection.OUTBOUND
    else:
        return None
    return Call(
        account=account,
        endpoint=event.device,
        call_number=event.call_number,
        direction=direction,
        from_number=event.calling,
        to_number=event.called,
        state=CallState.UNKNOWN,
        cause=event.cause or "newCall",
    )


def _next_state(call: Call, event: PbxCallEvent) -> str:
    if event.state:
        return event.state
    return {"held": CallState.HELD, "retrieved": CallState.CONNECTED, "gone": CallState.COMPLETED}.get(
        event.kind, call.state
    )


def _learn_parties(call: Call, event: PbxCallEvent) -> bool:
    """Fill in who the leg talks to: the number dialled after going off-hook, the new far end after a
    transfer. True when something changed."""
    before = (call.from_number, call.to_number)
    if event.called and not call.to_number and call.direction == CallDirection.OUTBOUND:
        call.to_number = event.called
    if event.far_end:
        if call.direction == CallDirection.INBOUND:
            call.from_number = event.far_end
        else:
            call.to_number = event.far_end
    return (call.from_number, call.to_number) != before


def call_event_apply(account: Account, event: PbxCallEvent) -> Call | None:
    """Apply one PBX event to the leg of ``event.device``; publish when the leg's state changed.
    Over legs never change again. Returns the leg (None when the event is about no leg we know)."""
    with transaction.atomic():
        call = (
            Call.objects.select_for_update()
            .filter(
                account=account, endpoint=event.device, call_number=event.call_number, end_time__isnull=True
            )
            .first()
        )
        created = False
        if call is None:
            call = _new_leg(account, event)
            if call is None:
                return None
            created = True
        state = _next_state(call, event)
        now = timezone.now()
        answered = event.kind in ("established", "transferred", "conferenced") or (
            event.kind == "snapshot" and call.direction == CallDirection.INBOUND
        )
        if _learn_parties(call, event) and not created and state == call.state:
            call.save(update_fields=["from_number", "to_number", "modified_at"])
        if not created and state == call.state:
            if answered and state == CallState.CONNECTED and call.answered_at is None:
                # The caller's side is "connected" from the start; the far end answering is news all
                # the same (it makes the call "completed" when it ends), but not a state change.
                call.answered_at = now
                call.save(update_fields=["answered_at", "modified_at"])
            return call
        call.state = state
        if event.kind != "snapshot" and event.cause:
            call.cause = event.cause
        if event.extra and event.kind != "snapshot":
            call.extra_pbx_data = event.extra
        if state == CallState.CONNECTED and answered and call.answered_at is None:
            call.answered_at = now
        if state == CallState.COMPLETED:
            call.end_time = now
        call.save()
        _publish(call)
        return call


def _apply_all(account: Account, events) -> list[Call]:
    return [call for event in events if (call := call_event_apply(account, event)) is not None]


# --- placing a call ------------------------------------------------------------------------------------


def _pbx(account: Account):
    pbx = selectors.pbx_for_account(account)
    if pbx is None or not pbx.host or not pbx.csta_port:
        raise NoPbxConfigured(NO_PBX_MESSAGE)
    return pbx


def call_make(*, actor: User | Principal, extension: str, to: str, from_name: str = "") -> Call:
    """MakeCall from ``extension`` to ``to``; returns the caller's outbound leg (see the module doc).
    ``actor``: a user, or the request's ``access.Principal`` (a delegated token may use any extension)."""
    account = selectors.endpoint_account(actor=actor, extension=extension)
    to = (to or "").strip()
    if not to:
        raise ValidationError({"to": ["A number to call is required."]})
    pbx = _pbx(account)
    with PbxBridge.open(pbx) as bridge:
        bridge.monitor(extension, to)
        try:
            call_number = bridge.make_call(extension, to)
        except PbxRejected as exc:
            if exc.value == "invalidCallingDevice":
                raise Http404(f"The account's PBX has no extension {extension}.") from exc
            if exc.value == "invalidCalledDevice":
                raise ValidationError({"to": [f"The PBX cannot call {to}."]}) from exc
            raise
        with transaction.atomic():
            call = Call.objects.create(
                account=account,
                endpoint=extension,
                call_number=call_number,
                direction=CallDirection.OUTBOUND,
                from_number=extension,
                from_name=from_name,
                to_number=to,
                state=CallState.CONNECTED,  # the caller's side of a make call (Media spec)
                cause="newCall",
                placed_by=access.principal_of(actor).user,
                extra_pbx_data={"eventType": "makeCall", "callTrackingID": call_number},
            )
            _publish(call)
        waiting = {device for device in bridge.monitors.values() if device in (extension, to)}
        deadline = time.monotonic() + delivered_wait()
        for event in bridge.events(until=deadline):
            if event.call_number != call_number:
                call_event_apply(account, event)
                continue
            call_event_apply(account, event)
            waiting.discard(event.device)
            if not waiting:
                break
        _drain(account, bridge)
    _follow_later(account, call_number, [extension, to])
    call.refresh_from_db()
    return call


def _drain(account: Account, bridge: PbxBridge) -> None:
    """Apply the events already on their way (the other party's side of the same change)."""
    for event in bridge.events(until=time.monotonic() + DRAIN_SECONDS, idle=DRAIN_IDLE):
        call_event_apply(account, event)


def _follow_later(account: Account, call_number: str, extensions: list[str]) -> None:
    from celery import current_app

    if follow_seconds() <= 0 or current_app.conf.task_always_eager:
        # No worker (tasks would run inside this request for minutes): the call is not followed.
        return

    enqueue("gateways.media.tasks.call_follow_task", account.pk, call_number, extensions, follow_seconds())


def call_follow(account_id: int, call_number: str, extensions: list[str], seconds: float) -> list[str]:
    """Follow one call on a fresh session until all its legs are over or ``seconds`` pass. Starts with a
    snapshot of each extension, so changes made while no session watched are not lost. Returns the
    final states of the call's legs."""
    account = Account.objects.get(pk=account_id)
    pbx = _pbx(account)
    deadline = time.monotonic() + seconds

    def live_legs() -> list[Call]:
        return list(Call.objects.filter(account=account, call_number=call_number, end_time__isnull=True))

    with PbxBridge.open(pbx) as bridge:
        bridge.monitor(*extensions)
        for device in set(bridge.monitors.values()):
            present = [e for e in bridge.snapshot(device) if e.call_number == call_number]
            _apply_all(account, present)
            if not present:
                _apply_all(account, [PbxCallEvent("gone", call_number, device)])
        while live_legs() and time.monotonic() < deadline:
            for event in bridge.events(until=deadline, idle=1.0):
                call_event_apply(account, event)
            if not bridge.client.connected:
                break
    return sorted(
        Call.objects.filter(account=account, call_number=call_number).values_list("state", flat=True)
    )


# --- controlling a call -------------------------------------------------------------------------------

BASIC_ACTIONS = ("answer", "end", "hold", "retrieve")
# ``args`` is the destination for these (Media spec: "if action is blindTransfer then args must be the
# destination"), and the other call's id for those (the leg the endpoint holds or talks on).
DESTINATION_ACTIONS = ("blindTransfer", "consult")
TWO_CALL_ACTIONS = ("supervisedTransfer", "conference")

_EXPECTED = {
    "answer": CallState.CONNECTED,
    "end": CallState.COMPLETED,
    "hold": CallState.HELD,
    "retrieve": CallState.CONNECTED,
}
_PAST = {
    "answer": "answered",
    "end": "ended",
    "hold": "held",
    "retrieve": "retrieved",
    "blindTransfer": "transferred",
    "consult": "used to consult",
    "supervisedTransfer": "transferred",
    "conference": "conferenced",
}


def _check_transition(call: Call, action: str) -> None:
    if call.is_over:
        raise CallStateConflict(f"The call {call.call_id} is over: it cannot be {_PAST[action]}.")
    if action == "answer" and (call.direction != CallDirection.INBOUND or call.state != CallState.RINGING):
        raise CallStateConflict(
            f"Only a ringing inbound call can be answered; {call.call_id} is {call.direction} and {call.state}."
        )
    if action in ("hold", "blindTransfer", "consult") and call.state != CallState.CONNECTED:
        raise CallStateConflict(
            f"Only a connected call can be {_PAST[action]}; {call.call_id} is {call.state}."
        )
    if action == "retrieve" and call.state != CallState.HELD:
        raise CallStateConflict(f"Only a held call can be retrieved; {call.call_id} is {call.state}.")


def _pbx_refusal(exc: PbxRejected, call: Call, action: str) -> Exception:
    """What a CSTA refusal of ``action`` on ``call`` means for the API."""
    if exc.value in ("invalidConnectionID", "invalidCallID"):
        # The PBX no longer knows the call: it ended while nobody watched.
        call_event_apply(call.account, PbxCallEvent("gone", call.call_number, call.endpoint))
        return CallStateConflict(f"The call {call.call_id} is no longer active on the PBX.")
    if exc.value in ("invalidDestination", "invalidCalledDevice"):
        return ValidationError({"args": [f"The PBX cannot {action} to that number: {exc.reason}"]})
    if exc.value in ("invalidObjectState", "invalidCallState", "generic"):
        return CallStateConflict(f"The PBX refused to {action} {call.call_id}: {exc}")
    return exc


def _apply_until(account: Account, bridge: PbxBridge, done) -> None:
    """Apply events until ``done()`` holds or ``MEDIA_ACTION_EVENT_WAIT`` passes, then drain the rest."""
    deadline = time.monotonic() + action_event_wait()
    if not done():
        for event in bridge.events(until=deadline):
            call_event_apply(account, event)
            if done():
                break
    _drain(account, bridge)


def _leg_state(account: Account, extension: str, call_number: str) -> str:
    leg = selectors.call_leg(account, extension, call_number)
    return leg.state if leg is not None else ""


def call_action(
    *, actor: User | Principal, extension: str, call_ref: str, action: str, args: str = ""
) -> Call:
    """Apply ``action`` to the extension's leg of a call (docs/calls.md, "Actions"). ``args``: the
    destination for blindTransfer/consult, the other call's id for supervisedTransfer/conference.
    Returns the leg the caller cares about next: the consultation call's leg for consult, the
    conference's leg for conference, the acted-on leg otherwise."""
    known = (*BASIC_ACTIONS, *DESTINATION_ACTIONS, *TWO_CALL_ACTIONS)
    if action in UNSUPPORTED_ACTIONS:
        raise ValidationError(
            {"action": [f"The action {action!r} is not supported here; supported: {', '.join(known)}."]}
        )
    if action not in known:
        raise ValidationError({"action": [f"Unknown action {action!r}; expected one of {', '.join(known)}."]})
    args = (args or "").strip()
    if action in (*DESTINATION_ACTIONS, *TWO_CALL_ACTIONS) and not args:
        what = "the destination number" if action in DESTINATION_ACTIONS else "the other call's id"
        raise ValidationError({"args": [f"{action} needs args: {what}."]})
    call = selectors.call_get_or_404(actor=actor, extension=extension, call_ref=call_ref)
    _check_transition(call, action)
    if action in TWO_CALL_ACTIONS:
        other = selectors.call_get_or_404(actor=actor, extension=extension, call_ref=args)
        return _two_call_action(call, other, action)
    if action in DESTINATION_ACTIONS:
        return _destination_action(call, action, args)
    return _basic_action(call, action)


def _basic_action(call: Call, action: str) -> Call:
    account = call.account
    pbx = _pbx(account)
    # Retrieving a held call while another call of the extension is connected swaps them (AlternateCall).
    talking = (
        Call.objects.filter(
            account=account, endpoint=call.endpoint, state=CallState.CONNECTED, end_time__isnull=True
        )
        .exclude(pk=call.pk)
        .first()
        if action == "retrieve"
        else None
    )
    with PbxBridge.open(pbx) as bridge:
        bridge.monitor(call.from_number, call.to_number)
        try:
            if talking is not None:
                bridge.alternate(call.call_number, talking.call_number, call.endpoint)
            else:
                operation = {"answer": "answer", "end": "clear", "hold": "hold", "retrieve": "retrieve"}[
                    action
                ]
                getattr(bridge, operation)(call.call_number, call.endpoint)
        except PbxRejected as exc:
            raise _pbx_refusal(exc, call, action) from exc
        _apply_until(
            account,
            bridge,
            lambda: (
                _leg_state(account, call.endpoint, call.call_number) == _EXPECTED[action]
                and (
                    talking is None
                    or _leg_state(account, call.endpoint, talking.call_number) == CallState.HELD
                )
            ),
        )
    call.refresh_from_db()
    if call.state != _EXPECTED[action] and not call.is_over:
        # The PBX acknowledged the request but no event confirmed it in time: record the outcome.
        kind = {"answer": "established", "end": "gone", "hold": "held", "retrieve": "retrieved"}[action]
        event = PbxCallEvent(
            kind, call.call_number, call.endpoint, calling=call.from_number, called=call.to_number
        )
        if action == "answer":
            event = replace(event, state=CallState.CONNECTED)
        call = call_event_apply(call.account, event) or call
    return call


def _destination_action(call: Call, action: str, destination: str) -> Call:
    """blindTransfer (SingleStepTransferCall) or consult (ConsultationCall) to ``destination``."""
    account = call.account
    pbx = _pbx(account)
    with PbxBridge.open(pbx) as bridge:
        bridge.monitor(call.from_number, call.to_number, destination)
        try:
            if action == "blindTransfer":
                bridge.blind_transfer(call.call_number, call.endpoint, destination)
                result = call.call_number
            else:
                result = bridge.consult(call.call_number, call.endpoint, destination)
        except PbxRejected as exc:
            raise _pbx_refusal(exc, call, action) from exc
        if action == "blindTransfer":
            # Over for the transferring side once the destination rings.
            _apply_until(
                account,
                bridge,
                lambda: (
                    _leg_state(account, call.endpoint, call.call_number) == CallState.COMPLETED
                    and _leg_state(account, destination, result) == CallState.RINGING
                ),
            )
        else:
            _apply_until(
                account,
                bridge,
                lambda: (
                    _leg_state(account, call.endpoint, call.call_number) == CallState.HELD
                    and _leg_state(account, destination, result) == CallState.RINGING
                ),
            )
    if action == "consult":
        return selectors.call_leg(account, call.endpoint, result) or call
    call.refresh_from_db()
    return call


def _two_call_action(call: Call, other: Call, action: str) -> Call:
    """supervisedTransfer (TransferCall) or conference (ConferenceCall) of the extension's two calls: one
    held, the other connected (or, for a transfer, still ringing at the consulted party)."""
    if other.pk == call.pk or other.is_over:
        raise CallStateConflict(f"{action} needs two live calls of endpoint {call.endpoint}.")
    legs = {leg.state: leg for leg in (call, other)}
    held = legs.get(CallState.HELD)
    active = legs.get(CallState.CONNECTED)
    if held is None or active is None:
        raise CallStateConflict(
            f"{action} needs one held and one connected call; {call.call_id} is {call.state} and "
            f"{other.call_id} is {other.state}."
        )
    account = call.account
    pbx = _pbx(account)
    with PbxBridge.open(pbx) as bridge:
        bridge.monitor(held.from_number, held.to_number, active.from_number, active.to_number)
        try:
            if action == "supervisedTransfer":
                result = bridge.transfer(held.call_number, active.call_number, call.endpoint)
            else:
                result = bridge.conference(held.call_number, active.call_number, call.endpoint)
        except PbxRejected as exc:
            raise _pbx_refusal(exc, call, action) from exc
        if action == "supervisedTransfer":
            _apply_until(
                account,
                bridge,
                lambda: (
                    _leg_state(account, call.endpoint, held.call_number) == CallState.COMPLETED
                    and _leg_state(account, call.endpoint, active.call_number) == CallState.COMPLETED
                ),
            )
        else:
            _apply_until(
                account,
                bridge,
                lambda: (
                    _leg_state(account, call.endpoint, active.call_number) == CallState.COMPLETED
                    and _leg_state(account, call.endpoint, result) == CallState.CONNECTED
                ),
            )
    if action == "conference":
        return selectors.call_leg(account, call.endpoint, result) or call
    call.refresh_from_db()
    return call


ACTIONS = (*BASIC_ACTIONS, *DESTINATION_ACTIONS, *TWO_CALL_ACTIONS)

__all__ = [
    "ACTIONS",
    "CallStateConflict",
    "NoPbxConfigured",
    "PbxError",
    "call_action",
    "call_event_apply",
    "call_follow",
    "call_make",
]
