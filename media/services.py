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
ACTIONS = ("answer", "end", "hold", "retrieve")
# Valid in the CloudLink spec, not implemented here (400 with a clear message).
UNSUPPORTED_ACTIONS = (
    "blindTransfer",
    "supervisedTransfer",
    "consult",
    "dtmf",
    "conference",
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


def _new_leg(account: Account, event: PbxCallEvent) -> Call | None:
    """A leg the PBX told us about first (a ringing phone, a call dialled on the phone)."""
    if event.kind not in ("delivered", "established") or not (event.calling and event.called):
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
        answered = event.kind == "established" or (
            event.kind == "snapshot" and call.direction == CallDirection.INBOUND
        )
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


_EXPECTED = {
    "answer": CallState.CONNECTED,
    "end": CallState.COMPLETED,
    "hold": CallState.HELD,
    "retrieve": CallState.CONNECTED,
}


def _check_transition(call: Call, action: str) -> None:
    if call.is_over:
        raise CallStateConflict(f"The call {call.call_id} is over: it cannot be {_PAST[action]}.")
    if action == "answer" and (call.direction != CallDirection.INBOUND or call.state != CallState.RINGING):
        raise CallStateConflict(
            f"Only a ringing inbound call can be answered; {call.call_id} is {call.direction} and {call.state}."
        )
    if action == "hold" and call.state != CallState.CONNECTED:
        raise CallStateConflict(f"Only a connected call can be held; {call.call_id} is {call.state}.")
    if action == "retrieve" and call.state != CallState.HELD:
        raise CallStateConflict(f"Only a held call can be retrieved; {call.call_id} is {call.state}.")


_PAST = {"answer": "answered", "end": "ended", "hold": "held", "retrieve": "retrieved"}


def call_action(*, actor: User | Principal, extension: str, call_ref: str, action: str) -> Call:
    """Apply ``action`` (answer, end, hold, retrieve) to the extension's leg of a call."""
    if action in UNSUPPORTED_ACTIONS:
        raise ValidationError(
            {"action": [f"The action {action!r} is not supported here; supported: {', '.join(ACTIONS)}."]}
        )
    if action not in ACTIONS:
        raise ValidationError(
            {"action": [f"Unknown action {action!r}; expected one of {', '.join(ACTIONS)}."]}
        )
    call = selectors.call_get_or_404(actor=actor, extension=extension, call_ref=call_ref)
    _check_transition(call, action)
    account = call.account
    pbx = _pbx(account)
    operation = {"answer": "answer", "end": "clear", "hold": "hold", "retrieve": "retrieve"}[action]
    with PbxBridge.open(pbx) as bridge:
        bridge.monitor(call.from_number, call.to_number)
        try:
            getattr(bridge, operation)(call.call_number, call.endpoint)
        except PbxRejected as exc:
            if exc.value in ("invalidConnectionID", "invalidCallID"):
                # The PBX no longer knows the call: it ended while nobody watched.
                call_event_apply(account, PbxCallEvent("gone", call.call_number, call.endpoint))
                raise CallStateConflict(f"The call {call.call_id} is no longer active on the PBX.") from exc
            if exc.value in ("invalidObjectState", "invalidCallState", "generic"):
                raise CallStateConflict(f"The PBX refused to {action} {call.call_id}: {exc}") from exc
            raise
        deadline = time.monotonic() + action_event_wait()
        for event in bridge.events(until=deadline):
            applied = call_event_apply(account, event)
            if applied is not None and applied.pk == call.pk and applied.state == _EXPECTED[action]:
                break
        _drain(account, bridge)
    call.refresh_from_db()
    if call.state != _EXPECTED[action] and not call.is_over:
        # The PBX acknowledged the request but no event confirmed it in time: record the outcome.
        kind = {"answer": "established", "end": "gone", "hold": "held", "retrieve": "retrieved"}[action]
        event = PbxCallEvent(
            kind, call.call_number, call.endpoint, calling=call.from_number, called=call.to_number
        )
        if action == "answer":
            event = replace(event, state=CallState.CONNECTED)
        call = call_event_apply(account, event) or call
    return call


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
