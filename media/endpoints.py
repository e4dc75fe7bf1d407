"""An extension's device as the Media API's ``endpoint``: its state (presence, from the device's calls),
do not disturb, message waiting and call forwarding, read and set on the PBX over CSTA (docs/calls.md,
"Endpoints"). Every change is published on ``platform-api-media`` (subject ``/2017-09-01/endpoints/{ext}``)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from accounts import access
from accounts.access import Principal
from accounts.models import Account, User
from gateways.pbx.bridge import PbxBridge, PbxError, PbxRejected
from gateways.pbx.csta_xml import FORWARDING_TYPES
from media import selectors
from media.services import TOPIC, _pbx
from notifications.models import Publication
from notifications.publish import publication_publish

FEATURE_ACTIONS = ("dnd", "messageWaiting")
# Call states in order of precedence: a device ringing and talking is "connected".
_PRESENCE_ORDER = ("connected", "held", "ringing")


def _presence(states: list[str]) -> str:
    return next((state for state in _PRESENCE_ORDER if state in states), "idle")


def _availability(state: str, dnd: bool) -> str:
    if dnd:
        return "dnd"
    return "available" if state == "idle" else "busy"


def _read(account: Account, bridge: PbxBridge, extension: str) -> dict:
    features = bridge.device_features(extension)
    state = _presence([event.state for event in bridge.snapshot(extension)])
    user = selectors.user_for_extension(account, extension)
    return {
        "endpointId": extension,
        "name": user.display_name if user else "",
        "state": state,
        "userAvailability": _availability(state, features["dnd"]),
        "dnd": features["dnd"],
        "messageWaiting": features["messageWaiting"],
        "callForwarding": features["forwarding"],
        "_links": {"self": f"/2017-09-01/endpoints/{extension}"},
    }


def _open(actor, extension: str) -> tuple[Account, PbxBridge]:
    account = selectors.endpoint_account(actor=actor, extension=extension)
    return account, PbxBridge.open(_pbx(account))


def _open_to_change(actor, extension: str) -> tuple[Account, PbxBridge]:
    """``_open``, refused when the extension's user has a role above the actor's."""
    account = selectors.endpoint_account(actor=actor, extension=extension)
    access.require_not_above(actor, User.objects.filter(account=account, extension=extension).first())
    return account, PbxBridge.open(_pbx(account))


def _known(exc: PbxRejected, extension: str) -> Exception:
    if exc.value in ("invalidDeviceID", "invalidDevice"):
        return Http404(f"The account's PBX has no extension {extension}.")
    return exc


def endpoint_state(*, account: Account, extension: str) -> dict:
    """The endpoint of ``extension`` on ``account``'s PBX, for a caller that already checked access (the
    console's user page, behind ``account_view``)."""
    with PbxBridge.open(_pbx(account)) as bridge:
        try:
            return _read(account, bridge, extension)
        except PbxRejected as exc:
            raise _known(exc, extension) from exc


def endpoint_get(*, actor: User | Principal, extension: str) -> dict:
    account, bridge = _open(actor, extension)
    with bridge:
        try:
            return _read(account, bridge, extension)
        except PbxRejected as exc:
            raise _known(exc, extension) from exc


# What an endpoint notification says; an endpoint equal to the last one published is not published again.
_ENDPOINT_FIELDS = (
    "endpointId",
    "name",
    "state",
    "userAvailability",
    "dnd",
    "messageWaiting",
    "callForwarding",
)


def _publish(account: Account, endpoint: dict) -> None:
    """Publish the endpoint unless it equals the last endpoint notification of that extension: an API PUT
    and the listener (which sees the same change as a CSTA event) publish a change once between them."""
    subject = f"/2017-09-01/endpoints/{endpoint['endpointId']}"
    with transaction.atomic():
        # Serialises the check and the write per account (PostgreSQL; SQLite serialises writes anyway).
        Account.objects.select_for_update().filter(pk=account.pk).exists()
        last = (
            Publication.objects.filter(account=account, topic=TOPIC, subject=subject)
            .order_by("-pk")
            .values_list("content", flat=True)
            .first()
        )
        if last is not None and all(last.get(key) == endpoint[key] for key in _ENDPOINT_FIELDS):
            return
        _publish_now(account, endpoint, subject)


def _publish_now(account: Account, endpoint: dict, subject: str) -> None:
    user = selectors.user_for_extension(account, endpoint["endpointId"])
    publication_publish(
        account=account,
        topic=TOPIC,
        subject=subject,
        method="PUT",
        content={
            **endpoint,
            "eventType": "EndpointStateNotification",
            "accountId": str(account.account_id),
            "principalId": str(user.user_id) if user else "",
            "timestamp": int(timezone.now().timestamp() * 1000),
        },
        audience=[str(user.user_id)] if user else [],
    )


def endpoint_refresh(*, account: Account, bridge: PbxBridge, extension: str) -> None:
    """Read ``extension``'s endpoint on an open session and publish it if it changed (the listener, after a
    call or feature event on the device: presence, DND, message waiting or forwarding changed)."""
    try:
        endpoint = _read(account, bridge, extension)
    except PbxError:
        return  # the device is gone, or the session broke (the listener reconnects and reads again)
    _publish(account, endpoint)


def endpoint_update(*, actor: User | Principal, extension: str, action: str, enabled: bool) -> dict:
    """Set DND or message waiting (the spec's ``updateEndpointRequest``) and publish the endpoint."""
    if action not in FEATURE_ACTIONS:
        raise ValidationError(
            {"action": [f"The action {action!r} is not supported; supported: dnd, messageWaiting."]}
        )
    account, bridge = _open_to_change(actor, extension)
    with bridge:
        try:
            bridge.set_feature(extension, action, enabled)
            endpoint = _read(account, bridge, extension)
        except PbxRejected as exc:
            raise _known(exc, extension) from exc
    _publish(account, endpoint)
    return endpoint


def endpoint_forwarding_set(
    *, actor: User | Principal, extension: str, forwarding_type: str, destination: str
) -> dict:
    """Call forward immediate / busy / no answer (``forwardImmediate``, ``forwardBusy``, ``forwardNoAns``)
    to ``destination``; a blank destination switches it off."""
    if forwarding_type not in FORWARDING_TYPES:
        raise ValidationError({"type": [f"Expected one of {', '.join(FORWARDING_TYPES)}."]})
    account, bridge = _open_to_change(actor, extension)
    with bridge:
        try:
            bridge.set_forwarding(extension, forwarding_type, destination)
            endpoint = _read(account, bridge, extension)
        except PbxRejected as exc:
            if exc.value.startswith("invalidForwarding"):
                raise ValidationError(
                    {"destination": [f"The PBX cannot forward to {destination!r}."]}
                ) from exc
            raise _known(exc, extension) from exc
    _publish(account, endpoint)
    return endpoint
