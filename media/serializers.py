"""CloudLink Media's JSON, built from the models: the ``call`` resource the API answers and the
``content`` of the call events published on ``platform-api-media``. Services return ``Call``
objects; what goes on the wire is built here (the API's serializers and the publisher use it).
"""

from __future__ import annotations

import uuid

from django.utils import timezone

from accounts.models import User
from media.models import Call


def _iso(value) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def call_resource(call: Call) -> dict:
    """The CloudLink ``call`` object (Media spec)."""
    data = {
        "callId": call.call_id,
        "endpointId": call.endpoint,
        "from": call.from_number,
        "fromName": call.from_name,
        "fromNumberE164": False,
        "to": call.to_number,
        "toName": call.to_name,
        "toNumberE164": False,
        "state": call.state,
        "cause": call.cause,
        "direction": call.direction,
        "extraPbxData": call.extra_pbx_data,
        "createdOn": _iso(call.created_on),
        "completed": call.completed,
        "ringTime": call.ring_time,
        "billingTime": call.billing_time,
        "_links": {"self": call.self_link},
    }
    if call.end_time:
        data["endTime"] = _iso(call.end_time)
    return data


def call_notification(call: Call, *, user: User | None) -> dict:
    """The ``content`` of a ``platform-api-media`` publication (docs/calls.md, Events and publications);
    ``user`` is the extension's user (their id is the principal), if any."""
    now = timezone.now()
    return {
        "from": call.from_number,
        "to": call.to_number,
        "fromName": call.from_name,
        "toName": call.to_name,
        "state": call.state,
        "cause": call.cause,
        "direction": call.direction,
        "callId": call.call_id,
        "endpointId": call.endpoint,
        "accountId": str(call.account.account_id),
        "principalId": str(user.user_id) if user else "",
        "userId": str(user.user_id) if user else "",
        "eventType": "CallStateNotification",
        "createdOn": _iso(call.created_on),
        "timestamp": int(now.timestamp() * 1000),
        "eventId": str(uuid.uuid4()),
        "isCtiEvent": True,
        "extraPbxData": call.extra_pbx_data,
        "_links": {"self": call.self_link},
    }
